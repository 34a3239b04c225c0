// A lazy Coroutine given to two tasks: as in Python, the second task waits
// while the first runs it and then fails with "cannot reuse already
// awaited coroutine" (not "coroutine is being awaited already" at once).
// Checked against CPython (tests/fixtures/py/rp_err3_coroutine_reuse.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { pyRepr } from "../lib/format.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const work = asyncio.coroutine(async function work(x: number) {
    print("start", x);
    await asyncio.sleep(0.01);
    print("end", x);
    return x;
  });
  const c = work(1);
  const t1 = asyncio.createTask(c);
  const t2 = asyncio.createTask(c);
  await asyncio.sleep(0);
  print("after one step", t1.done(), t2.done());
  const res = await asyncio.gather(t1, t2, { returnExceptions: true });
  print(`[${res.map((r) => pyRepr(pyRepr(r))).join(", ")}]`);
  try {
    await c;
  } catch (e) {
    if (!(e instanceof asyncio.RuntimeError)) throw e;
    print("await again:", e.message);
  }
}

const EXPECTED = [
  "start 1",
  "after one step False False",
  "end 1",
  `['1', "RuntimeError('cannot reuse already awaited coroutine')"]`,
  "await again: cannot reuse already awaited coroutine",
];

test("a second task on a running coroutine fails when it ends", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_err3_coroutine_reuse.py", () => {
  const ref = pythonReference("rp_err3_coroutine_reuse");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
