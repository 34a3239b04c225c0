// A write pipe transport resumes its protocol only once its buffer is empty,
// as Python 3.11's _UnixWritePipeTransport._write_ready does; the library
// resumed it as soon as the buffer fell to the low-water mark, as a socket
// transport does, so resumeWriting() saw bytes still buffered (a subprocess
// stdin's drain() woke early). Checked against CPython
// (tests/fixtures/py/rp_proto11_pipe_resume_empty.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

type Print = (...args: unknown[]) => void;

class Writer extends asyncio.Protocol {
  paused: asyncio.Future<null>;
  resumed: asyncio.Future<null>;
  lost: asyncio.Future<null>;
  transport!: asyncio.WriteTransport;
  constructor(loop: asyncio.AbstractEventLoop, readonly print: Print) {
    super();
    this.paused = loop.createFuture();
    this.resumed = loop.createFuture();
    this.lost = loop.createFuture();
  }
  override connectionMade(transport: asyncio.BaseTransport): void {
    this.transport = transport as asyncio.WriteTransport;
  }
  override pauseWriting(): void {
    const t = this.transport;
    this.print(
      "pause_writing, buffered over high:",
      t.getWriteBufferSize() > t.getWriteBufferLimits()[1],
    );
    this.paused.setResult(null);
  }
  override resumeWriting(): void {
    this.print("resume_writing, buffered", this.transport.getWriteBufferSize());
    this.resumed.setResult(null);
  }
  override connectionLost(exc: Error | null): void {
    this.print("writer lost", exc);
    this.lost.setResult(null);
  }
}

class Reader extends asyncio.Protocol {
  n = 0;
  lost: asyncio.Future<null>;
  constructor(loop: asyncio.AbstractEventLoop) {
    super();
    this.lost = loop.createFuture();
  }
  override dataReceived(data: Uint8Array): void {
    this.n += data.length;
  }
  override connectionLost(): void {
    this.lost.setResult(null);
  }
}

async function app(print: Print): Promise<void> {
  const loop = asyncio.getRunningLoop();
  for (const limits of [null, [100_000, 50_000], [40_000, 30_000]]) {
    const [rfd, wfd] = asyncio.pipe();
    const [wt, wp] = await loop.connectWritePipe(() => new Writer(loop, print), wfd);
    const [rt, rp] = await loop.connectReadPipe(() => new Reader(loop), rfd);
    rt.pauseReading();
    if (limits !== null) wt.setWriteBufferLimits(limits[0], limits[1]);
    const [low, high] = wt.getWriteBufferLimits();
    print("limits", `(${low}, ${high})`);
    wt.write(new Uint8Array(300_000).fill(97));
    await wp.paused;
    await asyncio.sleep(0.05);
    print("still paused:", !wp.resumed.done());
    rt.resumeReading();
    await wp.resumed;
    wt.close();
    await wp.lost;
    await rp.lost;
    print("reader got", rp.n);
  }
}

const EXPECTED = [
  "limits (16384, 65536)",
  "pause_writing, buffered over high: True",
  "still paused: True",
  "resume_writing, buffered 0",
  "writer lost None",
  "reader got 300000",
  "limits (50000, 100000)",
  "pause_writing, buffered over high: True",
  "still paused: True",
  "resume_writing, buffered 0",
  "writer lost None",
  "reader got 300000",
  "limits (30000, 40000)",
  "pause_writing, buffered over high: True",
  "still paused: True",
  "resume_writing, buffered 0",
  "writer lost None",
  "reader got 300000",
];

test("a write pipe resumes its protocol only once the buffer is empty", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_proto11_pipe_resume_empty.py", () => {
  const ref = pythonReference("rp_proto11_pipe_resume_empty");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
