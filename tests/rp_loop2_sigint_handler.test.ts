// A SIGINT handler that the program adds while the loop runs (a graceful
// shutdown set up inside main()) is the one SIGINT calls: the loop's own
// KeyboardInterrupt listener, chosen when the run began, used to fire as
// well. Removing the handler brings KeyboardInterrupt back, as Python's
// remove_signal_handler(SIGINT) restores signal.default_int_handler; the
// process used to die by SIGINT. In a child process: the signal goes to the
// whole process. Checked against CPython
// (tests/fixtures/py/rp_loop2_sigint_handler.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { pythonReference } from "./pyref.ts";
import { lines, runScript } from "./util.ts";

const EXPECTED = [
  "loop: SIGINT handled by the loop",
  "loop: removed True",
  "KeyboardInterrupt out of run_until_complete, task done: False",
  "loop: main cancelled",
  "task cancelled: True",
  "run: SIGINT handled by the loop",
  "run: removed True",
  "run: main cancelled",
  "KeyboardInterrupt out of run()",
  "end",
];

test(
  "SIGINT goes to a handler added mid-run; removing it brings KeyboardInterrupt back",
  async () => {
    const r = await runScript("tests/fixtures/rp_loop2_sigint_handler.ts", { timeout: 20 });
    assertEquals(lines(r.stdout), EXPECTED, r.stderr);
    assertEquals(r.code, 0, r.stderr);
  },
  { timeout: 30 },
);

test("CPython prints the same for rp_loop2_sigint_handler.py", () => {
  const ref = pythonReference("rp_loop2_sigint_handler");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
