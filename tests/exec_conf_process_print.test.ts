// What a function in a ProcessPoolExecutor child prints reaches the
// parent's stdout, before the parent prints the result, as a Python pool
// child's print() does. Deno's spawn hands a child no fd past 2, so there
// the child's output goes to the parent's stderr instead. Checked against
// CPython.
import { runtime, test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { pythonReference } from "./pyref.ts";
import { runScript } from "./util.ts";

const EXPECTED = [
  "child says 0",
  "result 0",
  "child says 1",
  "result 2",
  "child says 2",
  "result 4",
  "done",
];

test("a process pool child's console.log goes to the parent's stdout, in order", async () => {
  const r = await runScript("tests/fixtures/exec_conf_process_print.ts", { timeout: 30 });
  assertEquals(r.code, 0, r.stderr);
  const out = r.stdout.trimEnd().split("\n");
  if (runtime === "deno") {
    assertEquals(out, EXPECTED.filter((l) => !l.startsWith("child")), r.stderr);
    assertEquals(r.stderr.trimEnd().split("\n"), EXPECTED.filter((l) => l.startsWith("child")));
  } else {
    assertEquals(out, EXPECTED, r.stderr);
  }
}, { timeout: 40 });

test("CPython prints the same for exec_conf_process_print.py", () => {
  const ref = pythonReference("exec_conf_process_print");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
