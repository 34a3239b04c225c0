// How child exits are noticed: pidfds in the loop, or the process-wide
// SIGCHLD + waitpid reaper (ASYNCIO_NO_PIDFD=1, setPidfdEnabled(false), or a
// child that outlives its loop). Checked through /proc: which watcher is in
// use (a pidfd is an fd linked to anon_inode:[pidfd]), return codes, and no
// zombie left behind.
import { test } from "./harness.ts";
import { assert, assertEquals } from "./assert.ts";
import { existsSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import process from "node:process";
import * as asyncio from "../mod.ts";
import { createSubprocessExec, DEVNULL, type Process } from "../lib/subprocess.ts";
import { childReaper, pidfdEnabled, setPidfdEnabled } from "../lib/child_watcher.ts";
import { C } from "../ffi/mod.ts";

function pidfdCount(): number {
  let n = 0;
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === "anon_inode:[pidfd]") n++;
    } catch {
      // gone meanwhile
    }
  }
  return n;
}

/** The state letter of /proc/<pid>/stat (Z: zombie), or null once the pid is gone. */
function stateOf(pid: number): string | null {
  try {
    const t = readFileSync(`/proc/${pid}/stat`, "utf8");
    return t.slice(t.lastIndexOf(")") + 2)[0];
  } catch {
    return null;
  }
}

async function waitGone(pid: number, seconds = 10): Promise<void> {
  for (let i = 0; i < seconds * 20 && existsSync(`/proc/${pid}`); i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  assertEquals(stateOf(pid), null, `pid ${pid} still there (Z is a zombie)`);
}

const quiet = { stdin: DEVNULL, stdout: DEVNULL, stderr: DEVNULL };

function withPidfd<T>(on: boolean | null, fn: () => Promise<T>): Promise<T> {
  setPidfdEnabled(on);
  return fn().finally(() => setPidfdEnabled(null));
}

test("ASYNCIO_NO_PIDFD=1 and setPidfdEnabled choose the watcher", () => {
  const saved = process.env.ASYNCIO_NO_PIDFD;
  try {
    delete process.env.ASYNCIO_NO_PIDFD;
    assert(pidfdEnabled());
    process.env.ASYNCIO_NO_PIDFD = "1";
    assert(!pidfdEnabled());
    process.env.ASYNCIO_NO_PIDFD = "0";
    assert(pidfdEnabled());
    setPidfdEnabled(false);
    assert(!pidfdEnabled());
    setPidfdEnabled(null);
    assert(pidfdEnabled());
  } finally {
    if (saved === undefined) delete process.env.ASYNCIO_NO_PIDFD;
    else process.env.ASYNCIO_NO_PIDFD = saved;
  }
});

test("pidfd watcher: one pidfd per running child, none after", () =>
  asyncio.run(async () => {
    const before = pidfdCount();
    const p = await createSubprocessExec("sleep", "30", quiet);
    assertEquals(pidfdCount(), before + 1);
    assertEquals(childReaper().has(p.pid), false);
    p.kill();
    assertEquals(await p.wait(), -C.SIGKILL);
    assertEquals(pidfdCount(), before);
    await waitGone(p.pid);
  }));

test("fallback reaper: no pidfd; 20 children with their own exit codes, all reaped", () =>
  withPidfd(false, () =>
    asyncio.run(async () => {
      const before = pidfdCount();
      const ps: Process[] = [];
      for (let i = 0; i < 20; i++) {
        ps.push(await createSubprocessExec("sh", "-c", `sleep 0.0${i % 5}; exit ${i}`, quiet));
      }
      assertEquals(pidfdCount(), before);
      // (Not checked here: that each child is in the reaper or has its returncode. A child
      // reaped whose exit callback has not run yet is in neither, for one loop iteration.)
      const codes = await Promise.all(ps.map((p) => p.wait()));
      assertEquals(codes, [...Array(20).keys()]);
      for (const p of ps) {
        assertEquals(childReaper().has(p.pid), false);
        await waitGone(p.pid);
      }
    })));

test("fallback reaper: signals, communicate, and a loop SIGCHLD handler of the user's", () =>
  withPidfd(false, () =>
    asyncio.run(async () => {
      const loop = asyncio.getRunningLoop() as asyncio.SelectorEventLoop;
      let chld = 0;
      loop.addSignalHandler(C.SIGCHLD, () => chld++);
      try {
        const k = await createSubprocessExec("sleep", "30", quiet);
        k.terminate();
        assertEquals(await k.wait(), -C.SIGTERM);
        const c = await createSubprocessExec("cat", { stdin: -1, stdout: -1 });
        const [out] = await c.communicate(new TextEncoder().encode("through the reaper"));
        assertEquals(new TextDecoder().decode(out!), "through the reaper");
        assertEquals(c.returncode, 0);
        for (let i = 0; i < 100 && chld === 0; i++) await asyncio.sleep(0.01);
        assert(chld > 0, "the user's SIGCHLD handler ran too");
        await waitGone(k.pid);
        await waitGone(c.pid);
      } finally {
        loop.removeSignalHandler(C.SIGCHLD);
      }
    })));

for (const mode of ["pidfd", "reaper"] as const) {
  test(`${mode}: a child still running when its loop closes is reaped later; returncode stays null`, () =>
    withPidfd(mode === "pidfd", async () => {
      let p: Process | null = null;
      let killed: Process | null = null;
      await asyncio.run(async () => {
        p = await createSubprocessExec("sleep", "0.3", quiet);
        killed = await createSubprocessExec("sleep", "30", quiet);
      });
      const a = p! as Process, b = killed! as Process;
      // The loop is closed; both still run, watched by the reaper now.
      assertEquals(a.returncode, null);
      assert(childReaper().has(a.pid) && childReaper().has(b.pid));
      assertEquals(pidfdCount(), 0);
      // Each exit is then reported as one of a closed loop, as CPython's watcher does.
      const warned: string[] = [];
      const collect = (r: asyncio.LogRecord) => warned.push(r.message);
      asyncio.logger.addHandler(collect);
      try {
        b.kill(); // Process.kill() after the loop closed: still this child
        await waitGone(a.pid);
        await waitGone(b.pid);
      } finally {
        asyncio.logger.removeHandler(collect);
      }
      // As in CPython, whose watcher cannot post the exit to a closed loop.
      assertEquals(a.returncode, null);
      assertEquals(b.returncode, null);
      assertEquals(childReaper().size, 0);
      const pids = warned.map((m) => /that handles pid (\d+) is closed$/.exec(m)?.[1]);
      assertEquals(pids.sort(), [String(a.pid), String(b.pid)].sort());
    }));
}
