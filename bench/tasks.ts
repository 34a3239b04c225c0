/**
 * Task, future, lock and queue throughput: the same four benchmarks as
 * bench/tasks.py, on this library, plus a bare-Promise baseline of the
 * first two (runtime "deno-promises", "bun-promises", "node-promises").
 *
 *   gather_100k_tasks      100,000 tasks, each `async () => i`, created with
 *                          `createTask` and awaited with one `gather`.
 *                          Reports tasks/s.
 *   future_roundtrip_100k  two tasks ping-pong 100,000 times: A sets a future
 *                          B awaits, then B sets one A awaits; each side makes
 *                          its next future once woken. Reports round trips/s.
 *   lock_handoff_100k      4 tasks contending on one Lock, each doing
 *                          `acquire(); counter++; release()` (Python's
 *                          `async with lock: counter += 1`) in a loop with no
 *                          sleep(0), 100,000 acquire/release pairs in total.
 *                          Reports acquire/release pairs/s.
 *   queue_1m_items         a producer puts 1,000,000 items into a
 *                          Queue(maxsize=1000) and a consumer gets them.
 *                          Reports items/s.
 *
 * The baseline runs gather_100k_tasks as `Promise.all` over 100,000 calls of
 * an async function, and future_roundtrip_100k with promises and their
 * resolver functions, with no event loop of ours involved.
 *
 * Each benchmark is timed inside its main coroutine (not the loop's creation
 * or closing), warmed up once with a smaller run, then run 5 times on a fresh
 * loop each time; the best run is one JSON line on stdout, as in
 * bench/loop_callbacks.ts.
 *
 *   deno run -A bench/tasks.ts
 *   bun run bench/tasks.ts
 *   node build/bench/tasks.js       (after `tsc -p tsconfig.json`)
 *
 * Options: --repeat=N (measured runs, default 5), --scale=F (multiply every
 * size; the names keep their nominal size).
 *
 * @module
 */
import process from "node:process";
import * as asyncio from "../mod.ts";

type Loop = ReturnType<typeof asyncio.newEventLoop>;

const g = globalThis as { Deno?: unknown; Bun?: unknown };
const RUNTIME = g.Deno !== undefined ? "deno" : g.Bun !== undefined ? "bun" : "node";
const PROMISES = `${RUNTIME}-promises`;

let repeat = 5;
let scale = 1;
for (const arg of process.argv.slice(2)) {
  if (arg.startsWith("--repeat=")) repeat = Number(arg.slice(9));
  else if (arg.startsWith("--scale=")) scale = Number(arg.slice(8));
  else {
    console.error(`tasks: unknown argument ${arg}`);
    process.exit(2);
  }
}
if (!(repeat >= 1) || !(scale > 0)) {
  console.error("tasks: --repeat must be >= 1 and --scale > 0");
  process.exit(2);
}

const now = (): number => performance.now() / 1000;

function check(name: string, got: number, want: number): void {
  if (got !== want) throw new Error(`${name}: got ${got}, expected ${want}`);
}

/** Runs `main` (which returns its own timing) on a fresh loop, closed after. */
async function onLoop(main: () => Promise<number>): Promise<number> {
  const loop: Loop = asyncio.newEventLoop();
  try {
    return await loop.runUntilComplete(main);
  } finally {
    loop.close();
  }
}

// ---------------------------------------------------------------- this library

function gatherTasks(n: number): Promise<number> {
  return onLoop(async () => {
    const t0 = now();
    const tasks = new Array<asyncio.Task<number>>(n);
    for (let i = 0; i < n; i++) tasks[i] = asyncio.createTask(async () => i);
    const results = await asyncio.gather(...tasks);
    const dt = now() - t0;
    check("gather", results.length, n);
    check("gather last", results[n - 1], n - 1);
    return dt;
  });
}

function futureRoundtrip(n: number): Promise<number> {
  return onLoop(async () => {
    const loop = asyncio.getRunningLoop();
    let fa = loop.createFuture<number>();
    let fb = loop.createFuture<number>();
    let trips = 0;
    const a = async () => {
      for (let i = 0; i < n; i++) {
        fb.setResult(i);
        await fa;
        fa = loop.createFuture<number>();
      }
    };
    const b = async () => {
      for (let i = 0; i < n; i++) {
        await fb;
        fb = loop.createFuture<number>();
        trips++;
        fa.setResult(i);
      }
    };
    const t0 = now();
    await asyncio.gather(asyncio.createTask(a), asyncio.createTask(b));
    const dt = now() - t0;
    check("future_roundtrip", trips, n);
    return dt;
  });
}

const LOCK_TASKS = 4;

