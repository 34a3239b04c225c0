// Child processes through posix_spawnp and pidfds: real programs (sh, cat,
// python3), every stream kind, exit codes and signals, and no leaks (the
// harness checks fds; each test checks /proc/<pid> is gone after wait).
import { test } from "./harness.ts";
import { assert, assertEquals, assertInstanceOf, assertRejects } from "./assert.ts";
import { existsSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as asyncio from "../mod.ts";
import {
  createSubprocessExec,
  createSubprocessShell,
  DEVNULL,
  PIPE,
  type Process,
  STDOUT,
} from "../lib/subprocess.ts";
import {
  subprocessExec,
  subprocessShell,
  UnixSubprocessTransport,
} from "../lib/unix_subprocess.ts";
import { SubprocessProtocol } from "../lib/protocols.ts";
import { FileNotFoundError, ProcessLookupError } from "../lib/exceptions.ts";
import { sys } from "../ffi/mod.ts";
import { loopKinds, withLoop } from "./util.ts";
import { returncodeOf } from "../ffi/spawn.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const PY = "/usr/bin/python3";

function loopOf(): asyncio.SelectorEventLoop {
  return asyncio.getRunningLoop() as asyncio.SelectorEventLoop;
}

/** Asserts the child is reaped: no /proc entry (no zombie). */
function assertGone(p: Process | number): void {
  const pid = typeof p === "number" ? p : p.pid;
  assert(!existsSync(`/proc/${pid}`), `process ${pid} still exists (zombie?)`);
}

// -- ffi ------------------------------------------------------------------

test("sys().spawn + pidfd + waitpid: exit status, fd map, cwd, env", () => {
  const s = sys();
  const p = s.pipe2(0o2000000);
  if (typeof p === "number") throw new Error(`pipe2 ${p}`);
  const pid = s.spawn(
    "sh",
    ["sh", "-c", "printf '%s:' \"$FOO\"; pwd; exit 7"],
    ["FOO=bar"],
    "/tmp",
    [[1, p[1]]],
  );
  assert(pid > 0, `spawn returned ${pid}`);
  s.close(p[1]);
  const pidfd = s.pidfdOpen(pid, 0);
  assert(pidfd >= 0, `pidfd_open returned ${pidfd}`);
  let text = "";
  const buf = new Uint8Array(256);
  for (;;) {
    const n = s.read(p[0], buf);
    if (n <= 0) break;
    text += dec.decode(buf.subarray(0, n));
  }
  assertEquals(text, "bar:/tmp\n");
  const st = new Int32Array(1);
  assertEquals(s.waitpid(pid, st, 0), pid);
  assertEquals(returncodeOf(st[0]), 7);
  s.close(p[0]);
  s.close(pidfd);
  assertGone(pid);
});

test("sys().spawn: missing program and bad cwd give -ENOENT; kill gives -signal", () => {
  const s = sys();
  assertEquals(s.spawn("no-such-program-xyz", ["x"], null, null, []), -2);
  assertEquals(s.spawn("true", ["true"], null, "/no/such/dir", []), -2);
  const pid = s.spawn("sleep", ["sleep", "10"], null, null, []);
  assert(pid > 0);
  const st = new Int32Array(1);
  assertEquals(s.waitpid(pid, st, 1), 0);
  assertEquals(s.kill(pid, 9), 0);
  assertEquals(s.waitpid(pid, st, 0), pid);
  assertEquals(returncodeOf(st[0]), -9);
  assertEquals(s.waitpid(pid, st, 1), -10); // ECHILD
});

// -- high level -------------------------------------------------------------

test("echo: stdout through communicate, returncode 0, reaped", () =>
  asyncio.run(async () => {
    const p = await createSubprocessExec("echo", "hello", "world", { stdout: PIPE });
    assert(p.pid > 0);
    assertEquals(p.stdin, null);
    assertEquals(p.stderr, null);
    const [out, err] = await p.communicate();
    assertEquals(dec.decode(out!), "hello world\n");
    assertEquals(err, null);
    assertEquals(p.returncode, 0);
    assertGone(p);
  }));

test("cat round trip: communicate(input) with stdin, stdout and stderr pipes", () =>
  asyncio.run(async () => {
    const p = await createSubprocessExec("cat", { stdin: PIPE, stdout: PIPE, stderr: PIPE });
    const [out, err] = await p.communicate(enc.encode("round\ntrip\n"));
    assertEquals(dec.decode(out!), "round\ntrip\n");
    assertEquals(err!.length, 0);
    assertEquals(await p.wait(), 0);
    assertGone(p);
  }));

test("large output: 8 MiB through stdout, every byte checked", () =>
  asyncio.run(async () => {
    const n = 8 * 1024 * 1024;
    const code = `import sys\nb = bytes(range(256)) * ${n / 256}\nsys.stdout.buffer.write(b)\n`;
    const p = await createSubprocessExec(PY, "-c", code, { stdout: PIPE });
    const [out] = await p.communicate();
    assertEquals(out!.length, n);
    for (let i = 0; i < n; i++) {
      if (out![i] !== (i & 255)) throw new Error(`byte ${i} is ${out![i]}`);
    }
    assertEquals(p.returncode, 0);
    assertGone(p);
  }), { timeout: 60 });

test("large input and output through cat (4 MiB both ways)", () =>
  asyncio.run(async () => {
    const n = 4 * 1024 * 1024;
    const input = new Uint8Array(n);
    for (let i = 0; i < n; i++) input[i] = (i * 7 + (i >> 10)) & 255;
    const p = await createSubprocessExec("cat", { stdin: PIPE, stdout: PIPE });
    const [out] = await p.communicate(input);
    assertEquals(out!.length, n);
    for (let i = 0; i < n; i++) if (out![i] !== input[i]) throw new Error(`byte ${i} differs`);
    assertEquals(p.returncode, 0);
  }), { timeout: 60 });

test("stderr=STDOUT merges both into stdout", () =>
  asyncio.run(async () => {
    const p = await createSubprocessShell("echo out; echo err >&2; echo out2", {
      stdout: PIPE,
      stderr: STDOUT,
    });
    assertEquals(p.stderr, null);
    const [out, err] = await p.communicate();
    assertEquals(dec.decode(out!), "out\nerr\nout2\n");
    assertEquals(err, null);
  }));

test("DEVNULL: stdin reads EOF, output discarded", () =>
  asyncio.run(async () => {
    const p = await createSubprocessShell("wc -c; echo gone >&2", {
      stdin: DEVNULL,
      stdout: PIPE,
      stderr: DEVNULL,
    });
    const [out, err] = await p.communicate();
    assertEquals(dec.decode(out!).trim(), "0");
    assertEquals(err, null);
    const q = await createSubprocessExec("echo", "x", { stdout: DEVNULL });
    assertEquals(await q.wait(), 0);
    assertGone(p);
    assertGone(q);
  }));

test("stdout to an fd number (a pipe's write end)", () =>
  asyncio.run(async () => {
    const s = sys();
    const pr = s.pipe2(0o2000000) as [number, number];
    try {
      const p = await createSubprocessExec("echo", "via-fd", { stdout: pr[1] });
      assertEquals(await p.wait(), 0);
      const buf = new Uint8Array(64);
      const n = s.read(pr[0], buf);
      assertEquals(dec.decode(buf.subarray(0, n)), "via-fd\n");
    } finally {
      s.close(pr[0]);
      s.close(pr[1]);
    }
  }));

test("exit codes", () =>
  asyncio.run(async () => {
    for (const code of [0, 1, 3, 42, 255]) {
      const p = await createSubprocessShell(`exit ${code}`);
      assertEquals(await p.wait(), code);
      assertEquals(p.returncode, code);
      assertGone(p);
    }
  }));

test("kill(): returncode -9; sendSignal after exit raises ProcessLookupError", () =>
  asyncio.run(async () => {
    const p = await createSubprocessExec("sleep", "30");
    assertEquals(p.returncode, null);
    p.kill();
    assertEquals(await p.wait(), -9);
    assertEquals(p.returncode, -9);
    assertGone(p);
    let raised: unknown = null;
    try {
      p.sendSignal(15);
    } catch (e) {
      raised = e;
    }
    assertInstanceOf(raised, ProcessLookupError);
  }));

test("terminate(): returncode -15; the child gets SIGTERM's default action", () =>
  asyncio.run(async () => {
    const p = await createSubprocessExec("sleep", "30", { stdout: PIPE });
    await asyncio.sleep(0.05);
    p.terminate();
    const [out] = await p.communicate();
    assertEquals(out!.length, 0);
    assertEquals(p.returncode, -15);
    assertGone(p);
  }));

test("the child has default SIGPIPE and an empty signal mask", () =>
  asyncio.run(async () => {
    const p = await createSubprocessExec("grep", "-E", "^Sig(Ign|Blk)", "/proc/self/status", {
      stdout: PIPE,
    });
    const [out] = await p.communicate();
    const text = dec.decode(out!);
    const ign = BigInt("0x" + /SigIgn:\s*([0-9a-f]+)/.exec(text)![1]);
    const blk = BigInt("0x" + /SigBlk:\s*([0-9a-f]+)/.exec(text)![1]);
    assertEquals(ign & (1n << 12n), 0n, `SIGPIPE ignored in the child: ${text}`);
    assertEquals(blk, 0n, `signals blocked in the child: ${text}`);
    // So a writer into a closed pipe dies quietly, as in a terminal.
    const q = await createSubprocessShell("yes | head -c 10", { stdout: PIPE, stderr: PIPE });
    const [o2, e2] = await q.communicate();
    assertEquals(dec.decode(o2!), "y\ny\ny\ny\ny\n");
    assertEquals(dec.decode(e2!), "");
    assertEquals(q.returncode, 0);
  }));

test("cwd and env", () =>
  asyncio.run(async () => {
    const dir = realpathSync(mkdtempSync(`${tmpdir()}/asyncio-sp-`));
    try {
      const p = await createSubprocessShell('pwd; printf "%s|%s\\n" "$A" "$B"', {
        stdout: PIPE,
        cwd: dir,
        env: { A: "one", B: "two words", PATH: "/usr/bin:/bin" },
      });
      const [out] = await p.communicate();
      assertEquals(dec.decode(out!), `${dir}\none|two words\n`);
      // Without env the child inherits this process's environment.
      const q = await createSubprocessExec("sh", "-c", 'printf %s "$HOME"', { stdout: PIPE });
      const [out2] = await q.communicate();
      assertEquals(dec.decode(out2!), (await import("node:process")).default.env.HOME ?? "");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }));

test("a missing program rejects with FileNotFoundError, nothing leaks", () =>
  asyncio.run(async () => {
    await assertRejects(
      () =>
        createSubprocessExec("no-such-program-asyncio-ts", "a", {
          stdin: PIPE,
          stdout: PIPE,
          stderr: PIPE,
        }),
      FileNotFoundError,
    );
    await assertRejects(() => createSubprocessExec("/nonexistent/dir/prog"), FileNotFoundError);
    await assertRejects(
      () => createSubprocessExec("true", { cwd: "/nonexistent/dir" }),
      FileNotFoundError,
    );
  }));

test("shell pipelines", () =>
  asyncio.run(async () => {
    const p = await createSubprocessShell("printf 'b\\na\\nc\\na\\n' | sort | uniq -c | wc -l", {
      stdout: PIPE,
    });
    const [out] = await p.communicate();
    assertEquals(dec.decode(out!).trim(), "3");
    const q = await createSubprocessShell("tr a-z A-Z | rev", { stdin: PIPE, stdout: PIPE });
    const [out2] = await q.communicate(enc.encode("hello\n"));
    assertEquals(dec.decode(out2!), "OLLEH\n");
  }));

test("20 concurrent processes, all reaped", () =>
  asyncio.run(async () => {
    const procs = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        createSubprocessShell(`sleep 0.0${i % 5}; echo ${i}; exit ${i}`, { stdout: PIPE })),
    );
    const results = await asyncio.gather(...procs.map((p) =>
      p.communicate()
    ));
    for (let i = 0; i < 20; i++) {
      assertEquals(dec.decode(results[i][0]!), `${i}\n`);
      assertEquals(procs[i].returncode, i);
    }
    for (const p of procs) assertGone(p);
  }), { timeout: 60 });

