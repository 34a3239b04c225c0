// A handle's `cancel` passed alone as a callback works on its handle, as
// Python's bound method does: `loop.callSoonThreadsafe(timer.cancel)`,
// `loop.callSoon(handle.cancel)`, a watchdog cancelled from a task's done
// callback, `loop.callLater(t, h.cancel)`; the handle scheduled shows it as
// `TimerHandle.cancel()` / `Handle.cancel()`. It used to be read unbound:
// the callback failed ("Cannot read properties of undefined") and the timer
// fired anyway. Checked against CPython
// (tests/fixtures/py/rp_loop11_handle_cancel_callback.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { pyRepr } from "../lib/format.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const fired: string[] = [];
  const push = (x: string) => fired.push(x);
  const timer = loop.callLater(0.02, push, "timer");
  const soon = loop.callSoon(push, "soon");
  const a = loop.callSoonThreadsafe(timer.cancel);
  const b = loop.callSoon(soon.cancel);
  print(pyRepr(a));
  print(pyRepr(b));
  await asyncio.sleep(0.05);
  print(pyRepr(fired), timer.cancelled(), soon.cancelled());
  const watchdog = loop.callLater(0.02, print, "watchdog fired");
  const work = async () => {
    await asyncio.sleep(0);
    return "worked";
  };
  const t = asyncio.createTask(work);
  t.addDoneCallback(() => loop.callSoon(watchdog.cancel));
  print(await t);
  await asyncio.sleep(0.05);
  print("watchdog cancelled", watchdog.cancelled());
  const late = loop.callLater(0.05, print, "late fired");
  const stopper = loop.callLater(0.001, late.cancel);
  print(pyRepr(stopper).split(" when=")[0], pyRepr(stopper).endsWith(" TimerHandle.cancel()>"));
  await asyncio.sleep(0.08);
  print("late cancelled", late.cancelled());
}

const EXPECTED = [
  "<Handle TimerHandle.cancel()>",
  "<Handle Handle.cancel()>",
  "['soon'] True True",
  "worked",
  "watchdog cancelled True",
  "<TimerHandle True",
  "late cancelled True",
];

test("a handle's cancel passed as a callback cancels its handle", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_loop11_handle_cancel_callback.py", () => {
  const ref = pythonReference("rp_loop11_handle_cancel_callback");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
