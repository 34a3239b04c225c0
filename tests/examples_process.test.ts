// The spec's subprocess examples (examples/subprocess_*.ts), then child
// processes under load: many at once, large pipes both ways, exec errors,
// SIGKILL in addSignalHandler, and runCoroutineThreadsafe driven by a Worker.
import { Worker } from "node:worker_threads";
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runtime, test } from "./harness.ts";
import { assert, assertEquals, assertInstanceOf, assertLess, assertRejects } from "./assert.ts";
import { runScript } from "./util.ts";
import * as asyncio from "../mod.ts";

const lines = (s: string) => s.split("\n").filter((l) => l !== "");
// What Python prints for datetime.datetime.now() (and what `date +...%6N` prints).
const DATE_LINE = /^Current date: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/;

function assertGone(pid: number): void {
  assert(pid > 0, `pid ${pid}`);
  assert(!existsSync(`/proc/${pid}`), `process ${pid} still exists (zombie?)`);
}

// -- the spec's examples ------------------------------------------------------

for (const name of ["subprocess_protocol", "subprocess_streams"]) {
  for (const args of [[], ["--date"]]) {
    const child = args.length ? "date" : "python3";
    test(`${name}.ts (${child} child) prints 'Current date: ...'`, async () => {
      const t0 = Date.now();
      const r = await runScript(`examples/${name}.ts`, { args });
      assertEquals(r.code, 0, r.stderr);
      assertEquals(r.stderr, "");
      const out = lines(r.stdout);
      assertEquals(out.length, 1, r.stdout);
      assert(DATE_LINE.test(out[0]), out[0]);
      // The child's clock, read while the script ran.
      const printed = Date.parse(out[0].slice("Current date: ".length, -3).replace(" ", "T"));
      assert(printed >= t0 - 2000 && printed <= Date.now() + 2000, `date ${out[0]} is off`);
    }, { timeout: 30 });
  }
}

// -- many children at once ----------------------------------------------------

test(
  "100 concurrent children: each exit code right, all reaped, in bounded time",
  () =>
    asyncio.run(async () => {
      const loop = asyncio.getRunningLoop();
      const t0 = loop.time();
      const n = 100;
      const procs = await asyncio.gather(
        ...Array.from(
          { length: n },
          (_, i) => () => asyncio.createSubprocessExec("/bin/sh", "-c", `exit ${i}`),
        ),
      );
      const pids = procs.map((p) => p.pid);
      assertEquals(new Set(pids).size, n);
      const codes = await asyncio.waitFor(asyncio.gather(...procs.map((p) => () => p.wait())), 30);
      assertEquals(codes, Array.from({ length: n }, (_, i) => i));
      for (let i = 0; i < n; i++) assertEquals(procs[i].returncode, i);
      for (const pid of pids) assertGone(pid);
      const took = loop.time() - t0;
      assertLess(took, 20, `100 children took ${took.toFixed(2)} s`);
    }),
  { timeout: 60 },
);

test(
  "100 concurrent echo children with stdout pipes: every output whole",
  () =>
    asyncio.run(async () => {
      const dec = new TextDecoder();
      const results = await asyncio.waitFor(
        asyncio.gather(
          ...Array.from({ length: 100 }, (_, i) => async () => {
            const p = await asyncio.createSubprocessExec("echo", `child-${i}`, {
              stdout: asyncio.PIPE,
            });
            const [out] = await p.communicate();
            return [p.pid, p.returncode, dec.decode(out!)] as const;
          }),
        ),
        30,
      );
      results.forEach(([pid, code, out], i) => {
        assertEquals(code, 0);
        assertEquals(out, `child-${i}\n`);
        assertGone(pid);
      });
    }),
  { timeout: 60 },
);

// -- big pipes both ways ------------------------------------------------------

test(
  "communicate(): 8 MiB in and 8 MiB out through cat, no deadlock, bytes equal",
  () =>
    asyncio.run(async () => {
      const n = 8 * 1024 * 1024;
      const input = new Uint8Array(n);
      for (let i = 0; i < n; i++) input[i] = (i * 31 + (i >>> 13)) & 255;
      const p = await asyncio.createSubprocessExec("cat", {
        stdin: asyncio.PIPE,
        stdout: asyncio.PIPE,
      });
      const [out, err] = await asyncio.waitFor(p.communicate(input), 45);
      assertEquals(err, null);
      assertEquals(out!.length, n);
      for (let i = 0; i < n; i++) {
        if (out![i] !== input[i]) throw new Error(`byte ${i}: ${out![i]} != ${input[i]}`);
      }
      assertEquals(p.returncode, 0);
      assertGone(p.pid);
    }),
  { timeout: 60 },
);

