// A failed task's getStack() / printStack() against CPython 3.11: the frames
// of the program's code that raised, without the loop's and the task's own
// that ran it; a limit of 0 or less gives no frames; the last line is
// Python's format_exception_only (a KeyError's message quoted).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function inner(): Promise<never> {
  throw new asyncio.KeyError("deep");
}

async function outer(): Promise<void> {
  await inner();
}

/** printStack()'s lines, a frame as its function's name (paths and lines differ from Python's). */
function printed(task: asyncio.Task<unknown>, opts: { limit?: number } = {}): string[] {
  let text = "";
  task.printStack({ ...opts, file: { write: (s: string) => (text += s) } });
  const out: string[] = [];
  for (const line of text.split("\n").slice(0, -1)) {
    if (line.startsWith('  File "')) out.push("  in " + line.split(" in ").at(-1));
    else if (!line.startsWith("    ")) out.push(line.split(" coro=")[0]);
  }
  return out;
}

const names = (t: asyncio.Task<unknown>, limit?: number) =>
  `[${t.getStack({ limit }).map((f) => `'${f.name}'`).join(", ")}]`;

async function main(print: (...args: unknown[]) => void): Promise<void> {
  const t = asyncio.createTask(outer, { name: "t" });
  await asyncio.sleep(0);
  print("frames", names(t));
  for (const limit of [1, 2, 5, 0, -1]) print("limit", limit, names(t, limit));
  for (const line of printed(t)) print(line);
  for (const line of printed(t, { limit: -1 })) print(line);
  const exc = t.exception() as Error;
  print(`${exc.name}('${exc.message}')`);
  const p = asyncio.createTask(outer, { name: "p" });
  print("pending limit -1", names(p, -1));
  print(`["${printed(p, { limit: -1 }).join('", "')}"]`);
  p.cancel();
}

const EXPECTED = [
  "frames ['outer', 'inner']",
  "limit 1 ['outer']",
  "limit 2 ['outer', 'inner']",
  "limit 5 ['outer', 'inner']",
  "limit 0 []",
  "limit -1 []",
  "Traceback for <Task finished name='t'",
  "  in outer",
  "  in inner",
  "KeyError: 'deep'",
  "No stack for <Task finished name='t'",
  "KeyError: 'deep'",
  "KeyError('deep')",
  "pending limit -1 []",
  `["No stack for <Task pending name='p'"]`,
];

test(
  "a failed task's stack is the program's frames; limits and the last line as CPython's",
  async () => {
    const out: string[] = [];
    await asyncio.run(() => main(printer(out)));
    assertEquals(out, EXPECTED);
  },
  { timeout: 20 },
);

test("CPython prints the same for sw_task_stack_frames.py", () => {
  const ref = pythonReference("sw_task_stack_frames");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
