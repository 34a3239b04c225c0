// A concurrency limit that may be "unlimited", `new Semaphore(Infinity)`
// (Python's `Semaphore(float("inf"))`), showed `value:Infinity` in its repr
// where Python shows `value:inf`; a fractional count now prints as Python's
// float repr (`value:1e-05`, not `value:0.00001`). A bool count is an int to
// Python (`Semaphore(True)`, `Barrier(True)`) but was a TypeError here.
// Checked against CPython (tests/fixtures/py/rp_sync11_semaphore_counts.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const masked = (x: unknown) => String(x).replace(/ at 0x[0-9a-f]+/g, "");
// Counts a program passes without type checking (bools, strings).
const count = (x: unknown) => x as number;

async function fetchAll(
  print: (...args: unknown[]) => void,
  urls: string[],
  limit: number | null = null,
): Promise<void> {
  const sem = new asyncio.Semaphore(limit ? limit : Infinity);
  print("limit", limit, masked(sem));
  let active = 0;
  let peak = 0;
  const fetch = (u: string) =>
    sem.withLock(async () => {
      active++;
      peak = Math.max(peak, active);
      await asyncio.sleep(0);
      active--;
      return u.toUpperCase();
    });
  const res = await asyncio.gather(...urls.map((u) => asyncio.createTask(() => fetch(u))));
  print(res.join(" "), "peak", peak, masked(sem), sem.locked());
}

async function app(print: (...args: unknown[]) => void): Promise<void> {
  await fetchAll(print, ["a", "b", "c", "d"], 2);
  await fetchAll(print, ["a", "b", "c", "d"]);
  const b = new asyncio.BoundedSemaphore(Infinity);
  await b.acquire();
  print(masked(b));
  try {
    b.release();
  } catch (e) {
    print((e as Error).constructor.name, (e as Error).message, masked(b));
  }
  print(masked(new asyncio.Semaphore(1e-05)), masked(new asyncio.Semaphore(2.5)));
  const s = new asyncio.Semaphore(count(true));
  print(masked(s), s.locked());
  await s.acquire();
  print(masked(s), s.locked());
  s.release();
  print(masked(s));
  const off = new asyncio.Semaphore(count(false));
  print(masked(off), off.locked());
  const one = new asyncio.Barrier(count(true));
  print(masked(one), one.parties, await one.wait(), await one.wait());
  for (
    const make of [
      () => new asyncio.Barrier(count(false)),
      () => new asyncio.Semaphore(count("3")),
    ]
  ) {
    try {
      make();
    } catch (e) {
      print((e as Error).constructor.name, (e as Error).message);
    }
  }
}

const EXPECTED = [
  "limit 2 <asyncio.locks.Semaphore object [unlocked, value:2]>",
  "A B C D peak 2 <asyncio.locks.Semaphore object [unlocked, value:2]> False",
  "limit None <asyncio.locks.Semaphore object [unlocked, value:inf]>",
  "A B C D peak 4 <asyncio.locks.Semaphore object [unlocked, value:inf]> False",
  "<asyncio.locks.BoundedSemaphore object [unlocked, value:inf]>",
  "ValueError BoundedSemaphore released too many times " +
  "<asyncio.locks.BoundedSemaphore object [unlocked, value:inf]>",
  "<asyncio.locks.Semaphore object [unlocked, value:1e-05]> " +
  "<asyncio.locks.Semaphore object [unlocked, value:2.5]>",
  "<asyncio.locks.Semaphore object [unlocked, value:True]> False",
  "<asyncio.locks.Semaphore object [locked]> True",
  "<asyncio.locks.Semaphore object [unlocked, value:1]>",
  "<asyncio.locks.Semaphore object [locked]> True",
  "<asyncio.locks.Barrier object [filling, waiters:0/True]> True 0 0",
  "ValueError parties must be > 0",
  "TypeError '<' not supported between instances of 'str' and 'int'",
];

test("semaphore and barrier counts: inf, floats and bools as in Python", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_sync11_semaphore_counts.py", () => {
  const ref = pythonReference("rp_sync11_semaphore_counts");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
