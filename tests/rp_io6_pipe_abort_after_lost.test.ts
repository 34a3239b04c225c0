// A write pipe transport's abort() after its connectionLost() throws Python
// 3.11's AttributeError (its loop is None by then), and an abort() after
// close(), before connectionLost() ran, runs connectionLost() once and
// reports the second call's AttributeError to the exception handler.
// Checked against CPython (tests/fixtures/py/rp_io6_pipe_abort_after_lost.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  class WP extends asyncio.Protocol {
    override connectionLost(exc: Error | null): void {
      print("lost", exc === null ? null : exc.message);
    }
  }
  const loop = asyncio.getRunningLoop();
  loop.setExceptionHandler((_lp, ctx) => {
    const e = ctx.exception as Error;
    print("handler:", ctx.message, e.name, e.message);
  });
  const [r, w] = asyncio.pipe();
  const [wt] = await loop.connectWritePipe(() => new WP(), w);
  wt.close();
  wt.abort();
  print("abort after close ok", wt.isClosing());
  await asyncio.sleep(0.01);
  try {
    wt.abort();
  } catch (e) {
    const err = e as Error;
    print("abort after lost", err.name, err instanceof TypeError, err.message);
  }
  wt.close();
  wt.writeEof();
  print("close and write_eof after lost ok", wt.isClosing());

  const [r2, w2] = asyncio.pipe();
  const [wt2] = await loop.connectWritePipe(() => new WP(), w2);
  asyncio.closeFd(r2);
  wt2.write(new Uint8Array([120]));
  await asyncio.sleep(0.01);
  try {
    wt2.abort();
  } catch (e) {
    print("abort after broken pipe", (e as Error).name, (e as Error).message);
  }
  asyncio.closeFd(r);
}

const EXPECTED = [
  "abort after close ok True",
  "lost None",
  "handler: Exception in callback _UnixWritePipeTransport._call_connection_lost(None) AttributeError 'NoneType' object has no attribute 'close'",
  "abort after lost AttributeError True 'NoneType' object has no attribute '_remove_reader'",
  "close and write_eof after lost ok True",
  "lost [Errno 32] Broken pipe",
  "abort after broken pipe AttributeError 'NoneType' object has no attribute '_remove_reader'",
];

test("a write pipe's abort() after connectionLost() is Python's AttributeError", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_io6_pipe_abort_after_lost.py", () => {
  const ref = pythonReference("rp_io6_pipe_abort_after_lost");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
