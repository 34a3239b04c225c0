// A context is entered while a callback scheduled in it runs and while a
// task created in it steps (Python's Handle._run uses Context.run), so
// ctx.run() from there raises "cannot enter context: ... is already
// entered"; tasks sharing one context see each other's sets.
// Checked against CPython (tests/fixtures/py/rp_misc_context_entered.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const v = new asyncio.ContextVar<number>("v", { default: 0 });
  async function worker(name: string, n: number) {
    for (let i = 0; i < n; i++) {
      print(name, "sees", v.get());
      v.set(v.get() + 1);
      await asyncio.sleep(0);
    }
    return v.get();
  }
  function tryRun(tag: string, ctx: asyncio.Context) {
    try {
      ctx.run(print, tag, "ran");
    } catch (e) {
      if (!(e instanceof asyncio.RuntimeError)) throw e;
      print(tag, "RuntimeError:", e.message.split(":")[0]);
    }
  }
  function cb() {
    v.set(v.get() + 100);
    print("cb", v.get());
  }
  async function inCtxTask(ctx: asyncio.Context, other: asyncio.Context) {
    tryRun("task own ctx", ctx);
    tryRun("task other ctx", other);
    await asyncio.sleep(0);
    tryRun("task own ctx after await", ctx);
  }
  const loop = asyncio.getRunningLoop();
  const ctx = asyncio.copyContext();
  const other = asyncio.copyContext();
  const t1 = asyncio.createTask(() => worker("A", 2), { context: ctx });
  const t2 = asyncio.createTask(() => worker("B", 2), { context: ctx });
  loop.callSoon(cb, { context: ctx });
  loop.callSoon(tryRun, "callback own ctx", ctx, { context: ctx });
  loop.callSoon(tryRun, "callback other ctx", ctx, { context: other });
  print(`[${(await asyncio.gather(t1, t2)).join(", ")}]`);
  print("main", v.get(), "ctx", ctx.get(v));
  await asyncio.createTask(() => inCtxTask(ctx, other), { context: ctx });
  tryRun("main", ctx);
}

const EXPECTED = [
  "A sees 0",
  "B sees 1",
  "cb 102",
  "callback own ctx RuntimeError: cannot enter context",
  "callback other ctx ran",
  "A sees 102",
  "B sees 103",
  "[104, 104]",
  "main 0 ctx 104",
  "task own ctx RuntimeError: cannot enter context",
  "task other ctx ran",
  "task own ctx after await RuntimeError: cannot enter context",
  "main ran",
];

test("ctx.run() inside a callback or task running in ctx is 'already entered'", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_misc_context_entered.py", () => {
  const ref = pythonReference("rp_misc_context_entered");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