test("python3 child answers stdin lines interactively", () =>
  asyncio.run(async () => {
    const code =
      "import sys\nfor line in sys.stdin:\n    print(line.strip().upper(), flush=True)\n";
    const p = await createSubprocessExec(PY, "-u", "-c", code, { stdin: PIPE, stdout: PIPE });
    for (const word of ["alpha", "beta", "gamma"]) {
      p.stdin!.write(enc.encode(word + "\n"));
      await p.stdin!.drain();
      const line = await p.stdout!.readLine();
      assertEquals(dec.decode(line), word.toUpperCase() + "\n");
    }
    p.stdin!.close();
    assertEquals(dec.decode(await p.stdout!.read()), "");
    assertEquals(await p.wait(), 0);
    assertGone(p);
  }));

test("stdin write after the child exits: BrokenPipe is swallowed by communicate", () =>
  asyncio.run(async () => {
    const p = await createSubprocessExec("true", { stdin: PIPE });
    await p.wait();
    const [out, err] = await p.communicate(new Uint8Array(1024 * 1024));
    assertEquals(out, null);
    assertEquals(err, null);
    assertEquals(p.returncode, 0);
  }));

test("low level: subprocessExec with a SubprocessProtocol", () =>
  asyncio.run(async () => {
    const loop = loopOf();
    const events: string[] = [];
    const chunks: Uint8Array[] = [];
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    class P extends SubprocessProtocol {
      override connectionMade() {
        events.push("made");
      }
      override pipeDataReceived(fd: number, data: Uint8Array) {
        if (fd === 1) chunks.push(data);
        else events.push(`data${fd}`);
      }
      override pipeConnectionLost(fd: number) {
        events.push(`lost${fd}`);
      }
      override processExited() {
        events.push("exited");
      }
      override connectionLost() {
        events.push("closed");
        done();
      }
    }
    const [t, proto] = await subprocessExec(
      loop,
      () => new P(),
      "sh",
      ["-c", "cat; echo e >&2"],
      {},
    );
    assertInstanceOf(t, UnixSubprocessTransport);
    assertInstanceOf(proto, P);
    assert(t.getPid() > 0);
    const stdin = t.getPipeTransport(0) as unknown as { write(d: Uint8Array): void; close(): void };
    assertEquals(t.getPipeTransport(0)!.getExtraInfo("pipe") !== null, true);
    stdin.write(enc.encode("abc"));
    stdin.close();
    await finished;
    assertEquals(dec.decode(Uint8Array.from(chunks.flatMap((c) => [...c]))), "abc");
    assertEquals(events[0], "made");
    assert(events.includes("data2") && events.includes("lost0") && events.includes("lost1"));
    assert(events.includes("lost2") && events.includes("exited"));
    assertEquals(events.at(-1), "closed");
    assertEquals(t.getReturncode(), 0);
    t.close();
    assertGone(t.getPid());
  }));

