// connectReadPipe / connectWritePipe transport reprs, checked against
// CPython: `polling` / `idle` is read from the loop's selector, so the read
// pipe is `idle` in connectionMade, before its reader is added.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";
import { C, sys } from "../ffi/mod.ts";

const dec = new TextDecoder();

function mask(t: unknown): string {
  return String(t).replace(/fd=\d+/g, "fd=N");
}

function osPipe(): [number, number] {
  const fds = sys().pipe2(C.O_CLOEXEC);
  if (typeof fds === "number") throw new asyncio.OSError(-fds);
  return fds;
}

async function pipeReprs(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const [rfd, wfd] = osPipe();
  const done = loop.createFuture<null>();
  class Reader extends asyncio.Protocol {
    override connectionMade(transport: asyncio.BaseTransport) {
      print("read made:", mask(transport));
    }
    override dataReceived(data: Uint8Array) {
      print("data:", `b'${dec.decode(data)}'`);
    }
    override eofReceived() {
      print("eof");
    }
    override connectionLost(exc: Error | null) {
      print("read lost:", exc);
      done.setResult(null);
    }
  }
  class Writer extends asyncio.BaseProtocol {
    override connectionMade(transport: asyncio.BaseTransport) {
      print("write made:", mask(transport));
    }
    override connectionLost(exc: Error | null) {
      print("write lost:", exc);
    }
  }
  const [rt] = await loop.connectReadPipe(() => new Reader(), rfd);
  const [wt] = await loop.connectWritePipe(() => new Writer(), wfd);
  print(mask(rt), mask(wt));
  rt.pauseReading();
  print("paused:", mask(rt));
  wt.write(new TextEncoder().encode("hello"));
  await asyncio.sleep(0.05);
  rt.resumeReading();
  print("resumed:", mask(rt));
  await asyncio.sleep(0.05);
  wt.close();
  print("closing:", mask(wt));
  await done;
  print(mask(rt), mask(wt));
}

const EXPECTED = [
  "read made: <_UnixReadPipeTransport fd=N idle>",
  "write made: <_UnixWritePipeTransport fd=N idle bufsize=0>",
  "<_UnixReadPipeTransport fd=N polling> <_UnixWritePipeTransport fd=N idle bufsize=0>",
  "paused: <_UnixReadPipeTransport fd=N idle>",
  "resumed: <_UnixReadPipeTransport fd=N polling>",
  "data: b'hello'",
  "closing: <_UnixWritePipeTransport closing fd=N idle bufsize=0>",
  "write lost: None",
  "eof",
  "read lost: None",
  "<_UnixReadPipeTransport closed fd=N closed> <_UnixWritePipeTransport closed fd=N closed>",
];

test("pipe transport reprs say polling only while the selector watches the fd", async () => {
  const out: string[] = [];
  await asyncio.run(() => pipeReprs(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for subprocess_pipe_repr.py", () => {
  const ref = pythonReference("subprocess_pipe_repr");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
