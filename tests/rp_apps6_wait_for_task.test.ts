// `waitFor()` made into a task (`createTask(waitFor(c, 1))`, `gather(waitFor(a, 1),
// ...)`, a TaskGroup's `tg.createTask(waitFor(c, 1))`) runs in that task, as
// Python's coroutine does: cancelling the task (a failing sibling, a cancelled
// gather, `task.cancel()`) cancels the awaitable it waits for, and task names
// count its task before the awaitable's. Ours ran at the call, in the caller's
// task, so the awaitable ran on after its task was cancelled.
// Checked against CPython (tests/fixtures/py/rp_apps6_wait_for_task.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";
import { pyRepr } from "../lib/format.ts";

class ConnectionError extends Error {}

async function app(print: (...args: unknown[]) => void): Promise<void> {
  async function fetch(url: string, d: number, fail = false) {
    try {
      print(`fetch ${url} start in ${asyncio.currentTask()!.getName()}`);
      await asyncio.sleep(d);
      if (fail) throw new ConnectionError(`${url} refused`);
      print(`fetch ${url} done`);
      return url;
    } catch (e) {
      if (e instanceof asyncio.CancelledError) print(`fetch ${url} cancelled`);
      throw e;
    }
  }
  async function swallow(result: string) {
    try {
      await asyncio.sleep(1);
    } catch (e) {
      if (!(e instanceof asyncio.CancelledError)) throw e;
      print("swallow: got cancel, returning", result);
      return result;
    }
  }

  let t1!: asyncio.Task<unknown>;
  try {
    await new asyncio.TaskGroup().run((tg) => {
      t1 = tg.createTask(asyncio.waitFor(() => fetch("/a", 0.2), 1), { name: "wa" });
      tg.createTask(asyncio.waitFor(() => fetch("/b", 0.02, true), 1), { name: "wb" });
    });
  } catch (eg) {
    const [m, rest] = (eg as asyncio.ExceptionGroup).split(ConnectionError);
    if (rest !== null) throw rest;
    print("group failed:", pyRepr(m!.exceptions.map((e) => (e as Error).message)));
  }
  print(t1.getName(), t1.cancelled());
  const g = asyncio.gather(
    asyncio.waitFor(() => fetch("/d", 0.2), 1),
    asyncio.waitFor(() => fetch("/e", 0.2), 1),
  );
  await asyncio.sleep(0.02);
  g.cancel();
  try {
    await g;
  } catch (e) {
    if (!(e instanceof asyncio.CancelledError)) throw e;
    print("gather cancelled");
  }
  const inner = asyncio.createTask(() => swallow("inner-val"));
  const outer = asyncio.createTask(asyncio.waitFor(inner, 0.5));
  print(outer.getName(), inner.getName());
  await asyncio.sleep(0.02);
  outer.cancel();
  try {
    await outer;
  } catch (e) {
    if (!(e instanceof asyncio.CancelledError)) throw e;
    print("outer cancelled; inner:", inner.done(), inner.result());
  }
  const fut = asyncio.getRunningLoop().createFuture();
  const w = asyncio.createTask(asyncio.waitFor(fut, null));
  await asyncio.sleep(0);
  w.cancel();
  await asyncio.sleep(0);
  print("future cancelled with its wait_for(None) task:", fut.cancelled());
  print(await asyncio.waitFor(() => fetch("/f", 0.01), 1));
  try {
    await asyncio.waitFor(() => fetch("/g", 0.5), 0.05);
  } catch (e) {
    if (!(e instanceof asyncio.TimeoutError)) throw e;
    print("TimeoutError", pyRepr(e));
  }
  await asyncio.sleep(0.3);
  print("end");
}

const EXPECTED = [
  "fetch /a start in Task-4",
  "fetch /b start in Task-5",
  "fetch /a cancelled",
  "group failed: ['/b refused']",
  "wa True",
  "fetch /d start in Task-8",
  "fetch /e start in Task-9",
  "fetch /d cancelled",
  "fetch /e cancelled",
  "gather cancelled",
  "Task-11 Task-10",
  "swallow: got cancel, returning inner-val",
  "outer cancelled; inner: True inner-val",
  "future cancelled with its wait_for(None) task: True",
  "fetch /f start in Task-13",
  "fetch /f done",
  "/f",
  "fetch /g start in Task-14",
  "fetch /g cancelled",
  "TimeoutError TimeoutError()",
  "end",
];

test("waitFor made into a task runs in it: cancelling the task cancels the awaitable", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_apps6_wait_for_task.py", () => {
  const ref = pythonReference("rp_apps6_wait_for_task");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
