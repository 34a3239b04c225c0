// Condition(lock) takes any object with a lock's locked(), acquire() and
// release(), as Python 3.11 does (a Semaphore works); without them it is a
// TypeError with Python's AttributeError text. notify(n) with a non-number n
// fails as Python's `idx >= n` does, once there is a waiter. Checked against
// tests/fixtures/py/sw_sync_condition_lock.py.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

type Print = (...args: unknown[]) => void;
// deno-lint-ignore no-explicit-any
const any = (x: unknown) => x as any;

async function main(print: Print): Promise<void> {
  const sem = new asyncio.Semaphore(1);
  let cond = new asyncio.Condition(sem);
  const woken: string[] = [];

  async function waiter(name: string) {
    await cond.withLock(async () => {
      print(name, "waiting, sem locked:", sem.locked());
      await cond.wait();
      woken.push(name);
      print(name, "woken, sem locked:", sem.locked());
    });
  }

  const ts = [..."ab"].map((n) => asyncio.createTask(() => waiter(n)));
  await asyncio.sleep(0);
  await cond.withLock(() => print("notify(True)", cond.notify(any(true))));
  await asyncio.sleep(0);
  await cond.withLock(() => cond.notifyAll());
  await asyncio.gather(...ts);
  print("woken", `[${woken.map((n) => `'${n}'`).join(", ")}]`, "sem locked:", sem.locked());

  for (const [bad, label] of [[5, "5"], ["lock", "'lock'"]]) {
    try {
      new asyncio.Condition(any(bad));
    } catch (e) {
      if (!(e instanceof TypeError)) throw e;
      print(`Condition(${label})`, e.message);
    }
  }

  cond = new asyncio.Condition();
  await cond.withLock(() => {
    cond.notify(any("x"));
    print("notify('x') without waiters: no error");
  });
  const t = asyncio.createTask(() => waiter("c"));
  await asyncio.sleep(0);
  await cond.withLock(() => {
    for (const [n, label] of [["x", "'x'"], [null, "None"]]) {
      try {
        cond.notify(any(n));
      } catch (e) {
        if (!(e instanceof TypeError)) throw e;
        print(`notify(${label})`, e.message);
      }
    }
    cond.notify();
  });
  await t;
}

const EXPECTED = [
  "a waiting, sem locked: True",
  "b waiting, sem locked: True",
  "notify(True) None",
  "a woken, sem locked: True",
  "b woken, sem locked: True",
  "woken ['a', 'b'] sem locked: False",
  "Condition(5) 'int' object has no attribute 'locked'",
  "Condition('lock') 'str' object has no attribute 'locked'",
  "notify('x') without waiters: no error",
  "c waiting, sem locked: False",
  "notify('x') '>=' not supported between instances of 'int' and 'str'",
  "notify(None) '>=' not supported between instances of 'int' and 'NoneType'",
  "c woken, sem locked: False",
];

test("Condition over a Semaphore; bad locks and notify(n) fail as in Python", async () => {
  const out: string[] = [];
  await asyncio.run(() => main(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for sw_sync_condition_lock.py", () => {
  const ref = pythonReference("sw_sync_condition_lock");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
