// A function that runs on the main thread for an executor (it uses its
// module's scope, so it cannot travel to a Worker) starts in an empty
// context, as a Python thread does: it sees no value set by the submitting
// task, nor one set at the module's top level. toThread runs it in a copy
// of the caller's context. Checked against CPython.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const v = new asyncio.ContextVar<string>("v", { default: "default" });
v.set("top");

function read(tag: string): string {
  return `${tag}: ${v.get()}`;
}

function writeThenRead(tag: string): string {
  v.set("set in thread");
  return read(tag);
}

async function threadContext(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  print(v.get());
  v.set("main");
  print(await loop.runInExecutor(null, read, "run_in_executor"));
  print(await asyncio.toThread(read, "to_thread"));
  print(await asyncio.toThread(writeThenRead, "to_thread set"));
  {
    await using pool = new asyncio.ThreadPoolExecutor();
    print(await loop.runInExecutor(pool, read, "own pool"));
  }
  print(v.get());
}

const EXPECTED = [
  "top",
  "run_in_executor: default",
  "to_thread: main",
  "to_thread set: set in thread",
  "own pool: default",
  "main",
  "top",
];

test(
  "an executor's function starts in an empty context; toThread's in a copy of the caller's",
  async () => {
    const out: string[] = [];
    const print = printer(out);
    await asyncio.run(() => threadContext(print));
    print(v.get());
    assertEquals(out, EXPECTED);
  },
  { timeout: 20 },
);

test("InlineExecutor runs each function in a new empty context", async () => {
  await asyncio.run(async () => {
    const loop = asyncio.getRunningLoop();
    const inline = new asyncio.InlineExecutor();
    v.set("task");
    const first = await loop.runInExecutor(inline, () => [v.get(), v.set("job").oldValue]);
    assertEquals(first, ["default", asyncio.MISSING]);
    assertEquals(await loop.runInExecutor(inline, () => v.get()), "default");
    assertEquals(v.get(), "task");
    await inline.shutdown();
  });
}, { timeout: 20 });

test("CPython prints the same for exec_conf_thread_context.py", () => {
  const ref = pythonReference("exec_conf_thread_context");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
