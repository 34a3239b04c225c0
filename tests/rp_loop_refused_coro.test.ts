// A coroutine refused by run() / runUntilComplete() (a loop already running,
// or closed) or by a closed loop's createTask() never runs in Python: a
// warning on stderr, and the program goes on. A port's promise has already
// started and runs on; its failure must not end the process as an unhandled
// rejection. Checked against CPython (tests/fixtures/py/rp_loop_refused_coro.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  async function job(x: number): Promise<never> {
    await asyncio.sleep(0.01);
    throw new asyncio.ValueError(`job ${x}`);
  }
  async function main() {
    try {
      await asyncio.run(job(1));
    } catch (e) {
      if (!(e instanceof asyncio.RuntimeError)) throw e;
      print("RuntimeError", e.message);
    }
    const loop = asyncio.getRunningLoop();
    try {
      await loop.runUntilComplete(job(2));
    } catch (e) {
      if (!(e instanceof asyncio.RuntimeError)) throw e;
      print("RuntimeError", e.message);
    }
    await asyncio.sleep(0.05);
    print("main goes on");
  }
  await asyncio.run(main);
  const loop = asyncio.newEventLoop();
  loop.close();
  try {
    await loop.runUntilComplete(job(3));
  } catch (e) {
    if (!(e instanceof asyncio.RuntimeError)) throw e;
    print("RuntimeError", e.message);
  }
  try {
    loop.createTask(job(4));
  } catch (e) {
    if (!(e instanceof asyncio.RuntimeError)) throw e;
    print("RuntimeError", e.message);
  }
  print(await asyncio.run(asyncio.sleep(0.05, "the program goes on")));
}

const EXPECTED = [
  "RuntimeError asyncio.run() cannot be called from a running event loop",
  "RuntimeError This event loop is already running",
  "main goes on",
  "RuntimeError Event loop is closed",
  "RuntimeError Event loop is closed",
  "the program goes on",
];

test("a refused coroutine's promise fails quietly; the program goes on", async () => {
  const out: string[] = [];
  await app(printer(out));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_loop_refused_coro.py", () => {
  const ref = pythonReference("rp_loop_refused_coro");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
