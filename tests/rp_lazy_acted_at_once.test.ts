// A library call that acted at once (a free lock taken, an item got, a
// set event seen) and is made into a task right after is undone and
// redone when the task first runs, after the tasks made before it, as
// Python's coroutine objects act; awaited at once it acts at once, as in
// Python. Checked against CPython (tests/fixtures/py/rp_lazy_acted_at_once.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { pyRepr } from "../lib/format.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const lock = new asyncio.Lock();
  const q = new asyncio.Queue<string>();
  q.putNowait("a");
  const order: string[] = [];
  const worker = async () => {
    await lock.acquire();
    try {
      order.push("worker has the lock");
      order.push("worker got " + await q.get());
    } finally {
      lock.release();
    }
  };
  const w = asyncio.createTask(worker);
  const a = asyncio.createTask(lock.acquire());
  const g = asyncio.createTask(q.get());
  print("before", lock.locked(), q.qsize());
  q.putNowait("b");
  await asyncio.sleep(0);
  print(pyRepr(order), "a", a.done(), "g", g.done() && g.result());
  await asyncio.sleep(0);
  print("a", a.result(), "g", g.result(), lock.locked());
  lock.release();

  const sem = new asyncio.Semaphore(2);
  const ts = [0, 1, 2].map(() => asyncio.createTask(sem.acquire()));
  print("sem", sem.locked(), sem._value);
  await asyncio.sleep(0);
  print("sem", pyRepr(ts.map((t) => t.done())), sem.locked());
  sem.release();
  await asyncio.sleep(0);
  print("sem", pyRepr(ts.map((t) => t.done())));

  const ev = new asyncio.Event();
  ev.set();
  const e = asyncio.createTask(ev.wait());
  ev.clear();
  await asyncio.sleep(0);
  print("event task done", e.done());
  ev.set();
  await asyncio.sleep(0);
  print("event task done", e.done(), e.result());

  const bq = new asyncio.Queue<number>({ maxsize: 2 });
  const p1 = asyncio.createTask(bq.put(1));
  const p2 = asyncio.createTask(bq.put(2));
  print("bq", bq.qsize(), bq.full());
  await asyncio.sleep(0);
  print("bq", bq.qsize(), bq.full(), p1.done(), p2.done());

  const pq = new asyncio.PriorityQueue<number>();
  for (const x of [3, 1, 2]) pq.putNowait(x);
  const t1 = asyncio.createTask(pq.get());
  print("pq", pq.qsize(), String(pq));
  await asyncio.sleep(0);
  print("pq", t1.result(), String(pq));
  const lq = new asyncio.LifoQueue<string>();
  lq.putNowait("x");
  lq.putNowait("y");
  const lt = asyncio.createTask(lq.get());
  const lp = asyncio.createTask(lq.put("z"));
  print("lq", String(lq));
  await asyncio.sleep(0);
  print("lq", lt.result(), String(lq));
  void lp;

  await lock.acquire();
  print("awaited", lock.locked(), !q.empty() ? await q.get() : "empty");
  lock.release();
  const g2 = asyncio.gather(q.put("c"), q.get());
  print("gather made", q.qsize());
  print("gather", pyRepr(await g2), q.qsize());
  void w;
}

const EXPECTED = [
  "before False 1",
  "['worker has the lock', 'worker got a'] a True g b",
  "a True g b True",
  "sem False 2",
  "sem [True, True, False] True",
  "sem [True, True, True]",
  "event task done False",
  "event task done True True",
  "bq 0 False",
  "bq 2 True True True",
  "pq 3 <PriorityQueue maxsize=0 _queue=[1, 3, 2] tasks=3>",
  "pq 1 <PriorityQueue maxsize=0 _queue=[2, 3] tasks=3>",
  "lq <LifoQueue maxsize=0 _queue=['x', 'y'] tasks=2>",
  "lq y <LifoQueue maxsize=0 _queue=['x', 'z'] tasks=3>",
  "awaited True empty",
  "gather made 0",
  "gather [None, 'c'] 0",
];

test("a task made from a call that acted at once acts in its turn", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_lazy_acted_at_once.py", () => {
  const ref = pythonReference("rp_lazy_acted_at_once");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
