// The processes issue's bad input, at the call and with Python's classes and
// messages (each checked against CPython 3.11 by hand): a non-executable file,
// a bad cwd, a closed or non-pipe fd for the pipe transports; and a signal
// sent by another process reaching the loop's handler.
import { test } from "./harness.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { chmodSync, closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import process from "node:process";
import * as asyncio from "../mod.ts";
import { Protocol } from "../lib/protocols.ts";

const dir = mkdtempSync(`${tmpdir()}/asyncio-badproc-`);
const noexec = `${dir}/noexec.sh`;
writeFileSync(noexec, "#!/bin/sh\necho hi\n");
chmodSync(noexec, 0o644);

function loopOf(): asyncio.SelectorEventLoop {
  return asyncio.getRunningLoop() as asyncio.SelectorEventLoop;
}

test("a file without the execute bit, or a directory: PermissionError naming it", () =>
  asyncio.run(async () => {
    const e = await assertRejects(
      () => asyncio.createSubprocessExec(noexec),
      asyncio.PermissionError,
      `[Errno 13] Permission denied: '${noexec}'`,
    );
    assertEquals(e.errno, 13);
    await assertRejects(
      () => asyncio.createSubprocessExec(dir),
      asyncio.PermissionError,
      `[Errno 13] Permission denied: '${dir}'`,
    );
    // The loop goes on.
    assertEquals(await asyncio.sleep(0, "still running"), "still running");
  }));

test("options that need code between fork and exec are refused, no child started", () =>
  asyncio.run(async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ preexecFn: () => {} }, "preexec_fn"],
      [{ user: "nobody" }, "user"],
      [{ group: 0 }, "group"],
      [{ extraGroups: [] }, "extra_groups"],
    ];
    for (const [opts, py] of cases) {
      for (
        const spawn of [
          () => asyncio.createSubprocessExec("true", opts),
          () => asyncio.createSubprocessShell("true", opts),
        ]
      ) {
        await assertRejects(
          spawn,
          asyncio.NotImplementedError,
          `${py} is not supported: children are started with posix_spawn`,
        );
      }
    }
    // Their defaults (None) are fine.
    const p = await asyncio.createSubprocessExec("true", {
      preexecFn: null,
      user: null,
    } as Record<string, unknown>);
    assertEquals(await p.wait(), 0);
  }));

test("a cwd that does not exist: FileNotFoundError naming the directory (exec and shell)", () =>
  asyncio.run(async () => {
    const cwd = `${dir}/no/such/dir`;
    const msg = `[Errno 2] No such file or directory: '${cwd}'`;
    await assertRejects(
      () => asyncio.createSubprocessExec("echo", "x", { cwd }),
      asyncio.FileNotFoundError,
      msg,
    );
    await assertRejects(
      () => asyncio.createSubprocessShell("echo x", { cwd }),
      asyncio.FileNotFoundError,
      msg,
    );
    // A cwd that exists and a program that does not: the program is named.
    await assertRejects(
      () => asyncio.createSubprocessExec("no-such-program-here", { cwd: dir }),
      asyncio.FileNotFoundError,
      "No such file or directory: 'no-such-program-here'",
    );
  }));

test("connectReadPipe/connectWritePipe: a closed fd is OSError EBADF, a file ValueError, at the call", () =>
  asyncio.run(async () => {
    const loop = loopOf();
    const fd = openSync(noexec, "r");
    closeSync(fd);
    type Connect = (f: () => Protocol, pipe: number | { fileno(): number }) => Promise<unknown>;
    const connects: Connect[] = [
      (f, pipe) => loop.connectReadPipe(f, pipe),
      (f, pipe) => loop.connectWritePipe(f, pipe),
    ];
    for (const connect of connects) {
      const e = await assertRejects(
        () => connect(() => new Protocol(), fd),
        asyncio.OSError,
        "[Errno 9] Bad file descriptor",
      );
      assertEquals(e.errno, 9);
    }
    const file = openSync(noexec, "r");
    // Each transport words it as Python's does.
    const messages = [
      "Pipe transport is for pipes/sockets only.",
      "Pipe transport is only for pipes, sockets and character devices",
    ];
    try {
      for (const [i, connect] of connects.entries()) {
        await assertRejects(
          () => connect(() => new Protocol(), { fileno: () => file }),
          asyncio.ValueError,
          messages[i],
        );
      }
    } finally {
      // Still the caller's: the failed call did not take it.
      closeSync(file);
    }
    assertEquals(await asyncio.sleep(0.01, "loop unharmed"), "loop unharmed");
  }));

test("a signal sent by another process (kill -USR2) runs the loop's handler", () =>
  asyncio.run(async () => {
    const loop = loopOf();
    const got = loop.createFuture<string>();
    // SIGUSR2, not SIGUSR1: Deno may also start its inspector (a listening
    // socket, fds of its own) on a SIGUSR1 sent by another process.
    loop.addSignalHandler(12, /* SIGUSR2 */ (tag: string) => {
      if (!got.done()) got.setResult(`${tag} on ${loop.isRunning() ? "the loop" : "?"}`);
    }, "usr2");
    try {
      const kill = await asyncio.createSubprocessExec("kill", "-USR2", String(process.pid));
      assertEquals(await kill.wait(), 0);
      assertEquals(await asyncio.waitFor(got, 10), "usr2 on the loop");
    } finally {
      assert(loop.removeSignalHandler(12));
    }
  }));

test("cleanup: remove the temporary directory", () => {
  rmSync(dir, { recursive: true, force: true });
});
