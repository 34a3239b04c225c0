// wrapFuture chains cancellation both ways, as Python's wrap_future of a
// concurrent.futures.Future: a cancelled ThreadsafeFuture cancels the
// Future (not an exception in it), and cancelling the Future cancels the
// ThreadsafeFuture and its task, or withdraws an executor's queued job.
// Checked against CPython.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function wrapCancel(print: (...args: unknown[]) => void): Promise<void> {
  const slow = async () => {
    try {
      await asyncio.sleep(10);
    } catch (e) {
      if (e instanceof asyncio.CancelledError) print("slow cancelled");
      throw e;
    }
  };
  const loop = asyncio.getRunningLoop();
  const cf = asyncio.runCoroutineThreadsafe(slow, loop);
  const af = asyncio.wrapFuture(cf);
  await asyncio.sleep(0.01);
  cf.cancel();
  await asyncio.sleep(0.01);
  print("wrapper cancelled", af.cancelled(), cf.cancelled());
  const cf2 = asyncio.runCoroutineThreadsafe(slow, loop);
  const af2 = asyncio.wrapFuture(cf2);
  await asyncio.sleep(0.01);
  af2.cancel();
  await asyncio.sleep(0.01);
  print("concurrent cancelled", cf2.cancelled(), af2.cancelled());
  await using pool = new asyncio.ThreadPoolExecutor({ maxWorkers: 1 });
  // time.sleep(0.1) in the one worker, so the next job waits in the queue.
  const f1 = pool.submit(() => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100));
  const f2 = pool.submit(() => console.log("never"));
  const a2 = asyncio.wrapFuture(f2);
  a2.cancel();
  await asyncio.sleep(0);
  let withdrawn = false;
  try {
    await f2;
  } catch (e) {
    withdrawn = e instanceof asyncio.CancelledError;
  }
  print("job withdrawn", withdrawn);
  await f1;
}

const EXPECTED = [
  "slow cancelled",
  "wrapper cancelled True True",
  "slow cancelled",
  "concurrent cancelled True True",
  "job withdrawn True",
];

test(
  "wrapFuture passes cancellation both ways for ThreadsafeFutures and executor jobs",
  async () => {
    const out: string[] = [];
    await asyncio.run(() => wrapCancel(printer(out)));
    assertEquals(out, EXPECTED);
  },
  { timeout: 20 },
);

test("CPython prints the same for exec_conf_wrap_future.py", () => {
  const ref = pythonReference("exec_conf_wrap_future");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
