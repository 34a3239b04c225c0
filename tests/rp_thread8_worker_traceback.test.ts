// What a function raised in a Worker, never retrieved, is reported with a
// traceback, as CPython reports what a worker thread raised: for the task
// awaiting toThread and for runInExecutor's future alike, on every runtime.
// The future's report used to have no traceback; the task's showed the
// Worker's internals (`[ext:runtime/web_worker.rs]`, `blob:`) on Deno and
// Bun and no traceback on Node. The function's frames are named as Python
// names code run from a string (`File "<string>"`). Checked against CPython
// (tests/fixtures/py/rp_thread8_worker_traceback.py).
import { test } from "./harness.ts";
import { assert, assertEquals } from "./assert.ts";
import { pythonReference } from "./pyref.ts";
import { runScript } from "./util.ts";

const EXPECTED = [
  "task done True",
  "future done True",
  "end of main",
  "Task exception was never retrieved",
  "future: <Task finished name='offload' coro=<to_thread()> exception=TypeError('thread failed 1')>",
  "Traceback (most recent call last):",
  "TypeError: thread failed 1",
  "Future exception was never retrieved",
  "future: <Future finished exception=TypeError('thread failed 2')>",
  "Traceback (most recent call last):",
  "TypeError: thread failed 2",
  "after run",
];

test("what a Worker raised is reported with a traceback of its own frames", async () => {
  const r = await runScript("tests/fixtures/rp_thread8_worker_traceback.ts", { timeout: 20 });
  assertEquals(r.code, 0, r.stderr);
  assertEquals(r.stdout, "");
  const lines = r.stderr.split("\n");
  if (lines.at(-1) === "") lines.pop();
  assertEquals(lines.filter((l) => !l.startsWith("  ")), EXPECTED, r.stderr);
  // The frames: the function's, and none of the Worker's own.
  const frames = lines.filter((l) => l.startsWith("  "));
  assertEquals(frames.length, 2, r.stderr);
  for (const l of frames) assert(/^ {2}File "<string>", line \d+, in fail$/.test(l), r.stderr);
}, { timeout: 30 });

test("CPython prints the same for rp_thread8_worker_traceback.py", () => {
  const ref = pythonReference("rp_thread8_worker_traceback");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
