// A put made into a task acted at once and was undone for the task's
// first step; on a priority queue the undo rebuilt the heap, so str(queue)
// showed another layout than `heapq`'s (before the tasks ran, and after:
// the redone puts sifted into the rebuilt heap). The undo now moves the
// items the put's sift passed back up its path: the heap is `heapq`'s
// before the put. Checked against CPython
// (tests/fixtures/py/rp_leftq11_priority_unput.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const q = new asyncio.PriorityQueue<number>();
  for (const v of [5, 3, 8, 1, 9, 2, 7]) q.putNowait(v);
  print("start", String(q));
  const t = asyncio.createTask(q.put(0));
  print("made put task", String(q));
  const g = asyncio.gather(q.put(4), q.put(1), q.put(6));
  print("gathered puts", String(q));
  await asyncio.gather(t, g);
  print("after", String(q));
  const w = asyncio.createTask(asyncio.waitFor(q.put(2), 5));
  print("wait_for put", String(q));
  await w;
  const s = String(q);
  const all: number[] = [];
  while (!q.empty()) all.push(q.getNowait());
  print("end", s, `[${all.join(", ")}]`);
}

const EXPECTED = [
  "start <PriorityQueue maxsize=0 _queue=[1, 3, 2, 5, 9, 8, 7] tasks=7>",
  "made put task <PriorityQueue maxsize=0 _queue=[1, 3, 2, 5, 9, 8, 7] tasks=7>",
  "gathered puts <PriorityQueue maxsize=0 _queue=[1, 3, 2, 5, 9, 8, 7] tasks=7>",
  "after <PriorityQueue maxsize=0 _queue=[0, 1, 2, 3, 1, 8, 7, 5, 4, 9, 6] tasks=11>",
  "wait_for put <PriorityQueue maxsize=0 _queue=[0, 1, 2, 3, 1, 8, 7, 5, 4, 9, 6] tasks=11>",
  "end <PriorityQueue maxsize=0 _queue=[0, 1, 2, 3, 1, 2, 7, 5, 4, 9, 6, 8] tasks=12> [0, 1, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9]",
];

test(
  "a put made into a task leaves a priority queue's heap as heapq's",
  async () => {
    const out: string[] = [];
    await asyncio.run(() => app(printer(out)));
    assertEquals(out, EXPECTED);
  },
  { timeout: 20 },
);

test("CPython prints the same for rp_leftq11_priority_unput.py", () => {
  const ref = pythonReference("rp_leftq11_priority_unput");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
