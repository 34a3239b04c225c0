// A job in the default executor (a Worker) that fails inside a map over its
// input: the caller gets the error and the loop runs on. The error's stack
// names a native frame (`at Array.map (<anonymous>)` on Deno and Node, with
// no line to read), on which the pool's reply handler itself failed: the
// job never settled and the program hung. Checked against CPython
// (tests/fixtures/py/rp_loop11_executor_native_frame.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { pyRepr } from "../lib/format.ts";
import * as asyncio from "../mod.ts";

// Uses no name of this module: it runs in a Worker.
function parseAll(items: string[]): number[] {
  return items.map((s) => {
    if (!/^[+-]?\d+$/.test(s.trim())) {
      throw new RangeError(`invalid literal for int() with base 10: '${s}'`);
    }
    return parseInt(s, 10);
  });
}

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  print("ok", pyRepr(await loop.runInExecutor(null, parseAll, ["1", "22"])));
  for (const bad of [["3", "x"], ["y"]]) {
    try {
      await loop.runInExecutor(null, parseAll, bad);
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      print("failed", e instanceof RangeError, e.message);
    }
  }
  print("ok again", pyRepr(await asyncio.toThread(parseAll, ["4"])));
}

const EXPECTED = [
  "ok [1, 22]",
  "failed True invalid literal for int() with base 10: 'x'",
  "failed True invalid literal for int() with base 10: 'y'",
  "ok again [4]",
];

test("an executor job failing inside a native frame rejects its future", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_loop11_executor_native_frame.py", () => {
  const ref = pythonReference("rp_loop11_executor_native_frame");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
