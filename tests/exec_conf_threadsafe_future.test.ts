// runCoroutineThreadsafe on the loop's own thread returns Python's
// concurrent.futures.Future (a ThreadsafeFuture): its repr in each state,
// done callbacks, result()/exception() once done, result(0) of a pending
// one (TimeoutError at once: nothing could finish it while the thread
// waits), cancel() reaching the task, and awaiting it. Checked against CPython.
import { test } from "./harness.ts";
import { assertEquals, assertRejects, assertThrows } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

function addr(s: unknown): string {
  return String(s).replace(/0x[0-9a-f]+/g, "0x?");
}

async function add(x: number, y: number): Promise<number> {
  await asyncio.sleep(0.01);
  return x + y;
}

async function fail(): Promise<never> {
  await asyncio.sleep(0);
  throw new asyncio.ValueError("inside");
}

async function threadsafeFuture(print: (...args: unknown[]) => void): Promise<void> {
  const slow = async () => {
    try {
      await asyncio.sleep(10);
    } catch (e) {
      if (e instanceof asyncio.CancelledError) print("slow cancelled");
      throw e;
    }
  };
  const loop = asyncio.getRunningLoop();
  const fut = asyncio.runCoroutineThreadsafe(() => add(1, 2), loop);
  print(addr(fut), fut.done(), fut.cancelled(), fut.running(), asyncio.isFuture(fut));
  fut.addDoneCallback((f) => print("callback", f.result()));
  print(await asyncio.wrapFuture(fut));
  print(addr(fut), fut.done(), fut.result(), fut.result(0), fut.exception());
  const f2 = asyncio.runCoroutineThreadsafe(fail, loop);
  try {
    await asyncio.wrapFuture(f2);
  } catch (e) {
    print((e as Error).name, (e as Error).message);
  }
  const e2 = f2.exception() as Error;
  print(addr(f2), e2.name, e2.message);
  try {
    f2.result();
  } catch (e) {
    print("result() raised " + (e as Error).name, (e as Error).message);
  }
  const f3 = asyncio.runCoroutineThreadsafe(slow, loop);
  await asyncio.sleep(0.01);
  print(f3.cancel(), f3.cancelled(), f3.done(), addr(f3));
  await asyncio.sleep(0.01);
  for (const call of [() => f3.result(), () => f3.exception()]) {
    try {
      call();
    } catch (e) {
      print((e as Error).name, `'${(e as Error).message}'`);
    }
  }
  print(f3.cancel());
  const f4 = asyncio.runCoroutineThreadsafe(() => add(1, 1), loop);
  try {
    f4.result(0);
  } catch (e) {
    print((e as Error).name, `'${(e as Error).message}'`);
  }
  print(await asyncio.wrapFuture(f4), f4.cancel());
  try {
    asyncio.runCoroutineThreadsafe(5 as never, loop);
  } catch (e) {
    print((e as Error).name, (e as Error).message);
  }
  const f5 = asyncio.runCoroutineThreadsafe(() => add(2, 2), loop);
  f5.cancel();
  await asyncio.sleep(0.02);
  print(f5.cancelled(), addr(f5));
  const f6 = asyncio.runCoroutineThreadsafe(() => add(3, 3), loop);
  const done: unknown[] = [];
  f6.addDoneCallback((f) => done.push(f));
  await asyncio.sleep(0.05);
  print(done.length, done[0] === f6);
  f6.addDoneCallback((f) => print("late callback", f.result()));
}

const EXPECTED = [
  "<Future at 0x? state=pending> False False False False",
  "callback 3",
  "3",
  "<Future at 0x? state=finished returned int> True 3 3 None",
  "ValueError inside",
  "<Future at 0x? state=finished raised ValueError> ValueError inside",
  "result() raised ValueError inside",
  "True True True <Future at 0x? state=cancelled>",
  "slow cancelled",
  "CancelledError ''",
  "CancelledError ''",
  "True",
  "TimeoutError ''",
  "2 False",
  "TypeError A coroutine object is required",
  "True <Future at 0x? state=cancelled>",
  "1 True",
  "late callback 6",
];

test(
  "runCoroutineThreadsafe returns a concurrent future: states, reprs, callbacks, cancel",
  async () => {
    const out: string[] = [];
    await asyncio.run(() => threadsafeFuture(printer(out)));
    assertEquals(out, EXPECTED);
  },
  { timeout: 20 },
);

test(
  "runCoroutineThreadsafe's future: await, catch, and result() without a timeout on the loop's thread",
  async () => {
    await asyncio.run(async () => {
      const loop = asyncio.getRunningLoop();
      assertEquals(await asyncio.runCoroutineThreadsafe(() => add(2, 3), loop), 5);
      const failing = asyncio.runCoroutineThreadsafe(fail, loop);
      assertEquals(await failing.catch((e) => (e as Error).message), "inside");
      await assertRejects(() => Promise.resolve(failing), asyncio.ValueError, "inside");
      const pending = asyncio.runCoroutineThreadsafe(() => add(1, 1), loop);
      assertThrows(() => pending.result(), asyncio.RuntimeError, "would block");
      assertEquals(await pending, 2);
      // A cancelled future that nobody awaits is no unhandled rejection.
      asyncio.runCoroutineThreadsafe(() => add(1, 1), loop).cancel();
      await asyncio.sleep(0.02);
      // A done callback that throws is logged, also one added once done.
      const records: asyncio.LogRecord[] = [];
      const handler = (r: asyncio.LogRecord) => records.push(r);
      asyncio.logger.addHandler(handler);
      try {
        const f = asyncio.runCoroutineThreadsafe(() => add(0, 1), loop);
        const boom = () => {
          throw new asyncio.ValueError("in callback");
        };
        f.addDoneCallback(boom);
        assertEquals(await f, 1);
        f.addDoneCallback(boom);
      } finally {
        asyncio.logger.removeHandler(handler);
      }
      assertEquals(
        records.map((r) => r.message.replace(/0x[0-9a-f]+/, "0x?")),
        Array(2).fill("exception calling callback for <Future at 0x? state=finished returned int>"),
      );
    });
  },
  { timeout: 20 },
);

test("CPython prints the same for exec_conf_threadsafe_future.py", () => {
  const ref = pythonReference("exec_conf_threadsafe_future");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
