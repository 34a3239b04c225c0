// stop() before runForever() runs one iteration: what is ready and due, not
// what those callbacks schedule; runUntilComplete() of a coroutine whose
// loop stops first; ensureFuture(coro, { loop }), Python's keyword-only
// `loop=`; debug mode refuses coroutine functions (also `coroutine(fn)`)
// and coroutine objects as callbacks; the loop's shutdown coroutines resolve
// to null (None), not undefined. Checked against CPython's output for
// tests/fixtures/py/loopc_conf_stop_run.py.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const EXPECTED = [
  "['x', 'timer']",
  "['x', 'timer', 'y']",
  "RuntimeError Event loop stopped before Future completed.",
  "['x', 'timer', 'y', 'co']",
  "r ['x', 'timer', 'y', 'co', 'co2', 'co', 'co2']",
  "r",
  "<_UnixSelectorEventLoop running=False closed=True debug=False>",
  "TypeError coroutines cannot be used with call_soon()",
  "TypeError a callable object was expected by call_soon(), got 5",
  "TypeError coroutines cannot be used with call_at()",
  "ran",
  "None None",
];

/** The port of loopc_conf_stop_run.py, line for line. */
async function program(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.newEventLoop();
  const out: string[] = [];
  const list = () => `[${out.map((x) => `'${x}'`).join(", ")}]`;
  const cb = (x: string) => {
    out.push(x);
    if (x === "x") loop.callSoon(cb, "y");
  };
  loop.callLater(0.01, cb, "timer");
  loop.callLater(5, cb, "late");
  const end = performance.now() + 50;
  while (performance.now() < end) { /* time.sleep(0.05): the loop does not run */ }
  loop.callSoon(cb, "x");
  loop.stop();
  loop.stop();
  await loop.runForever();
  print(list());
  loop.callSoon(loop.stop);
  await loop.runForever();
  print(list());
  loop.stop();

  async function co() {
    out.push("co");
    await asyncio.sleep(0);
    out.push("co2");
    return "r";
  }

  try {
    print(await loop.runUntilComplete(co));
  } catch (e) {
    if (!(e instanceof asyncio.RuntimeError)) throw e;
    print("RuntimeError", e.message);
  }
  print(list());
  const t = asyncio.ensureFuture(co, { loop });
  print(await loop.runUntilComplete(t), list());
  print(await loop.runUntilComplete(t));
  loop.close();
  print(loop);

  const debugLoop = asyncio.newEventLoop();
  debugLoop.setDebug(true);
  const corofn = asyncio.coroutine(async () => "ran");
  for (const bad of [corofn, 5]) {
    try {
      debugLoop.callSoon(bad as () => void);
    } catch (e) {
      if (!(e instanceof TypeError)) throw e;
      print("TypeError", e.message);
    }
  }
  const c = corofn();
  try {
    debugLoop.callLater(1, c as unknown as () => void);
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    print("TypeError", e.message);
  }
  print(await debugLoop.runUntilComplete(c));
  debugLoop.close();

  // printer() shows undefined as None too: null is checked for here.
  const none = (x: unknown) => x === null ? "None" : String(x);
  await asyncio.run(async () => {
    const running = asyncio.getRunningLoop();
    print(none(await running.shutdownAsyncgens()), none(await running.shutdownDefaultExecutor()));
  });
}

test("stop before runForever, a stopped runUntilComplete, ensureFuture with { loop }", async () => {
  const out: string[] = [];
  await program(printer(out));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for loopc_conf_stop_run.py", () => {
  const ref = pythonReference("loopc_conf_stop_run");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
