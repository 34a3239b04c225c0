/**
 * Loop callback throughput: the same three benchmarks as
 * bench/loop_callbacks.py, on this library's event loop.
 *
 *   call_soon_batch_1M   1,000,000 `callSoon` callbacks scheduled in one batch
 *                        (each increments a counter; the last one stops the
 *                        loop). Timed from the first `callSoon` to
 *                        `runForever()` resolving.
 *   call_soon_chain_1M   one callback that re-schedules itself with `callSoon`
 *                        until it has run 1,000,000 times, then stops the loop.
 *   call_later_100k      100,000 `callLater` timers with delays in [0, 0.1) s
 *                        from a seeded PRNG (the same delays as the Python
 *                        side); stops when all have fired. Wall time includes
 *                        scheduling and can never be under 0.1 s.
 *
 * Each benchmark is warmed up once with a smaller run, then run 3 times on a
 * fresh loop each time (closed after); the best run is reported as one JSON
 * line on stdout:
 *
 *   {"bench":"call_soon_chain_1M","runtime":"deno","seconds":0.61,"per_sec":1640000,...}
 *
 *   deno run -A bench/loop_callbacks.ts
 *   bun run bench/loop_callbacks.ts
 *   node build/bench/loop_callbacks.js       (after `tsc -p tsconfig.json`)
 *
 * Options: --repeat=N (measured runs, default 3), --scale=F (multiply every
 * size, e.g. 0.1 for a quick check; the names keep their nominal size).
 *
 * @module
 */
import process from "node:process";
import * as asyncio from "../mod.ts";
import { C, sys } from "../ffi/mod.ts";

type Loop = ReturnType<typeof asyncio.newEventLoop>;

const g = globalThis as { Deno?: unknown; Bun?: unknown };
const RUNTIME = g.Deno !== undefined ? "deno" : g.Bun !== undefined ? "bun" : "node";

let repeat = 3;
let scale = 1;
for (const arg of process.argv.slice(2)) {
  if (arg.startsWith("--repeat=")) repeat = Number(arg.slice(9));
  else if (arg.startsWith("--scale=")) scale = Number(arg.slice(8));
  else {
    console.error(`loop_callbacks: unknown argument ${arg}`);
    process.exit(2);
  }
}
if (!(repeat >= 1) || !(scale > 0)) {
  console.error("loop_callbacks: --repeat must be >= 1 and --scale > 0");
  process.exit(2);
}

const now = (): number => performance.now() / 1000;

/** mulberry32: the same sequence as `mulberry32` in loop_callbacks.py. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = 20240501;

function delays(n: number): number[] {
  const rnd = mulberry32(SEED);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = rnd() * 0.1;
  return out;
}

function check(name: string, got: number, want: number): void {
  if (got !== want) throw new Error(`${name}: ${got} callbacks ran, expected ${want}`);
}

/** Seconds for `n` callSoon callbacks scheduled at once. */
async function callSoonBatch(n: number): Promise<number> {
  const loop: Loop = asyncio.newEventLoop();
  let count = 0;
  const inc = () => {
    count++;
  };
  const last = () => {
    count++;
    loop.stop();
  };
  const t0 = now();
  for (let i = 1; i < n; i++) loop.callSoon(inc);
  loop.callSoon(last);
  await loop.runForever();
  const dt = now() - t0;
  loop.close();
  check("call_soon_batch", count, n);
  return dt;
}

/** Seconds for `n` callbacks, each scheduling the next with callSoon. */
async function callSoonChain(n: number): Promise<number> {
  const loop: Loop = asyncio.newEventLoop();
  let count = 0;
  const step = () => {
    if (++count < n) loop.callSoon(step);
    else loop.stop();
  };
  const t0 = now();
  loop.callSoon(step);
  await loop.runForever();
  const dt = now() - t0;
  loop.close();
  check("call_soon_chain", count, n);
  return dt;
}

/**
 * The chain again, with one idle pipe watched by addReader: what a program
 * with a socket open pays per iteration.
 */
async function callSoonChainIdleFd(n: number): Promise<number> {
  const fds = sys().pipe2(C.O_NONBLOCK | C.O_CLOEXEC);
  if (typeof fds === "number") throw new Error(`pipe2: errno ${-fds}`);
  const loop: Loop = asyncio.newEventLoop();
  loop.addReader(fds[0], () => {});
  let count = 0;
  const step = () => {
    if (++count < n) loop.callSoon(step);
    else loop.stop();
  };
  const t0 = now();
  loop.callSoon(step);
  await loop.runForever();
  const dt = now() - t0;
  loop.removeReader(fds[0]);
  loop.close();
  sys().close(fds[0]);
  sys().close(fds[1]);
  check("call_soon_chain_idle_fd", count, n);
  return dt;
}

/** Seconds for `n` callLater timers with the seeded delays, scheduling included. */
async function callLaterRandom(n: number): Promise<number> {
  const ds = delays(n);
  const loop: Loop = asyncio.newEventLoop();
  let count = 0;
  const fired = () => {
    if (++count === n) loop.stop();
  };
  const t0 = now();
  for (let i = 0; i < n; i++) loop.callLater(ds[i], fired);
  await loop.runForever();
  const dt = now() - t0;
  loop.close();
  check("call_later", count, n);
  return dt;
}

interface Bench {
  name: string;
  n: number;
  warmup: number;
  fn: (n: number) => Promise<number>;
}

const BENCHES: Bench[] = [
  { name: "call_soon_batch_1M", n: 1_000_000, warmup: 50_000, fn: callSoonBatch },
  { name: "call_soon_chain_1M", n: 1_000_000, warmup: 50_000, fn: callSoonChain },
  {
    name: "call_soon_chain_idle_fd_1M",
    n: 1_000_000,
    warmup: 50_000,
    fn: callSoonChainIdleFd,
  },
  { name: "call_later_100k", n: 100_000, warmup: 10_000, fn: callLaterRandom },
];

for (const b of BENCHES) {
  const n = Math.max(1, Math.round(b.n * scale));
  await b.fn(Math.max(1, Math.round(b.warmup * scale)));
  const runs: number[] = [];
  for (let i = 0; i < repeat; i++) runs.push(await b.fn(n));
  const best = Math.min(...runs);
  console.log(JSON.stringify({
    bench: b.name,
    runtime: RUNTIME,
    seconds: Number(best.toFixed(6)),
    per_sec: Math.round(n / best),
    n,
    runs: runs.map((s) => Number(s.toFixed(6))),
  }));
}
