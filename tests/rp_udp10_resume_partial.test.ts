// A datagram transport whose queue drains one datagram at a time (a Unix
// peer with a full receive queue, read one datagram at a time) resumes the
// protocol once the queue is down to the low-water mark, as Python's
// _sendto_ready does after a send that would block; the library resumed it
// only once the queue was empty. A datagram that resumeWriting() queues
// because the socket would block is still sent when the peer reads again
// (the writer was removed under it). Checked against CPython
// (tests/fixtures/py/rp_udp10_resume_partial.py).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const fill = (c: string, n: number) => new TextEncoder().encode(c.repeat(n));
const bytes = (b: Uint8Array) => `b'${new TextDecoder().decode(b)}'`;

async function app(print: (...args: unknown[]) => void, d: string): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const path = join(d, "r");
  const rsock = asyncio.socket(asyncio.AF_UNIX, asyncio.SOCK_DGRAM);
  rsock.bind(path);
  rsock.setblocking(false);

  class W extends asyncio.DatagramProtocol {
    late: Uint8Array | null = null;
    t!: asyncio.SelectorDatagramTransport;
    override connectionMade(t: asyncio.BaseTransport): void {
      this.t = t as asyncio.SelectorDatagramTransport;
    }
    override pauseWriting(): void {
      print("pause_writing", this.t.getWriteBufferSize());
    }
    override resumeWriting(): void {
      print("resume_writing", this.t.getWriteBufferSize());
      if (this.late !== null) {
        this.t.sendto(this.late);
        print("queued", bytes(this.late), this.t.getWriteBufferSize());
      }
    }
    override connectionLost(exc: Error | null): void {
      print("lost", exc);
    }
  }

  const [w, p] = await loop.createDatagramEndpoint(() => new W(), {
    remoteAddr: path,
    family: asyncio.AF_UNIX,
  });
  w.setWriteBufferLimits({ high: 300, low: 200 });
  // Fill the peer's queue until the transport has to keep one.
  let kernel = 0;
  while (w.getWriteBufferSize() === 0 && kernel < 1000) {
    w.sendto(fill("k", 100));
    kernel++;
  }
  for (const c of "abcd") w.sendto(fill(c, 100));
  print("queued", w.getWriteBufferSize());

  const readOne = async () => {
    const size = w.getWriteBufferSize();
    const data = await loop.sockRecv(rsock, 1000);
    for (let i = 0; i < 200 && w.getWriteBufferSize() === size; i++) await asyncio.sleep(0.001);
    return data;
  };
  for (let i = 0; i < 4; i++) {
    await readOne();
    print("after one read", w.getWriteBufferSize());
  }
  // Now resume only when empty, and send one more from resumeWriting().
  p.late = new TextEncoder().encode("late");
  w.setWriteBufferLimits({ high: 50, low: 0 });
  for (let i = 0; i < 2; i++) {
    await readOne();
    print("after one read", w.getWriteBufferSize());
  }
  let rest = "";
  for (let i = 0; i < kernel + 10; i++) {
    const data = await asyncio.waitFor(loop.sockRecv(rsock, 1000), 2);
    rest += String.fromCharCode(data[0]);
    if (bytes(data) === "b'late'") break;
  }
  print("rest", rest.replace(/k+/g, "k..."));
  print("bufsize", w.getWriteBufferSize());
  w.close();
  await asyncio.sleep(0);
  rsock.close();
}

const EXPECTED = [
  "pause_writing 400",
  "queued 500",
  "after one read 400",
  "after one read 300",
  "resume_writing 200",
  "after one read 200",
  "after one read 100",
  "pause_writing 100",
  "resume_writing 0",
  "queued b'late' 4",
  "after one read 4",
  "after one read 0",
  "rest k...abcdl",
  "bufsize 0",
  "lost None",
];

test("datagram transport resumes writing at the low-water mark while draining", async () => {
  const out: string[] = [];
  const d = mkdtempSync(join(tmpdir(), "rp-udp10-"));
  try {
    await asyncio.run(() => app(printer(out), d));
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_udp10_resume_partial.py", () => {
  const ref = pythonReference("rp_udp10_resume_partial");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
