// In debug mode the default exception handler shows where the current
// handle was made (`handle_traceback: Handle created at ...`), also when
// the caller is a task's code resumed by an await: that code runs after the
// resuming step returned, in the microtask drain, where the loop's current
// handle is already unset; Python runs it inside the step's handle.
// Checked against CPython (tests/fixtures/py/rp_fut_debug_handle_traceback.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function reportsApp(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  // A loaded machine must not add "Executing ... took" warnings to the log.
  loop.slowCallbackDuration = 10;
  loop.callSoon(() => loop.callExceptionHandler({ message: "from a callback" }));
  await asyncio.sleep(0.01);
  loop.callExceptionHandler({ message: "after sleep" });
  const fut = loop.createFuture<number>();
  loop.callSoon(fut.setResult, 1);
  await fut;
  loop.callExceptionHandler({ message: "after a future" });
  await asyncio.sleep(0);
  loop.callExceptionHandler({ message: "after sleep(0)", exception: null });
  print("end");
}

const EXPECTED = [
  "log: from a callback",
  "log: handle_traceback: Handle created at (most recent call last):",
  "log: after sleep",
  "log: handle_traceback: Handle created at (most recent call last):",
  "log: after a future",
  "log: handle_traceback: Handle created at (most recent call last):",
  "log: after sleep(0)",
  "log: handle_traceback: Handle created at (most recent call last):",
  "end",
];

test("debug mode: a resumed task's report shows its step's handle_traceback", async () => {
  const out: string[] = [];
  const print = printer(out);
  const lines = (r: asyncio.LogRecord) => {
    for (const line of r.message.split("\n")) if (!line.startsWith("  ")) print("log:", line);
  };
  asyncio.logger.addHandler(lines);
  try {
    await asyncio.run(() => reportsApp(print), { debug: true });
  } finally {
    asyncio.logger.removeHandler(lines);
  }
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_fut_debug_handle_traceback.py", () => {
  const ref = pythonReference("rp_fut_debug_handle_traceback");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
