// createConnection() takes a negative happyEyeballsDelay (the next attempt
// starts at once) and a negative interleave (ordered as 1) as Python 3.11
// does, rather than refusing them with a ValueError of its own.
// Checked against CPython (tests/fixtures/py/rp_err3_happy_eyeballs_args.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const s = asyncio.socket();
  s.bind(["127.0.0.1", 0]);
  let port = (s.getsockname() as [string, number])[1];
  s.close();
  const tries: [string, { happyEyeballsDelay?: number; interleave?: number }][] = [
    ["['happy_eyeballs_delay']", { happyEyeballsDelay: -1 }],
    ["['interleave']", { interleave: -1 }],
    ["['happy_eyeballs_delay', 'interleave']", { happyEyeballsDelay: -0.5, interleave: -2 }],
  ];
  for (const [keys, kw] of tries) {
    try {
      await loop.createConnection(() => new asyncio.Protocol(), "127.0.0.1", port, kw);
      print(keys, "connected");
    } catch (e) {
      if (!(e instanceof asyncio.OSError)) throw e;
      print(keys, e.name, e.message.replace(String(port), "PORT"));
    }
  }
  const srv = await loop.createServer(() => new asyncio.Protocol(), "127.0.0.1", 0);
  port = (srv.sockets[0].getsockname() as [string, number])[1];
  const [tr] = await loop.createConnection(() => new asyncio.Protocol(), "127.0.0.1", port, {
    happyEyeballsDelay: -1,
  });
  print("negative delay connects:", (tr.getExtraInfo("peername") as [string, number])[1] === port);
  tr.close();
  srv.close();
  await srv.waitClosed();
}

const EXPECTED = [
  "['happy_eyeballs_delay'] ConnectionRefusedError [Errno 111] Connect call failed ('127.0.0.1', PORT)",
  "['interleave'] ConnectionRefusedError [Errno 111] Connect call failed ('127.0.0.1', PORT)",
  "['happy_eyeballs_delay', 'interleave'] ConnectionRefusedError [Errno 111] Connect call failed ('127.0.0.1', PORT)",
  "negative delay connects: True",
];

test("negative happyEyeballsDelay and interleave connect as in Python", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_err3_happy_eyeballs_args.py", () => {
  const ref = pythonReference("rp_err3_happy_eyeballs_args");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
