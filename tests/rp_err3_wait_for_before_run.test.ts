// `asyncio.run(asyncio.waitFor(main(), 1))`: waitFor is called before any
// loop runs, and starts when one does, as Python's coroutine would. It used
// to run itself on the policy's loop, which a first `run` leaves refused
// ("There is no current event loop"), so a second such `run` failed.
// Task numbers are process-wide, as in Python (each `run` uses some for its
// shutdown): this file's first test must stay the first to make tasks.
// Checked against CPython (tests/fixtures/py/rp_err3_wait_for_before_run.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const main = asyncio.coroutine(async function main(tag: string) {
    const t = asyncio.currentTask()!;
    print(tag, t.getName(), asyncio.allTasks().size);
    await asyncio.sleep(0.01);
    return tag;
  });
  print(await asyncio.run(asyncio.waitFor(main("first run"), 1)));
  print(await asyncio.run(asyncio.waitFor(main("second run"), 1)));
  try {
    await asyncio.run(asyncio.waitFor(asyncio.sleep(1), 0.02));
  } catch (e) {
    if (!(e instanceof asyncio.TimeoutError)) throw e;
    print("timeout", e.name);
  }
  const loop = asyncio.newEventLoop();
  try {
    print(await loop.runUntilComplete(asyncio.waitFor(main("ruc"), 1)));
    print(await loop.runUntilComplete(asyncio.waitFor(main("no limit"), null)));
  } finally {
    loop.close();
  }
}

const EXPECTED = [
  "first run Task-2 2",
  "first run",
  "second run Task-6 2",
  "second run",
  "timeout TimeoutError",
  "ruc Task-14 2",
  "ruc",
  "no limit Task-15 1",
  "no limit",
];

test("waitFor handed to run/runUntilComplete starts in that loop", async () => {
  const out: string[] = [];
  await app(printer(out));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_err3_wait_for_before_run.py", () => {
  const ref = pythonReference("rp_err3_wait_for_before_run");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
