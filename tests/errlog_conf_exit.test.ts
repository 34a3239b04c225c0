// A loop left open reports at exit what CPython 3.11 reports when it frees
// the loop at shutdown (tests/fixtures/py/errlog_conf_exit.py), and a task
// made for an already rejected promise does not end the program with an
// unhandled rejection before its loop runs.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { pythonReference } from "./pyref.ts";
import { runScript } from "./util.ts";

const EXPECTED = [
  "caught ValueError('boom')",
  "main done",
  "end",
  "Task exception was never retrieved",
  "future: <Task finished name='Task-4' coro=<boom()> exception=ValueError('boom')>",
  "Traceback (most recent call last):",
  "ValueError: boom",
  "Task was destroyed but it is pending!",
  "task: <Task pending name='Task-3' coro=<forever()> wait_for=<Future pending cb=[Task.task_wakeup()]>>",
];

test("an open loop's never-retrieved and pending tasks are reported at exit", async () => {
  const r = await runScript("tests/fixtures/errlog_conf_exit.ts", { timeout: 30 });
  assertEquals(r.code, 0, r.stderr);
  assertEquals(r.stdout, "");
  // Without the frame lines of the traceback.
  const lines = r.stderr.split("\n").filter((l) => l !== "" && !l.startsWith("  "));
  assertEquals(lines, EXPECTED, r.stderr);
}, { timeout: 40 });

test("CPython prints the same for errlog_conf_exit.py", () => {
  const ref = pythonReference("errlog_conf_exit");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