test("low level: close() kills a running child and closes its pipes", () =>
  asyncio.run(async () => {
    const loop = loopOf();
    let exited!: () => void;
    const gone = new Promise<void>((r) => (exited = r));
    class P extends SubprocessProtocol {
      override processExited() {
        exited();
      }
    }
    const [t] = await subprocessShell(loop, () => new P(), "sleep 30", {});
    assertEquals(t.getReturncode(), null);
    t.close();
    await gone;
    assertEquals(t.getReturncode(), -9);
    await asyncio.sleep(0.01);
    assertGone(t.getPid());
  }));

for (const [kind, make] of loopKinds) {
  test(`${kind}: cat round trip, a reader that closes its stdin early, kill`, () =>
    withLoop(make, (loop) =>
      loop.runUntilComplete(async () => {
        const p = await createSubprocessExec("cat", { stdin: PIPE, stdout: PIPE });
        const [out] = await p.communicate(enc.encode("x".repeat(100000)));
        assertEquals(out!.length, 100000);
        assertEquals(p.returncode, 0);
        // head exits after one line; the write end then sees the reader gone.
        const q = await createSubprocessExec("head", "-n", "1", { stdin: PIPE, stdout: DEVNULL });
        q.stdin!.write(enc.encode("one\n"));
        await q.wait();
        q.stdin!.write(new Uint8Array(200000));
        let err: unknown = null;
        try {
          await q.stdin!.drain();
          await q.stdin!.drain();
        } catch (e) {
          err = e;
        }
        assert(err === null || err instanceof Error);
        q.stdin!.close();
        await asyncio.sleep(0.01);
        const r = await createSubprocessExec("sleep", "30");
        r.kill();
        assertEquals(await r.wait(), -9);
        for (const x of [p, q, r]) assertGone(x);
      })));
}

