// A put made into a task acted at once and was undone for the task's
// first step, but the cancelled getters its wake-up had passed over (their
// tasks not run yet) were dropped from the queue's waiters for good, so
// str(queue) counted fewer `_getters` than CPython's deque holds until
// those tasks run. The undo now puts them back, ahead of the getter it
// woke. The same for cancelled putters and a get made into a task.
// Checked against CPython (tests/fixtures/py/rp_leftq11_dropped_waiters.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  for (const kind of [asyncio.Queue, asyncio.LifoQueue]) {
    const q = new kind<number>();
    const getter = async (name: string) => {
      let v;
      try {
        v = await q.get();
      } catch (e) {
        if (e instanceof asyncio.CancelledError) print(name, "cancelled", String(q));
        throw e;
      }
      print(name, "got", v, String(q));
    };
    const gs = [0, 1, 2, 3].map((i) => asyncio.createTask(() => getter(`g${i}`)));
    await asyncio.sleep(0);
    gs[0].cancel();
    gs[1].cancel();
    print("cancelled two", String(q));
    const t = asyncio.createTask(q.put(1));
    print("made put task", String(q));
    const g = asyncio.gather(q.put(2), q.put(3));
    print("gathered puts", String(q));
    await asyncio.sleep(0);
    print("after 1", String(q));
    await asyncio.gather(...gs, t, g, { returnExceptions: true });
    print("end", String(q));
  }

  const q = new asyncio.Queue<number>(1);
  q.putNowait(0);
  const ps = [1, 2, 3].map((i) => asyncio.createTask(q.put(i)));
  await asyncio.sleep(0);
  ps[0].cancel();
  print("full, one putter cancelled", String(q));
  const t = asyncio.createTask(q.get());
  print("made get task", String(q));
  await asyncio.sleep(0);
  print("after 1", String(q));
  await asyncio.sleep(0);
  print("after 2", String(q), await t);
  print("get_nowait", q.getNowait(), String(q));
  await asyncio.gather(...ps, { returnExceptions: true });
  print("end", String(q));
}

const EXPECTED = [
  "cancelled two <Queue maxsize=0 _getters[4]>",
  "made put task <Queue maxsize=0 _getters[4]>",
  "gathered puts <Queue maxsize=0 _getters[4]>",
  "g0 cancelled <Queue maxsize=0 _getters[3]>",
  "g1 cancelled <Queue maxsize=0 _getters[2]>",
  "after 1 <Queue maxsize=0 _queue=[1, 2, 3] tasks=3>",
  "g2 got 1 <Queue maxsize=0 _queue=[2, 3] tasks=3>",
  "g3 got 2 <Queue maxsize=0 _queue=[3] tasks=3>",
  "end <Queue maxsize=0 _queue=[3] tasks=3>",
  "cancelled two <LifoQueue maxsize=0 _getters[4]>",
  "made put task <LifoQueue maxsize=0 _getters[4]>",
  "gathered puts <LifoQueue maxsize=0 _getters[4]>",
  "g0 cancelled <LifoQueue maxsize=0 _getters[3]>",
  "g1 cancelled <LifoQueue maxsize=0 _getters[2]>",
  "after 1 <LifoQueue maxsize=0 _queue=[1, 2, 3] tasks=3>",
  "g2 got 3 <LifoQueue maxsize=0 _queue=[1, 2] tasks=3>",
  "g3 got 2 <LifoQueue maxsize=0 _queue=[1] tasks=3>",
  "end <LifoQueue maxsize=0 _queue=[1] tasks=3>",
  "full, one putter cancelled <Queue maxsize=1 _queue=[0] _putters[3] tasks=1>",
  "made get task <Queue maxsize=1 _queue=[0] _putters[3] tasks=1>",
  "after 1 <Queue maxsize=1 _putters[1] tasks=1>",
  "after 2 <Queue maxsize=1 _queue=[2] _putters[1] tasks=2> 0",
  "get_nowait 2 <Queue maxsize=1 tasks=2>",
  "end <Queue maxsize=1 _queue=[3] tasks=3>",
];

test(
  "a put or get made into a task keeps the cancelled waiters it passed over",
  async () => {
    const out: string[] = [];
    await asyncio.run(() => app(printer(out)));
    assertEquals(out, EXPECTED);
  },
  { timeout: 20 },
);

test("CPython prints the same for rp_leftq11_dropped_waiters.py", () => {
  const ref = pythonReference("rp_leftq11_dropped_waiters");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
