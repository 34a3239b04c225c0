// Workers ported as `gather(worker(0), worker(1), ...)` are promises, all
// running in the awaiting task's context, so their wake-ups in one loop
// iteration belong to one task. Python runs each as its own task: each must
// reach its next suspension before the next resumes, even through awaits
// that do not suspend (a free lock, a queue with room, a barrier's waitFor).
// Checked against CPython (tests/fixtures/py/rp_sync_gather_chains.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const lock = new asyncio.Lock();
  const q = new asyncio.Queue<number>();
  const barrier = new asyncio.Barrier(3);
  async function worker(i: number) {
    await asyncio.sleep(0.01);
    print("woke", i);
    await lock.withLock(async () => {
      print("locked", i);
      await q.put(i);
      print("put", i, q.qsize());
    });
    print("released", i, "waiting", barrier.nWaiting);
    const index = await barrier.wait();
    print("through", i, index);
  }
  await asyncio.gather(...[0, 1, 2].map((i) => worker(i)));
  print("done", q.qsize());
}

const EXPECTED = [
  "woke 0",
  "locked 0",
  "put 0 1",
  "released 0 waiting 0",
  "woke 1",
  "locked 1",
  "put 1 2",
  "released 1 waiting 1",
  "woke 2",
  "locked 2",
  "put 2 3",
  "released 2 waiting 2",
  "through 2 2",
  "through 0 0",
  "through 1 1",
  "done 3",
];

test("gathered promise chains woken together run one at a time, as Python's tasks", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("a Promise.all of many tasks still completes (its wake-ups share a drain)", async () => {
  const n = await asyncio.run(async () => {
    const tasks = [];
    for (let i = 0; i < 2000; i++) tasks.push(asyncio.createTask(async () => i));
    const r = await Promise.all(tasks);
    return r.length;
  });
  assertEquals(n, 2000);
}, { timeout: 20 });

test("CPython prints the same for rp_sync_gather_chains.py", () => {
  const ref = pythonReference("rp_sync_gather_chains");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
