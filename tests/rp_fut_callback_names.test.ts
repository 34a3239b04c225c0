// The done callbacks that the library's own functions add to a task show
// in its repr by Python's names (`cb=[gather.<locals>._done_callback()]`,
// wait_for's `_release_waiter(<Future ...>)()` partial, TaskGroup's bound
// method), not by their JS names (`onChildDone()`, `#onTaskDone()`).
// Checked against CPython (tests/fixtures/py/rp_fut_callback_names.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function callbacksApp(print: (...args: unknown[]) => void): Promise<void> {
  const clean = (x: unknown) =>
    String(x).replace(/ (?:at|done, defined at|running at) \/\S+:\d+/g, "");
  const sleeper = asyncio.coroutine(async function sleeper(n: number) {
    try {
      await asyncio.sleep(n);
    } catch (e) {
      if (e instanceof asyncio.CancelledError) print("cancelled:", clean(asyncio.currentTask()));
      throw e;
    }
    return n;
  });
  const a = asyncio.createTask(sleeper(0.01), { name: "a" });
  const g = asyncio.gather(a, sleeper(0.02));
  print(clean(a));
  print(`[${(await g).join(", ")}]`);

  const c = asyncio.createTask(sleeper(0.01), { name: "c" });
  let waiter: asyncio.Task<unknown> = asyncio.createTask(() => asyncio.wait([c]));
  await asyncio.sleep(0);
  print(clean(c));
  await waiter;

  const e = asyncio.createTask(sleeper(0.01), { name: "e" });
  waiter = asyncio.createTask(() => asyncio.waitFor(e, 1));
  await asyncio.sleep(0);
  print(clean(e));
  await waiter;

  const x = asyncio.createTask(sleeper(0.01), { name: "x" });
  for (const first of asyncio.asCompleted([x])) {
    print(clean(x));
    print(await first);
  }

  const inner = asyncio.createTask(sleeper(0.01), { name: "inner" });
  const outer = asyncio.shield(inner);
  print(clean(inner));
  print(clean(outer));
  await outer;

  await new asyncio.TaskGroup().run((tg) => {
    const t = tg.createTask(sleeper(0.01), { name: "t" });
    print(clean(t));
  });

  asyncio.createTask(sleeper(10), { name: "left" });
  await asyncio.sleep(0);
  print("main returns");
}

const EXPECTED = [
  "<Task pending name='a' coro=<sleeper()> cb=[gather.<locals>._done_callback()]>",
  "[0.01, 0.02]",
  "<Task pending name='c' coro=<sleeper()> wait_for=<Future pending cb=[Task.task_wakeup()]> cb=[_wait.<locals>._on_completion()]>",
  "<Task pending name='e' coro=<sleeper()> wait_for=<Future pending cb=[Task.task_wakeup()]> cb=[_release_waiter(<Future pendi...ask_wakeup()]>)()]>",
  "<Task pending name='x' coro=<sleeper()> cb=[as_completed.<locals>._on_completion()]>",
  "0.01",
  "<Task pending name='inner' coro=<sleeper()> cb=[shield.<locals>._inner_done_callback()]>",
  "<Future pending cb=[shield.<locals>._outer_done_callback()]>",
  "<Task pending name='t' coro=<sleeper()> cb=[TaskGroup._on_task_done()]>",
  "main returns",
  "cancelled: <Task cancelling name='left' coro=<sleeper()> cb=[gather.<locals>._done_callback()]>",
];

test("the library's done callbacks show in reprs by Python's names", async () => {
  const out: string[] = [];
  await asyncio.run(() => callbacksApp(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_fut_callback_names.py", () => {
  const ref = pythonReference("rp_fut_callback_names");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