function lockHandoff(n: number): Promise<number> {
  return onLoop(async () => {
    const lock = new asyncio.Lock();
    let counter = 0;
    const per = Math.ceil(n / LOCK_TASKS);
    const worker = async (k: number) => {
      for (let i = 0; i < k; i++) {
        await lock.acquire();
        try {
          counter++;
        } finally {
          lock.release();
        }
      }
    };
    const t0 = now();
    const tasks = [];
    let left = n;
    for (let w = 0; w < LOCK_TASKS; w++) {
      const k = Math.min(per, left);
      left -= k;
      tasks.push(asyncio.createTask(() => worker(k)));
    }
    await asyncio.gather(...tasks);
    const dt = now() - t0;
    check("lock_handoff", counter, n);
    return dt;
  });
}

function queueItems(n: number): Promise<number> {
  return onLoop(async () => {
    const q = new asyncio.Queue<number>(1000);
    let sum = 0;
    const producer = async () => {
      for (let i = 0; i < n; i++) await q.put(i);
    };
    const consumer = async () => {
      for (let i = 0; i < n; i++) sum += await q.get();
    };
    const t0 = now();
    await asyncio.gather(asyncio.createTask(producer), asyncio.createTask(consumer));
    const dt = now() - t0;
    check("queue", sum, (n * (n - 1)) / 2);
    return dt;
  });
}

// ---------------------------------------------------------------- bare promises

async function gatherPromises(n: number): Promise<number> {
  const t0 = now();
  const ps = new Array<Promise<number>>(n);
  for (let i = 0; i < n; i++) ps[i] = (async () => i)();
  const results = await Promise.all(ps);
  const dt = now() - t0;
  check("gather promises", results.length, n);
  check("gather promises last", results[n - 1], n - 1);
  return dt;
}

interface Deferred {
  promise: Promise<number>;
  resolve: (v: number) => void;
}

function deferred(): Deferred {
  let resolve!: (v: number) => void;
  const promise = new Promise<number>((r) => (resolve = r));
  return { promise, resolve };
}

async function roundtripPromises(n: number): Promise<number> {
  let fa = deferred();
  let fb = deferred();
  let trips = 0;
  const a = async () => {
    for (let i = 0; i < n; i++) {
      fb.resolve(i);
      await fa.promise;
      fa = deferred();
    }
  };
  const b = async () => {
    for (let i = 0; i < n; i++) {
      await fb.promise;
      fb = deferred();
      trips++;
      fa.resolve(i);
    }
  };
  const t0 = now();
  await Promise.all([a(), b()]);
  const dt = now() - t0;
  check("future_roundtrip promises", trips, n);
  return dt;
}

// ---------------------------------------------------------------- main

interface Bench {
  name: string;
  runtime: string;
  n: number;
  warmup: number;
  fn: (n: number) => Promise<number>;
}

// The bare-promise baselines run first, before this library has made a
// task: on Node, the first task turns on AsyncLocalStorage's promise hooks,
// which then slow every promise in the process (the bare round trips went
// from 10 to 28 ms once a task had run), and the baseline is the program
// without the library.
const BENCHES: Bench[] = [
  {
    name: "gather_100k_tasks",
    runtime: PROMISES,
    n: 100_000,
    warmup: 10_000,
    fn: gatherPromises,
  },
  {
    name: "future_roundtrip_100k",
    runtime: PROMISES,
    n: 100_000,
    warmup: 10_000,
    fn: roundtripPromises,
  },
  { name: "gather_100k_tasks", runtime: RUNTIME, n: 100_000, warmup: 10_000, fn: gatherTasks },
  {
    name: "future_roundtrip_100k",
    runtime: RUNTIME,
    n: 100_000,
    warmup: 10_000,
    fn: futureRoundtrip,
  },
  { name: "lock_handoff_100k", runtime: RUNTIME, n: 100_000, warmup: 10_000, fn: lockHandoff },
  { name: "queue_1m_items", runtime: RUNTIME, n: 1_000_000, warmup: 50_000, fn: queueItems },
];

for (const b of BENCHES) {
  const n = Math.max(1, Math.round(b.n * scale));
  await b.fn(Math.max(1, Math.round(b.warmup * scale)));
  const runs: number[] = [];
  for (let i = 0; i < repeat; i++) runs.push(await b.fn(n));
  const best = Math.min(...runs);
  console.log(JSON.stringify({
    bench: b.name,
    runtime: b.runtime,
    seconds: Number(best.toFixed(6)),
    per_sec: Math.round(n / best),
    n,
    runs: runs.map((s) => Number(s.toFixed(6))),
  }));
}
