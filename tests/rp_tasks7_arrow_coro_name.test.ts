// `createTask(() => work())` is the port of `create_task(work())` (API.md
// rule 9): the task's repr names the coroutine, `coro=<work()>`, as Python's
// does, where it showed the arrow as `coro=<<lambda>()>` (in the "Task
// exception was never retrieved" report too). Python's source locations
// (`running at file:line`) are masked, as a ported program's output is.
// Checked against CPython (tests/fixtures/py/rp_tasks7_arrow_coro_name.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

function masked(t: asyncio.Task<unknown>): string {
  return String(t).replace(/ (running at|done, defined at) [^>]*/g, "");
}

async function work(): Promise<number> {
  await asyncio.sleep(0.01);
  return 1;
}

async function fail(msg: string): Promise<never> {
  await asyncio.sleep(0);
  throw new asyncio.ValueError(msg);
}

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const t = asyncio.createTask(() => work(), { name: "w" });
  print(masked(t));
  await asyncio.sleep(0);
  print(masked(t));
  await t;
  print(masked(t));
  const f = asyncio.createTask(async () => await fail("x"), { name: "f" });
  try {
    await f;
  } catch (e) {
    if (!(e instanceof asyncio.ValueError)) throw e;
  }
  print(masked(f));
  const c = asyncio.createTask(() => work(), { name: "c" });
  c.cancel();
  print(masked(c));
  await asyncio.sleep(0);
  print(masked(c));
}

const EXPECTED = [
  "<Task pending name='w' coro=<work()>>",
  "<Task pending name='w' coro=<work()> wait_for=<Future pending cb=[Task.task_wakeup()]>>",
  "<Task finished name='w' coro=<work()> result=1>",
  "<Task finished name='f' coro=<fail()> exception=ValueError('x')>",
  "<Task cancelling name='c' coro=<work()>>",
  "<Task cancelled name='c' coro=<work()>>",
];

test("a task made from an arrow calling a coroutine function is named by it", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_tasks7_arrow_coro_name.py", () => {
  const ref = pythonReference("rp_tasks7_arrow_coro_name");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
