// abort() on a datagram transport with datagrams queued drops them, but
// getWriteBufferSize() (and the repr's bufsize) still counts them, as in
// CPython 3.11; close() waits for the queue to drain. Checked against
// CPython (tests/fixtures/py/rp_udp8_abort_bufsize.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { pyRepr } from "../lib/format.ts";
import * as asyncio from "../mod.ts";
import { mkdtempSync, rmdirSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  class Sender extends asyncio.DatagramProtocol {
    t!: asyncio.SelectorDatagramTransport;
    constructor(readonly tag: string) {
      super();
    }
    override connectionMade(t: asyncio.SelectorDatagramTransport): void {
      this.t = t;
    }
    override connectionLost(exc: Error | null): void {
      print(this.tag, "lost", exc, this.t.getWriteBufferSize());
    }
  }
  // A Unix datagram peer that does not read: the kernel queue fills up.
  const fill = (t: asyncio.SelectorDatagramTransport) => {
    while (t.getWriteBufferSize() === 0) t.sendto(new Uint8Array(1000).fill(120));
    for (let i = 0; i < 3; i++) t.sendto(new Uint8Array(500).fill(65 + i));
  };
  const mask = (t: unknown) => String(t).replace(/fd=\d+/g, "fd=N");
  const loop = asyncio.getRunningLoop();
  const d = mkdtempSync(join(tmpdir(), "rp_udp8_"));
  const path = join(d, "rx.sock");
  const r = asyncio.socket(asyncio.AF_UNIX, asyncio.SOCK_DGRAM);
  r.bind(path);
  r.setblocking(false);
  try {
    const [t] = await loop.createDatagramEndpoint(() => new Sender("abort"), {
      family: asyncio.AF_UNIX,
      remoteAddr: path,
    });
    fill(t);
    print("queued", t.getWriteBufferSize());
    t.abort();
    print("aborted", t.isClosing(), t.getWriteBufferSize());
    print(mask(t));
    await asyncio.sleep(0.01);
    print(mask(t));
    // Drain what the kernel holds, then close() with a queue: it is sent first.
    while (true) {
      try {
        r.recv(4096);
      } catch (e) {
        if (e instanceof asyncio.BlockingIOError) break;
        throw e;
      }
    }
    const [t2] = await loop.createDatagramEndpoint(() => new Sender("close"), {
      family: asyncio.AF_UNIX,
      remoteAddr: path,
    });
    fill(t2);
    t2.close();
    print("closing", t2.getWriteBufferSize());
    const got: Uint8Array[] = [];
    while (got.length < 3 || got.at(-1)![0] !== 67) got.push(await loop.sockRecv(r, 4096));
    print("last three", pyRepr(got.slice(-3).map((g) => g.slice(0, 1))));
    await asyncio.sleep(0.01);
  } finally {
    r.close();
    unlinkSync(path);
    rmdirSync(d);
  }
}

const EXPECTED = [
  "queued 2500",
  "aborted True 2500",
  "<_SelectorDatagramTransport closing fd=N read=idle write=<idle, bufsize=2500>>",
  "abort lost None 2500",
  "<_SelectorDatagramTransport closed fd=N>",
  "closing 2500",
  "close lost None 0",
  "last three [b'A', b'B', b'C']",
];

test("datagram abort() keeps the dropped datagrams in getWriteBufferSize()", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_udp8_abort_bufsize.py", () => {
  const ref = pythonReference("rp_udp8_abort_bufsize");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
