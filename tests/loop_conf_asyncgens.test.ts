// loop.shutdownAsyncgens(): the async generators first iterated while the
// loop ran and left suspended are closed (asyncio.run() does it on its way
// out), checked against CPython's output for the same program
// (tests/fixtures/py/loop_asyncgens.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const EXPECTED = [
  "g: 1",
  "handler: ['asyncgen', 'exception', 'message'] an error occurred during closing of " +
  "asynchronous generator RuntimeError('aclose(): asynchronous generator is already running')",
  "after shutdown_asyncgens",
  "t: 2",
  "gated finally",
  "nothing left",
  "a: 0",
  "b: 0 1",
  "done: 0",
  "done finally",
  "s: 1",
  "main end",
  "a finally",
  "b finally",
  "handler: ['asyncgen', 'exception', 'message'] an error occurred during closing of " +
  "asynchronous generator RuntimeError('async generator ignored GeneratorExit')",
  "after run",
];

/** The port of loop_asyncgens.py, line for line. */
async function program(print: (...args: unknown[]) => void): Promise<void> {
  async function* ticker(name: string, n: number) {
    try {
      for (let i = 0; i < n; i++) {
        yield i;
        await asyncio.sleep(0);
      }
    } finally {
      print(name, "finally");
    }
  }
  async function* stubborn() {
    try {
      yield 1;
    } finally {
      yield 2;
    }
  }
  async function* gated(gate: asyncio.Future<unknown>) {
    try {
      yield 1;
      await gate;
      yield 2;
    } finally {
      print("gated finally");
    }
  }
  const handler = (_l: asyncio.AbstractEventLoop, ctx: asyncio.ExceptionContext) => {
    const keys = Object.keys(ctx).sort().map((k) => `'${k}'`).join(", ");
    const exc = ctx.exception as Error;
    print(
      "handler:",
      `[${keys}]`,
      (ctx.message as string).split(" <")[0],
      `${exc.constructor.name}('${exc.message}')`,
    );
  };

  async function runningOne() {
    const loop = asyncio.getRunningLoop();
    loop.setExceptionHandler(handler);
    const gate = loop.createFuture();
    const g = gated(gate);
    print("g:", (await g.next()).value);
    const t = asyncio.createTask(() => g.next());
    await asyncio.sleep(0);
    await loop.shutdownAsyncgens();
    print("after shutdown_asyncgens");
    gate.setResult(null);
    print("t:", (await t).value);
    await g.return(undefined);
    await loop.shutdownAsyncgens();
    print("nothing left");
  }

  async function leftOpen() {
    asyncio.getRunningLoop().setExceptionHandler(handler);
    const a = ticker("a", 5);
    print("a:", (await a.next()).value);
    const b = ticker("b", 5);
    print("b:", (await b.next()).value, (await b.next()).value);
    for await (const x of ticker("done", 1)) print("done:", x);
    const s = stubborn();
    print("s:", (await s.next()).value);
    print("main end");
    return [a, b, s]; // kept alive: closed by run()'s shutdownAsyncgens
  }

  await asyncio.run(runningOne);
  const kept = await asyncio.run(leftOpen);
  print("after run");
  void kept;
}

test(
  "shutdownAsyncgens closes the async generators left suspended; errors go to the handler with key asyncgen",
  async () => {
    const out: string[] = [];
    await program(printer(out));
    assertEquals(out, EXPECTED);
  },
  { timeout: 10 },
);

test(
  "async generators iterated outside a running loop are not tracked; a collected one is not kept",
  async () => {
    const out: string[] = [];
    async function* gen(name: string) {
      try {
        yield 1;
      } finally {
        out.push(`${name} finally`);
      }
    }
    const outside = gen("outside");
    await outside.next();
    const loop = asyncio.newEventLoop();
    try {
      await loop.runUntilComplete(loop.shutdownAsyncgens());
      assertEquals(out, []);
      // Many generators iterated and finished inside the loop: the tracking
      // set is swept as it grows, and a finished one closes as a no-op.
      await loop.runUntilComplete(async () => {
        for (let i = 0; i < 500; i++) for await (const _ of gen("x")) break;
      });
      out.length = 0;
      await loop.runUntilComplete(loop.shutdownAsyncgens());
      assertEquals(out, []);
    } finally {
      loop.close();
    }
    await outside.return(undefined);
    assertEquals(out, ["outside finally"]);
  },
  { timeout: 10 },
);

test("CPython prints the same for loop_asyncgens.py", () => {
  const ref = pythonReference("loop_asyncgens");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, `${ref.python} loop_asyncgens.py`);
}, { fdCheck: false, timeout: 60 });
