// timeout() around a host call given the task's signal (README:
// `fetch(url, { signal: asyncio.currentTask()!.signal })`). The host
// rejects with the signal's reason, a CancelledError, before the task has
// delivered the timeout's cancellation; the block leaves as TimeoutError
// and then:
// - the task's next await of a loop future runs (it used to throw the
//   cancellation a second time, out of the block, ending the task);
// - `task.signal` is a live signal again once every cancellation is taken
//   back (it used to stay aborted, so each later fetch failed at once).
// A promise that rejects on abort with `signal.reason` stands for `fetch`
// here (deterministic); `fetch` against node:http behaves the same.
import { test } from "./harness.ts";
import { assert, assertEquals } from "./assert.ts";
import * as asyncio from "../mod.ts";

/** What `fetch` does with a signal: never settles by itself, rejects with the abort reason. */
function hostCall(signal: AbortSignal): Promise<string> {
  return new Promise((_resolve, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}

test("timeout() over a host call given the task's signal: TimeoutError, then the task goes on", async () => {
  const log: string[] = [];
  await asyncio.run(async () => {
    const me = asyncio.currentTask()!;
    const first = me.signal;
    try {
      await asyncio.timeout(0.01, async () => {
        log.push(await hostCall(me.signal));
      });
    } catch (e) {
      log.push("block: " + (e as Error).constructor.name);
    }
    log.push("cancelling " + me.cancelling());
    await asyncio.sleep(0.001);
    log.push("next await ran");
    log.push("old signal aborted " + first.aborted);
    log.push("signal aborted " + me.signal.aborted);
    // A host call made now is not aborted at once; a second timeout still works.
    try {
      await asyncio.timeout(0.01, () => hostCall(me.signal));
    } catch (e) {
      log.push("again: " + (e as Error).constructor.name);
    }
    await asyncio.sleep(0);
    log.push("done");
  });
  assertEquals(log, [
    "block: TimeoutError",
    "cancelling 0",
    "next await ran",
    "old signal aborted true",
    "signal aborted false",
    "again: TimeoutError",
    "done",
  ]);
});

test("a task cancelled for good keeps an aborted signal", async () => {
  await asyncio.run(async () => {
    const t = asyncio.createTask(async () => {
      await hostCall(asyncio.currentTask()!.signal);
    });
    await asyncio.sleep(0);
    t.cancel("stop");
    try {
      await t;
    } catch (e) {
      assert(e instanceof asyncio.CancelledError);
    }
    assert(t.cancelled());
    assert(t.signal.aborted);
    assertEquals((t.signal.reason as Error).message, "stop");
  });
});
