// asyncio.Runner keeps one context for all its run() calls, and
// run(coro, { context }) runs in the context given; `debug: null` leaves
// debug mode to the environment; checked against CPython.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";
import process from "node:process";

async function runnerContexts(print: (...args: unknown[]) => void): Promise<void> {
  const v = new asyncio.ContextVar("var", { default: "unset" });
  const show = async (tag: string) => {
    print(tag, asyncio.currentTask()!.getName(), v.get());
  };
  const setVar = async (value: string) => {
    v.set(value);
  };
  {
    await using runner = new asyncio.Runner();
    await runner.run(() => show("first"));
    await runner.run(() => setVar("one"));
    await runner.run(() => show("second"));
    const ctx = asyncio.copyContext();
    await runner.run(() => setVar("two"), { context: ctx });
    print("ctx", ctx.get(v), "caller", v.get());
    await runner.run(() => show("third"));
  }
  v.set("outer");
  await asyncio.run(() => setVar("lost"));
  print("after run", v.get());
  {
    await using runner = new asyncio.Runner();
    await runner.run(() => show("fresh"));
  }

  const debug = async () => asyncio.getRunningLoop().getDebug();
  process.env.PYTHONASYNCIODEBUG = "1";
  try {
    print(
      "debug",
      await asyncio.run(debug),
      await asyncio.run(debug, { debug: null }),
      await asyncio.run(debug, { debug: false }),
    );
  } finally {
    delete process.env.PYTHONASYNCIODEBUG;
  }
}

const EXPECTED = [
  "first Task-1 unset",
  "second Task-3 one",
  "ctx two caller unset",
  "third Task-5 one",
  "after run outer",
  "fresh Task-11 outer",
  "debug True True False",
];

test(
  "Runner: run() calls share the runner's context; run(coro, {context}) uses the one given",
  async () => {
    const out: string[] = [];
    // Outside any loop and in a context of its own, as a program's top level.
    await asyncio.copyContext().run(() => runnerContexts(printer(out)));
    // Task names count from 1 in a fresh process; here other tests ran first.
    const first = Number(/Task-(\d+)/.exec(out[0])![1]) - 1;
    const renumbered = out.map((l) =>
      l.replace(/Task-(\d+)/, (_, n) => `Task-${Number(n) - first}`)
    );
    assertEquals(renumbered, EXPECTED);
  },
  { timeout: 20 },
);

test("CPython prints the same for ord_conf_runner_context.py", () => {
  const ref = pythonReference("ord_conf_runner_context");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
