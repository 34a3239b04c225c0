// `loop.callLater(0.02, cm.reschedule, when)`: a Timeout's reschedule read
// as a value is bound to its Timeout, as Python's bound method is, so the
// callback moves (or, given null, disarms) the deadline and the Handle
// names it `Timeout.reschedule`. Checked against CPython
// (tests/fixtures/py/rp_tg5_reschedule_callback.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const masked = (h: unknown) => String(h).replace(/\d+(\.\d+)?/g, "N");

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  let cm!: asyncio.Timeout;
  try {
    await asyncio.timeout(null, async (c) => {
      cm = c;
      const h = loop.callLater(0.02, cm.reschedule, loop.time() + 0.03);
      print(masked(h));
      await asyncio.sleep(10);
    });
  } catch (e) {
    if (!(e instanceof asyncio.TimeoutError)) throw e;
    print("timed out via callback", cm.expired(), String(cm));
  }
  await asyncio.timeout(0.03, async (c) => {
    cm = c;
    const h = loop.callSoon(cm.reschedule, null);
    print(masked(h));
    await asyncio.sleep(0.06);
  });
  print("disarmed via callback", String(cm), cm.expired());
}

const EXPECTED = [
  "<TimerHandle when=N Timeout.reschedule(N)>",
  "timed out via callback True <Timeout [expired]>",
  "<Handle Timeout.reschedule(None)>",
  "disarmed via callback <Timeout [finished]> False",
];

test("a Timeout's reschedule passed alone as a callback acts on its Timeout", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_tg5_reschedule_callback.py", () => {
  const ref = pythonReference("rp_tg5_reschedule_callback");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
