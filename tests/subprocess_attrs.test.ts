// Spawn attributes servers use (Python's start_new_session, process_group,
// pass_fds), which fds a child gets, and the fd shuffle when this process's
// own fds 0-2 are closed. Facts are read from /proc/<child>/stat and
// /proc/<child>/fd while the child runs.
import { test } from "./harness.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as asyncio from "../mod.ts";
import { createSubprocessExec, DEVNULL, PIPE, type Process } from "../lib/subprocess.ts";
import { ValueError } from "../lib/exceptions.ts";
import { socketpair } from "../lib/socket.ts";
import { C, sys } from "../ffi/mod.ts";
import { runScript } from "./util.ts";

const dec = new TextDecoder();

/** pgrp and session of `pid`, from /proc/<pid>/stat (after the command name). */
function procStat(pid: number): { pgrp: number; session: number } {
  const t = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = t.slice(t.lastIndexOf(")") + 2).split(" ");
  return { pgrp: Number(f[2]), session: Number(f[3]) };
}

function listFds(pid: number): number[] {
  return readdirSync(`/proc/${pid}/fd`).map(Number).sort((a, b) => a - b);
}

/**
 * The child's fds once it has settled: a starting program opens files of its
 * own for a moment (`sleep` reads the locale), so read until two reads 50 ms
 * apart agree.
 */
async function childFds(pid: number): Promise<number[]> {
  let last = listFds(pid);
  for (let i = 0; i < 40; i++) {
    await new Promise((r) => setTimeout(r, 50));
    const now = listFds(pid);
    if (now.join() === last.join()) return now;
    last = now;
  }
  return last;
}

async function stop(...ps: Process[]): Promise<void> {
  for (const p of ps) {
    if (p.returncode === null) p.kill();
    await p.wait();
    assert(!existsSync(`/proc/${p.pid}`), `process ${p.pid} not reaped`);
  }
}

const quiet = { stdin: DEVNULL, stdout: DEVNULL, stderr: DEVNULL };

test("startNewSession: the child leads a new session and group", () =>
  asyncio.run(async () => {
    const me = procStat(sys().getpid());
    const plain = await createSubprocessExec("sleep", "30", quiet);
    const own = await createSubprocessExec("sleep", "30", { ...quiet, startNewSession: true });
    try {
      assertEquals(procStat(plain.pid), me);
      assertEquals(procStat(own.pid), { pgrp: own.pid, session: own.pid });
    } finally {
      await stop(plain, own);
    }
  }));

test("processGroup: 0 makes a new group; a pid joins that group; kill(-pgid) reaches both", () =>
  asyncio.run(async () => {
    const me = procStat(sys().getpid());
    const leader = await createSubprocessExec("sleep", "30", { ...quiet, processGroup: 0 });
    const member = await createSubprocessExec("sleep", "30", {
      ...quiet,
      processGroup: leader.pid,
    });
    try {
      assertEquals(procStat(leader.pid), { pgrp: leader.pid, session: me.session });
      assertEquals(procStat(member.pid), { pgrp: leader.pid, session: me.session });
      assertEquals(sys().kill(-leader.pid, C.SIGTERM), 0);
      assertEquals(await leader.wait(), -C.SIGTERM);
      assertEquals(await member.wait(), -C.SIGTERM);
    } finally {
      await stop(leader, member);
    }
  }));

test("passFds: the child has exactly 0, 1, 2 and the passed fd, and can write to it", () =>
  asyncio.run(async () => {
    const s = sys();
    const [r, w] = s.pipe2(C.O_CLOEXEC) as [number, number];
    const [a, b] = socketpair();
    try {
      const p = await createSubprocessExec("sleep", "30", { ...quiet, passFds: [w] });
      try {
        assertEquals(await childFds(p.pid), [0, 1, 2, w]);
      } finally {
        await stop(p);
      }
      // The passed fd is the same pipe in the child, at the same number,
      // although it was made close-on-exec here.
      const code = `import os; os.write(${w}, b"through-${w}\\n")`;
      const q = await createSubprocessExec("/usr/bin/python3", "-c", code, {
        ...quiet,
        passFds: [w],
        closeFds: false, // pass_fds wins, as in Python: others are still closed
      });
      assertEquals(await q.wait(), 0);
      s.close(w);
      const buf = new Uint8Array(64);
      const n = s.read(r, buf);
      assertEquals(dec.decode(buf.subarray(0, n)), `through-${w}\n`);
    } finally {
      s.close(r);
      s.close(w);
      a.close();
      b.close();
    }
  }));

test("closeFds false: none of the library's fds (loop, sockets, pipes, pidfds) reach the child", () =>
  asyncio.run(async () => {
    // Only the library's own fds are checked: a runtime may open fds of its
    // own without close-on-exec, and those are not ours to mark.
    const loop = asyncio.getRunningLoop() as asyncio.SelectorEventLoop;
    const [a, b] = socketpair();
    const sock = asyncio.socket();
    const holder = await createSubprocessExec("sleep", "30", { stdin: PIPE, stdout: PIPE });
    const p = await createSubprocessExec("sleep", "30", { ...quiet, closeFds: false });
    try {
      const selector = loop._selector as unknown as {
        fileno(): number;
        getMap(): Map<number, unknown>;
      };
      const ours = [
        selector.fileno(), // the epoll fd
        ...selector.getMap().keys(), // the eventfd, the holder's pipes and pidfds
        a.fileno(),
        b.fileno(),
        sock.fileno(),
      ].filter((fd) => fd > 2);
      assert(ours.length >= 7, `expected the loop's and the sockets' fds, got ${ours}`);
      const inChild = new Set(await childFds(p.pid));
      assertEquals(ours.filter((fd) => inChild.has(fd)), []);
    } finally {
      await stop(p, holder);
      a.close();
      b.close();
      sock.close();
    }
  }));

test("bad attributes: TypeError / ValueError before anything is made", () =>
  asyncio.run(async () => {
    await assertRejects(() => createSubprocessExec("true", { passFds: [-1] }), ValueError);
    await assertRejects(
      () => createSubprocessExec("true", { passFds: ["3" as unknown as number] }),
      TypeError,
    );
    await assertRejects(() => createSubprocessExec("true", { processGroup: -2 }), ValueError);
    await assertRejects(() => createSubprocessExec("true", { processGroup: 1.5 }), TypeError);
  }));

for (const closed of ["0", "1", "2", "0,1", "1,2", "0,1,2"]) {
  test(
    `this process's fds ${closed} closed: children still get the right stdin/stdout/stderr`,
    async () => {
      const dir = mkdtempSync(`${tmpdir()}/closed-stdio-`);
      try {
        const file = `${dir}/result.json`;
        const r = await runScript("tests/fixtures/closed_stdio.ts", { args: [closed, file] });
        assertEquals(r.code, 0, r.stderr);
        const out = JSON.parse(readFileSync(file, "utf8"));
        assertEquals(out.error, undefined);
        assertEquals(out.pipes, { stdout: "out:one\n", stderr: "err:one\n", rc: 0 });
        assertEquals(out.merged, { stdout: "out:two\nerr:two\n", rc: 0 });
        // The fd given as stdout really was the lowest closed one.
        assertEquals(out.stdoutFd, Number(closed[0]));
        assertEquals(out.file, { stdout: "out:three\n", stderr: "err:three\n", rc: 0 });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    { timeout: 60, fdCheck: false },
  );
}
