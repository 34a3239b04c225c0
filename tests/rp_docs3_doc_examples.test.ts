// The 3.11 documentation's examples of TaskGroup, timeout, timeout_at,
// reschedule, wait_for, shield and Barrier, ported by API.md (sleeps scaled,
// >= 20 ms apart), with the variations a reader tries next: a failing task,
// a timeout that expires, a waited coroutine that swallows its
// cancellation. Checked against CPython
// (tests/fixtures/py/rp_docs3_doc_examples.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { pyRepr } from "../lib/format.ts";
import * as asyncio from "../mod.ts";

type Print = (...args: unknown[]) => void;

const m = (x: unknown) => String(x).replace(/ at 0x[0-9a-f]+/g, "");

async function app(print: Print): Promise<void> {
  async function sayAfter(delay: number, what: string) {
    await asyncio.sleep(delay);
    print(what);
    return what;
  }
  async function boom(gate: asyncio.Event, msg: string): Promise<never> {
    await gate.wait();
    throw new asyncio.ValueError(msg);
  }
  async function longRunningTask() {
    await asyncio.sleep(10);
  }
  async function eternity() {
    await asyncio.sleep(3600);
    print("yay!");
  }
  async function swallow() {
    try {
      await asyncio.sleep(1);
    } catch (e) {
      if (!(e instanceof asyncio.CancelledError)) throw e;
      print("swallow: got cancel, returning value");
      return "swallowed";
    }
  }
  const isTimeout = (e: unknown) => {
    if (!(e instanceof asyncio.TimeoutError)) throw e;
  };

  let task1!: asyncio.Task<string>, task2!: asyncio.Task<string>;
  await new asyncio.TaskGroup().run((tg) => {
    task1 = tg.createTask(() => sayAfter(0.04, "hello"));
    task2 = tg.createTask(() => sayAfter(0.08, "world"));
    print("started");
  });
  print(`Both tasks have completed now: ${task1.result()}, ${task2.result()}`);
  // Both fail in one iteration: their wake-up does not hang on when each
  // started (a runtime's first calls can be slow).
  const gate = new asyncio.Event();
  asyncio.getRunningLoop().callLater(0.03, gate.set);
  let t1!: asyncio.Task<string>, t2!: asyncio.Task<never>;
  try {
    await new asyncio.TaskGroup().run((tg) => {
      t1 = tg.createTask(() => sayAfter(0.1, "never"));
      t2 = tg.createTask(() => boom(gate, "bad 1"));
      tg.createTask(() => boom(gate, "bad 2"));
    });
  } catch (e) {
    const [eg, rest] = (e as asyncio.ExceptionGroup).split(asyncio.ValueError);
    if (rest !== null) throw rest;
    print(eg!.constructor.name, pyRepr(eg));
  }
  print(t1.cancelled(), t2.done(), pyRepr(t2.exception()));

  let cm!: asyncio.Timeout;
  try {
    await asyncio.timeout(0.03, async (c) => {
      cm = c;
      await longRunningTask();
    });
  } catch (e) {
    isTimeout(e);
    print("The long operation timed out, but we've handled it.", pyRepr(e));
  }
  print("This statement will run regardless.", cm.expired(), m(cm));
  try {
    await asyncio.timeout(null, async (c) => {
      cm = c;
      print(m(c));
      c.reschedule(asyncio.getRunningLoop().time() + 0.03);
      await longRunningTask();
    });
  } catch (e) {
    isTimeout(e);
  }
  if (cm.expired()) print("Looks like we haven't finished on time.");
  try {
    await asyncio.timeoutAt(asyncio.getRunningLoop().time() + 0.03, longRunningTask);
  } catch (e) {
    isTimeout(e);
    print("timeout_at expired");
  }
  try {
    cm.reschedule(1);
  } catch (e) {
    print((e as Error).constructor.name, (e as Error).message);
  }

  try {
    await asyncio.waitFor(eternity, 0.03);
  } catch (e) {
    isTimeout(e);
    print("timeout!");
  }
  print("wait_for returned", await asyncio.waitFor(swallow, 0.03));

  async function something() {
    await asyncio.sleep(0.08);
    print("something done");
    return 42;
  }
  const inner = asyncio.createTask(something);
  try {
    await asyncio.waitFor(asyncio.shield(inner), 0.03);
  } catch (e) {
    isTimeout(e);
    print("shielded wait timed out", inner.done(), inner.cancelled());
  }
  print(await inner);

  const b = new asyncio.Barrier(3);
  asyncio.createTask(b.wait);
  asyncio.createTask(b.wait);
  await asyncio.sleep(0);
  print(m(b));
  await b.wait();
  print(m(b));
  print("barrier passed");
  await asyncio.sleep(0);
  print(m(b));
}

const EXPECTED = [
  "started",
  "hello",
  "world",
  "Both tasks have completed now: hello, world",
  "ExceptionGroup ExceptionGroup('unhandled errors in a TaskGroup', [ValueError('bad 1'), ValueError('bad 2')])",
  "True True ValueError('bad 1')",
  "The long operation timed out, but we've handled it. TimeoutError()",
  "This statement will run regardless. True <Timeout [expired]>",
  "<Timeout [active] when=None>",
  "Looks like we haven't finished on time.",
  "timeout_at expired",
  "RuntimeError Cannot change state of expired Timeout",
  "timeout!",
  "swallow: got cancel, returning value",
  "wait_for returned swallowed",
  "shielded wait timed out False False",
  "something done",
  "42",
  "<asyncio.locks.Barrier object [filling, waiters:2/3]>",
  "<asyncio.locks.Barrier object [draining, waiters:0/3]>",
  "barrier passed",
  "<asyncio.locks.Barrier object [filling, waiters:0/3]>",
];

test("the 3.11 docs' TaskGroup, timeout, wait_for, shield and Barrier examples", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_docs3_doc_examples.py", () => {
  const ref = pythonReference("rp_docs3_doc_examples");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
