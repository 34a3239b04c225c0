// asCompleted() starts at the first step of its iteration, as Python
// 3.11's as_completed (a generator) does: only then are the awaitables
// checked and wrapped in tasks and the timeout counted; an iterated one is
// exhausted; bad input fails at that step. Checked against CPython.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function lazyAsCompleted(print: (...args: unknown[]) => void): Promise<void> {
  const work = async (name: string, delay: number) => {
    await asyncio.sleep(delay);
    return name;
  };
  const firstStep = (label: string, it: Iterable<unknown>) => {
    try {
      const r = it[Symbol.iterator]().next();
      if (r.done) print(label, "StopIteration", "");
      else print(label, "OK");
    } catch (e) {
      print(label, (e as Error).name, (e as Error).message);
    }
  };
  const it = asyncio.asCompleted([() => work("a", 0.02), () => work("b", 0.01)]);
  print("tasks before iterating", asyncio.allTasks().size);
  await asyncio.sleep(0.05);
  for (const f of it) print("got", await f);
  print("tasks after", asyncio.allTasks().size);
  // The timeout counts from the first step: the task ends 0.6 s from now,
  // the timeout 0.4 s after the iteration starts, 0.3 s from now.
  const slow = asyncio.createTask(() => work("slow", 0.6));
  const slowIt = asyncio.asCompleted([slow], { timeout: 0.4 });
  await asyncio.sleep(0.3);
  for (const f of slowIt) print("got", await f);
  print("again", `[${[...it].join(", ")}]`);
  const bad = asyncio.asCompleted(5 as never);
  print("made from 5");
  firstStep("as_completed(5)", bad);
  print("after the error", `[${[...bad].join(", ")}]`);
  const fut = asyncio.getRunningLoop().createFuture();
  firstStep("as_completed(future)", asyncio.asCompleted(fut as never));
  firstStep("as_completed([], timeout='x')", asyncio.asCompleted([], { timeout: "x" as never }));
  firstStep(
    "as_completed([fut], timeout='x')",
    asyncio.asCompleted([fut], { timeout: "x" as never }),
  );
  fut.cancel();
}

const EXPECTED = [
  "tasks before iterating 1",
  "got b",
  "got a",
  "tasks after 1",
  "got slow",
  "again []",
  "made from 5",
  "as_completed(5) TypeError 'int' object is not iterable",
  "after the error []",
  "as_completed(future) TypeError expect an iterable of futures, not Future",
  "as_completed([], timeout='x') StopIteration ",
  "as_completed([fut], timeout='x') TypeError unsupported operand type(s) for +: 'float' and 'str'",
];

test(
  "asCompleted starts at the first step of its iteration, as Python 3.11's generator",
  async () => {
    const out: string[] = [];
    await asyncio.run(() => lazyAsCompleted(printer(out)));
    assertEquals(out, EXPECTED);
  },
  { timeout: 20 },
);

test("CPython prints the same for sw_fun_as_completed_lazy.py", () => {
  const ref = pythonReference("sw_fun_as_completed_lazy");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
