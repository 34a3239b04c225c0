// The task functions' options: a key they do not take is Python's
// TypeError naming it (as_completed has had no loop= since 3.10), and
// wrapFuture asserts, in Python's words, that it is given a future.
// Checked against CPython.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function badArgs(print: (...args: unknown[]) => void): Promise<void> {
  const kase = (label: string, f: () => unknown) => {
    try {
      f();
      print(label, "OK");
    } catch (e) {
      print(label, (e as Error).name, (e as Error).message);
    }
  };
  const loop = asyncio.getRunningLoop();
  const fut = loop.createFuture();
  kase("as_completed(loop=)", () => asyncio.asCompleted([fut], { loop } as never));
  kase("as_completed(timeout=None)", () => asyncio.asCompleted([fut], { timeout: null }));
  kase("ensure_future(name=)", () => asyncio.ensureFuture(fut, { name: "x" } as never));
  kase("ensure_future(loop=)", () => asyncio.ensureFuture(fut, { loop }));
  kase("wrap_future(5)", () => asyncio.wrapFuture(5 as never));
  kase("wrap_future(None)", () => asyncio.wrapFuture(null as never));
  kase("wrap_future(fut, loop=)", () => asyncio.wrapFuture(fut, { loop }));
  kase("wrap_future(fut, timeout=)", () => asyncio.wrapFuture(fut, { timeout: 1 } as never));
  fut.cancel();
}

const EXPECTED = [
  "as_completed(loop=) TypeError as_completed() got an unexpected keyword argument 'loop'",
  "as_completed(timeout=None) OK",
  "ensure_future(name=) TypeError ensure_future() got an unexpected keyword argument 'name'",
  "ensure_future(loop=) OK",
  "wrap_future(5) AssertionError concurrent.futures.Future is expected, got 5",
  "wrap_future(None) AssertionError concurrent.futures.Future is expected, got None",
  "wrap_future(fut, loop=) OK",
  "wrap_future(fut, timeout=) TypeError wrap_future() got an unexpected keyword argument 'timeout'",
];

test(
  "asCompleted, ensureFuture and wrapFuture refuse what Python 3.11 refuses, in its words",
  async () => {
    const out: string[] = [];
    await asyncio.run(() => badArgs(printer(out)));
    assertEquals(out, EXPECTED);
  },
  { timeout: 20 },
);

test("CPython prints the same for sw_fun_bad_args.py", () => {
  const ref = pythonReference("sw_fun_bad_args");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
