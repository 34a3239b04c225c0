// A task of an async generator (`createTask(agen)`, the function form of
// Python's `create_task(agen())`) is a TypeError at once, as in Python; a
// function that returns one fails its task with it, instead of ending with
// the generator as its result; gather and waitFor see the same TypeError.
// Checked against CPython (tests/fixtures/py/rp_gen3_task_of_asyncgen.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  async function* ticks(n: number) {
    for (let i = 0; i < n; i++) {
      await asyncio.sleep(0.01);
      yield i;
    }
  }
  const show = (where: string, e: unknown) =>
    print(where, (e as Error).name, (e as Error).message.split(" object")[0]);
  try {
    asyncio.createTask(ticks as never);
  } catch (e) {
    show("create_task", e);
  }
  try {
    await asyncio.createTask((() => ticks(3)) as never);
  } catch (e) {
    show("awaited task", e);
  }
  try {
    await asyncio.gather((() => ticks(2)) as never);
  } catch (e) {
    print("gather", (e as Error).name);
  }
  try {
    await asyncio.waitFor((() => ticks(2)) as never, 1);
  } catch (e) {
    print("wait_for", (e as Error).name);
  }
  const g = ticks(3);
  const t = asyncio.createTask(() => g.next());
  print("task of anext", (await t).value);
  print("tasks left", asyncio.allTasks().size);
}

const EXPECTED = [
  "create_task TypeError a coroutine was expected, got <async_generator",
  "awaited task TypeError a coroutine was expected, got <async_generator",
  "gather TypeError",
  "wait_for TypeError",
  "task of anext 0",
  "tasks left 1",
];

test("a task of an async generator is a TypeError", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_gen3_task_of_asyncgen.py", () => {
  const ref = pythonReference("rp_gen3_task_of_asyncgen");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
