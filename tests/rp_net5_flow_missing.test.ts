// A protocol object that is not a Protocol subclass and lacks
// pauseWriting/resumeWriting: the transport's flow control reports
// Python's AttributeError ("'NoFlow' object has no attribute
// 'pause_writing'") to the exception handler. The library called the
// missing method, so the handler saw each runtime's own TypeError
// ("protocol[method] is not a function").
// Checked against CPython (tests/fixtures/py/rp_net5_flow_missing.py).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

class NoFlow {
  constructor(readonly log: string[]) {}
  connectionMade(): void {
    this.log.push("made");
  }
  dataReceived(): void {}
  connectionLost(exc: Error | null): void {
    this.log.push(`lost ${exc === null ? "None" : exc.name}`);
  }
}

/** Reads what `sock` has, without blocking. */
function drain(sock: asyncio.Socket, n: number): void {
  try {
    for (;;) if (sock.recv(n).length === 0) return;
  } catch (e) {
    if (!(e instanceof asyncio.BlockingIOError)) throw e;
  }
}

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const log: string[] = [];
  loop.setExceptionHandler((_loop, ctx) => {
    const exc = ctx.exception as Error;
    log.push(`${ctx.message} | ${exc.constructor.name}: ${exc.message}`);
  });
  const d = mkdtempSync(join(tmpdir(), "net5-"));
  try {
    const path = join(d, "peer");
    const peer = asyncio.socket(asyncio.AF_UNIX, asyncio.SOCK_DGRAM);
    peer.bind(path);
    peer.setblocking(false);
    const [t] = await loop.createDatagramEndpoint(() => new NoFlow(log) as never, {
      remoteAddr: path,
      family: asyncio.AF_UNIX,
    });
    t.setWriteBufferLimits(1000);
    while (t.getWriteBufferSize() === 0) t.sendto(new Uint8Array(100));
    for (let i = 0; i < 20; i++) t.sendto(new Uint8Array(100));
    print("datagram buffered", t.getWriteBufferSize() > 1000);
    log.push("draining");
    for (let i = 0; i < 5; i++) {
      drain(peer, 200);
      await asyncio.sleep(0.02);
    }
    print("datagram buffer", t.getWriteBufferSize());
    t.close();
    peer.close();
  } finally {
    rmSync(d, { recursive: true, force: true });
  }

  const [a, b] = asyncio.socketpair();
  const [t] = await loop.connectAcceptedSocket(() => new NoFlow(log) as never, a);
  t.setWriteBufferLimits(0);
  t.write(new Uint8Array(4 * 1024 * 1024));
  print("stream buffered", t.getWriteBufferSize() > 0);
  log.push("draining");
  b.setblocking(false);
  while (t.getWriteBufferSize() > 0) {
    drain(b, 65536);
    await asyncio.sleep(0.01);
  }
  print("stream buffer", t.getWriteBufferSize());
  t.close();
  await asyncio.sleep(0.01);
  b.close();
  for (const line of log) print(line);
}

const EXPECTED = [
  "datagram buffered True",
  "datagram buffer 0",
  "stream buffered True",
  "stream buffer 0",
  "made",
  "protocol.pause_writing() failed | AttributeError: 'NoFlow' object has no attribute 'pause_writing'",
  "draining",
  "protocol.resume_writing() failed | AttributeError: 'NoFlow' object has no attribute 'resume_writing'",
  "lost None",
  "made",
  "protocol.pause_writing() failed | AttributeError: 'NoFlow' object has no attribute 'pause_writing'",
  "draining",
  "protocol.resume_writing() failed | AttributeError: 'NoFlow' object has no attribute 'resume_writing'",
  "lost None",
];

test("a protocol without pauseWriting/resumeWriting gets Python's AttributeError", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_net5_flow_missing.py", () => {
  const ref = pythonReference("rp_net5_flow_missing");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
