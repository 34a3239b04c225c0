// A task that only main()'s locals hold is reported ("Task exception was
// never retrieved") when main() returns, with the loop still running, as
// CPython reports it in main's last step: the exception handler can use the
// loop there, as a "shut down on error" handler does, and run() then
// cancels the task it made. The port reported after the loop stopped, where
// `getRunningLoop()` and `createTask()` failed.
// Checked against CPython (tests/fixtures/py/rp_debug6_handler_at_run_end.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { pyRepr } from "../lib/format.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  async function shutdown(reason: string) {
    try {
      print("shutdown started:", reason);
      await asyncio.sleep(1);
      print("shutdown finished");
    } catch (e) {
      if (e instanceof asyncio.CancelledError) print("shutdown cancelled by run()");
      throw e;
    }
  }
  function handler(loop: asyncio.AbstractEventLoop, ctx: asyncio.ExceptionContext) {
    const running = asyncio.getRunningLoop() === loop;
    print("handler:", ctx.message, pyRepr(ctx.exception), running, loop.isRunning());
    loop.createTask(() => shutdown((ctx.exception as Error).message));
  }
  async function worker() {
    await asyncio.sleep(0.01);
    throw new asyncio.ConnectionError("peer went away");
  }
  async function main() {
    asyncio.getRunningLoop().setExceptionHandler(handler);
    const task = asyncio.createTask(worker);
    await asyncio.sleep(0.05);
    print("main returns", task.done());
    return 7;
  }
  print("result", await asyncio.run(main));
}

const EXPECTED = [
  "main returns True",
  "handler: Task exception was never retrieved ConnectionError('peer went away') True True",
  "shutdown started: peer went away",
  "shutdown cancelled by run()",
  "result 7",
];

test("run(): an unread task of main() is reported while the loop runs", async () => {
  const out: string[] = [];
  await app(printer(out));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_debug6_handler_at_run_end.py", () => {
  const ref = pythonReference("rp_debug6_handler_at_run_end");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
