// pool.shutdown(false, {cancelFutures: true}) withdraws the queued jobs at
// once, and the loop's futures of those jobs are cancelled in the loop's
// next iteration, as CPython's done callbacks of the cancelled
// concurrent.futures.Future schedule it. They were cancelled a few
// iterations later, after promise reactions (still pending after one
// `sleep(0)`). A job that stays on the main thread (it uses its module's
// scope) is withdrawn the same way. Checked against CPython
// (tests/fixtures/py/rp_exec12_cancel_futures_at_once.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const seen: number[] = [];

function slow(flags: Int32Array, tag: string): string {
  Atomics.store(flags, 0, 1);
  Atomics.wait(flags, 1, 0, 5000);
  return `slow ${tag}`;
}

function quick(i: number): string {
  return `quick ${i}`;
}

function noted(i: number): number {
  seen.push(i); // module scope: runs on the main thread
  return i;
}

const list = (xs: unknown[]) =>
  `[${xs.map((x) => typeof x === "boolean" ? (x ? "True" : "False") : String(x)).join(", ")}]`;

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const flags = new Int32Array(new SharedArrayBuffer(8)); // started, release
  const pool = new asyncio.ThreadPoolExecutor({ maxWorkers: 1 });
  const first = loop.runInExecutor(pool, slow, flags, "a");
  const queued: asyncio.Future<unknown>[] = [0, 1].map((i) => loop.runInExecutor(pool, quick, i));
  queued.push(loop.runInExecutor(pool, noted, 2));
  while (!Atomics.load(flags, 0)) await asyncio.sleep(0.005);
  const down = pool.shutdown(false, { cancelFutures: true });
  print("at once", list(queued.map((f) => f.done())));
  await asyncio.sleep(0);
  print("next iteration", list(queued.map((f) => f.cancelled())), first.done());
  Atomics.store(flags, 1, 1);
  Atomics.notify(flags, 1);
  print(await first, list(seen));
  await down;
}

const EXPECTED = [
  "at once [False, False, False]",
  "next iteration [True, True, True] False",
  "slow a []",
];

test("cancelFutures cancels the loop's futures of queued jobs in the next iteration", async () => {
  seen.length = 0;
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { fdCheck: false, timeout: 30 }); // Deno frees a Worker's own fds after it ends

test("CPython prints the same for rp_exec12_cancel_futures_at_once.py", () => {
  const ref = pythonReference("rp_exec12_cancel_futures_at_once");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
