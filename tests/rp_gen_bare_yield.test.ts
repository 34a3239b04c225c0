// Generator-based coroutines (API.md rule 9) in tasks: a bare `yield` gives
// up one loop iteration, as Python's Task takes it (sleep(0)), where the
// driver awaited `undefined`, a microtask, and ran each generator to its end
// at once; a yielded value that is not awaitable is Python's
// `RuntimeError: Task got bad yield: 42`, thrown into the generator, where
// it was sent back as if awaited.
// Checked against CPython (tests/fixtures/py/rp_gen_bare_yield.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  function* genWorker(name: string, n: number) {
    for (let i = 0; i < n; i++) {
      print(name, i);
      yield;
    }
    return name;
  }
  function* bad() {
    try {
      yield 42;
    } catch (e) {
      print("bad caught", (e as Error).message);
    }
    yield "x";
  }
  function* swallow() {
    try {
      yield asyncio.sleep(1);
    } catch (e) {
      if (!(e instanceof asyncio.CancelledError)) throw e;
      print("swallow caught cancel");
    }
    return "swallowed";
  }
  const ts = ["a", "b"].map((n) => asyncio.createTask(genWorker(n, 3)));
  const t3 = asyncio.createTask(genWorker("c", 2));
  for (let i = 0; i < 4; i++) {
    print("main", i);
    await asyncio.sleep(0);
  }
  print(`[${[...ts, t3].map((t) => t.done() ? "True" : "False").join(", ")}]`);
  const names = await asyncio.gather(...ts, t3);
  print(`[${names.map((n) => `'${n}'`).join(", ")}]`);
  const b = asyncio.createTask(bad());
  try {
    await b;
  } catch (e) {
    if (!(e instanceof asyncio.RuntimeError)) throw e;
    print("RuntimeError", e.message);
  }
  const s = asyncio.createTask(swallow());
  await asyncio.sleep(0);
  s.cancel();
  print(await s, s.cancelled());
}

const EXPECTED = [
  "main 0",
  "a 0",
  "b 0",
  "c 0",
  "main 1",
  "a 1",
  "b 1",
  "c 1",
  "main 2",
  "a 2",
  "b 2",
  "main 3",
  "[True, True, True]",
  "['a', 'b', 'c']",
  "bad caught Task got bad yield: 42",
  "RuntimeError Task got bad yield: 'x'",
  "swallow caught cancel",
  "swallowed False",
];

test("a generator's bare yield is one loop iteration; a bad yield is an error", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_gen_bare_yield.py", () => {
  const ref = pythonReference("rp_gen_bare_yield");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
