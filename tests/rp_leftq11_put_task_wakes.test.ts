// A put made into a task (`createTask(q.put(1))`) acted at once and was
// undone for the task's first step, but the getter it had woken stayed
// woken: a put_nowait by a task that ran before the put's task gave that
// getter its item on the same iteration, one iteration before CPython's.
// The wake-up is now taken back with the put, so the getter waits as
// Python's does. The same for a get made into a task on a full queue and
// the putter it had woken. Checked against CPython
// (tests/fixtures/py/rp_leftq11_put_task_wakes.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const ticker = async (n: number) => {
    for (let i = 0; i < n; i++) {
      print("tick", i);
      await asyncio.sleep(0);
    }
  };
  for (const kind of [asyncio.Queue, asyncio.LifoQueue, asyncio.PriorityQueue]) {
    const q = new kind<number>();
    const getter = async (name: string) => {
      const v = await q.get();
      print(name, "got", v, String(q));
    };
    const nowaitPutter = async (v: number) => {
      q.putNowait(v);
      print("put_nowait", v, String(q));
    };
    const gs = [0, 1].map((i) => asyncio.createTask(() => getter(`g${i}`)));
    await asyncio.sleep(0);
    const tk = asyncio.createTask(() => ticker(4));
    const a = asyncio.createTask(() => nowaitPutter(5));
    const t = asyncio.createTask(q.put(1));
    print("made", String(q));
    await asyncio.sleep(0);
    print("after 1", String(q));
    await asyncio.gather(tk, a, t, ...gs);
    print("end", String(q));
  }

  const q = new asyncio.Queue<string>(1);
  q.putNowait("a");
  const putter = async (v: string) => {
    await q.put(v);
    print("putter put", v, String(q));
  };
  const nowaitGetter = async () => {
    print("get_nowait", q.getNowait(), String(q));
  };
  const p = asyncio.createTask(() => putter("b"));
  await asyncio.sleep(0);
  const tk = asyncio.createTask(() => ticker(4));
  const n = asyncio.createTask(nowaitGetter);
  const t = asyncio.createTask(q.get());
  print("made", String(q));
  await asyncio.sleep(0);
  print("after 1", String(q), t.done());
  await asyncio.gather(p, tk, n);
  print("get task got", await t, String(q));
}

const EXPECTED = [
  "made <Queue maxsize=0 _getters[2]>",
  "tick 0",
  "put_nowait 5 <Queue maxsize=0 _queue=[5] _getters[1] tasks=1>",
  "after 1 <Queue maxsize=0 _queue=[5, 1] tasks=2>",
  "tick 1",
  "g0 got 5 <Queue maxsize=0 _queue=[1] tasks=2>",
  "g1 got 1 <Queue maxsize=0 tasks=2>",
  "tick 2",
  "tick 3",
  "end <Queue maxsize=0 tasks=2>",
  "made <LifoQueue maxsize=0 _getters[2]>",
  "tick 0",
  "put_nowait 5 <LifoQueue maxsize=0 _queue=[5] _getters[1] tasks=1>",
  "after 1 <LifoQueue maxsize=0 _queue=[5, 1] tasks=2>",
  "tick 1",
  "g0 got 1 <LifoQueue maxsize=0 _queue=[5] tasks=2>",
  "g1 got 5 <LifoQueue maxsize=0 tasks=2>",
  "tick 2",
  "tick 3",
  "end <LifoQueue maxsize=0 tasks=2>",
  "made <PriorityQueue maxsize=0 _getters[2]>",
  "tick 0",
  "put_nowait 5 <PriorityQueue maxsize=0 _queue=[5] _getters[1] tasks=1>",
  "after 1 <PriorityQueue maxsize=0 _queue=[1, 5] tasks=2>",
  "tick 1",
  "g0 got 1 <PriorityQueue maxsize=0 _queue=[5] tasks=2>",
  "g1 got 5 <PriorityQueue maxsize=0 tasks=2>",
  "tick 2",
  "tick 3",
  "end <PriorityQueue maxsize=0 tasks=2>",
  "made <Queue maxsize=1 _queue=['a'] _putters[1] tasks=1>",
  "tick 0",
  "get_nowait a <Queue maxsize=1 tasks=1>",
  "after 1 <Queue maxsize=1 _getters[1] tasks=1> False",
  "tick 1",
  "putter put b <Queue maxsize=1 _queue=['b'] tasks=2>",
  "tick 2",
  "tick 3",
  "get task got b <Queue maxsize=1 tasks=2>",
];

test(
  "a put or get made into a task leaves the waiter it woke waiting until the task runs",
  async () => {
    const out: string[] = [];
    await asyncio.run(() => app(printer(out)));
    assertEquals(out, EXPECTED);
  },
  { timeout: 20 },
);

test("CPython prints the same for rp_leftq11_put_task_wakes.py", () => {
  const ref = pythonReference("rp_leftq11_put_task_wakes");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
