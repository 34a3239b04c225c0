// toThread returns a lazy coroutine, as Python's to_thread(): a task can be
// made of it (createTask with a name, gather, waitFor, wait, a TaskGroup),
// and cancelling that task before the job starts withdraws the job.
// Checked against CPython.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

// time.sleep(seconds), in a worker.
function work(x: number): number {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  return x * 10;
}

function block(seconds: number): string {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, seconds * 1000);
  return "blocked";
}

const list = (xs: unknown[]) => `[${xs.join(", ")}]`;

async function toThreadTasks(print: (...args: unknown[]) => void): Promise<void> {
  // A closure: it would run on the main thread, and print into the output.
  const note = (text: string) => print("ran", text);
  const loop = asyncio.getRunningLoop();
  loop.setDefaultExecutor(new asyncio.ThreadPoolExecutor({ maxWorkers: 1 }));
  const coro = asyncio.toThread(work, 0);
  print(asyncio.iscoroutine(coro), asyncio.isFuture(coro));
  print(await coro);
  const t = asyncio.createTask(asyncio.toThread(work, 1), { name: "thread-task" });
  print(t.getName(), await t);
  print(list(await asyncio.gather(asyncio.toThread(work, 2), asyncio.toThread(work, 3))));
  print(await asyncio.waitFor(asyncio.toThread(work, 4), 5));
  const [done, pending] = await asyncio.wait([asyncio.createTask(asyncio.toThread(work, 5))]);
  print(done.size, pending.size, list([...done].map((d) => d.result())));
  let a!: asyncio.Task<number>, b!: asyncio.Task<number>;
  await new asyncio.TaskGroup().run((tg) => {
    a = tg.createTask(asyncio.toThread(work, 6));
    b = tg.createTask(asyncio.toThread(work, 7));
  });
  print(a.result(), b.result());
  const t1 = asyncio.createTask(asyncio.toThread(block, 0.3));
  const t2 = asyncio.createTask(asyncio.toThread(note, "never"));
  await asyncio.sleep(0.05);
  print(t2.cancel());
  print(await t1, t2.cancelled());
  await asyncio.sleep(0.05);
  print("end");
}

const EXPECTED = [
  "True False",
  "0",
  "thread-task 10",
  "[20, 30]",
  "40",
  "1 0 [50]",
  "60 70",
  "True",
  "blocked True",
  "end",
];

test(
  "toThread is a coroutine: tasks, gather, waitFor, wait, TaskGroup; a cancelled task's job is withdrawn",
  async () => {
    const out: string[] = [];
    await asyncio.run(() => toThreadTasks(printer(out)));
    assertEquals(out, EXPECTED);
  },
  { timeout: 20 },
);

test("CPython 3.11 prints the same for exec_conf_to_thread_task.py", () => {
  const ref = pythonReference("exec_conf_to_thread_task");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
