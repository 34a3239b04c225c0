// Task.getStack() / printStack(), checked against CPython's output for the
// same program (fixtures/py/task_stack.py): one frame while pending, none
// once done or cancelled, the exception's frames once failed.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const EXPECTED = [
  "before start 1 work",
  "pending 1 work",
  "limit 0 0",
  "True",
  "done []",
  "True",
  "failed True 1",
  "True ValueError: boom",
  "boom",
  "cancelled []",
  "True",
];

function printed(task: asyncio.Task<unknown>, opts: asyncio.StackOptions = {}): string[] {
  let text = "";
  task.printStack({ ...opts, file: { write: (s: string) => (text += s) } });
  return text.split("\n").slice(0, -1);
}

async function program(print: (...args: unknown[]) => void): Promise<void> {
  const py = (b: boolean) => (b ? "True" : "False");
  async function work() {
    await asyncio.sleep(0.01);
  }
  async function fail(): Promise<never> {
    throw new asyncio.ValueError("boom");
  }
  await asyncio.run(async () => {
    const t = asyncio.createTask(work, { name: "w" });
    print("before start", t.getStack().length, t.getStack()[0].name);
    await asyncio.sleep(0);
    print("pending", t.getStack().length, t.getStack()[0].name);
    print("limit 0", t.getStack({ limit: 0 }).length);
    print(py(printed(t)[0].startsWith("Stack for <Task pending name='w'")));
    await t;
    print("done", `[${t.getStack().join(", ")}]`);
    print(py(printed(t)[0].startsWith("No stack for <Task finished name='w'")));
    const f = asyncio.createTask(fail, { name: "f" });
    await asyncio.sleep(0);
    print("failed", py(f.getStack().length > 0), f.getStack({ limit: 1 }).length);
    const lines = printed(f);
    print(py(lines[0].startsWith("Traceback for <Task finished name='f'")), lines.at(-1));
    print((f.exception() as Error).message);
    const c = asyncio.createTask(work, { name: "c" });
    await asyncio.sleep(0);
    c.cancel();
    try {
      await c;
    } catch (e) {
      if (!(e instanceof asyncio.CancelledError)) throw e;
    }
    print("cancelled", `[${c.getStack().join(", ")}]`);
    print(py(printed(c)[0].startsWith("No stack for <Task cancelled name='c'")));
  });
}

test("getStack/printStack print what CPython prints", async () => {
  const out: string[] = [];
  await program(printer(out));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for task_stack.py", () => {
  const ref = pythonReference("task_stack");
  if (ref) assertEquals(ref.lines, EXPECTED);
});

test("a failed task's frames are oldest first, as a traceback lists them", async () => {
  await asyncio.run(async () => {
    async function inner(): Promise<never> {
      throw new Error("deep");
    }
    async function outer() {
      await inner();
    }
    const t = asyncio.createTask(outer);
    try {
      await t;
    } catch { /* read */ }
    const names = t.getStack().map((f) => f.name);
    // The newest frame (where it was thrown) comes last, as in a traceback.
    assertEquals(names.at(-1)?.endsWith("inner"), true, names.join(" "));
    // CPython 3.11's walk stops at once at a limit of 0 or less: no frames.
    assertEquals(t.getStack({ limit: -1 }), []);
    assertEquals(t.getStack({ limit: 1 }).map((f) => f.name), names.slice(0, 1));
  });
});
