// What a function in a worker thread (toThread, runInExecutor) prints comes
// out in time order with what the loop's tasks print meanwhile, on every
// runtime, as a Python thread's print() does. Checked against CPython.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { pythonReference } from "./pyref.ts";
import { runScript } from "./util.ts";

const EXPECTED = [
  "square 3",
  "9",
  "start 1",
  "tick 0",
  "end 1",
  "tick 1",
  "tick 2",
  "2 ticked",
  "start 5",
  "end 5",
  "10",
  "done",
];

test("a worker's console.log interleaves with the loop's in time order", async () => {
  const r = await runScript("tests/fixtures/exec_conf_worker_print.ts", { timeout: 30 });
  assertEquals(r.code, 0, r.stderr);
  assertEquals(r.stdout.trimEnd().split("\n"), EXPECTED, r.stderr);
}, { timeout: 40 });

test("CPython prints the same for exec_conf_worker_print.py", () => {
  const ref = pythonReference("exec_conf_worker_print");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