test("low level: the stdin pipe transport notices the child closed its end", () =>
  asyncio.run(async () => {
    const loop = loopOf();
    const events: string[] = [];
    let lost0!: (e: Error | null) => void;
    const stdinLost = new Promise<Error | null>((r) => (lost0 = r));
    let exitedCb!: () => void;
    const exited = new Promise<void>((r) => (exitedCb = r));
    class P extends SubprocessProtocol {
      override pipeConnectionLost(fd: number, exc: Error | null) {
        events.push(`lost${fd}`);
        if (fd === 0) lost0(exc);
      }
      override processExited() {
        events.push("exited");
        exitedCb();
      }
    }
    const [t] = await subprocessShell(loop, () => new P(), "exec 0<&-; sleep 0.3", {
      stdout: DEVNULL,
      stderr: DEVNULL,
    });
    assertEquals(await stdinLost, null);
    assertEquals(t.getReturncode(), null);
    assertEquals(events, ["lost0"]);
    const w = t.getPipeTransport(0) as unknown as {
      write(d: Uint8Array): void;
      isClosing(): boolean;
    };
    assert(w.isClosing());
    w.write(enc.encode("dropped")); // after connection lost: ignored, as Python
    await exited;
    assertEquals(t.getReturncode(), 0);
    t.close();
    assertGone(t.getPid());
  }));

