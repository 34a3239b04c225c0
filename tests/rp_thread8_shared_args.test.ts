// A function for a thread that changes an argument in place
// (`results.push(x)`, `counts[w] = n`, `stats.seen.add(k)`, `queue.shift()`)
// runs on the main thread, given the caller's objects, so the caller sees
// the changes as it does a Python thread's. In a Worker it changed a
// structured clone: the caller's list and dict stayed empty. A function
// that only reads its arguments still goes to a Worker. Checked against
// CPython (tests/fixtures/py/rp_thread8_shared_args.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { pyRepr } from "../lib/format.ts";
import * as asyncio from "../mod.ts";

// Each is self-contained: its text names nothing of this module.
function record(results: number[], i: number): number {
  results.push(i * i);
  return results.length;
}

function tally(counts: Record<string, number>, words: string[]): void {
  for (const w of words) counts[w] = (counts[w] ?? 0) + 1;
}

interface Stats {
  seen: Set<string>;
  last: number | null;
  calls: number;
}

function note(stats: Stats, key: string, value: number): void {
  stats.seen.add(key);
  stats.last = value;
  stats.calls += 1;
}

function drain(queue: number[]): number[] {
  const out: number[] = [];
  while (queue.length > 0) out.push(queue.shift()!);
  return out;
}

function total(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

const sorted = <T>(xs: Iterable<T>) => [...xs].sort();

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const results: number[] = [];
  const lengths = await asyncio.gather(
    ...[0, 1, 2, 3].map((i) => asyncio.toThread(record, results, i)),
  );
  print(pyRepr(sorted(results)), pyRepr(sorted(lengths)));
  const counts: Record<string, number> = {};
  {
    await using pool = new asyncio.ThreadPoolExecutor({ maxWorkers: 2 });
    await asyncio.gather(
      loop.runInExecutor(pool, tally, counts, ["a", "b", "a"]),
      loop.runInExecutor(pool, tally, counts, ["c", "a"]),
    );
  }
  print(pyRepr(Object.fromEntries(sorted(Object.entries(counts)))));
  const stats: Stats = { seen: new Set(), last: null, calls: 0 };
  for (const [k, v] of [["x", 1], ["y", 2], ["x", 3]] as const) {
    await asyncio.toThread(note, stats, k, v);
  }
  print(pyRepr(sorted(stats.seen)), stats.last, stats.calls);
  const pending = [1, 2, 3];
  print(pyRepr(await loop.runInExecutor(null, drain, pending)), pyRepr(pending));
  print(await asyncio.toThread(total, [1, 2, 3]), pyRepr(results));
}

const EXPECTED = [
  "[0, 1, 4, 9] [1, 2, 3, 4]",
  "{'a': 3, 'b': 1, 'c': 1}",
  "['x', 'y'] 3 3",
  "[1, 2, 3] []",
  "6 [0, 1, 4, 9]",
];

test("a thread's function changes the caller's arrays and objects in place", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test(
  "a function that changes its arguments starts no Worker; one that reads them does",
  async () => {
    const pool = new asyncio.ThreadPoolExecutor({ maxWorkers: 1 });
    await asyncio.run(async () => {
      const loop = asyncio.getRunningLoop();
      const results: number[] = [];
      assertEquals(await loop.runInExecutor(pool, record, results, 3), 1);
      assertEquals(results, [9]);
      assertEquals(String(pool), "<ThreadPoolExecutor maxWorkers=1 workers=0 queued=0>");
      assertEquals(await loop.runInExecutor(pool, total, [4, 5]), 9);
      assertEquals(String(pool), "<ThreadPoolExecutor maxWorkers=1 workers=1 queued=0>");
    });
    await pool.shutdown(true);
  },
  { timeout: 20 },
);

test("CPython prints the same for rp_thread8_shared_args.py", () => {
  const ref = pythonReference("rp_thread8_shared_args");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
