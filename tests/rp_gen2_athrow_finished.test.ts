// `throw()` of an async generator that has finished (closed by `return()`,
// run to its end, or ended by an exception) resolves to `{done: true}`, as
// Python's `athrow()` returns None, where JS rejects with the error; of a
// suspended one it raises into the generator. Checked against CPython
// (tests/fixtures/py/rp_gen2_athrow_finished.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  async function* counter(n: number) {
    try {
      for (let i = 0; i < n; i++) yield i;
    } finally {
      print("counter finally", n);
    }
  }
  async function* broken() {
    throw new asyncio.KeyError("at start");
    // deno-lint-ignore no-unreachable
    yield 0;
  }
  const live = counter(3);
  print((await live.next()).value);
  try {
    await live.throw(new asyncio.ValueError("into live"));
  } catch (e) {
    print("live raised", `${(e as Error).name}('${(e as Error).message}')`);
  }
  print("after athrow", (await live.throw(new asyncio.ValueError("again"))).value);
  const closed = counter(5);
  print((await closed.next()).value);
  await closed.return(undefined);
  print("closed", (await closed.throw(new asyncio.ValueError("late"))).value);
  const done = counter(2);
  const items: number[] = [];
  for await (const x of done) items.push(x);
  print(`[${items.join(", ")}]`);
  print("exhausted", (await done.throw(new asyncio.RuntimeError("late"))).value);
  const b = broken();
  try {
    await b.next();
  } catch (e) {
    print("broken raised", `${(e as Error).name}('${(e as Error).message}')`);
  }
  print("broken", (await b.throw(new asyncio.ValueError("late"))).value);
  if ((await b.next()).done) print("broken is exhausted");
}

const EXPECTED = [
  "0",
  "counter finally 3",
  "live raised ValueError('into live')",
  "after athrow None",
  "0",
  "counter finally 5",
  "closed None",
  "counter finally 2",
  "[0, 1]",
  "exhausted None",
  "broken raised KeyError('at start')",
  "broken None",
  "broken is exhausted",
];

test("throw() of a finished async generator resolves done, as athrow() returns None", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_gen2_athrow_finished.py", () => {
  const ref = pythonReference("rp_gen2_athrow_finished");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
