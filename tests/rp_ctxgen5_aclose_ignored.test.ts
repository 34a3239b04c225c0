// `return()` (Python's `aclose()`) of an async generator that yields again
// from its `finally` rejects with `RuntimeError: async generator ignored
// GeneratorExit`, as in Python (JS resolved to the yielded value), and so
// does shutdownAsyncgens' close of one left so at `run()`'s end.
// Checked against CPython (tests/fixtures/py/rp_ctxgen5_aclose_ignored.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const held: AsyncGenerator[] = [];

async function app(print: (...args: unknown[]) => void): Promise<void> {
  async function* stubborn(tag: string) {
    try {
      yield 1;
    } finally {
      print(tag, "finally yields");
      yield 2;
      print(tag, "after second yield");
    }
  }
  async function* polite(tag: string) {
    try {
      yield 1;
    } finally {
      print(tag, "finally");
    }
  }
  async function main() {
    const g = stubborn("explicit");
    print((await g.next()).value);
    try {
      await g.return(undefined);
    } catch (e) {
      print("aclose:", (e as Error).constructor.name, (e as Error).message);
    }
    const p = polite("polite");
    print((await p.next()).value);
    print("aclose returned", (await p.return(undefined)).value);
    const h = stubborn("leftover");
    print((await h.next()).value);
    held.push(h);
    print("main end");
  }
  function handler(_loop: unknown, ctx: Record<string, unknown>) {
    const exc = ctx.exception as Error;
    print("handler:", String(ctx.message).split(" <")[0], exc.constructor.name, exc.message);
  }
  await asyncio.run(async () => {
    asyncio.getRunningLoop().setExceptionHandler(handler);
    await main();
  });
  print("done");
}

const EXPECTED = [
  "1",
  "explicit finally yields",
  "aclose: RuntimeError async generator ignored GeneratorExit",
  "1",
  "polite finally",
  "aclose returned None",
  "1",
  "main end",
  "leftover finally yields",
  "handler: an error occurred during closing of asynchronous generator RuntimeError " +
  "async generator ignored GeneratorExit",
  "done",
];

test("return() of an async generator that yields again is Python's aclose() error", async () => {
  const out: string[] = [];
  await app(printer(out));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_ctxgen5_aclose_ignored.py", () => {
  const ref = pythonReference("rp_ctxgen5_aclose_ignored");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
