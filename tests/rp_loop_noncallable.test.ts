// Outside debug mode, as in 3.11, the loop takes a callback that is not
// callable: scheduling returns a handle, and the call fails in its turn,
// reported to the exception handler ("Exception in callback 3()"); debug
// mode refuses it at the call. Checked against CPython
// (tests/fixtures/py/rp_loop_noncallable.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  loop.setExceptionHandler((_loop, ctx) => {
    const exc = ctx.exception as Error;
    print(
      "report:",
      ctx.message,
      "|",
      String(ctx.handle).split(" when=")[0],
      "|",
      exc.constructor.name,
      exc.message,
    );
  });
  const results: Record<string, unknown> = { total: 3 };
  const callSoon = loop.callSoon.bind(loop) as (cb: unknown, ...args: unknown[]) => asyncio.Handle;
  const h1 = callSoon(results.total);
  print("scheduled", h1.constructor.name, h1.cancelled() ? "True" : "False");
  callSoon(null);
  (loop.callSoonThreadsafe as (cb: unknown) => asyncio.Handle)("stop");
  const h2 = (loop.callLater as (d: number, cb: unknown, ...a: unknown[]) => asyncio.TimerHandle)(
    0.01,
    results.missing ?? null,
    "arg",
  );
  print("scheduled", h2.constructor.name);
  (loop.callAt as (w: number, cb: unknown) => asyncio.TimerHandle)(loop.time() + 0.02, 7.5);
  loop.callSoon(print, "the loop goes on");
  await asyncio.sleep(0.05);
  loop.setDebug(true);
  try {
    callSoon(null);
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    print("debug: TypeError", e.message);
  }
  try {
    (loop.callLater as (d: number, cb: unknown) => unknown)(1, 5);
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    print("debug: TypeError", e.message);
  }
  loop.setDebug(false);
  print("done");
}

const EXPECTED = [
  "scheduled Handle False",
  "scheduled TimerHandle",
  "report: Exception in callback 3() | <Handle 3()> | TypeError 'int' object is not callable",
  "report: Exception in callback None() | <Handle> | TypeError 'NoneType' object is not callable",
  "report: Exception in callback 'stop'() | <Handle 'stop'()> | TypeError 'str' object is not callable",
  "the loop goes on",
  "report: Exception in callback None('arg') | <TimerHandle | TypeError 'NoneType' object is not callable",
  "report: Exception in callback 7.5() | <TimerHandle | TypeError 'float' object is not callable",
  "debug: TypeError a callable object was expected by call_soon(), got None",
  "debug: TypeError a callable object was expected by call_at(), got 5",
  "done",
];

test(
  "a non-callable callback is taken and fails in its turn, outside debug mode (3.11)",
  async () => {
    const out: string[] = [];
    await asyncio.run(() => app(printer(out)));
    assertEquals(out, EXPECTED);
  },
  { timeout: 20 },
);

test("CPython prints the same for rp_loop_noncallable.py", () => {
  const ref = pythonReference("rp_loop_noncallable");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
