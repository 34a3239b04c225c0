// ThreadPoolExecutor's initializer (with initargs) runs first in each
// worker, and what it prints comes before its first job's result; one that
// throws is logged and breaks the pool: its jobs fail with BrokenThreadPool
// (a RuntimeError), and so does submit() afterwards, as in Python. Checked
// against CPython.
import { test } from "./harness.ts";
import { assertEquals, assertMatch } from "./assert.ts";
import { pythonReference } from "./pyref.ts";
import { runScript } from "./util.ts";

const EXPECTED = [
  "init w",
  "2",
  "4",
  "TypeError initializer must be a callable",
  "BrokenThreadPool A thread initializer failed, the thread pool is not usable anymore True",
  "BrokenThreadPool A thread initializer failed, the thread pool is not usable anymore",
  "end",
];

test(
  "ThreadPoolExecutor: initializer and initargs; a failing initializer breaks the pool",
  async () => {
    const r = await runScript("tests/fixtures/exec_conf_thread_initializer.ts", { timeout: 30 });
    assertEquals(r.code, 0, r.stderr);
    assertEquals(r.stdout.trimEnd().split("\n"), EXPECTED, r.stderr);
    assertMatch(r.stderr, /Exception in initializer:[^]*RangeError: no init/);
  },
  { timeout: 40 },
);

test("CPython prints the same for exec_conf_thread_initializer.py", () => {
  const ref = pythonReference("exec_conf_thread_initializer");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
