// The handle an exception handler gets for a failing callback is a Handle
// (a TimerHandle for callLater) whatever scheduled it: callSoon, a
// future's done callback, a timer, a reader. A done callback's used to be
// the library's internal entry, neither `instanceof asyncio.Handle` nor
// named so. Checked against CPython
// (tests/fixtures/py/rp_loopx_handler_handles.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { pyRepr } from "../lib/format.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  function fail(what: unknown): never {
    throw new asyncio.ValueError(`${what} failed`);
  }
  function handler(_loop: asyncio.AbstractEventLoop, context: Record<string, unknown>) {
    const h = context.handle as asyncio.Handle;
    print(context.message, "->", pyRepr(context.exception));
    print(
      "  ",
      h.constructor.name,
      h instanceof asyncio.Handle,
      h instanceof asyncio.TimerHandle,
      h.cancelled(),
      String(h).split(" when=")[0],
    );
  }
  async function main() {
    const loop = asyncio.getRunningLoop();
    loop.setExceptionHandler(handler as never);
    loop.callSoon(fail, "soon");
    await asyncio.sleep(0);
    const fut = loop.createFuture();
    fut.addDoneCallback(fail);
    fut.setResult(1);
    await asyncio.sleep(0);
    await asyncio.sleep(0);
    const cf = loop.createFuture();
    cf.addDoneCallback(fail);
    cf.cancel();
    await asyncio.sleep(0);
    await asyncio.sleep(0);
    loop.callLater(0.01, fail, "timer");
    await asyncio.sleep(0.03);
    const [a, b] = asyncio.socketpair();
    const onRead = () => {
      loop.removeReader(b);
      fail("reader");
    };
    loop.addReader(b, onRead);
    a.send(new Uint8Array([120]));
    await asyncio.sleep(0.03);
    a.close();
    b.close();
  }
  await asyncio.run(main);
}

const EXPECTED = [
  "Exception in callback fail('soon') -> ValueError('soon failed')",
  "   Handle True False False <Handle fail('soon')>",
  "Exception in callback fail(<Future finished result=1>) -> ValueError('<Future finished result=1> failed')",
  "   Handle True False False <Handle fail(<Future finished result=1>)>",
  "Exception in callback fail(<Future cancelled>) -> ValueError('<Future cancelled> failed')",
  "   Handle True False False <Handle fail(<Future cancelled>)>",
  "Exception in callback fail('timer') -> ValueError('timer failed')",
  "   TimerHandle True True False <TimerHandle",
  "Exception in callback None() -> ValueError('reader failed')",
  "   Handle True False True <Handle cancelled>",
];

test("an exception handler gets a Handle for every failing callback", async () => {
  const out: string[] = [];
  await app(printer(out));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_loopx_handler_handles.py", () => {
  const ref = pythonReference("rp_loopx_handler_handles");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
