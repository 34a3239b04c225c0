// A finished task's repr shows its result through reprlib, which sorts a
// set's items and a dict's keys when they can be ordered: booleans, ints
// (numbers and bigints) and floats order together, as the numbers they are
// in Python, so `{all([]), any([])}` shows `{False, True}`. Only sets of
// plain numbers were sorted: one with a boolean or a bigint kept insertion
// order (`{True, False}`). Checked against CPython
// (tests/fixtures/py/rp_tasks11_result_set_repr.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function checks(): Promise<Set<boolean>> {
  await asyncio.sleep(0);
  return new Set([[].every(Boolean), [].some(Boolean)]);
}

async function give(v: unknown): Promise<unknown> {
  return v;
}

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const t = asyncio.createTask(checks, { name: "checks" });
  await t;
  print(String(t).split(" result=")[1]);
  for (
    const v of [
      new Set([true, 2, 0]),
      new Set([2.5, true, -1]),
      new Set([2n ** 70n, 3, 1]),
      new Map<unknown, string>([[true, "yes"], [false, "no"], [0.5, "half"]]),
      new Map<number, unknown>([[1, [true, false]], [0, new Set([false, true])]]),
      new Set([true, false, 7, 6, 5, 4, 3]),
    ]
  ) {
    const r = asyncio.createTask(() => give(v), { name: "R" });
    await r;
    print(String(r).split(" result=")[1]);
  }
}

const EXPECTED = [
  "{False, True}>",
  "{0, True, 2}>",
  "{-1, True, 2.5}>",
  "{1, 3, 1180591620717411303424}>",
  "{False: 'no', 0.5: 'half', True: 'yes'}>",
  "{0: {False, True}, 1: [True, False]}>",
  "{False, True, 3, 4, 5, 6, ...}>",
];

test("a task's result repr sorts sets and dict keys of booleans and numbers", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_tasks11_result_set_repr.py", () => {
  const ref = pythonReference("rp_tasks11_result_set_repr");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