// -- exec errors --------------------------------------------------------------

test("a file without the x bit: PermissionError from createSubprocessExec itself", () =>
  asyncio.run(async () => {
    const dir = mkdtempSync(join(tmpdir(), "asyncio-noexec-"));
    try {
      const file = join(dir, "script.sh");
      writeFileSync(file, "#!/bin/sh\necho should not run\n");
      chmodSync(file, 0o644);
      const e = await assertRejects(
        () => asyncio.createSubprocessExec(file, { stdout: asyncio.PIPE }),
        asyncio.PermissionError,
      );
      assertInstanceOf(e, asyncio.OSError);
      assertEquals(e.errno, 13);
      // The same through the protocol API.
      const loop = asyncio.getRunningLoop() as asyncio.SelectorEventLoop;
      await assertRejects(
        () => loop.subprocessExec(() => new asyncio.SubprocessProtocol(), file),
        asyncio.PermissionError,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }));

// -- SIGKILL --------------------------------------------------------------------

test("addSignalHandler(SIGKILL / SIGSTOP) raises RuntimeError, nothing installed", () => {
  const loop = new asyncio.SelectorEventLoop();
  try {
    const { SIGKILL, SIGSTOP } = asyncio.signals;
    for (const sig of [SIGKILL, SIGSTOP]) {
      let thrown: unknown = null;
      try {
        loop.addSignalHandler(sig, () => {});
      } catch (e) {
        thrown = e;
      }
      assertInstanceOf(thrown, asyncio.RuntimeError);
      assertEquals((thrown as Error).message, `sig ${sig} cannot be caught`);
      assertEquals(loop.hasSignalHandler(sig), false);
      assertEquals(loop.removeSignalHandler(sig), false);
    }
  } finally {
    loop.close();
  }
});

// -- runCoroutineThreadsafe, driven by a Worker -------------------------------

async function square(n: number, loop: asyncio.AbstractEventLoop): Promise<number> {
  // Runs as a task on the loop, which is running.
  if (asyncio.getRunningLoop() !== loop) throw new Error("not on the loop");
  await asyncio.sleep(0.001);
  return n * n;
}

// Last in the file, without the fd check: a Worker's runtime is torn down
// some time after terminate() (see tests/host.test.ts).
test(
  "a Worker's messages run coroutines on the loop via runCoroutineThreadsafe",
  () =>
    asyncio.run(async () => {
      const loop = asyncio.getRunningLoop();
      const sab = new SharedArrayBuffer(8);
      const cell = new Int32Array(sab);
      const ns = Array.from({ length: 20 }, (_, i) => i + 1);
      const path = runtime === "node"
        ? "./build/tests/fixtures/worker_compute.js"
        : "./tests/fixtures/worker_compute.ts";
      const worker = new Worker(path, { workerData: { sab, ns } });
      const done = loop.createFuture<{ results: number[]; timedOut: number }>();
      let ticks = 0;
      // The loop keeps running other work while the Worker waits.
      const ticker = asyncio.ensureFuture(async () => {
        for (;;) {
          await asyncio.sleep(0.001);
          ticks++;
        }
      });
      worker.on(
        "message",
        (m: { op: string; n?: number; results?: number[]; timedOut?: number }) => {
          if (m.op === "compute") {
            // A host callback, outside the loop: the only way in is threadsafe.
            asyncio.runCoroutineThreadsafe(() => square(m.n!, loop), loop).then((v) => {
              Atomics.store(cell, 1, v);
              Atomics.store(cell, 0, 1);
              Atomics.notify(cell, 0);
            }, (e) => loop.callSoonThreadsafe(() => done.done() || done.setException(e)));
          } else if (m.op === "done") {
            loop.callSoonThreadsafe(() => done.done() || done.setResult(m as never));
          }
        },
      );
      worker.on("error", (e) => loop.callSoonThreadsafe(() => done.done() || done.setException(e)));
      try {
        const r = await asyncio.waitFor(done, 20);
        assertEquals(r.timedOut, 0);
        assertEquals(r.results, ns.map((n) => n * n));
        assert(ticks > 0, "the loop ran nothing else meanwhile");
      } finally {
        ticker.cancel();
        await worker.terminate();
      }
    }),
  { fdCheck: false, timeout: 30 },
);
