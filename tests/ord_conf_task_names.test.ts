// Task-N numbering with and without names: `name: null` (Python's
// name=None) is no name, and asyncio.createTask / TaskGroup.createTask use
// up a number even when given a name, as in CPython 3.11.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

// Python's name=None, as a ported program writes it (rule 6).
const NONE = { name: null as unknown as string };

async function names(print: (...args: unknown[]) => void): Promise<void> {
  const name = async () => asyncio.currentTask()!.getName();
  const loop = asyncio.getRunningLoop();
  print(await asyncio.createTask(name, { name: "a" }));
  print(await asyncio.createTask(name));
  print(await loop.createTask(name, { name: "b" }));
  print(await loop.createTask(name));
  let t!: asyncio.Task<string>;
  let u!: asyncio.Task<string>;
  await new asyncio.TaskGroup().run((tg) => {
    t = tg.createTask(name, { name: "g" });
    u = tg.createTask(name, NONE);
  });
  print(t.result(), u.result());
  print(await asyncio.createTask(name, NONE));
  print(await loop.createTask(name, NONE));
  t = asyncio.createTask(name, { name: 5 as unknown as string });
  print(await t, typeof t.getName() === "string" ? "str" : typeof t.getName());
  print(await asyncio.createTask(name));
}

const EXPECTED = [
  "a",
  "Task-3",
  "b",
  "Task-4",
  "g Task-6",
  "Task-7",
  "Task-8",
  "5 str",
  "Task-10",
];

test("Task-N numbering: named and unnamed tasks, name null as no name", async () => {
  const out: string[] = [];
  await asyncio.run(() => names(printer(out)));
  // Task names count from 1 in a fresh process; here other tests may run first.
  const first = Number(/Task-(\d+)/.exec(out[1])![1]) - 3;
  const renumbered = out.map((l) =>
    l.replace(/Task-(\d+)/g, (_, n) => `Task-${Number(n) - first}`)
  );
  assertEquals(renumbered, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for ord_conf_task_names.py", () => {
  const ref = pythonReference("ord_conf_task_names");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
