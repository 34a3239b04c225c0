// A child still running when asyncio.run() closes its loop is reaped when it
// exits, but its transport never hears of it, as in CPython, whose watcher
// cannot post the exit to a closed loop: getReturncode() and
// Process.returncode stay null (they were filled in by the reaper), the
// repr says running, signals are no error (the child is gone, its pid is
// not signalled) and close() kills nothing. A child whose exit the loop saw
// keeps its returncode. Checked against CPython
// (tests/fixtures/py/rp_subp10_closed_loop_returncode.py).
import process from "node:process";
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const clean = (s: unknown) => String(s).replace(/pid=\d+/g, "pid=N");
const list = (a: string[]) => "[" + a.map((x) => `'${x}'`).join(", ") + "]";

class P extends asyncio.SubprocessProtocol {
  ev: string[] = [];
  override processExited(): void {
    this.ev.push("exited");
  }
  override connectionLost(): void {
    this.ev.push("conn_lost");
  }
}

async function main() {
  const loop = asyncio.getRunningLoop();
  const none = { stdin: null, stdout: null, stderr: null };
  const [t, p] = await loop.subprocessExec(() => new P(), "sleep", "1", none);
  const [t2, p2] = await loop.subprocessExec(() => new P(), "sh", "-c", "exit 4", none);
  await asyncio.sleep(0.1);
  const proc = await asyncio.createSubprocessExec("sleep", "1");
  return [t, p, t2, p2, proc] as const;
}

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const [t, p, t2, p2, proc] = await asyncio.run(main);
  print("closed:", t.getReturncode(), list(p.ev), clean(t));
  print("seen:", t2.getReturncode(), list(p2.ev));
  print("process:", proc.returncode);
  // Until both are reaped (the reaper reaps them).
  const deadline = Date.now() + 10_000;
  for (const pid of [t.getPid(), proc.pid]) {
    while (Date.now() < deadline && alive(pid)) await pause(10);
  }
  await pause(50);
  print("later:", t.getReturncode(), list(p.ev), clean(t));
  print("process later:", proc.returncode);
  const signals: [string, () => void][] = [
    ["kill", () => t.kill()],
    ["terminate", () => proc.terminate()],
    ["signal", () => t.sendSignal(15)],
  ];
  for (const [name, f] of signals) {
    try {
      f();
      print(name, "ok");
    } catch (e) {
      print(name, (e as Error).constructor.name, (e as Error).message);
    }
  }
  t.close();
  print("after close:", t.getReturncode(), clean(t));
}

const EXPECTED = [
  "closed: None [] <_UnixSubprocessTransport pid=N running>",
  "seen: 4 ['exited', 'conn_lost']",
  "process: None",
  "later: None [] <_UnixSubprocessTransport pid=N running>",
  "process later: None",
  "kill ok",
  "terminate ok",
  "signal ok",
  "after close: None <_UnixSubprocessTransport closed pid=N running>",
];

test("a child that exits after its loop closed keeps returncode null", async () => {
  const out: string[] = [];
  // The reaper's warnings about the closed loop are CPython's (stderr there).
  const quiet = () => {};
  asyncio.logger.addHandler(quiet);
  try {
    await app(printer(out));
  } finally {
    asyncio.logger.removeHandler(quiet);
  }
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_subp10_closed_loop_returncode.py", () => {
  const ref = pythonReference("rp_subp10_closed_loop_returncode");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
