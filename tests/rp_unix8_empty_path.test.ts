// An empty Unix server path fails Python's abstract-name check (`path[0]`)
// with IndexError ("string index out of range", "index out of range" for
// bytes), a LookupError, where the port bound an autobound abstract name
// and served; connecting to an empty path is EINVAL; a path that is
// neither a string nor bytes is a TypeError. Checked against CPython
// (tests/fixtures/py/rp_unix8_empty_path.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const ignore = () => {};
  const attempts: [string, () => Promise<unknown>][] = [
    ["start_unix_server ''", () => asyncio.startUnixServer(ignore, "")],
    ["start_unix_server b''", () => asyncio.startUnixServer(ignore, new Uint8Array(0) as never)],
    ["create_unix_server ''", () => loop.createUnixServer(() => new asyncio.Protocol(), "")],
    ["open_unix_connection ''", () => asyncio.openUnixConnection("")],
    [
      "create_unix_connection b''",
      () => loop.createUnixConnection(() => new asyncio.Protocol(), new Uint8Array(0) as never),
    ],
    ["start_unix_server 5", () => asyncio.startUnixServer(ignore, 5 as never)],
  ];
  for (const [label, attempt] of attempts) {
    try {
      const made = await attempt();
      print(label, "ok");
      if (made instanceof asyncio.Server) made.close();
    } catch (e) {
      const err = e as Error & { errno?: number };
      print(label, err.constructor.name, err.message, e instanceof asyncio.LookupError, err.errno);
    }
  }
}

const EXPECTED = [
  "start_unix_server '' IndexError string index out of range True None",
  "start_unix_server b'' IndexError index out of range True None",
  "create_unix_server '' IndexError string index out of range True None",
  "open_unix_connection '' OSError [Errno 22] Invalid argument False 22",
  "create_unix_connection b'' OSError [Errno 22] Invalid argument False 22",
  "start_unix_server 5 TypeError expected str, bytes or os.PathLike object, not int False None",
];

test("an empty Unix server path is Python's IndexError", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_unix8_empty_path.py", () => {
  const ref = pythonReference("rp_unix8_empty_path");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
