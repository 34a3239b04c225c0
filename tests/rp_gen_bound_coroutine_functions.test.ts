// iscoroutinefunction() of bound methods: a queue's, a lock's, an event's
// coroutine methods are bound on read, and `bind` dropped the mark that
// makes a promise-returning method a coroutine function, so
// `iscoroutinefunction(q.get)` was false where Python's is true. A
// Condition's acquire (its lock's, an `async def`) was not marked at all.
// Checked against CPython (tests/fixtures/py/rp_gen_bound_coroutine_functions.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const icf = asyncio.iscoroutinefunction;
  const lock = new asyncio.Lock(), ev = new asyncio.Event(), cond = new asyncio.Condition();
  const sem = new asyncio.Semaphore(), bar = new asyncio.Barrier(2), q = new asyncio.Queue();
  print("lock", icf(lock.acquire), icf(lock.release), icf(lock.locked));
  print("event", icf(ev.wait), icf(ev.set), icf(ev.clear), icf(ev.isSet));
  print("condition", icf(cond.acquire), icf(cond.wait), icf(cond.waitFor), icf(cond.notify));
  print("semaphore", icf(sem.acquire), icf(sem.release));
  print("barrier", icf(bar.wait), icf(bar.reset), icf(bar.abort));
  print("queue", icf(q.get), icf(q.put), icf(q.join), icf(q.putNowait), icf(q.taskDone));
  const srv = await asyncio.startServer(() => {}, "127.0.0.1", 0);
  print("server", icf(srv.serveForever), icf(srv.waitClosed), icf(srv.close));
  srv.close();
  await srv.waitClosed();
}

const EXPECTED = [
  "lock True False False",
  "event True False False False",
  "condition True True True False",
  "semaphore True False",
  "barrier True True True",
  "queue True True True False False",
  "server True True False",
];

test("bound coroutine methods are coroutine functions", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_gen_bound_coroutine_functions.py", () => {
  const ref = pythonReference("rp_gen_bound_coroutine_functions");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
