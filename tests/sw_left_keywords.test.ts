// The task functions' options objects: a key they do not take (a snake_case
// `return_when`, a misspelt `nme`) is Python's TypeError naming it, not
// silently ignored, in wait, shield, createTask (module, loop, TaskGroup),
// run and Runner. Checked against CPython.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

/** The options are typed; this passes what plain JS (or a typo) would. */
const untyped = (x: unknown) => x as never;

async function job(): Promise<number> {
  return 1;
}

async function taskKeywords(print: (...args: unknown[]) => void): Promise<void> {
  const kase = (label: string, f: () => unknown) => {
    try {
      f();
      print(label, "OK");
    } catch (e) {
      if (!(e instanceof TypeError)) throw e;
      print(label, "TypeError", e.message);
    }
  };
  const loop = asyncio.getRunningLoop();
  const fut = loop.createFuture();
  try {
    await asyncio.wait([fut], untyped({ returnWhen: asyncio.FIRST_COMPLETED, foo: 1 }));
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    print("wait TypeError", e.message);
  }
  kase("shield", () => (asyncio.shield as (...a: unknown[]) => unknown)(fut, { loop }));
  kase("create_task", () => asyncio.createTask(job, untyped({ nme: "x" })));
  kase("loop.create_task", () => loop.createTask(job, untyped({ nme: "x" })));
  await new asyncio.TaskGroup().run(async (tg) => {
    kase("TaskGroup.create_task", () => tg.createTask(job, untyped({ nme: "x" })));
  });
  const t = asyncio.createTask(job, { name: "named" });
  print(t.getName(), await t);
  const [done, pending] = await asyncio.wait([t], {
    timeout: 1,
    returnWhen: asyncio.FIRST_COMPLETED,
  });
  print(done.size, pending.size);
  fut.cancel();
}

async function runKeywords(print: (...args: unknown[]) => void): Promise<void> {
  try {
    await asyncio.run(job, untyped({ debgu: true }));
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    print("run TypeError", e.message);
  }
  try {
    new asyncio.Runner(untyped({ debgu: true }));
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    print("Runner TypeError", e.message);
  }
  await using r = new asyncio.Runner();
  try {
    await r.run(job, untyped({ contxt: null }));
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    print("Runner.run TypeError", e.message);
  }
  print(await r.run(job));
}

const EXPECTED = [
  "wait TypeError wait() got an unexpected keyword argument 'foo'",
  "shield TypeError shield() got an unexpected keyword argument 'loop'",
  "create_task TypeError create_task() got an unexpected keyword argument 'nme'",
  "loop.create_task TypeError BaseEventLoop.create_task() got an unexpected keyword argument 'nme'",
  "TaskGroup.create_task TypeError TaskGroup.create_task() got an unexpected keyword argument 'nme'",
  "named 1",
  "1 0",
  "run TypeError run() got an unexpected keyword argument 'debgu'",
  "Runner TypeError Runner.__init__() got an unexpected keyword argument 'debgu'",
  "Runner.run TypeError Runner.run() got an unexpected keyword argument 'contxt'",
  "1",
];

test("a key the task functions do not take is a TypeError naming it", async () => {
  const out: string[] = [];
  const print = printer(out);
  await asyncio.run(() => taskKeywords(print));
  await runKeywords(print);
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for sw_left_keywords.py", () => {
  const ref = pythonReference("sw_left_keywords");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
