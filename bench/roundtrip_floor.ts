/**
 * The floor under `future_roundtrip_100k`: what any event loop that wakes
 * an awaiting coroutine from its ready queue (Python's order: `setResult`
 * schedules the wake-up, the woken code runs at its turn) pays against bare
 * promises, whose continuation the engine runs at the next microtask.
 *
 * Three programs, the same ping-pong of bench/tasks.ts, in one process:
 *
 *   bare       two async functions and promises with their resolvers
 *   floor      a 30-line loop: a thenable future whose `then()` parks the
 *              continuation, a ready array, and one microtask drain per
 *              wake-up until the woken code awaits again. Nothing else: no
 *              tasks, no contexts, no cancellation, no timers, no I/O.
 *   asyncio    this library (`Future`, two `Task`s, `gather`)
 *   bare again the first program once more, after the library has run: on
 *              Node the first task turns on AsyncLocalStorage's promise
 *              hooks, which slow every promise of the process from then on
 *
 * The floor is not a usable loop; it shows how much of the ratio to bare
 * promises the ordering alone costs. Best of 7 runs, milliseconds.
 *
 *   deno run -A bench/roundtrip_floor.ts
 *   bun bench/roundtrip_floor.ts
 *   node build/bench/roundtrip_floor.js      (after `tsc -p tsconfig.json`)
 *
 * @module
 */
import * as asyncio from "../mod.ts";

const N = 100_000;
const RUNS = 7;

// ---------------------------------------------------------------- bare promises

async function bare(): Promise<number> {
  const deferred = () => {
    let resolve!: (v: number) => void;
    const promise = new Promise<number>((r) => (resolve = r));
    return { promise, resolve };
  };
  let fa = deferred();
  let fb = deferred();
  const a = async () => {
    for (let i = 0; i < N; i++) {
      fb.resolve(i);
      await fa.promise;
      fa = deferred();
    }
  };
  const b = async () => {
    for (let i = 0; i < N; i++) {
      await fb.promise;
      fb = deferred();
      fa.resolve(i);
    }
  };
  const t0 = performance.now();
  await Promise.all([a(), b()]);
  return performance.now() - t0;
}

// ---------------------------------------------------------------- the floor

type Callback = () => void;
let ready: Callback[] = [];
/** Bumped when code parks on a future: the drain after a wake-up stops there. */
let parked = 0;
const SETTLED = Promise.resolve();

class FloorFuture<T> implements PromiseLike<T> {
  done = false;
  value: T | undefined = undefined;
  waiter: Callback | null = null;

  setResult(v: T): void {
    this.done = true;
    this.value = v;
    if (this.waiter !== null) ready.push(this.waiter);
    this.waiter = null;
  }

  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
  ): Promise<R1 | R2> {
    return new Promise<R1 | R2>((resolve) => {
      parked++;
      const wake = () => resolve(onFulfilled ? onFulfilled(this.value as T) : this.value as R1);
      if (this.done) wake();
      else this.waiter = wake;
    });
  }
}

async function drive(isDone: () => boolean): Promise<void> {
  while (!isDone()) {
    const batch = ready;
    ready = [];
    for (const cb of batch) {
      const start = parked;
      cb();
      for (let k = 0; k < 16 && parked === start; k++) await SETTLED;
    }
    for (let k = 0; k < 16 && !ready.length && !isDone(); k++) await SETTLED;
    if (!ready.length && !isDone()) throw new Error("floor loop: nothing left to run");
  }
}

async function floor(): Promise<number> {
  let fa = new FloorFuture<number>();
  let fb = new FloorFuture<number>();
  let left = 2;
  const a = async () => {
    for (let i = 0; i < N; i++) {
      fb.setResult(i);
      await fa;
      fa = new FloorFuture();
    }
  };
  const b = async () => {
    for (let i = 0; i < N; i++) {
      await fb;
      fb = new FloorFuture();
      fa.setResult(i);
    }
  };
  const t0 = performance.now();
  ready.push(() => void a().then(() => left--));
  ready.push(() => void b().then(() => left--));
  await drive(() => left === 0);
  return performance.now() - t0;
}

// ---------------------------------------------------------------- this library

function ours(): Promise<number> {
  return asyncio.run(async () => {
    const loop = asyncio.getRunningLoop();
    let fa = loop.createFuture<number>();
    let fb = loop.createFuture<number>();
    const a = async () => {
      for (let i = 0; i < N; i++) {
        fb.setResult(i);
        await fa;
        fa = loop.createFuture<number>();
      }
    };
    const b = async () => {
      for (let i = 0; i < N; i++) {
        await fb;
        fb = loop.createFuture<number>();
        fa.setResult(i);
      }
    };
    const t0 = performance.now();
    await asyncio.gather(asyncio.createTask(a), asyncio.createTask(b));
    return performance.now() - t0;
  });
}

const results: Record<string, number> = {};
for (
  const [name, fn] of [["bare", bare], ["floor", floor], ["asyncio", ours], [
    "bare again",
    bare,
  ]] as const
) {
  let best = Infinity;
  for (let i = 0; i < RUNS; i++) best = Math.min(best, await fn());
  results[name] = best;
}
const line = Object.entries(results).map(([k, v]) =>
  `${k} ${v.toFixed(1)} ms (${(v / results.bare).toFixed(1)}x bare)`
);
console.log(line.join(" · "));
