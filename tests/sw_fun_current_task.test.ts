// currentTask() and allTasks(), with and without a running loop, from a
// task and from a plain callback; the main task's repr names the done
// callback of runUntilComplete() and run() as Python's
// `_run_until_complete_cb`. Checked against CPython.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function currentTasks(print: (...args: unknown[]) => void): Promise<void> {
  const kase = (label: string, f: () => unknown) => {
    try {
      print(label, "->", f());
    } catch (e) {
      print(label, "raised", (e as Error).name, (e as Error).message);
    }
  };
  const names = (tasks: Set<asyncio.Task<unknown>>) =>
    `[${[...tasks].map((t) => `'${t.getName()}'`).sort().join(", ")}]`;
  const child = async () => {
    await asyncio.sleep(0);
    return 5;
  };
  const callback = () => {
    print("in callback:", asyncio.currentTask(), asyncio.allTasks().size);
  };
  const main = async () => {
    const loop = asyncio.getRunningLoop();
    const me = asyncio.currentTask()!;
    print("current:", me.getName(), me === asyncio.currentTask(loop));
    print(me);
    const c = asyncio.createTask(child);
    print("all_tasks:", names(asyncio.allTasks()), names(asyncio.allTasks(loop)));
    loop.callSoon(callback);
    await c;
    print("after child:", names(asyncio.allTasks()));
    const other = asyncio.newEventLoop();
    print("other loop:", asyncio.currentTask(other), asyncio.allTasks(other).size);
    other.close();
  };
  kase("current_task()", () => asyncio.currentTask());
  kase("all_tasks()", () => asyncio.allTasks());
  const loop = asyncio.newEventLoop();
  kase("current_task(loop)", () => asyncio.currentTask(loop));
  kase("len(all_tasks(loop))", () => asyncio.allTasks(loop).size);
  await loop.runUntilComplete(main);
  loop.close();
  await asyncio.run(async function runMain() {
    print(asyncio.currentTask());
  });
}

const EXPECTED = [
  "current_task() raised RuntimeError no running event loop",
  "all_tasks() raised RuntimeError no running event loop",
  "current_task(loop) -> None",
  "len(all_tasks(loop)) -> 0",
  "current: Task-1 True",
  "<Task pending name='Task-1' coro=<main()> cb=[_run_until_complete_cb()]>",
  "all_tasks: ['Task-1', 'Task-2'] ['Task-1', 'Task-2']",
  "in callback: None 2",
  "after child: ['Task-1']",
  "other loop: None 0",
  "<Task pending name='Task-3' coro=<run_main()> cb=[_run_until_complete_cb()]>",
];

test("currentTask and allTasks in and out of tasks; the main task's repr", async () => {
  const out: string[] = [];
  await currentTasks(printer(out));
  // The port's names are camelCase: runMain is Python's run_main.
  assertEquals(out.map((l) => l.replace("runMain", "run_main")), EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for sw_fun_current_task.py", () => {
  const ref = pythonReference("sw_fun_current_task");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
