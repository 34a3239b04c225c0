// An executor job's exception was raised (in the job), so its "never
// retrieved" report shows a traceback, as CPython's does; a job that
// shutdown({ cancelFutures: true }) withdrew before it started cancels the
// loop's future (Python's _copy_future_state), where it used to fail it
// with a CancelledError that was then reported. Checked against CPython
// (tests/fixtures/py/rp_exec_executor_report.py).
import { test } from "./harness.ts";
import { assert, assertEquals } from "./assert.ts";
import { pythonReference } from "./pyref.ts";
import { runScript } from "./util.ts";

const EXPECTED = [
  "done True",
  "<Future cancelled> True",
  "awaiting it raises CancelledError",
  "end of main",
  "Future exception was never retrieved",
  "future: <Future finished exception=ValueError('in executor')>",
  "Traceback (most recent call last):",
  "ValueError: in executor",
  "after run",
];

test(
  "an executor job's error is reported with its traceback; a withdrawn job cancels",
  async () => {
    const r = await runScript("tests/fixtures/rp_exec_executor_report.ts", { timeout: 20 });
    assertEquals(r.code, 0, r.stderr);
    assertEquals(r.stdout, "");
    const lines = r.stderr.split("\n");
    if (lines.at(-1) === "") lines.pop();
    assertEquals(lines.filter((l) => !l.startsWith("  ")), EXPECTED, r.stderr);
    // The frame: the program's function that raised.
    const frames = lines.filter((l) => l.startsWith("  File "));
    assert(
      frames.some((l) => /rp_exec_executor_report\.[jt]s", line \d+, in fail$/.test(l)),
      r.stderr,
    );
  },
  { timeout: 30 },
);

test("CPython prints the same for rp_exec_executor_report.py", () => {
  const ref = pythonReference("rp_exec_executor_report");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
