// A context stays entered under a nested `Context.run` of another one: from
// inside `other.run(...)`, a task's own context (`context: ctx`), a
// callback's, or an outer `ctx.run`'s cannot be run again (RuntimeError),
// as in Python. Only the innermost one used to count as entered.
// Checked against CPython (tests/fixtures/py/rp_ctx3_nested_entered.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const v = new asyncio.ContextVar<string>("v", { default: "d" });
  function tryRun<A extends unknown[], R>(
    tag: string,
    ctx: asyncio.Context,
    fn: (...a: A) => R,
    ...args: A
  ): R | null {
    try {
      return ctx.run(fn, ...args);
    } catch (e) {
      if (!(e instanceof asyncio.RuntimeError)) throw e;
      print(tag, "RuntimeError", e.message.split(":")[0]);
      return null;
    }
  }
  async function job(ctx: asyncio.Context, other: asyncio.Context) {
    print("task sees", v.get());
    print("nested-own ->", other.run(tryRun, "nested-own", ctx, v.get));
    print("nested-other ->", other.run(() => tryRun("nested-other", other, v.get)));
    await asyncio.sleep(0);
    print("after await ->", other.run(tryRun, "after-await", ctx, v.get));
    print("plain other ->", other.run(v.get));
  }
  function cb(ctx: asyncio.Context, other: asyncio.Context) {
    print("cb-nested-own ->", other.run(tryRun, "cb-nested-own", ctx, v.get));
  }
  const loop = asyncio.getRunningLoop();
  const ctx = new asyncio.Context();
  const other = new asyncio.Context();
  ctx.run(v.set, "ctx");
  other.run(v.set, "other");
  await asyncio.createTask(() => job(ctx, other), { context: ctx });
  loop.callSoon(cb, ctx, other, { context: ctx });
  await asyncio.sleep(0);
  const r = ctx.run(() => other.run(tryRun, "sync-nested", ctx, v.get));
  print("sync-nested ->", r);
  print("free again ->", ctx.run(() => other.run(v.get)), ctx.run(v.get));
}

const EXPECTED = [
  "task sees ctx",
  "nested-own RuntimeError cannot enter context",
  "nested-own -> None",
  "nested-other RuntimeError cannot enter context",
  "nested-other -> None",
  "after-await RuntimeError cannot enter context",
  "after await -> None",
  "plain other -> other",
  "cb-nested-own RuntimeError cannot enter context",
  "cb-nested-own -> None",
  "sync-nested RuntimeError cannot enter context",
  "sync-nested -> None",
  "free again -> other ctx",
];

test("a context shadowed by a nested Context.run is still entered", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_ctx3_nested_entered.py", () => {
  const ref = pythonReference("rp_ctx3_nested_entered");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
