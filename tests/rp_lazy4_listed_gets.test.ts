// Gets made first and made into tasks later (`[q.get() for _ in ...]`, then
// one task each) take the items in the order the tasks were made, as in
// Python: each get acted at its call and is undone when its task is made,
// and the items go back in the order the gets took them.
// Checked against CPython (tests/fixtures/py/rp_lazy4_listed_gets.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

function list(xs: unknown[]): string {
  return `[${xs.map((x) => typeof x === "string" ? `'${x}'` : String(x)).join(", ")}]`;
}

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const q = new asyncio.Queue<string>();
  for (const x of "abcd") q.putNowait(x);
  let coros = [0, 1, 2].map(() => q.get());
  let tasks = coros.map((c) => asyncio.createTask(c));
  print("fifo made", q.qsize());
  await asyncio.sleep(0);
  print("fifo", list(tasks.map((t) => t.result())), String(q));

  for (const x of "efg") q.putNowait(x);
  coros = [0, 1, 2].map(() => q.get());
  tasks = [...coros].reverse().map((c) => asyncio.createTask(c));
  await asyncio.sleep(0);
  print("fifo reversed", list(tasks.map((t) => t.result())), String(q));

  const lq = new asyncio.LifoQueue<number>();
  for (let x = 0; x < 5; x++) lq.putNowait(x);
  const lcoros = [0, 1, 2].map(() => lq.get());
  const ltasks = lcoros.map((c) => asyncio.ensureFuture(c));
  await asyncio.sleep(0);
  print("lifo", list(ltasks.map((t) => t.result())), String(lq));

  for (const x of "hi") q.putNowait(x);
  coros = [q.get(), q.get()];
  const first = asyncio.createTask(coros[0]);
  await asyncio.sleep(0);
  const second = asyncio.createTask(coros[1]);
  await asyncio.sleep(0);
  print("one loop turn apart", first.result(), second.result(), q.qsize());
}

const EXPECTED = [
  "fifo made 4",
  "fifo ['a', 'b', 'c'] <Queue maxsize=0 _queue=['d'] tasks=4>",
  "fifo reversed ['d', 'e', 'f'] <Queue maxsize=0 _queue=['g'] tasks=7>",
  "lifo [4, 3, 2] <LifoQueue maxsize=0 _queue=[0, 1] tasks=5>",
  "one loop turn apart g h 1",
];

test("gets made into tasks later take the items in the order of their tasks", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_lazy4_listed_gets.py", () => {
  const ref = pythonReference("rp_lazy4_listed_gets");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
