// A child still running when asyncio.run() closes its loop is reaped when it
// exits, and the reaper then warns, as CPython's watcher does, that the loop
// that handles it is closed; nothing was logged. A child that exits while its
// loop runs gets no warning. Checked against CPython
// (tests/fixtures/py/rp_proc2_closed_loop_warning.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void, seen: unknown[]): Promise<void> {
  await asyncio.run(async () => {
    const done = await asyncio.createSubprocessExec("sh", "-c", "exit 3");
    print("waited", await done.wait());
    const p = await asyncio.createSubprocessExec("sleep", "0.2");
    print("started", p.returncode);
  });
  print("loop closed");
  await asyncio.run(async () => {
    for (let i = 0; i < 200 && seen.length === 0; i++) await asyncio.sleep(0.05);
    print("warnings", seen.length);
  });
}

const EXPECTED = [
  "waited 3",
  "started None",
  "loop closed",
  "LOG WARNING Loop <_UnixSelectorEventLoop running=False closed=True debug=False> " +
  "that handles pid N is closed",
  "warnings 1",
];

test("a child that outlives its loop is reported as handled by a closed loop", async () => {
  const out: string[] = [];
  const print = printer(out);
  const seen: unknown[] = [];
  const show = (r: asyncio.LogRecord) => {
    seen.push(r);
    print("LOG", r.levelName, r.message.replace(/pid \d+/, "pid N"));
  };
  asyncio.logger.addHandler(show);
  try {
    await app(print, seen);
  } finally {
    asyncio.logger.removeHandler(show);
  }
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_proc2_closed_loop_warning.py", () => {
  const ref = pythonReference("rp_proc2_closed_loop_warning");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
