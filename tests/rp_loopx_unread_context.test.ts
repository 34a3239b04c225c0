// A custom exception handler gets the Task itself as context.future for
// "Task exception was never retrieved" when the report is made before the
// task is collected (at run()'s end): its name, state and exception, as in
// Python. It used to get a stand-in that only printed as the task, so
// `context.future.getName()` failed in the handler. Checked against CPython
// (tests/fixtures/py/rp_loopx_unread_context.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { pyRepr } from "../lib/format.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  async function job(n: number): Promise<never> {
    await asyncio.sleep(0.01 * n);
    throw new asyncio.RuntimeError(`job ${n} failed`);
  }
  function handler(_loop: asyncio.AbstractEventLoop, context: Record<string, unknown>) {
    const fut = context.future as asyncio.Task<unknown>;
    print("handler:", context.message);
    print("  keys:", pyRepr(Object.keys(context).sort()));
    print("  future:", fut.constructor.name, fut.getName(), fut.done(), fut.cancelled());
    print("  repr:", String(fut).split(" coro=")[0]);
    print("  same exception:", fut.exception() === context.exception, pyRepr(fut.exception()));
  }
  async function main() {
    const loop = asyncio.getRunningLoop();
    loop.setExceptionHandler(handler as never);
    const t1 = asyncio.createTask(() => job(1), { name: "first" });
    await asyncio.sleep(0.05);
    print("main: first done", t1.done());
  }
  await asyncio.run(main);
  print("after run");
}

const EXPECTED = [
  "main: first done True",
  "handler: Task exception was never retrieved",
  "  keys: ['exception', 'future', 'message']",
  "  future: Task first True False",
  "  repr: <Task finished name='first'",
  "  same exception: True RuntimeError('job 1 failed')",
  "after run",
];

test("an unread task exception's report hands the handler the Task", async () => {
  const out: string[] = [];
  await app(printer(out));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_loopx_unread_context.py", () => {
  const ref = pythonReference("rp_loopx_unread_context");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