// -- as Python's BaseSubprocessTransport -----------------------------------------

test("wait() called before the exit resolves once every pipe has closed (Python's _wait)", () =>
  asyncio.run(async () => {
    // A grandchild holds stdout open after the shell exits.
    const p = await createSubprocessShell("(sleep 0.4; echo late) & sleep 0.1; echo early", {
      stdout: PIPE,
    });
    const events: string[] = [];
    const reader = asyncio.createTask(async () => {
      while (true) {
        const line = dec.decode(await p.stdout!.readLine());
        events.push(`line:${line.trim()}`);
        if (line === "") break;
      }
    });
    events.push(`wait:${await p.wait()}`);
    await reader;
    assertEquals(events, ["line:early", "line:late", "line:", "wait:0"]);
    // Once the child has exited, wait() resolves at once.
    assertEquals(await p.wait(), 0);
  }));

test("signals after the exit: ignored until the transport finishes, then ProcessLookupError()", () =>
  asyncio.run(async () => {
    const p = await createSubprocessShell("(sleep 0.3) & exit 5", { stdout: PIPE });
    while (p.returncode === null) await asyncio.sleep(0.01);
    assertEquals(p.returncode, 5);
    // The grandchild still holds stdout: the transport is not finished.
    p.kill();
    p.terminate();
    p.sendSignal(0);
    assertEquals(await p.wait(), 5);
    assertEquals((await p.stdout!.read()).length, 0);
    for (const f of [() => p.kill(), () => p.terminate(), () => p.sendSignal(15)]) {
      let raised: unknown = null;
      try {
        f();
      } catch (e) {
        raised = e;
      }
      assertInstanceOf(raised, ProcessLookupError);
      assertEquals((raised as ProcessLookupError).errno, undefined);
      assertEquals((raised as ProcessLookupError).message, "");
    }
  }));

