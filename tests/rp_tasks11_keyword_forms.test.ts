// `currentTask()` and `allTasks()` take Python's `loop=` keyword as
// `{ loop }` (API.md rule 3), and null, given or as the keyword, is the
// running loop (Python's None): `currentTask(null)` and `currentTask({ loop })`
// answered null, and `allTasks({ loop })` took the options object for a loop
// and found no task. `getStack()` and `printStack()` are keyword-only, as
// Python's: another key, a positional argument or too many keys is Python's
// TypeError, where they were ignored. `runCoroutineThreadsafe(coro, { loop })`
// is Python's `loop=` keyword, which failed with JS's "callSoonThreadsafe is
// not a function". Checked against CPython
// (tests/fixtures/py/rp_tasks11_keyword_forms.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

/** The library's functions as a Python caller may call them. */
type Loose = (...args: unknown[]) => unknown;
const currentTask = asyncio.currentTask as Loose;
const allTasks = asyncio.allTasks as Loose;
const runCoroutineThreadsafe = asyncio.runCoroutineThreadsafe as Loose;

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const me = asyncio.currentTask()!;
  print("current_task(None)", currentTask(null) === me);
  print("current_task(loop=loop)", currentTask({ loop }) === me);
  print("current_task(loop=None)", currentTask({ loop: null }) === me);
  print("all_tasks(None)", (allTasks(null) as Set<unknown>).size);
  print("all_tasks(loop=loop)", (allTasks({ loop }) as Set<unknown>).size);
  print("all_tasks(loop=None)", (allTasks({ loop: null }) as Set<unknown>).size);
  const f = runCoroutineThreadsafe(asyncio.sleep(0, "done"), { loop }) as PromiseLike<string>;
  print("run_coroutine_threadsafe(loop=loop)", await f);
  const getStack = me.getStack.bind(me) as Loose;
  const printStack = me.printStack.bind(me) as Loose;
  const sink = { write: (_s: string) => {} };
  const calls: [string, () => unknown][] = [
    ["current_task(lop=loop)", () => currentTask({ lop: loop })],
    ["all_tasks(lop=loop)", () => allTasks({ lop: loop })],
    ["run_coroutine_threadsafe(lop=loop)", () => runCoroutineThreadsafe(null, { lop: loop })],
    ["run_coroutine_threadsafe()", () => runCoroutineThreadsafe(null)],
    ["get_stack(depth=1)", () => getStack({ depth: 1 })],
    ["get_stack(5)", () => getStack(5)],
    ["get_stack(limit=1, file=None)", () => getStack({ limit: 1, file: null })],
    ["print_stack(bogus=1)", () => printStack({ bogus: 1 })],
    ["print_stack(5)", () => printStack(5)],
    ["print_stack(limit=1, file=f, extra=1)", () => printStack({ limit: 1, file: sink, extra: 1 })],
  ];
  for (const [label, call] of calls) {
    try {
      call();
      print(label, "ok");
    } catch (e) {
      print(label, (e as Error).constructor.name, (e as Error).message);
    }
  }
  print("get_stack(limit=0)", `[${me.getStack({ limit: 0 }).join(", ")}]`);
}

const EXPECTED = [
  "current_task(loop=other) None",
  "all_tasks(loop=other) [True]",
  "all_tasks(loop=other) after 0",
  "outside current_task(loop=None) no running event loop",
  "current_task(None) True",
  "current_task(loop=loop) True",
  "current_task(loop=None) True",
  "all_tasks(None) 1",
  "all_tasks(loop=loop) 1",
  "all_tasks(loop=None) 1",
  "run_coroutine_threadsafe(loop=loop) done",
  "current_task(lop=loop) TypeError current_task() got an unexpected keyword argument 'lop'",
  "all_tasks(lop=loop) TypeError all_tasks() got an unexpected keyword argument 'lop'",
  "run_coroutine_threadsafe(lop=loop) TypeError run_coroutine_threadsafe() got an unexpected keyword argument 'lop'",
  "run_coroutine_threadsafe() TypeError run_coroutine_threadsafe() missing 1 required positional argument: 'loop'",
  "get_stack(depth=1) TypeError 'depth' is an invalid keyword argument for get_stack()",
  "get_stack(5) TypeError get_stack() takes no positional arguments",
  "get_stack(limit=1, file=None) TypeError get_stack() takes at most 1 keyword argument (2 given)",
  "print_stack(bogus=1) TypeError 'bogus' is an invalid keyword argument for print_stack()",
  "print_stack(5) TypeError print_stack() takes no positional arguments",
  "print_stack(limit=1, file=f, extra=1) TypeError print_stack() takes at most 2 keyword arguments (3 given)",
  "get_stack(limit=0) []",
];

test(
  "currentTask/allTasks/runCoroutineThreadsafe take { loop }; getStack/printStack check keywords",
  async () => {
    const out: string[] = [];
    const print = printer(out);
    const other = asyncio.newEventLoop();
    const t = other.createTask(asyncio.sleep(0));
    print("current_task(loop=other)", currentTask({ loop: other }));
    print(
      "all_tasks(loop=other)",
      `[${
        [...(allTasks({ loop: other }) as Set<unknown>)].map((x) => x === t ? "True" : "False")
      }]`,
    );
    await other.runUntilComplete(t);
    print("all_tasks(loop=other) after", (allTasks({ loop: other }) as Set<unknown>).size);
    other.close();
    try {
      currentTask({ loop: null });
    } catch (e) {
      print("outside current_task(loop=None)", (e as Error).message);
    }
    await asyncio.run(() => app(print));
    assertEquals(out, EXPECTED);
  },
  { timeout: 20 },
);

test("CPython prints the same for rp_tasks11_keyword_forms.py", () => {
  const ref = pythonReference("rp_tasks11_keyword_forms");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
