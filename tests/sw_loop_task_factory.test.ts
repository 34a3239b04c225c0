// A loop's task factory and Task-N names: a named task made by
// asyncio.createTask() or TaskGroup.createTask() through a factory that
// makes an unnamed Task uses up one number, not two; checked against CPython.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

class MyTask<T> extends asyncio.Task<T> {}

async function work(x: string): Promise<string> {
  await asyncio.sleep(0);
  return x;
}

async function factoryNames(print: (...args: unknown[]) => void): Promise<void> {
  const seen: string[] = [];
  const factory: asyncio.TaskFactory = (loop, coro) => {
    const t = new MyTask(coro as asyncio.CoroutineLike<unknown>, { loop });
    seen.push(`'${t.getName()}'`);
    return t;
  };
  const loop = asyncio.getRunningLoop();
  print("default factory", loop.getTaskFactory() ?? "None");
  print("set returns", loop.setTaskFactory(factory) ?? "None");
  print("get is factory", loop.getTaskFactory() === factory ? "True" : "False");
  const a = asyncio.createTask(() => work("a"), { name: "a" });
  const b = loop.createTask(() => work("b"), { name: "b" });
  let c!: asyncio.Task<string>;
  await new asyncio.TaskGroup().run((tg) => {
    c = tg.createTask(() => work("c"), { name: "c" });
  });
  const d = asyncio.createTask(() => work("d"));
  print("factory saw", `[${seen.join(", ")}]`);
  print("names", a.getName(), b.getName(), c.getName(), d.getName());
  print("types", a.constructor.name, c.constructor.name, d.constructor.name);
  print("results", await a, await b, c.result(), await d);
  loop.setTaskFactory(null);
  print("reset", loop.getTaskFactory() ?? "None");
  for (const bad of [5, "x"]) {
    try {
      loop.setTaskFactory(bad as never);
    } catch (e) {
      if (!(e instanceof TypeError)) throw e;
      print("TypeError", e.message);
    }
  }
  const e = asyncio.createTask(() => work("e"), { name: "e" });
  await new asyncio.TaskGroup().run((tg) => {
    tg.createTask(() => work("f"), { name: "f" });
  });
  const g = loop.createTask(() => work("g"), { name: "g" });
  const h = asyncio.createTask(() => work("h"));
  print("default names", e.getName(), g.getName(), h.getName(), h.constructor.name);
  await asyncio.gather(e, g, h);
}

const EXPECTED = [
  "default factory None",
  "set returns None",
  "get is factory True",
  "factory saw ['Task-2', 'Task-3', 'Task-4', 'Task-5']",
  "names a b c Task-5",
  "types MyTask MyTask MyTask",
  "results a b c d",
  "reset None",
  "TypeError task factory must be a callable or None",
  "TypeError task factory must be a callable or None",
  "default names e g Task-8 Task",
];

test("a task factory and names: each named task uses up one Task-N number", async () => {
  const out: string[] = [];
  await asyncio.run(() => factoryNames(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for sw_loop_task_factory.py", () => {
  const ref = pythonReference("sw_loop_task_factory");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
