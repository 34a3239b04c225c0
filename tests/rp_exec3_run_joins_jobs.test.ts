// run() waits for the default executor's jobs that main() left running,
// also those that run on the main thread in a thread's stead (they use
// their module's scope): ThreadPoolExecutor.shutdown(true) waits for them,
// so a failed one is still reported before the loop closes, as CPython's
// shutdown joins the thread that runs it. Such a job used to be left to run
// after the loop closed, its failure never reported; and it no longer
// starts a Worker just to take its turn in the pool. Checked against
// CPython (tests/fixtures/py/rp_exec3_run_joins_jobs.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { pyRepr } from "../lib/format.ts";
import * as asyncio from "../mod.ts";

const PREFIX = "job";

function sleepHere(seconds: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, seconds * 1000);
}

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const job = (n: number): number => {
    sleepHere(0.05);
    print(PREFIX, n, "done");
    return n;
  };
  const fail = (n: number): never => {
    sleepHere(0.1);
    throw new asyncio.ValueError(`${PREFIX} ${n} failed`);
  };
  const handler = (_loop: asyncio.AbstractEventLoop, context: asyncio.ExceptionContext) => {
    print("handler:", context.message, pyRepr(context.exception));
  };
  await asyncio.run(() => {
    const loop = asyncio.getRunningLoop();
    loop.setExceptionHandler(handler);
    loop.runInExecutor(null, job, 1);
    loop.runInExecutor(null, fail, 2);
    print("main returns");
    return Promise.resolve();
  });
  print("after run");
}

const EXPECTED = [
  "main returns",
  "job 1 done",
  "handler: Future exception was never retrieved ValueError('job 2 failed')",
  "after run",
];

test(
  "run() waits for executor jobs run on the main thread, and reports their failure",
  async () => {
    const out: string[] = [];
    await app(printer(out));
    assertEquals(out, EXPECTED);
  },
  { timeout: 20 },
);

test("a job that runs on the main thread starts no Worker to take its turn", async () => {
  const pool = new asyncio.ThreadPoolExecutor({ maxWorkers: 2 });
  const results = await asyncio.run(async () => {
    const loop = asyncio.getRunningLoop();
    return await asyncio.gather(
      loop.runInExecutor(pool, (n: number) => `${PREFIX} ${n}`, 1),
      loop.runInExecutor(pool, (n: number) => `${PREFIX} ${n}`, 2),
    );
  });
  assertEquals(results, ["job 1", "job 2"]);
  assertEquals(String(pool), "<ThreadPoolExecutor maxWorkers=2 workers=0 queued=0>");
  await pool.shutdown(true);
}, { timeout: 20 });

test("CPython prints the same for rp_exec3_run_joins_jobs.py", () => {
  const ref = pythonReference("rp_exec3_run_joins_jobs");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
