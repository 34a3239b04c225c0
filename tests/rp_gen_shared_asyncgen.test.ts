// An async generator shared by two tasks: while one task's next() runs it,
// Python refuses the other's anext()/aclose()/athrow() with a RuntimeError
// (`asynchronous generator is already running`). JS queued the second call
// behind the first, so both workers of a shared `async for` took items.
// Checked against CPython (tests/fixtures/py/rp_gen_shared_asyncgen.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  async function* numbers(n: number) {
    try {
      for (let i = 0; i < n; i++) {
        await asyncio.sleep(0.01);
        yield i;
      }
    } finally {
      print("numbers finally");
    }
  }
  async function worker(name: string, gen: AsyncGenerator<number>) {
    try {
      for await (const x of gen) print(name, "got", x);
    } catch (e) {
      if (!(e instanceof asyncio.RuntimeError)) throw e;
      print(name, "RuntimeError", e.message);
    }
  }
  let gen = numbers(3);
  await asyncio.gather(() => worker("a", gen), () => worker("b", gen));
  print("after gather");
  gen = numbers(3);
  const first = asyncio.createTask(() => gen.next());
  await asyncio.sleep(0);
  const calls: [string, () => Promise<unknown>][] = [
    ["aclose", () => gen.return(undefined)],
    ["athrow", () => gen.throw(new asyncio.ValueError("x"))],
  ];
  for (const [what, call] of calls) {
    try {
      await call();
    } catch (e) {
      if (!(e instanceof asyncio.RuntimeError)) throw e;
      print(what, "RuntimeError", e.message);
    }
  }
  print("first", (await first).value);
  print("next", (await gen.next()).value);
  await gen.return(undefined);
  print("closed");
}

const EXPECTED = [
  "b RuntimeError anext(): asynchronous generator is already running",
  "a got 0",
  "a got 1",
  "a got 2",
  "numbers finally",
  "after gather",
  "aclose RuntimeError aclose(): asynchronous generator is already running",
  "athrow RuntimeError athrow(): asynchronous generator is already running",
  "first 0",
  "next 1",
  "numbers finally",
  "closed",
];

test("a running async generator refuses a second task's next()", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_gen_shared_asyncgen.py", () => {
  const ref = pythonReference("rp_gen_shared_asyncgen");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
