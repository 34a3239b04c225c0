// A task that failed as the main coroutine returned is not reported as
// "never retrieved" while a queued callback will still be handed it: the
// wake-up of a task awaiting it (which reads the exception, as CPython's
// task_wakeup does, before run()'s cleanup cancels the waiter) or gather's
// done callback. run() reported every unread exception there, where CPython
// keeps these futures alive through the queued handle.
// Checked against CPython (tests/fixtures/py/rp_tasks7_unread_scheduled.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { pyRepr } from "../lib/format.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const handler = (_loop: unknown, ctx: { message?: string }) => print("handler:", ctx.message);

  async function failSoon(): Promise<never> {
    await asyncio.sleep(0);
    print("child raising");
    throw new asyncio.ValueError("child failed");
  }

  async function waiter(c: asyncio.Task<unknown>): Promise<void> {
    try {
      await c;
    } catch (e) {
      print("waiter got", pyRepr(e));
    }
  }

  await asyncio.run(async () => {
    asyncio.getRunningLoop().setExceptionHandler(handler);
    const c = asyncio.createTask(failSoon, { name: "c" });
    asyncio.createTask(() => waiter(c), { name: "w" });
    await asyncio.sleep(0);
    print("main returns", c.done());
  });
  print("--");
  await asyncio.run(async () => {
    asyncio.getRunningLoop().setExceptionHandler(handler);
    const t = asyncio.createTask(async () => {
      throw new asyncio.ValueError("nope");
    }, { name: "t" });
    await asyncio.sleep(0.01);
    const g = asyncio.gather(t);
    g.addDoneCallback((g) => print("gather done", pyRepr(g.exception())));
    print("main returns", g.done());
  });
  print("end");
}

const EXPECTED = [
  "main returns False",
  "child raising",
  "waiter got CancelledError()",
  "--",
  "main returns False",
  "gather done ValueError('nope')",
  "end",
];

test("a failed task that a queued callback holds is left to it at run()'s end", async () => {
  const out: string[] = [];
  await app(printer(out));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_tasks7_unread_scheduled.py", () => {
  const ref = pythonReference("rp_tasks7_unread_scheduled");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
