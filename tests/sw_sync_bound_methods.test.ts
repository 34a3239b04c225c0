// The primitives' methods passed as callbacks, as Python passes bound
// methods (`loop.callSoon(lock.release)`, `loop.callLater(d, sem.release)`,
// `loop.callSoon(event.set)`, `loop.callSoon(cond.notifyAll)`): they run on
// their own object and a Handle shows them under Python's qualified names.
// Checked against tests/fixtures/py/sw_sync_bound_methods.py.
import { test } from "./harness.ts";
import { assertEquals, assertStrictEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

type Print = (...args: unknown[]) => void;
const masked = (x: unknown) => String(x).replace(/when=[0-9.e+-]+/, "when=T");

async function main(print: Print): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const lock = new asyncio.Lock();
  await lock.acquire();
  print(masked(loop.callSoon(lock.release)));
  await asyncio.sleep(0);
  print("lock released by callback", lock.locked());
  const sem = new asyncio.Semaphore(0);
  print(masked(loop.callLater(0.01, sem.release)));
  print("sem acquired", await sem.acquire());
  const ev = new asyncio.Event();
  print(masked(loop.callSoon(ev.set)), masked(loop.callSoon(ev.clear)));
  await asyncio.sleep(0);
  print("event", ev.isSet());
  print(masked(loop.callSoon(ev.isSet)), masked(loop.callSoon(lock.locked)));
  const cond = new asyncio.Condition();
  const t = asyncio.createTask(() =>
    cond.withLock(async () => {
      print("woken", await cond.wait());
    })
  );
  await asyncio.sleep(0);
  await cond.acquire();
  print(masked(loop.callSoon(cond.notifyAll)), masked(loop.callSoon(cond.notify, 1)));
  await asyncio.sleep(0);
  print(masked(loop.callSoon(cond.release)));
  await t;
  print("cond locked", cond.locked());
  const b = new asyncio.BoundedSemaphore(1);
  await b.acquire();
  print(masked(loop.callSoon(b.release)), masked(loop.callSoon(b.locked)));
  await asyncio.sleep(0);
  print("bounded", b.locked());
  print("same object", lock.release === lock.release, cond.release === cond.release);
}

const EXPECTED = [
  "<Handle Lock.release()>",
  "lock released by callback False",
  "<TimerHandle when=T Semaphore.release()>",
  "sem acquired True",
  "<Handle Event.set()> <Handle Event.clear()>",
  "event False",
  "<Handle Event.is_set()> <Handle Lock.locked()>",
  "<Handle Condition.notify_all()> <Handle Condition.notify(1)>",
  "<Handle Lock.release()>",
  "woken True",
  "cond locked False",
  "<Handle BoundedSemaphore.release()> <Handle Semaphore.locked()>",
  "bounded False",
  "same object True True",
];

test("lock, semaphore, event and condition methods as callbacks", async () => {
  const out: string[] = [];
  await asyncio.run(() => main(printer(out)));
  assertEquals(out, EXPECTED);
});

test("a waiting method read as a value is a task's function: createTask(event.wait)", async () => {
  await asyncio.run(async () => {
    const ev = new asyncio.Event();
    const lock = new asyncio.Lock();
    const barrier = new asyncio.Barrier(2);
    const waiting = asyncio.createTask(ev.wait);
    const parties = [asyncio.createTask(barrier.wait), asyncio.createTask(barrier.wait)];
    await asyncio.sleep(0);
    ev.set();
    assertStrictEquals(await waiting, true);
    assertStrictEquals(await asyncio.createTask(lock.acquire), true);
    assertEquals((await asyncio.gather(...parties)).sort(), [0, 1]);
  });
});

test("subclass overrides and prototype reads still work", async () => {
  const calls: string[] = [];
  class LoggingLock extends asyncio.Lock {
    override release(): void {
      calls.push("release");
      super.release();
    }
  }
  const proto = asyncio.Lock.prototype.release;
  assertStrictEquals(proto, asyncio.Lock.prototype.release);
  await asyncio.run(async () => {
    const lock = new LoggingLock();
    await lock.acquire();
    asyncio.getRunningLoop().callSoon(() => lock.release());
    await asyncio.sleep(0);
    assertEquals([calls, lock.locked()], [["release"], false]);
    const b = new asyncio.BoundedSemaphore(1);
    await b.acquire();
    b.release();
    let error = "";
    try {
      b.release();
    } catch (e) {
      error = (e as Error).message;
    }
    assertEquals(error, "BoundedSemaphore released too many times");
  });
});

test("CPython prints the same for sw_sync_bound_methods.py", () => {
  const ref = pythonReference("sw_sync_bound_methods");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
