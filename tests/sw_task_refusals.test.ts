// What run() and a task refuse, checked against CPython 3.11: run() of what
// is not a coroutine (a Future is none) is a ValueError that still makes
// (and closes) its Runner's loop, whose two closing steps use up Task-N
// numbers; a task awaiting itself gets a RuntimeError at that await
// instead of waiting forever.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function number(): Promise<number> {
  return Number(asyncio.currentTask()!.getName().split("-")[1]);
}

async function selfAwait(): Promise<string> {
  await asyncio.currentTask()!;
  return "not reached";
}

async function main(print: (...args: unknown[]) => void): Promise<string> {
  const t = asyncio.createTask(selfAwait, { name: "selfish" });
  try {
    await t;
  } catch (e) {
    if (!(e instanceof asyncio.RuntimeError)) throw e;
    print("RuntimeError", e.message.split(" coro=")[0]);
  }
  print(t.done(), (t.exception() as Error).name);
  return "main done";
}

async function refusals(print: (...args: unknown[]) => void): Promise<void> {
  const first = await asyncio.run(number);
  const other = asyncio.newEventLoop();
  for (const bad of [5, null, "main", other.createFuture()]) {
    try {
      await asyncio.run(bad as never);
    } catch (e) {
      if (!(e instanceof asyncio.ValueError)) throw e;
      print("ValueError", e.message);
    }
    try {
      asyncio.getEventLoop();
    } catch (e) {
      if (!(e instanceof asyncio.RuntimeError)) throw e;
      print("RuntimeError", e.message);
    }
  }
  other.close();
  print("task numbers used", (await asyncio.run(number)) - first);
  print(await asyncio.run(() => main(print)));
  print("task numbers used", (await asyncio.run(number)) - first);
}

const EXPECTED = [
  "ValueError a coroutine was expected, got 5",
  "RuntimeError There is no current event loop in thread 'MainThread'.",
  "ValueError a coroutine was expected, got None",
  "RuntimeError There is no current event loop in thread 'MainThread'.",
  "ValueError a coroutine was expected, got 'main'",
  "RuntimeError There is no current event loop in thread 'MainThread'.",
  "ValueError a coroutine was expected, got <Future pending>",
  "RuntimeError There is no current event loop in thread 'MainThread'.",
  "task numbers used 11",
  "RuntimeError Task cannot await on itself: <Task pending name='selfish'",
  "True RuntimeError",
  "main done",
  "task numbers used 18",
];

test(
  "run() of a non-coroutine uses up its Runner's task numbers; a task awaiting itself fails",
  async () => {
    const out: string[] = [];
    await refusals(printer(out));
    assertEquals(out, EXPECTED);
  },
  { timeout: 20 },
);

test("CPython prints the same for sw_task_refusals.py", () => {
  const ref = pythonReference("sw_task_refusals");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
