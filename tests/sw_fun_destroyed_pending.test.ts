// "Task was destroyed but it is pending!": the context the exception
// handler gets for a task left pending on a closed loop; in debug mode it
// also says where the task was made (source_traceback), as in CPython.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function destroyedPending(print: (...args: unknown[]) => void): Promise<void> {
  const killMe = async (fut: asyncio.Future<unknown>) => {
    await fut;
  };
  const handler = (_loop: asyncio.AbstractEventLoop, context: asyncio.ExceptionContext) => {
    print(context.message);
    print("keys", `[${Object.keys(context).sort().map((k) => `'${k}'`).join(", ")}]`);
    const task = context.task as asyncio.Task<unknown>;
    print("task", task.getName(), task.done());
  };
  for (const debug of [false, true]) {
    const loop = asyncio.newEventLoop();
    loop.setDebug(debug);
    loop.setExceptionHandler(handler);
    const fut = loop.createFuture();
    asyncio.ensureFuture(() => killMe(fut), { loop });
    await loop.runUntilComplete(() => asyncio.sleep(0.01));
    print("closing, debug", loop.getDebug());
    loop.close();
    print("closed");
  }
}

const EXPECTED = [
  "closing, debug False",
  "Task was destroyed but it is pending!",
  "keys ['message', 'task']",
  "task Task-1 False",
  "closed",
  "closing, debug True",
  "Task was destroyed but it is pending!",
  "keys ['message', 'source_traceback', 'task']",
  "task Task-3 False",
  "closed",
];

test(
  "a pending task on a closed loop is reported, with where it was made in debug mode",
  async () => {
    const out: string[] = [];
    await destroyedPending(printer(out));
    assertEquals(out, EXPECTED);
  },
  { timeout: 20 },
);

test("CPython prints the same for sw_fun_destroyed_pending.py", () => {
  const ref = pythonReference("sw_fun_destroyed_pending");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
