// A task name that is not a string is made one as Python's str() makes it:
// an array is a ported tuple (API.md rule 6) and a plain object a dict, so
// `name=("worker", 2)` shows `('worker', 2)` where JS's String() gave
// `worker,2` (and `[object Object]` for a dict, `ValueError: bad name` for
// an error), in getName() and the repr.
// Checked against CPython (tests/fixtures/py/rp_tasks7_name_str.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { pyRepr } from "../lib/format.ts";
import * as asyncio from "../mod.ts";

async function job(): Promise<string> {
  await asyncio.sleep(0);
  return "ok";
}

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const a = asyncio.createTask(job, { name: ["worker", 2] as unknown as string });
  const b = asyncio.createTask(job, { name: true as unknown as string });
  print(pyRepr(a.getName()), pyRepr(b.getName()));
  print(String(a).split(" coro=")[0]);
  a.setName(["solo"]);
  b.setName({ id: 7, tag: null });
  print(a.getName(), b.getName());
  a.setName(2.5);
  b.setName(false);
  print(a.getName(), b.getName());
  a.setName(new asyncio.ValueError("bad name"));
  b.setName(null);
  print(a.getName(), b.getName());
  await asyncio.gather(a, b);
  b.setName(["done", 0]);
  print(String(b).split(" coro=")[0]);
}

const EXPECTED = [
  `"('worker', 2)" 'True'`,
  `<Task pending name="('worker', 2)"`,
  "('solo',) {'id': 7, 'tag': None}",
  "2.5 False",
  "bad name None",
  `<Task finished name="('done', 0)"`,
];

test("task names that are not strings print as Python's str() of them", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_tasks7_name_str.py", () => {
  const ref = pythonReference("rp_tasks7_name_str");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
