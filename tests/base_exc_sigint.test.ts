// Ctrl+C and uncaught KeyboardInterrupt / SystemExit, in child processes
// (the signal goes to the whole process; the exit status is the point):
// stdout and status as CPython 3.11's for the same programs
// (tests/fixtures/py/baseexc_sigint*.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { pythonReference } from "./pyref.ts";
import { lines, runScript } from "./util.ts";

const SIGINT_RUN = [
  "main got CancelledError CancelledError() 1",
  "main finally",
  "worker finally",
  "run raised KeyboardInterrupt()",
  "main2 swallowed",
  "run returned main2 result",
  "main3 uncancel 0",
  "run raised KeyboardInterrupt",
  "main4 cleanup start",
  "main4 cleanup interrupted CancelledError",
  "run raised KeyboardInterrupt()",
  "end",
];

const SIGINT_FOREVER = [
  "run_forever raised KeyboardInterrupt() running False task done False",
  "run_until_complete raised KeyboardInterrupt()",
  "ticker finally",
  "task cancelled True",
  "handler",
  "end",
];

test(
  "run(): the first SIGINT cancels the main task, run() raises KeyboardInterrupt unless it was swallowed; a second one raises KeyboardInterrupt out of the loop, the cleanup still runs",
  async () => {
    const r = await runScript("tests/fixtures/baseexc_sigint.ts", { timeout: 20 });
    assertEquals(lines(r.stdout), SIGINT_RUN, r.stderr);
    assertEquals(r.code, 0, r.stderr);
  },
  { timeout: 30 },
);

test(
  "SIGINT during runForever()/runUntilComplete() without run() raises KeyboardInterrupt out of the loop",
  async () => {
    const r = await runScript("tests/fixtures/baseexc_sigint_forever.ts", { timeout: 20 });
    assertEquals(lines(r.stdout), SIGINT_FOREVER, r.stderr);
    assertEquals(r.code, 0, r.stderr);
  },
  { timeout: 30 },
);

test(
  "an uncaught KeyboardInterrupt ends the process by SIGINT after run()'s cleanup; an uncaught SystemExit exits with its code, as CPython",
  async () => {
    // python3: asyncio.run(main()) interrupted, uncaught: prints "main finally", dies by SIGINT.
    let r = await runScript("tests/fixtures/baseexc_uncaught.ts", {
      args: ["sigint"],
      timeout: 20,
    });
    assertEquals([lines(r.stdout), r.signal], [["main finally"], "SIGINT"], r.stderr);
    // python3: sys.exit(5) in main: exit status 5, nothing on stderr.
    r = await runScript("tests/fixtures/baseexc_uncaught.ts", { args: ["exit"], timeout: 20 });
    assertEquals([lines(r.stdout), r.code, r.stderr], [["exiting"], 5, ""]);
    // python3: raise SystemExit: exit status 0.
    r = await runScript("tests/fixtures/baseexc_uncaught.ts", { args: ["exit-none"], timeout: 20 });
    assertEquals([lines(r.stdout), r.code], [["exiting"], 0], r.stderr);
  },
  { timeout: 60 },
);

test("CPython prints the same for baseexc_sigint.py and baseexc_sigint_forever.py", () => {
  for (
    const [name, expected] of [["baseexc_sigint", SIGINT_RUN], [
      "baseexc_sigint_forever",
      SIGINT_FOREVER,
    ]] as const
  ) {
    const ref = pythonReference(name);
    if (ref !== null) assertEquals(ref.lines, expected, `${ref.python} ${name}.py`);
  }
}, { fdCheck: false, timeout: 60 });
