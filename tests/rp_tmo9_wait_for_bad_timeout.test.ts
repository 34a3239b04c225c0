// `waitFor(aw, "1")`: a timeout that is not a number is Python's TypeError,
// raised before the awaitable runs. A stream read, a queue get or a lock
// acquire passed in had started (or acted) in the call already and was
// left so: the read stayed parked (the next read failed with "already
// waiting"), the item was gone and the lock held. Now the read is cancelled
// and the get or acquire given back, as Python's coroutine never started.
// Checked against CPython (tests/fixtures/py/rp_tmo9_wait_for_bad_timeout.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const bytes = (b: Uint8Array) => `b'${new TextDecoder().decode(b).replace(/\n/g, "\\n")}'`;

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const [a, b] = asyncio.socketpair();
  const [r, w] = await asyncio.openConnection({ sock: a });
  const q = new asyncio.Queue<string>();
  q.putNowait("item");
  const lock = new asyncio.Lock();
  const calls: [string, () => Promise<unknown>][] = [
    ["readline", () => r.readLine()],
    ["readexactly", () => r.readExactly(3)],
    ["get", () => q.get()],
    ["acquire", () => lock.acquire()],
  ];
  for (const [label, make] of calls) {
    try {
      await asyncio.waitFor(make(), "1" as unknown as number);
    } catch (e) {
      if (!(e instanceof TypeError)) throw e;
      print(label, e.constructor.name, e.message);
    }
  }
  print("qsize", q.qsize(), "locked", lock.locked());
  b.send(new TextEncoder().encode("abc\n"));
  print("next read", bytes(await asyncio.waitFor(r.readLine(), 1)));
  print("next get", await q.get());
  w.close();
  await w.waitClosed();
  b.close();
}

const EXPECTED = [
  "readline TypeError '<=' not supported between instances of 'str' and 'int'",
  "readexactly TypeError '<=' not supported between instances of 'str' and 'int'",
  "get TypeError '<=' not supported between instances of 'str' and 'int'",
  "acquire TypeError '<=' not supported between instances of 'str' and 'int'",
  "qsize 1 locked False",
  "next read b'abc\\n'",
  "next get item",
];

test("waitFor with a bad timeout leaves a read, a get and an acquire undone", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_tmo9_wait_for_bad_timeout.py", () => {
  const ref = pythonReference("rp_tmo9_wait_for_bad_timeout");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
