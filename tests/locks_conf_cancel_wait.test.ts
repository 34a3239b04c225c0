// A task made from a lock, semaphore, event or condition call
// (`waitFor(lock.acquire(), t)`, `ensureFuture(sem.acquire())`, `gather`)
// that is cancelled takes nothing, as the cancelled coroutine does in
// Python: the lock stays free, the permit goes back, the waiter leaves, and
// a condition's wait holds the lock again before the task ends. Checked
// against CPython (tests/fixtures/py/locks_conf_cancel_wait.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function cancelWaits(print: (...args: unknown[]) => void): Promise<void> {
  const lock = new asyncio.Lock();
  await lock.acquire();
  try {
    await asyncio.waitFor(lock.acquire(), 0.05);
  } catch (e) {
    if (!(e instanceof asyncio.TimeoutError)) throw e;
    print("lock: timeout");
  }
  lock.release();
  await asyncio.sleep(0);
  await asyncio.sleep(0);
  print("lock after:", lock.locked());

  // Woken by release(), cancelled before it ran: the lock is not taken.
  await lock.acquire();
  let t: asyncio.Future<unknown> = asyncio.ensureFuture(lock.acquire());
  await asyncio.sleep(0);
  lock.release();
  t.cancel();
  await asyncio.sleep(0);
  await asyncio.sleep(0);
  print("woken lock:", t.cancelled(), lock.locked());

  const sem = new asyncio.Semaphore(1);
  await sem.acquire();
  t = asyncio.ensureFuture(sem.acquire());
  await asyncio.sleep(0);
  t.cancel("stop");
  try {
    await t;
  } catch (e) {
    print("sem task:", `('${(e as Error).message}',)`);
  }
  sem.release();
  await asyncio.sleep(0);
  // Python prints sem._value; the repr shows it.
  print("sem after:", sem.locked(), /value:(\d+)/.exec(String(sem))?.[1]);

  const ev = new asyncio.Event();
  t = asyncio.ensureFuture(ev.wait());
  await asyncio.sleep(0);
  t.cancel();
  await asyncio.sleep(0);
  await asyncio.sleep(0);
  // Python prints len(ev._waiters); the repr shows waiters when there are some.
  print("event waiters:", /waiters:(\d+)/.exec(String(ev))?.[1] ?? 0, t.cancelled());

  const cond = new asyncio.Condition();
  await cond.withLock(async () => {
    try {
      await asyncio.waitFor(cond.wait(), 0.05);
    } catch (e) {
      if (!(e instanceof asyncio.TimeoutError)) throw e;
      print("cond: timeout, locked:", cond.locked());
    }
  });
  print("cond after:", cond.locked());

  await cond.withLock(async () => {
    try {
      await asyncio.waitFor(cond.waitFor(() => false), 0.05);
    } catch (e) {
      if (!(e instanceof asyncio.TimeoutError)) throw e;
      print("wait_for: timeout, locked:", cond.locked());
    }
  });
  print("cond after wait_for:", cond.locked());

  const lock2 = new asyncio.Lock();
  await lock2.acquire();
  const g = asyncio.gather(lock2.acquire(), lock2.acquire());
  await asyncio.sleep(0);
  g.cancel();
  try {
    await g;
  } catch (e) {
    if (e instanceof asyncio.CancelledError) print("gather cancelled");
  }
  lock2.release();
  await asyncio.sleep(0);
  await asyncio.sleep(0);
  print("lock2 after:", lock2.locked());
}

const EXPECTED = [
  "lock: timeout",
  "lock after: False",
  "woken lock: True False",
  "sem task: ('stop',)",
  "sem after: False 1",
  "event waiters: 0 True",
  "cond: timeout, locked: True",
  "cond after: False",
  "wait_for: timeout, locked: True",
  "cond after wait_for: False",
  "gather cancelled",
  "lock2 after: False",
];

test(
  "lock, semaphore, event and condition calls made into tasks and cancelled take nothing",
  async () => {
    const out: string[] = [];
    await asyncio.run(() => cancelWaits(printer(out)));
    assertEquals(out, EXPECTED);
  },
  { timeout: 20 },
);

test("CPython prints the same for locks_conf_cancel_wait.py", () => {
  const ref = pythonReference("locks_conf_cancel_wait");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
