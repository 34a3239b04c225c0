// An active Timeout's repr shows Python's round(when, 3): correctly rounded
// with ties to even (Math.round(when * 1000) / 1000 took 0.0045, just below
// the tie, up to 0.005), and a float rounding to a whole number keeps its
// `.0`. Checked against CPython (tests/fixtures/py/rp_tg5_timeout_repr.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  for (const when of [0.0625, 0.0045, 2.5e-4, -1e-4, 1234.5675, 0.9996, 2.5, 10, Infinity]) {
    await asyncio.timeoutAt(when, (cm) => {
      print(String(cm));
    });
  }
  let last: asyncio.Timeout | null = null;
  await asyncio.timeoutAt(null, (cm) => {
    last = cm;
    print(String(cm));
    cm.reschedule(7.0005);
    print(String(cm));
    cm.reschedule(null);
  });
  print(String(last));
}

const EXPECTED = [
  "<Timeout [active] when=0.062>",
  "<Timeout [active] when=0.004>",
  "<Timeout [active] when=0.0>",
  "<Timeout [active] when=-0.0>",
  "<Timeout [active] when=1234.568>",
  "<Timeout [active] when=1.0>",
  "<Timeout [active] when=2.5>",
  "<Timeout [active] when=10>",
  "<Timeout [active] when=inf>",
  "<Timeout [active] when=None>",
  "<Timeout [active] when=7.0>",
  "<Timeout [finished]>",
];

test("Timeout repr rounds when as Python's round(when, 3)", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_tg5_timeout_repr.py", () => {
  const ref = pythonReference("rp_tg5_timeout_repr");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
