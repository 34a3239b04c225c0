// Debug mode's "Non-thread-safe operation" check covers a function an
// executor runs on the main thread in a thread's stead (given the loop, it
// cannot travel to a Worker): its loop.callSoon / callLater raise
// RuntimeError as from a Python thread; callSoonThreadsafe works, and
// outside debug mode nothing is checked. The check used to see no other
// thread there. Checked against CPython
// (tests/fixtures/py/rp_exec3_debug_thread_check.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void, debug: boolean): Promise<void> {
  const unsafe = (loop: asyncio.AbstractEventLoop, how: string): string => {
    if (how === "soon") loop.callSoon(print, "unsafe soon ran");
    else loop.callLater(0.03, print, "unsafe later ran");
    return how;
  };
  const safe = (loop: asyncio.AbstractEventLoop): string => {
    loop.callSoonThreadsafe(print, "threadsafe ran");
    return "safe";
  };
  await asyncio.run(async () => {
    const loop = asyncio.getRunningLoop();
    print("debug", loop.getDebug());
    for (const how of ["soon", "later"]) {
      try {
        print(await loop.runInExecutor(null, unsafe, loop, how));
      } catch (e) {
        if (!(e instanceof asyncio.RuntimeError)) throw e;
        print(how, e.name, e.message);
      }
    }
    print(await asyncio.toThread(safe, loop));
    await asyncio.sleep(0.1);
  }, { debug });
}

const EXPECTED = [
  "debug True",
  "soon RuntimeError Non-thread-safe operation invoked on an event loop other than the current one",
  "later RuntimeError Non-thread-safe operation invoked on an event loop other than the current one",
  "threadsafe ran",
  "safe",
  "debug False",
  "unsafe soon ran",
  "soon",
  "later",
  "threadsafe ran",
  "safe",
  "unsafe later ran",
];

test("debug mode refuses callSoon/callLater from an executor's function", async () => {
  const out: string[] = [];
  await app(printer(out), true);
  await app(printer(out), false);
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_exec3_debug_thread_check.py", () => {
  const ref = pythonReference("rp_exec3_debug_thread_check");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