test("communicate() with a str input: AssertionError; its readers are tasks that cancel", () =>
  asyncio.run(async () => {
    const p = await createSubprocessExec("cat", { stdin: PIPE, stdout: PIPE });
    // CPython 3.11's pipe transport asserts the type: AssertionError("'text'").
    await assertRejects(
      () => p.communicate("text" as unknown as Uint8Array),
      asyncio.AssertionError,
      "'text'",
    );
    assertEquals(p.returncode, null);
    // The stdout reader is still pending (as in Python's gather); asyncio.run()
    // cancels such tasks as it ends, so cancelling must finish it.
    const left = [...asyncio.allTasks()].filter((t) => t !== asyncio.currentTask());
    assertEquals(left.length, 1);
    for (const t of left) t.cancel();
    const [, pending] = await asyncio.wait(left, { timeout: 2 });
    assertEquals(pending.size, 0);
    p.kill();
    assertEquals(await p.wait(), -9);
    assertGone(p);
  }));

test("bad stdio fds: OSError EBADF before cwd and exec errors, as Python's child", () =>
  asyncio.run(async () => {
    for (const opts of [{ stdout: 99 }, { stderr: 99 }, { stdin: -5 }, { stdin: STDOUT }]) {
      for (const prog of ["echo", "no-such-program-xyz"]) {
        const e = await assertRejects(
          () => createSubprocessExec(prog, "hi", opts),
          asyncio.OSError,
        );
        assertEquals(e.constructor, asyncio.OSError);
        assertEquals(e.errno, 9);
        assertEquals(e.message, "[Errno 9] Bad file descriptor");
      }
    }
    const e = await assertRejects(
      () => createSubprocessExec("echo", { stdout: STDOUT, cwd: "/nonexistent" }),
      asyncio.OSError,
    );
    assertEquals(e.message, "[Errno 9] Bad file descriptor: '/nonexistent'");
    // stderr=STDOUT with stdout inherited is fine.
    const p = await createSubprocessExec("true", { stderr: STDOUT });
    assertEquals(await p.wait(), 0);
  }));

test("program and arguments: str or bytes; anything else is Python's TypeError", () =>
  asyncio.run(async () => {
    for (
      const [args, type] of [
        [[5], "int"],
        [["echo", null], "NoneType"],
        [["echo", 1.5], "float"],
        [["echo", ["a"]], "list"],
      ] as const
    ) {
      const e = await assertRejects(
        () => (createSubprocessExec as (...a: unknown[]) => Promise<Process>)(...args),
        TypeError,
      );
      assertEquals(e.message, `expected str, bytes or os.PathLike object, not ${type}`);
    }
    let p = await createSubprocessExec("printf", enc.encode("%s|"), "a", { stdout: PIPE });
    assertEquals(dec.decode((await p.communicate())[0]!), "a|");
    p = await createSubprocessShell(enc.encode("echo hi"), { stdout: PIPE });
    assertEquals(dec.decode((await p.communicate())[0]!), "hi\n");
    await assertRejects(() => createSubprocessShell(5 as never), asyncio.ValueError);
  }));

