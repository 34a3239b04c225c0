// Bad input to the executor functions raises what CPython 3.11 raises:
// a non-executor (Python's AttributeError), a process
// pool as the default executor, toThread() without a function, zero
// workers, non-callables, and executors or loops that are shut down.
// Checked against CPython.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

function f(): number {
  return 1;
}

async function badInput(print: (...args: unknown[]) => void): Promise<void> {
  const show = (e: unknown) => print((e as Error).name, (e as Error).message);
  const loop = asyncio.getRunningLoop();
  const processPool = new asyncio.ProcessPoolExecutor();
  for (
    const call of [
      () => loop.runInExecutor(5 as never, f),
      () => loop.setDefaultExecutor(5 as never),
      () => loop.setDefaultExecutor(processPool),
      () => (asyncio.toThread as (...a: unknown[]) => unknown)(),
      () => new asyncio.ThreadPoolExecutor({ maxWorkers: 0 }),
      () => new asyncio.ProcessPoolExecutor({ maxWorkers: 0 }),
      () => asyncio.runCoroutineThreadsafe(5 as never, loop),
    ]
  ) {
    try {
      call();
    } catch (e) {
      show(e);
    }
  }
  await processPool.shutdown();
  for (const aw of [loop.runInExecutor(null, 5 as never), asyncio.toThread(5 as never)]) {
    try {
      await aw;
    } catch (e) {
      show(e);
    }
  }
  const pool = new asyncio.ThreadPoolExecutor();
  await pool.shutdown();
  try {
    loop.runInExecutor(pool, f);
  } catch (e) {
    show(e);
  }
  await loop.shutdownDefaultExecutor();
  try {
    loop.runInExecutor(null, f);
  } catch (e) {
    show(e);
  }
}

const EXPECTED = [
  "AttributeError 'int' object has no attribute 'submit'",
  "TypeError executor must be ThreadPoolExecutor instance",
  "TypeError executor must be ThreadPoolExecutor instance",
  "TypeError to_thread() missing 1 required positional argument: 'func'",
  "ValueError max_workers must be greater than 0",
  "ValueError max_workers must be greater than 0",
  "TypeError A coroutine object is required",
  "TypeError 'int' object is not callable",
  "TypeError 'int' object is not callable",
  "RuntimeError cannot schedule new futures after shutdown",
  "RuntimeError Executor shutdown has been called",
  "RuntimeError Event loop is closed",
];

test("bad input to runInExecutor, setDefaultExecutor, toThread and the pools", async () => {
  const out: string[] = [];
  const print = printer(out);
  await asyncio.run(() => badInput(print));
  const loop = asyncio.newEventLoop();
  loop.close();
  try {
    loop.runInExecutor(null, f);
  } catch (e) {
    print((e as Error).name, (e as Error).message);
  }
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython 3.11 prints the same for exec_conf_bad_input.py", () => {
  const ref = pythonReference("exec_conf_bad_input");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
