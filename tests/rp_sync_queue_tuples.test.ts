// A queued array is a ported tuple (API.md rule 6): `str(queue)` shows
// `_queue=[(1, 'a'), ...]` as Python does for `(priority, job)` items.
// Checked against CPython (tests/fixtures/py/rp_sync_queue_tuples.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

function app(print: (...args: unknown[]) => void): void {
  const pq = new asyncio.PriorityQueue<[number, string]>();
  for (const [p, j] of [[3, "c"], [1, "a"], [2, "b"], [1, "aa"]] as [number, string][]) {
    pq.putNowait([p, j]);
  }
  print(String(pq));
  const [p, j] = pq.getNowait();
  print(`(${p}, '${j}')`, pq.qsize());
  const q = new asyncio.Queue<unknown[]>({ maxsize: 3 });
  q.putNowait(["/", 0]);
  q.putNowait(["x"]);
  q.putNowait([]);
  print(String(q));
  const lq = new asyncio.LifoQueue<unknown>();
  lq.putNowait([1, null, true, 2.5]);
  lq.putNowait("plain");
  print(String(lq));
}

const EXPECTED = [
  "<PriorityQueue maxsize=0 _queue=[(1, 'a'), (1, 'aa'), (2, 'b'), (3, 'c')] tasks=4>",
  "(1, 'a') 3",
  "<Queue maxsize=3 _queue=[('/', 0), ('x',), ()] tasks=3>",
  "<LifoQueue maxsize=0 _queue=[(1, None, True, 2.5), 'plain'] tasks=2>",
];

test("queue reprs show array items as tuples", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_sync_queue_tuples.py", () => {
  const ref = pythonReference("rp_sync_queue_tuples");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