test("with env, a bare program name is searched in env's PATH (Python's get_exec_path)", () =>
  asyncio.run(async () => {
    const dir = mkdtempSync(`${tmpdir()}/asyncio-path-`);
    try {
      writeFileSync(`${dir}/mytool`, '#!/bin/sh\necho "mytool $*"\n', { mode: 0o755 });
      writeFileSync(`${dir}/echo`, "#!/bin/sh\necho bad\n", { mode: 0o644 });
      writeFileSync(`${dir}/onlyhere`, "#!/bin/sh\necho bad\n", { mode: 0o644 });
      const run = async (prog: string, env: Record<string, string>, cwd?: string) => {
        const p = await createSubprocessExec(prog, "x", { stdout: PIPE, env, cwd });
        return dec.decode((await p.communicate())[0]!);
      };
      assertEquals(await run("mytool", { PATH: dir }), "mytool x\n");
      assertEquals(await run("mytool", { PATH: "." }, dir), "mytool x\n");
      assertEquals(await run("echo", {}), "x\n"); // no PATH: /bin:/usr/bin
      // A file that is not executable is skipped for a later one...
      assertEquals(await run("echo", { PATH: `${dir}:/bin` }), "x\n");
      // ...and is EACCES when it is the only one.
      const e = await assertRejects(
        () => run("onlyhere", { PATH: `${dir}:/bin` }),
        asyncio.PermissionError,
      );
      assertEquals(e.message, "[Errno 13] Permission denied: 'onlyhere'");
      const f = await assertRejects(() => run("mytool", { PATH: "/bin" }), FileNotFoundError);
      assertEquals(f.message, "[Errno 2] No such file or directory: 'mytool'");
    } finally {
      rmSync(dir, { recursive: true });
    }
  }));

/** A SubprocessProtocol that logs its callbacks; `done` resolves with the log at connectionLost. */
function loggingProtocol(): {
  factory: () => SubprocessProtocol;
  log: string[];
  done: Promise<string[]>;
} {
  const log: string[] = [];
  let finish!: (l: string[]) => void;
  const done = new Promise<string[]>((r) => (finish = r));
  class P extends SubprocessProtocol {
    override connectionMade() {
      log.push("made");
    }
    override pipeDataReceived(fd: number, data: Uint8Array) {
      log.push(`data${fd}:${dec.decode(data).trim()}`);
    }
    override pipeConnectionLost(fd: number) {
      log.push(`lost${fd}`);
    }
    override processExited() {
      log.push("exited");
    }
    override connectionLost() {
      log.push("closed");
      finish(log);
    }
  }
  return { factory: () => new P(), log, done };
}

test("protocol order as CPython 3.11: every pipeConnectionLost before processExited", () =>
  asyncio.run(async () => {
    const loop = loopOf();
    for (let i = 0; i < 5; i++) {
      const { factory, log, done } = loggingProtocol();
      const [t] = await subprocessExec(loop, factory, "sh", ["-c", "sleep 0.01; echo a; exit 2"], {
        stdin: null,
        stderr: null,
      });
      log.push("returned");
      assertEquals(await done, ["made", "returned", "data1:a", "lost1", "exited", "closed"]);
      assertEquals(t.getReturncode(), 2);
      t.close();
      const three = loggingProtocol();
      const [t3] = await subprocessExec(loop, three.factory, "true", [], {});
      const all = await three.done;
      assertEquals(all.slice(-2), ["exited", "closed"]);
      assertEquals(all.filter((e) => e.startsWith("lost")).sort(), ["lost0", "lost1", "lost2"]);
      t3.close();
    }
  }));

test("protocol order: without pipes, connectionMade runs before subprocessExec resolves", () =>
  asyncio.run(async () => {
    const { factory, log, done } = loggingProtocol();
    const [t] = await subprocessExec(loopOf(), factory, "true", [], {
      stdin: null,
      stdout: null,
      stderr: null,
    });
    log.push("returned");
    await done;
    assertEquals(log, ["made", "returned", "exited", "closed"]);
    assertEquals(t.getReturncode(), 0);
    t.close();
  }));

test("a pipe a grandchild keeps open delays processExited only briefly", () =>
  asyncio.run(async () => {
    const loop = loopOf();
    const { factory, done } = loggingProtocol();
    let exitedAt = 0;
    const start = loop.time();
    const [t, p] = await subprocessExec(loop, factory, "sh", ["-c", "sleep 1 & echo x"], {
      stdin: null,
      stderr: null,
    });
    const proto = p as unknown as { processExited(): void };
    const orig = proto.processExited.bind(proto);
    proto.processExited = () => {
      exitedAt = loop.time();
      orig();
    };
    const log = await done;
    assert(exitedAt - start < 0.8, `processExited waited for the grandchild: ${exitedAt - start}`);
    assertEquals(log.indexOf("exited") < log.indexOf("lost1"), true);
    assertEquals(t.getReturncode(), 0);
    t.close();
  }));

