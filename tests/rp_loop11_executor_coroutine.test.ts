// A function run in the default executor (runInExecutor, toThread) that
// returns a lazy coroutine (a `coroutine(fn)` function's, Python's
// coroutine object), and such a coroutine function passed itself: the
// caller gets its result. The pool read the returned coroutine twice and
// started it twice, so the job failed with "coroutine is being awaited
// already". (CPython hands back the coroutine object, which the program
// then awaits; here the pool has awaited it: the program prints the same.)
// Checked against CPython (tests/fixtures/py/rp_loop11_executor_coroutine.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const double = asyncio.coroutine(async function double(x: number) {
  return x * 2;
});

function make(x: number) {
  return double(x);
}

async function settle(r: unknown): Promise<unknown> {
  return asyncio.iscoroutine(r) ? await (r as PromiseLike<unknown>) : r;
}

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  print("run_in_executor make", await settle(await loop.runInExecutor(null, make, 4)));
  print("to_thread make", await settle(await asyncio.toThread(make, 5)));
  print("run_in_executor double", await settle(await loop.runInExecutor(null, double, 6)));
  print("to_thread double", await settle(await asyncio.toThread(double, 7)));
  print("plain", await loop.runInExecutor(null, Math.abs, -3));
}

const EXPECTED = [
  "run_in_executor make 8",
  "to_thread make 10",
  "run_in_executor double 12",
  "to_thread double 14",
  "plain 3",
];

test("an executor job returning a lazy coroutine gives its result", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_loop11_executor_coroutine.py", () => {
  const ref = pythonReference("rp_loop11_executor_coroutine");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
