// A Worker calls into a loop that runs on the main thread (Python's
// run_coroutine_threadsafe / call_soon_threadsafe from another thread): the
// Worker blocks on a future's result with a timeout while the loop runs the
// coroutine, errors keep their class, cancellation reaches the task.
import { runtime, test } from "./harness.ts";
import { assert, assertEquals, assertRejects, assertThrows } from "./assert.ts";
import { Worker } from "node:worker_threads";
import * as asyncio from "../mod.ts";
import { connectLoop, LoopBridge } from "../lib/loop_bridge.ts";
import { RuntimeError, ValueError } from "../lib/exceptions.ts";

const workerPath = runtime === "node"
  ? "./build/tests/fixtures/bridge_worker.js"
  : "./tests/fixtures/bridge_worker.ts";

interface AnyWorker {
  postMessage(m: unknown, transfer: unknown[]): void;
  terminate(): unknown;
}

function nodeWorker(onMessage: (m: unknown) => void, onError: (e: unknown) => void): AnyWorker {
  const w = new Worker(workerPath);
  w.on("message", onMessage);
  w.on("error", onError);
  return w as unknown as AnyWorker;
}

// Deno's and Bun's own Web Worker: its ports are Web MessagePorts.
function webWorker(onMessage: (m: unknown) => void, onError: (e: unknown) => void): AnyWorker {
  const W = (globalThis as unknown as {
    Worker: new (u: URL, o: { type: "module" }) => AnyWorker & {
      onmessage: (e: { data: unknown }) => void;
      onerror: (e: unknown) => void;
    };
  }).Worker;
  const w = new W(new URL("./fixtures/bridge_worker.ts", import.meta.url), { type: "module" });
  w.onmessage = (e) => onMessage(e.data);
  w.onerror = onError;
  return w;
}

const kinds: Array<[string, typeof nodeWorker]> = [["node:worker_threads", nodeWorker]];
if (runtime !== "node") kinds.push(["Web Worker", webWorker]);

for (const [kind, makeWorker] of kinds) {
  test(
    `${kind}: runs coroutines on the main thread's loop and waits with a timeout`,
    () =>
      asyncio.run(async () => {
        const loop = asyncio.getRunningLoop();
        const records: string[] = [];
        let slowCancelled = false;
        const bridge = new LoopBridge(loop, {
          add: async (a: number, b: number) => {
            await asyncio.sleep(0.01); // really on the loop: a loop timer
            assert(asyncio.currentTask() !== null);
            return a + b;
          },
          slow: async (s: number) => {
            try {
              await asyncio.sleep(s);
            } catch (e) {
              slowCancelled = e instanceof asyncio.CancelledError;
              throw e;
            }
          },
          fail: (msg: string) => {
            throw new ValueError(msg);
          },
          record: (s: string) => {
            records.push(s);
          },
          records: () => [...records],
          slowWasCancelled: async () => {
            for (let i = 0; i < 100 && !slowCancelled; i++) await asyncio.sleep(0.01);
            return slowCancelled;
          },
        });
        const report = loop.createFuture<Record<string, unknown>>();
        const worker = makeWorker(
          (m) => loop.callSoonThreadsafe(() => report.setResult(m as Record<string, unknown>)),
          (e) =>
            loop.callSoonThreadsafe(() =>
              report.setException(new Error(String((e as { message?: string }).message ?? e)))
            ),
        );
        try {
          const link = bridge.link();
          worker.postMessage(link, [link.port]);
          const r = await asyncio.waitFor(report, 30);
          assertEquals(r.sync, { value: 42 });
          assertEquals(r.timeout, { error: "TimeoutError", message: "", isTimeout: true });
          assertEquals(r.slowDoneAfterTimeout, false);
          assertEquals(r.cancel, true);
          assertEquals(r.slowCancelled, true);
          assertEquals(r.error, { error: "ValueError", message: "bad value", isTimeout: false });
          assertEquals((r.missing as { error: string }).error, "KeyError");
          assertEquals(r.awaited, 3);
          assertEquals(r.recorded, ["from the worker"]);
          assertEquals(r.loopCancelledSlow, true);
          assertEquals(records, ["from the worker"]);
        } finally {
          bridge.close();
          await worker.terminate();
        }
      }),
    { timeout: 60, fdCheck: false },
  );
}

test(
  "on the loop's own thread: awaiting works, a blocking result() is refused",
  () =>
    asyncio.run(async () => {
      const loop = asyncio.getRunningLoop();
      const bridge = new LoopBridge(loop, {
        twice: async (x: number) => {
          await asyncio.sleep(0);
          return x * 2;
        },
        boom: () => {
          throw new ValueError("boom");
        },
      });
      const link = bridge.link();
      const remote = connectLoop(link);
      try {
        assertEquals(await remote.runCoroutineThreadsafe("twice", 21), 42);
        const fut = remote.runCoroutineThreadsafe("twice", 1);
        assertThrows(() => fut.result(1), RuntimeError);
        assertEquals(await fut, 2);
        assertEquals(fut.result(), 2); // done: no wait needed
        await assertRejects(async () => await remote.runCoroutineThreadsafe("boom"), ValueError);
        assertThrows(() => connectLoop({} as never), TypeError);
        assertThrows(() => new LoopBridge(loop, { x: 1 as never }), TypeError);
      } finally {
        remote.close();
        bridge.close();
      }
      assertThrows(() => bridge.link(), RuntimeError);
    }),
  { fdCheck: false },
);
