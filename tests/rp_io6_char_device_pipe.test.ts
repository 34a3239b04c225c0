// A write pipe transport over a character device (/dev/null, a terminal) is
// not watched for reading, as in Python: only pipes and sockets are. Epoll
// refuses /dev/null (an error in a callback), and a terminal turns readable
// when a key is typed, which would close the transport.
// Checked against CPython (tests/fixtures/py/rp_io6_char_device_pipe.py).
import { openSync } from "node:fs";
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  class P extends asyncio.Protocol {
    override connectionMade(t: asyncio.WriteTransport): void {
      print("made", t.getWriteBufferSize(), t.canWriteEof());
    }
    override connectionLost(exc: Error | null): void {
      print("lost", exc);
    }
  }
  // Both opened first: once the library has closed an fd behind Deno's
  // back, Deno's node:fs numbers no longer match the process's fds.
  const devNull = openSync("/dev/null", "w");
  const devZero = openSync("/dev/zero", "w");
  const loop = asyncio.getRunningLoop();
  loop.setExceptionHandler((_lp, ctx) => print("handler:", ctx.message));
  const [t] = await loop.connectWritePipe(() => new P(), devNull);
  await asyncio.sleep(0.02);
  const enc = new TextEncoder();
  t.write(enc.encode("discarded"));
  t.writeLines([enc.encode("a"), enc.encode("b")]);
  print("buffer", t.getWriteBufferSize(), t.isClosing());
  await asyncio.sleep(0.02);
  t.writeEof();
  print("closing", t.isClosing());
  await asyncio.sleep(0.02);
  const [t2] = await loop.connectWritePipe(() => new P(), devZero);
  await asyncio.sleep(0.02);
  t2.write(new Uint8Array(100000).fill(122));
  print("buffer", t2.getWriteBufferSize());
  t2.close();
  await asyncio.sleep(0.02);
  print("done");
}

const EXPECTED = [
  "made 0 True",
  "buffer 0 False",
  "closing True",
  "lost None",
  "made 0 True",
  "buffer 0",
  "lost None",
  "done",
];

test("a write pipe over a character device is not watched for reading", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_io6_char_device_pipe.py", () => {
  const ref = pythonReference("rp_io6_char_device_pipe");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
