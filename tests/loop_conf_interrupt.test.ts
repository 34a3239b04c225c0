// A KeyboardInterrupt out of a callback, and the loop's bound methods in a
// handle's repr: checked against CPython's output for the same program
// (tests/fixtures/py/loop_interrupt.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const EXPECTED = [
  "a",
  "run_forever raised KeyboardInterrupt running: False",
  "b",
  "run_until_complete raised; done: False",
  "<Handle BaseEventLoop.stop()>",
  "<Handle _UnixSelectorEventLoop.close()>",
  "main finally",
  "asyncio.run raised KeyboardInterrupt",
];

function interrupt(): never {
  throw new asyncio.KeyboardInterrupt();
}

/** The port of loop_interrupt.py, line for line. */
async function program(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.newEventLoop();
  loop.setExceptionHandler((_l, c) => print("handler:", c.message));
  loop.callSoon(print, "a");
  loop.callSoon(interrupt);
  loop.callSoon(print, "b");
  try {
    await loop.runForever();
  } catch (e) {
    if (!(e instanceof asyncio.KeyboardInterrupt)) throw e;
    print("run_forever raised", e.constructor.name, "running:", loop.isRunning());
  }
  loop.callSoon(loop.stop);
  await loop.runForever();
  const fut = loop.createFuture();
  loop.callSoon(interrupt);
  try {
    await loop.runUntilComplete(fut);
  } catch (e) {
    if (!(e instanceof asyncio.KeyboardInterrupt)) throw e;
    print("run_until_complete raised; done:", fut.done());
  }
  for (const method of [loop.stop, loop.close]) {
    const h = loop.callSoon(method);
    print(h);
    h.cancel();
  }
  loop.close();

  async function main() {
    asyncio.getRunningLoop().callSoon(interrupt);
    try {
      await asyncio.sleep(1);
    } finally {
      print("main finally");
    }
  }
  try {
    await asyncio.run(main);
  } catch (e) {
    if (!(e instanceof asyncio.KeyboardInterrupt)) throw e;
    print("asyncio.run raised KeyboardInterrupt");
  }
}

test(
  "a KeyboardInterrupt in a callback leaves the loop at once, not logged; loop.stop/close print as Python's bound methods",
  async () => {
    const out: string[] = [];
    await program(printer(out));
    assertEquals(out, EXPECTED);
  },
  { timeout: 10 },
);

test("CPython prints the same for loop_interrupt.py", () => {
  const ref = pythonReference("loop_interrupt");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, `${ref.python} loop_interrupt.py`);
}, { fdCheck: false, timeout: 60 });
