// The loop's run methods passed alone as callbacks, as Python's bound
// methods: scheduled on the running loop itself they fail ("This event loop
// is already running") and the exception handler reports it; taken alone
// outside, they run the loop. They used to be read unbound, and as async
// methods they failed with a rejected promise that the handle dropped: the
// host's unhandled rejection ended the program. A callback's rejected
// promise now reaches the exception handler, as a thrown error does.
// Checked against CPython
// (tests/fixtures/py/rp_loop11_run_methods_as_callbacks.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { pyRepr } from "../lib/format.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.newEventLoop();
  loop.setExceptionHandler((_l, ctx) => {
    print("handler:", ctx.message, "|", pyRepr(ctx.exception ?? null));
  });
  loop.callSoon(loop.runForever);
  const f = loop.createFuture<number>();
  loop.callSoon(loop.runUntilComplete, f);
  loop.callLater(0.02, loop.stop);
  await loop.runForever();
  f.setResult(1);
  print("result", f.result(), loop.isRunning());
  const run = loop.runUntilComplete;
  print("bound run_until_complete", await run(asyncio.sleep(0, "slept")));
  loop.callSoon(loop.stop);
  const rf = loop.runForever;
  await rf();
  print("bound run_forever returned", loop.isRunning());
  loop.close();
}

const EXPECTED = [
  "handler: Exception in callback BaseEventLoop.run_forever() | RuntimeError('This event loop is already running')",
  "handler: Exception in callback BaseEventLoop.run_until_complete(<Future pending>) | RuntimeError('This event loop is already running')",
  "result 1 False",
  "bound run_until_complete slept",
  "bound run_forever returned False",
];

test("the run methods passed as callbacks fail as Python's", async () => {
  const out: string[] = [];
  await app(printer(out));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("an async callback's error reaches the exception handler, not the host", async () => {
  const seen: string[] = [];
  await asyncio.run(async () => {
    const loop = asyncio.getRunningLoop();
    loop.setExceptionHandler((_l, ctx) => seen.push(`${ctx.message} | ${pyRepr(ctx.exception)}`));
    async function fails(tag: string) {
      await asyncio.sleep(0);
      throw new asyncio.ValueError(tag);
    }
    loop.callSoon(fails, "soon");
    loop.callLater(0.001, fails, "later");
    loop.callSoon(async () => {}); // resolves: nothing to report
    await asyncio.sleep(0.02);
  });
  assertEquals(seen, [
    "Exception in callback fails('soon') | ValueError('soon')",
    "Exception in callback fails('later') | ValueError('later')",
  ]);
}, { timeout: 20 });

test("CPython prints the same for rp_loop11_run_methods_as_callbacks.py", () => {
  const ref = pythonReference("rp_loop11_run_methods_as_callbacks");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
