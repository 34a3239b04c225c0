// The spec's "Develop with asyncio" examples: examples/develop_*.ts print
// what the spec shows (no timing checks).
import { test } from "./harness.ts";
import { assert, assertEquals } from "./assert.ts";
import { runScript } from "./util.ts";

const lines = (s: string) => s.split("\n").filter((l) => l !== "");

test("develop_chain_coroutines.ts: the corrected chain runs in order", async () => {
  // A small scale: the spec's sleeps of 3, 1 and 2 s become 0.15, 0.05, 0.1.
  const r = await runScript("examples/develop_chain_coroutines.ts", { args: ["0.05"] });
  assertEquals(r.code, 0, r.stderr);
  assertEquals(r.stderr, "");
  assertEquals(lines(r.stdout), [
    "(1) create file",
    "(2) write into file",
    "(3) close file",
    "Pending tasks at exit: set()",
  ]);
});

test("develop_chain_coroutines.ts --buggy: the spec's 'actual output'", async () => {
  const r = await runScript("examples/develop_chain_coroutines.ts", { args: ["--buggy", "0.05"] });
  assertEquals(r.code, 0, r.stderr);
  const out = lines(r.stdout);
  assertEquals(out.slice(0, 2), ["(3) close file", "(2) write into file"]);
  assertEquals(out.length, 3, r.stdout);
  assert(
    /^Pending tasks at exit: \{<Task pending name='Task-\d+' coro=<create\(\)> wait_for=<Future pending/
      .test(out[2]),
    out[2],
  );
});

test("develop_exception_never_consumed.ts: reported when collected, then consumed", async () => {
  const r = await runScript("examples/develop_exception_never_consumed.ts", {
    exposeGc: true,
    timeout: 30,
  });
  assertEquals(r.code, 0, r.stderr);
  // What the spec's Python prints: print("exception consumed"), twice.
  assertEquals(lines(r.stdout), ["exception consumed", "exception consumed"]);
  const err = lines(r.stderr);
  assertEquals(err.slice(0, 3), [
    "Task exception was never retrieved",
    "future: <Task finished name='Task-2' coro=<bug()> exception=Exception('not consumed')>",
    "Traceback (most recent call last):",
  ], r.stderr);
  // Python's frame line, then the exception's line, as the spec shows them.
  assert(
    /^ {2}File ".*develop_exception_never_consumed\.[tj]s", line \d+, in bug$/.test(err[3]),
    err[3],
  );
  assertEquals(err[4], "Exception: not consumed", r.stderr);
});

test("develop_exception_never_consumed.ts without the GC exposed says it needs it", async () => {
  const r = await runScript("examples/develop_exception_never_consumed.ts");
  assertEquals(r.code, 0, r.stderr);
  const out = lines(r.stdout);
  const bun = (globalThis as { Bun?: unknown }).Bun !== undefined;
  if (bun) {
    // Bun.gc() is always there: the same as with the flag.
    assert(r.stderr.startsWith("Task exception was never retrieved\n"), r.stderr);
  } else {
    // The note goes to stderr: stdout stays what Python prints.
    assert(
      r.stderr.startsWith("Skipping the unconsumed exception: it needs the GC exposed"),
      r.stderr,
    );
  }
  assertEquals(out, ["exception consumed", "exception consumed"]);
});
