// A task factory that forwards its options (Python's `**kwargs`) to the
// Task it makes: 3.11's create_task hands it the context alone, and only
// when given, then names the task, so the factory sees an unnamed Task-N;
// ours handed it the name, so it printed `a ['name']`.
// Checked against CPython (tests/fixtures/py/rp_tasks2_factory_kwargs.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const made: asyncio.Task<unknown>[] = [];
  const factory: asyncio.TaskFactory = (loop, coro, kwargs = {}) => {
    const t = new asyncio.Task(coro as asyncio.CoroutineLike<unknown>, {
      loop: loop as asyncio.BaseEventLoop,
      ...kwargs,
    });
    made.push(t);
    print(
      "factory made",
      t.getName(),
      `[${Object.keys(kwargs).sort().map((k) => `'${k}'`).join(", ")}]`,
    );
    return t;
  };
  async function work(x: string): Promise<string> {
    await asyncio.sleep(0);
    return x;
  }
  const loop = asyncio.getRunningLoop();
  loop.setTaskFactory(factory);
  const a = asyncio.createTask(() => work("a"), { name: "a" });
  const b = loop.createTask<string>(() => work("b"), { name: "b" });
  const c = asyncio.createTask(() => work("c"), { name: "c", context: asyncio.copyContext() });
  let d!: asyncio.Task<string>;
  await new asyncio.TaskGroup().run((tg) => {
    d = tg.createTask(() => work("d"), { name: "d" });
  });
  const e = asyncio.createTask(() => work("e"));
  print("names", `[${[a, b, c, d, e].map((t) => `'${t.getName()}'`).join(", ")}]`);
  const results = await asyncio.gather(a, b, c, e);
  print("results", `[${results.map((r) => `'${r}'`).join(", ")}]`, d.result());
  loop.setTaskFactory(null);
  print("after", asyncio.createTask(() => work("f")).getName());
}

const EXPECTED = [
  "factory made Task-2 []",
  "factory made Task-3 []",
  "factory made Task-4 ['context']",
  "factory made Task-5 []",
  "factory made Task-6 []",
  "names ['a', 'b', 'c', 'd', 'Task-6']",
  "results ['a', 'b', 'c', 'e'] d",
  "after Task-7",
];

test("a task factory is handed the context alone, and names come after", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_tasks2_factory_kwargs.py", () => {
  const ref = pythonReference("rp_tasks2_factory_kwargs");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