test("text-mode options are Python's ValueErrors (asyncio pipes carry bytes)", () =>
  asyncio.run(async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ universalNewlines: true }, "universal_newlines must be False"],
      [{ shell: true }, "shell must be False"],
      [{ bufsize: 1 }, "bufsize must be 0"],
      [{ text: true }, "text must be False"],
      [{ encoding: "utf-8" }, "encoding must be None"],
      [{ errors: "strict" }, "errors must be None"],
    ];
    for (const [opts, message] of cases) {
      const e = await assertRejects(
        () => createSubprocessExec("true", opts),
        asyncio.ValueError,
      );
      assertEquals(e.message, message);
    }
    const e = await assertRejects(
      () => createSubprocessShell("true", { shell: false } as Record<string, unknown>),
      asyncio.ValueError,
    );
    assertEquals(e.message, "shell must be True");
    const low = await assertRejects(
      () => loopOf().subprocessExec(() => new SubprocessProtocol(), "true", { text: true }),
      asyncio.ValueError,
    );
    assertEquals(low.message, "text must be False");
    // The defaults are accepted.
    const p = await createSubprocessExec("true", { bufsize: 0, text: false, shell: false });
    assertEquals(await p.wait(), 0);
  }));

test("transport classes print CPython's names", () =>
  asyncio.run(async () => {
    const [t] = await subprocessExec(loopOf(), () => new SubprocessProtocol(), "true", [], {});
    assertEquals(t.constructor.name, "_UnixSubprocessTransport");
    assertEquals(t.getPipeTransport(0)!.constructor.name, "_UnixWritePipeTransport");
    assertEquals(t.getPipeTransport(1)!.constructor.name, "_UnixReadPipeTransport");
    await t._wait();
    t.close();
  }));

test("transport reprs as CPython prints them, with the pipes' states", () =>
  asyncio.run(async () => {
    const fix = (s: unknown) => String(s).replace(/pid=\d+/g, "pid=N").replace(/fd=\d+/g, "fd=N");
    const log = loggingProtocol();
    const [t] = await subprocessExec(loopOf(), log.factory, "cat", [], {});
    assertEquals(
      fix(t),
      "<_UnixSubprocessTransport pid=N running stdin=<_UnixWritePipeTransport fd=N idle bufsize=0> " +
        "stdout=<_UnixReadPipeTransport fd=N polling> stderr=<_UnixReadPipeTransport fd=N polling>>",
    );
    t.getPipeTransport(0)!.close();
    await log.done;
    t.close();
    assertEquals(
      fix(t),
      "<_UnixSubprocessTransport closed pid=N returncode=0 " +
        "stdin=<_UnixWritePipeTransport closed fd=N closed> " +
        "stdout=<_UnixReadPipeTransport closed fd=N closed> " +
        "stderr=<_UnixReadPipeTransport closed fd=N closed>>",
    );
    const p = await createSubprocessExec("sleep", "10", { stdout: PIPE });
    const out = p.stdout!;
    assertEquals(fix(out), "<StreamReader transport=<_UnixReadPipeTransport fd=N polling>>");
    p.kill();
    await p.wait();
  }));

test("returncode is still null just after stdout's EOF, as under CPython's watcher", () =>
  asyncio.run(async () => {
    for (let i = 0; i < 5; i++) {
      const p = await createSubprocessExec("echo", "hi", { stdout: PIPE });
      assertEquals(dec.decode(await p.stdout!.read()), "hi\n");
      assertEquals(p.returncode, null);
      assertEquals(await p.wait(), 0);
      assertEquals(p.returncode, 0);
    }
  }));
