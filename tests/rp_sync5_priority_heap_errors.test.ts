// A comparison that throws inside the priority queue's heap (a tie between
// `[priority, dict]` entries: Python's TypeError) leaves every entry in the
// heap where `heapq`'s swaps leave them: nothing lost, nothing doubled.
// Checked against CPython (tests/fixtures/py/rp_sync5_priority_heap_errors.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

function app(print: (...args: unknown[]) => void): void {
  const tuple = (e: unknown) => {
    const [p, s] = e as [number, string];
    return `(${p}, '${s}')`;
  };
  let pq = new asyncio.PriorityQueue<unknown>();
  pq.putNowait([1, { job: "a" }]);
  try {
    pq.putNowait([1, { job: "b" }]);
  } catch (e) {
    print((e as Error).constructor.name, (e as Error).message);
  }
  print(String(pq), pq.qsize());
  pq = new asyncio.PriorityQueue<unknown>();
  for (const item of [[1, { k: 1 }], [3, "x"], [4, "y"], [5, "z"]]) pq.putNowait(item);
  try {
    pq.putNowait([1, { k: 2 }]);
  } catch (e) {
    print("put:", (e as Error).message);
  }
  print(String(pq));
  pq = new asyncio.PriorityQueue<unknown>();
  const entries = [[0, "a"], [1, "b"], [5, "c"], [2, { k: 1 }], [2, { k: 2 }], [6, "d"], [7, "e"]];
  for (const item of entries) pq.putNowait(item);
  try {
    pq.getNowait();
  } catch (e) {
    print("get:", (e as Error).message);
  }
  print(String(pq), pq.qsize());
  print(tuple(pq.getNowait()), tuple(pq.getNowait()));
}

const EXPECTED = [
  "TypeError '<' not supported between instances of 'dict' and 'dict'",
  "<PriorityQueue maxsize=0 _queue=[(1, {'job': 'a'}), (1, {'job': 'b'})] tasks=1> 2",
  "put: '<' not supported between instances of 'dict' and 'dict'",
  "<PriorityQueue maxsize=0 _queue=[(1, {'k': 1}), (1, {'k': 2}), (4, 'y'), (5, 'z'), (3, 'x')] tasks=4>",
  "get: '<' not supported between instances of 'dict' and 'dict'",
  "<PriorityQueue maxsize=0 _queue=[(1, 'b'), (7, 'e'), (5, 'c'), (2, {'k': 1}), (2, {'k': 2}), (6, 'd')] tasks=7> 6",
  "(1, 'b') (5, 'c')",
];

test("a priority queue keeps its entries when an ordering TypeError stops a sift", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_sync5_priority_heap_errors.py", () => {
  const ref = pythonReference("rp_sync5_priority_heap_errors");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
