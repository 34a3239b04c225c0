// A server's protocol factory that throws SystemExit ends the run: it
// leaves the loop and asyncio.run() throws it after cancelling the main
// task, where other errors of the factory only drop the connection.
// (CPython also reports its internal accept task on stderr, "Task exception
// was never retrieved"; the port has no such task.)
// Checked against CPython (tests/fixtures/py/rp_proto3_factory_exit.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

type Print = (...args: unknown[]) => void;

async function main(print: Print): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const factory = (): asyncio.Protocol => {
    print("factory raises");
    throw new asyncio.SystemExit(7);
  };
  const server = await loop.createServer(factory, "127.0.0.1", 0);
  const port = (server.sockets[0].getsockname() as [string, number])[1];
  try {
    await loop.createConnection(() => new asyncio.Protocol(), "127.0.0.1", port);
    await asyncio.sleep(1);
    print("not reached");
  } finally {
    print("main finally");
    server.close();
  }
}

async function app(print: Print): Promise<void> {
  try {
    await asyncio.run(() => main(print));
  } catch (e) {
    if (!(e instanceof asyncio.SystemExit)) throw e;
    print("SystemExit", e.code);
  }
}

const EXPECTED = [
  "factory raises",
  "main finally",
  "SystemExit 7",
];

test("a server's protocol factory's SystemExit leaves the loop", async () => {
  const out: string[] = [];
  await app(printer(out));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_proto3_factory_exit.py", () => {
  const ref = pythonReference("rp_proto3_factory_exit");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
