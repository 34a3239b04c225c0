// Floats in future, task and handle reprs print as Python's repr() does:
// the exponent form below 1e-4 (`1e-05`), not JS's `0.00001`.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function floatReprs(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  for (
    const v of [
      1.5,
      0.1 + 0.2,
      0.0001,
      0.00012,
      1e-5,
      1.234e-5,
      -2.5e-7,
      1e-100,
      5e-324,
      Infinity,
      NaN,
    ]
  ) {
    const f = loop.createFuture<number>();
    f.setResult(v);
    print(f);
  }
  const h = loop.callSoon(console.log, 1e-5, 0.5);
  print(String(h).replace("log(", "print("));
  h.cancel();
  const t = asyncio.createTask(() => asyncio.sleep(0, 3.5e-6));
  await t;
  print(String(t).split(" coro=")[0], "result=" + String(t).split("result=")[1]);
}

const EXPECTED = [
  "<Future finished result=1.5>",
  "<Future finished result=0.30000000000000004>",
  "<Future finished result=0.0001>",
  "<Future finished result=0.00012>",
  "<Future finished result=1e-05>",
  "<Future finished result=1.234e-05>",
  "<Future finished result=-2.5e-07>",
  "<Future finished result=1e-100>",
  "<Future finished result=5e-324>",
  "<Future finished result=inf>",
  "<Future finished result=nan>",
  "<Handle print(1e-05, 0.5)>",
  "<Task finished name='Task-2' result=3.5e-06>",
];

test("floats in future, task and handle reprs look like Python's repr()", async () => {
  const out: string[] = [];
  await asyncio.run(() => floatReprs(printer(out)));
  // Task names count from 1 in a fresh process; here other tests may run first.
  out[out.length - 1] = out[out.length - 1].replace(/Task-\d+/, "Task-2");
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for ord_conf_float_reprs.py", () => {
  const ref = pythonReference("ord_conf_float_reprs");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
