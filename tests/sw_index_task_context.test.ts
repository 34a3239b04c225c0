// create_task's context= (new in 3.11) on asyncio.createTask, loop.createTask,
// TaskGroup.createTask and Runner.run: the task runs in the Context given;
// checked against CPython (tests/fixtures/py/sw_index_task_context.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

/** The port of sw_index_task_context.py, line for line. */
async function program(print: (...args: unknown[]) => void): Promise<void> {
  const v = new asyncio.ContextVar<string>("v", { default: "d" });
  const show = async (tag: string) => {
    print(tag, v.get());
    v.set("changed-" + tag);
  };
  await asyncio.run(async () => {
    const ctx = asyncio.copyContext();
    ctx.run(() => v.set("ctx"));
    await asyncio.createTask(() => show("create_task"), { context: ctx });
    print("ctx after", ctx.get(v));
    const loop = asyncio.getRunningLoop();
    await loop.createTask(() => show("loop.create_task"), { context: ctx });
    print("ctx after", ctx.get(v));
    const t = asyncio.createTask(() => show("named"), { name: "N", context: ctx });
    await t;
    print(t.getName(), v.get());
    const tg = new asyncio.TaskGroup();
    const [t1, t2] = await tg.run(async () => {
      const t1 = tg.createTask(() => show("tg"), { context: ctx });
      const t2 = tg.createTask(() => show("tg named"), { name: "G", context: ctx });
      tg.createTask(() => show("tg plain"));
      return [t1, t2];
    });
    print("ctx after", ctx.get(v), t1.getName().startsWith("Task-"), t2.getName(), v.get());
  });
  const ctx = asyncio.copyContext();
  ctx.run(() => v.set("run-ctx"));
  {
    await using r = new asyncio.Runner();
    await r.run(() => show("runner"), { context: ctx });
  }
  print("ctx after", ctx.get(v), v.get());
}

const EXPECTED = [
  "create_task ctx",
  "ctx after changed-create_task",
  "loop.create_task changed-create_task",
  "ctx after changed-loop.create_task",
  "named changed-loop.create_task",
  "N d",
  "tg changed-named",
  "tg named changed-tg",
  "tg plain d",
  "ctx after changed-tg named True G d",
  "runner run-ctx",
  "ctx after changed-runner d",
];

test("createTask({context}) runs the task in that Context, also in a TaskGroup", async () => {
  const out: string[] = [];
  await program(printer(out));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for sw_index_task_context.py", () => {
  const ref = pythonReference("sw_index_task_context");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
