// `waitFor(q.get(), 5)` awaits the running promise in place, where Python's
// `wait_for` runs the coroutine as a task of its own and wakes its caller
// through a waiter: the caller went on two or three loop iterations before
// Python's (other tasks' prints came after it). It now spends those
// iterations: two after the promise settles, three when it settled at once
// or ended by this task's cancel.
// Checked against CPython (tests/fixtures/py/rp_ord3_wait_for_promise.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";
import { pyRepr } from "../lib/format.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  async function ticker(n: number): Promise<void> {
    for (let i = 0; i < n; i++) {
      print("tick", i);
      await asyncio.sleep(0);
    }
  }
  async function getter(q: asyncio.Queue<number>, name: string): Promise<void> {
    print(name, "waiting");
    const v = await asyncio.waitFor(q.get(), 5);
    print(name, "got", v);
  }
  const q = new asyncio.Queue<number>();
  const t = asyncio.createTask(() => getter(q, "G"));
  await asyncio.sleep(0);
  let tk = asyncio.createTask(() => ticker(6));
  await asyncio.sleep(0);
  print("put");
  q.putNowait(1);
  await asyncio.gather(t, tk);

  q.putNowait(2);
  tk = asyncio.createTask(() => ticker(5));
  print("item there, got", await asyncio.waitFor(q.get(), 5));
  await tk;

  async function waiter(): Promise<void> {
    try {
      await asyncio.waitFor(q.get(), 5);
    } catch (e) {
      if (e instanceof asyncio.CancelledError) print("waiter cancelled");
      throw e;
    }
  }
  const w = asyncio.createTask(waiter);
  tk = asyncio.createTask(() => ticker(7));
  await asyncio.sleep(0);
  print("cancel");
  w.cancel();
  try {
    await w;
  } catch (e) {
    if (!(e instanceof asyncio.CancelledError)) throw e;
    print("main saw cancelled");
  }
  await tk;

  const ev = new asyncio.Event();
  async function failing(): Promise<never> {
    await ev.wait();
    throw new asyncio.ValueError("boom");
  }
  async function catcher(): Promise<void> {
    try {
      await asyncio.waitFor(failing(), 5);
    } catch (e) {
      if (!(e instanceof asyncio.ValueError)) throw e;
      print("catcher got", pyRepr(e));
    }
  }
  const c = asyncio.createTask(catcher);
  tk = asyncio.createTask(() => ticker(6));
  await asyncio.sleep(0);
  await asyncio.sleep(0);
  print("set");
  ev.set();
  await asyncio.gather(c, tk);
}

const EXPECTED = [
  "G waiting",
  "tick 0",
  "put",
  "tick 1",
  "tick 2",
  "tick 3",
  "G got 1",
  "tick 4",
  "tick 5",
  "tick 0",
  "tick 1",
  "tick 2",
  "item there, got 2",
  "tick 3",
  "tick 4",
  "tick 0",
  "cancel",
  "tick 1",
  "tick 2",
  "tick 3",
  "tick 4",
  "waiter cancelled",
  "tick 5",
  "main saw cancelled",
  "tick 6",
  "tick 0",
  "tick 1",
  "set",
  "tick 2",
  "tick 3",
  "tick 4",
  "catcher got ValueError('boom')",
  "tick 5",
];

test("waitFor(promise) resumes its caller in Python's loop iteration", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_ord3_wait_for_promise.py", () => {
  const ref = pythonReference("rp_ord3_wait_for_promise");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
