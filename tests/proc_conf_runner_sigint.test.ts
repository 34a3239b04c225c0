// run()'s SIGINT handler is the Runner's own, as CPython's (installed with
// signal.signal, not add_signal_handler): removeSignalHandler(SIGINT) inside
// run() returns false and leaves it; addSignalHandler(SIGINT) replaces it.
// In a child process (the signal goes to the whole process); checked
// against CPython.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { pythonReference } from "./pyref.ts";
import { lines, runScript } from "./util.ts";

const EXPECTED = [
  "remove before add: False",
  "own handler",
  "remove own: True",
  "remove again: False",
  "remove: False",
  "main task cancelled by SIGINT",
  "run raised KeyboardInterrupt",
  "end",
];

test(
  "removeSignalHandler(SIGINT) in run() leaves run()'s handler; an added one replaces it",
  async () => {
    const r = await runScript("tests/fixtures/proc_conf_runner_sigint.ts", { timeout: 20 });
    assertEquals(lines(r.stdout), EXPECTED, r.stderr);
    assertEquals(r.code, 0, r.stderr);
  },
  { timeout: 30 },
);

test("CPython prints the same for proc_conf_runner_sigint.py", () => {
  const ref = pythonReference("proc_conf_runner_sigint");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
