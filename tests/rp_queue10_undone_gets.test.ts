// Gets made into tasks before they run have taken nothing yet, as Python's
// coroutines have not run: the queue shows what it held. After gathered
// gets, a get made into a task put its item back behind theirs, though it
// had taken the front one: the gathered gets got [2, 1], not [1, 2]. A
// FIFO queue's undone gets kept records of their items that outlived them,
// so after gathered gets a queue refilled with equal values put the next
// undone get's item back in the wrong place (`get_nowait()` gave 2, not 0).
// A priority queue put an undone get's item back as a new item, so its str
// showed another heap than `heapq`'s; the gets are now undone exactly.
// Checked against CPython (tests/fixtures/py/rp_queue10_undone_gets.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

/** Python's repr of a list of numbers or strings. */
const list = (xs: unknown[]) =>
  `[${xs.map((x) => (typeof x === "string" ? `'${x}'` : String(x))).join(", ")}]`;

async function app(print: (...args: unknown[]) => void): Promise<void> {
  for (const kind of [asyncio.Queue, asyncio.LifoQueue]) {
    const q = new kind<number>();
    for (const v of [1, 2, 3]) q.putNowait(v);
    const g = asyncio.gather(q.get(), q.get());
    const t = asyncio.ensureFuture(q.get());
    print(String(q));
    print(list(await g), await t, String(q));
  }

  const q = new asyncio.Queue<number | string>();
  for (let i = 0; i < 3; i++) q.putNowait(i);
  print(list(await asyncio.gather(q.get(), q.get(), q.get())), String(q));
  for (let i = 0; i < 3; i++) q.putNowait(i);
  const ts = [0, 1].map(() => asyncio.createTask(q.get()));
  print(q.getNowait(), String(q));
  print(list(await asyncio.gather(...ts)), String(q));
  for (const v of "abab") q.putNowait(v);
  const g = asyncio.gather(q.get(), q.get());
  print(String(q));
  q.putNowait("a");
  print(String(q), q.getNowait());
  print(list(await g), String(q));

  const pq = new asyncio.PriorityQueue<number>();
  for (let i = 1; i < 8; i++) pq.putNowait(i);
  const t = asyncio.createTask(pq.get());
  print(String(pq));
  print(await t, String(pq));
  const w = asyncio.createTask(asyncio.waitFor(pq.get(), 5));
  print(String(pq));
  print(await w, String(pq));
  for (const v of [9, 1, 8, 2]) pq.putNowait(v);
  print(String(pq));
  const g3 = asyncio.gather(pq.get(), pq.get(), pq.get());
  print(String(pq));
  print(list(await g3), String(pq));
  for (const v of [1, 1, 2, 1]) pq.putNowait(v);
  const a = pq.get(), b = pq.get(), c = pq.get();
  const fs = [c, a, b].map((x) => asyncio.ensureFuture(x));
  print(String(pq));
  print(list(await asyncio.gather(...fs)), String(pq));
  pq.putNowait(0);
  print(String(pq), pq.getNowait());
}

const EXPECTED = [
  "<Queue maxsize=0 _queue=[1, 2, 3] tasks=3>",
  "[1, 2] 3 <Queue maxsize=0 tasks=3>",
  "<LifoQueue maxsize=0 _queue=[1, 2, 3] tasks=3>",
  "[3, 2] 1 <LifoQueue maxsize=0 tasks=3>",
  "[0, 1, 2] <Queue maxsize=0 tasks=3>",
  "0 <Queue maxsize=0 _queue=[1, 2] tasks=6>",
  "[1, 2] <Queue maxsize=0 tasks=6>",
  "<Queue maxsize=0 _queue=['a', 'b', 'a', 'b'] tasks=10>",
  "<Queue maxsize=0 _queue=['a', 'b', 'a', 'b', 'a'] tasks=11> a",
  "['b', 'a'] <Queue maxsize=0 _queue=['b', 'a'] tasks=11>",
  "<PriorityQueue maxsize=0 _queue=[1, 2, 3, 4, 5, 6, 7] tasks=7>",
  "1 <PriorityQueue maxsize=0 _queue=[2, 4, 3, 7, 5, 6] tasks=7>",
  "<PriorityQueue maxsize=0 _queue=[2, 4, 3, 7, 5, 6] tasks=7>",
  "2 <PriorityQueue maxsize=0 _queue=[3, 4, 6, 7, 5] tasks=7>",
  "<PriorityQueue maxsize=0 _queue=[1, 2, 3, 4, 5, 9, 6, 8, 7] tasks=11>",
  "<PriorityQueue maxsize=0 _queue=[1, 2, 3, 4, 5, 9, 6, 8, 7] tasks=11>",
  "[1, 2, 3] <PriorityQueue maxsize=0 _queue=[4, 5, 6, 7, 8, 9] tasks=11>",
  "<PriorityQueue maxsize=0 _queue=[1, 1, 4, 2, 1, 9, 6, 7, 5, 8] tasks=15>",
  "[1, 1, 1] <PriorityQueue maxsize=0 _queue=[2, 5, 4, 7, 8, 9, 6] tasks=15>",
  "<PriorityQueue maxsize=0 _queue=[0, 2, 4, 5, 8, 9, 6, 7] tasks=16> 0",
];

test(
  "gets made into tasks leave the queue, and a priority queue's heap, as they were",
  async () => {
    const out: string[] = [];
    await asyncio.run(() => app(printer(out)));
    assertEquals(out, EXPECTED);
  },
  { timeout: 20 },
);

test("CPython prints the same for rp_queue10_undone_gets.py", () => {
  const ref = pythonReference("rp_queue10_undone_gets");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
