// A function an executor runs on the main thread in a thread's stead (it
// uses its module's scope, so it cannot go to a Worker) sees what a Python
// worker thread sees: no running loop and no current task
// (getRunningLoop, currentTask, allTasks and createTask raise
// RuntimeError), and it may run a loop of its own with asyncio.run() or a
// new loop while the caller's loop runs on. It used to see the caller's
// loop as running, so asyncio.run() there failed. Checked against CPython
// (tests/fixtures/py/rp_exec_thread_no_loop.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function threadApp(print: (...args: unknown[]) => void): Promise<void> {
  const v = new asyncio.ContextVar("v", { default: "default" });

  function probe(tag: string): string {
    const calls: Array<[string, () => unknown]> = [
      ["get_running_loop", asyncio.getRunningLoop],
      ["current_task", asyncio.currentTask],
      ["all_tasks", asyncio.allTasks],
    ];
    for (const [name, fn] of calls) {
      try {
        fn();
        print(tag, name, "returned");
      } catch (e) {
        if (!(e instanceof asyncio.RuntimeError)) throw e;
        print(tag, name, "RuntimeError", e.message);
      }
    }
    try {
      asyncio.createTask(() => asyncio.sleep(0));
    } catch (e) {
      if (!(e instanceof asyncio.RuntimeError)) throw e;
      print(tag, "create_task RuntimeError", e.message);
    }
    print(tag, "v =", v.get());
    return tag;
  }

  function nestedRun(x: number): Promise<string> {
    async function double(): Promise<string> {
      await asyncio.sleep(0.01);
      return `('${asyncio.currentTask()!.getName()}', ${x * 2})`;
    }
    return asyncio.run(double);
  }

  function ownLoop(): Promise<string> {
    const loop = asyncio.newEventLoop();
    return loop.runUntilComplete(() => asyncio.sleep(0, "own loop")).finally(() => loop.close());
  }

  const loop = asyncio.getRunningLoop();
  v.set("main");
  print(await loop.runInExecutor(null, probe, "run_in_executor"));
  print(await asyncio.toThread(probe, "to_thread"));
  print(await asyncio.toThread(nestedRun, 21));
  print(await loop.runInExecutor(null, ownLoop));
  print("main still has its loop:", asyncio.getRunningLoop() === loop);
}

const EXPECTED = [
  "run_in_executor get_running_loop RuntimeError no running event loop",
  "run_in_executor current_task RuntimeError no running event loop",
  "run_in_executor all_tasks RuntimeError no running event loop",
  "run_in_executor create_task RuntimeError no running event loop",
  "run_in_executor v = default",
  "run_in_executor",
  "to_thread get_running_loop RuntimeError no running event loop",
  "to_thread current_task RuntimeError no running event loop",
  "to_thread all_tasks RuntimeError no running event loop",
  "to_thread create_task RuntimeError no running event loop",
  "to_thread v = main",
  "to_thread",
  "('Task-2', 42)",
  "own loop",
  "main still has its loop: True",
];

test("an executor's function on the main thread sees no running loop, as a thread", async () => {
  const out: string[] = [];
  await asyncio.run(() => threadApp(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_exec_thread_no_loop.py", () => {
  const ref = pythonReference("rp_exec_thread_no_loop");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
