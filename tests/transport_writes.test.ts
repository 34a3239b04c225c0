// The socket transport's write queue and read path under pressure: many
// writes in one loop iteration leave as gathered writes (writev) and arrive
// intact and in order; a writev the kernel takes only partly (small socket
// buffers, a slow reader) resumes mid-chunk; data handed to dataReceived
// stays valid after later reads (the reads share a slab); write() with
// nothing queued sends at once. Real sockets: a Unix socketpair and TCP on
// loopback.
import { runtime, test } from "./harness.ts";
import { assert, assertEquals } from "./assert.ts";
import * as asyncio from "../mod.ts";
import { C } from "../ffi/mod.ts";
import { socketpair } from "../lib/socket.ts";
import { joinBytes as concat } from "../lib/transports.ts";
import { loopKinds, withLoop } from "./util.ts";

/** Chunk i of a pattern: length 1..1499, bytes that depend on i and the offset. */
function chunk(i: number): Uint8Array {
  const n = 1 + ((i * 7919) % 1499);
  const b = new Uint8Array(n);
  for (let j = 0; j < n; j++) b[j] = (i * 31 + j) & 0xff;
  return b;
}

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

/** Keeps every chunk it receives as given (no copy), until EOF. */
class Collector extends asyncio.Protocol {
  chunks: Uint8Array[] = [];
  received = 0;
  done: asyncio.Future<void>;
  constructor(loop: asyncio.AbstractEventLoop) {
    super();
    this.done = loop.createFuture();
  }
  override dataReceived(data: Uint8Array): void {
    this.chunks.push(data);
    this.received += data.length;
  }
  override eofReceived(): boolean {
    if (!this.done.done()) this.done.setResult(undefined);
    return false;
  }
  override connectionLost(exc: Error | null): void {
    if (!this.done.done()) {
      if (exc) this.done.setException(exc);
      else this.done.setResult(undefined);
    }
  }
}

class Writer extends asyncio.Protocol {
  transport: asyncio.Transport | null = null;
  pauses = 0;
  resumes = 0;
  override connectionMade(t: asyncio.BaseTransport): void {
    this.transport = t as asyncio.Transport;
  }
  override pauseWriting(): void {
    this.pauses++;
  }
  override resumeWriting(): void {
    this.resumes++;
  }
}

for (const [kind, make] of loopKinds) {
  test(
    `${kind}: 3000 writes in one iteration through small socket buffers arrive intact and in order`,
    async () => {
      await withLoop(make, (loop) =>
        loop.runUntilComplete(async () => {
          const [a, b] = socketpair();
          // Small buffers: the kernel takes a few KiB at a time, so most
          // chunks queue and each writev is cut somewhere inside a chunk.
          a.setsockopt(C.SOL_SOCKET, C.SO_SNDBUF, 4096);
          b.setsockopt(C.SOL_SOCKET, C.SO_RCVBUF, 4096);
          const [wt, wp] = await loop.createConnection(() => new Writer(), null, null, { sock: a });
          const [rt, rp] = await loop.createConnection(() => new Collector(loop), null, null, {
            sock: b,
          });
          const sent: Uint8Array[] = [];
          // All in one callback: one loop iteration.
          for (let i = 0; i < 3000; i++) {
            const c = chunk(i);
            sent.push(c.slice());
            wt.write(c);
            // The caller may reuse its buffer once write() returns.
            c.fill(0);
          }
          const queued = wt.getWriteBufferSize();
          assert(queued > 0, "the small send buffer should have left data queued");
          assert(wp.pauses >= 1, "a queue past the high-water mark pauses the protocol");
          wt.writeEof();
          await rp.done;
          const got = concat(rp.chunks);
          const want = concat(sent);
          assertEquals(got.length, want.length);
          assertEquals(firstDifference(got, want), -1);
          assertEquals(wt.getWriteBufferSize(), 0);
          assertEquals(wp.resumes, wp.pauses);
          wt.close();
          rt.close();
          await asyncio.sleep(0);
        }));
    },
    { timeout: 60 },
  );
}

test(
  "writes queued over several iterations keep their order with later direct writes",
  async () => {
    await withLoop(loopKinds[0][1], (loop) =>
      loop.runUntilComplete(async () => {
        const [a, b] = socketpair();
        a.setsockopt(C.SOL_SOCKET, C.SO_SNDBUF, 4096);
        b.setsockopt(C.SOL_SOCKET, C.SO_RCVBUF, 4096);
        const [wt] = await loop.createConnection(() => new Writer(), null, null, { sock: a });
        const sent: Uint8Array[] = [];
        let i = 0;
        // Bursts spread over iterations while the queue drains.
        for (let burst = 0; burst < 20; burst++) {
          for (let k = 0; k < 50; k++, i++) {
            const c = chunk(i);
            sent.push(c);
            wt.write(c);
          }
          await asyncio.sleep(0);
        }
        // The reader starts late: everything so far waited in the queue.
        const [rt, rp] = await loop.createConnection(() => new Collector(loop), null, null, {
          sock: b,
        });
        while (wt.getWriteBufferSize() > 0) await asyncio.sleep(0.001);
        // Nothing queued now: this one goes out directly, after all the rest.
        const last = chunk(i);
        sent.push(last);
        wt.write(last);
        assertEquals(wt.getWriteBufferSize(), 0);
        wt.writeEof();
        await rp.done;
        assertEquals(firstDifference(concat(rp.chunks), concat(sent)), -1);
        wt.close();
        rt.close();
        await asyncio.sleep(0);
      }));
  },
  { timeout: 60 },
);

test(
  "TCP: 8 MiB echoed in odd-sized writes; received views stay valid after later reads",
  async () => {
    await withLoop(loopKinds[0][1], (loop) =>
      loop.runUntilComplete(async () => {
        class Echo extends asyncio.Protocol {
          t: asyncio.Transport | null = null;
          override connectionMade(t: asyncio.BaseTransport): void {
            this.t = t as asyncio.Transport;
          }
          override dataReceived(d: Uint8Array): void {
            this.t!.write(d);
          }
        }
        const server = await loop.createServer(() => new Echo(), "127.0.0.1", 0);
        const port = (server.sockets[0].getsockname() as [string, number])[1];
        const [t, p] = await loop.createConnection(() => new Collector(loop), "127.0.0.1", port);
        const sent: Uint8Array[] = [];
        let total = 0;
        for (let i = 0; total < 8 << 20; i++) {
          const c = chunk(i);
          sent.push(c);
          total += c.length;
          (t as asyncio.Transport).write(c);
          if (i % 500 === 0) await asyncio.sleep(0);
        }
        while (p.received < total) await asyncio.sleep(0.001);
        // Every view kept by the protocol still holds what was received then.
        assertEquals(firstDifference(concat(p.chunks), concat(sent)), -1);
        t.close();
        server.close();
        await server.waitClosed();
      }));
  },
  { timeout: 120 },
);

/**
 * Sends `chunks` one loop iteration apart over a socketpair to the protocol
 * `makeReader` makes, then EOF; returns what that protocol kept.
 */
async function sendOver(
  loop: asyncio.SelectorEventLoop,
  makeReader: () => Collector,
  chunks: Uint8Array[],
): Promise<Uint8Array[]> {
  const [a, b] = socketpair();
  const [wt] = await loop.createConnection(() => new Writer(), null, null, { sock: a });
  const [rt, rp] = await loop.createConnection(makeReader, null, null, { sock: b });
  for (const c of chunks) {
    wt.write(c);
    await asyncio.sleep(0);
  }
  wt.writeEof();
  await rp.done;
  wt.close();
  rt.close();
  await asyncio.sleep(0);
  return rp.chunks;
}

test(
  "large reads kept by the protocol stay intact across many slabs (6 MiB in 96 KiB writes)",
  async () => {
    await withLoop(loopKinds[0][1], (loop) =>
      loop.runUntilComplete(async () => {
        const sent: Uint8Array[] = [];
        for (let i = 0; i < 64; i++) {
          const c = new Uint8Array(96 * 1024);
          for (let j = 0; j < c.length; j++) c[j] = (i * 131 + j * 7 + (j >> 9)) & 0xff;
          sent.push(c);
        }
        const got = await sendOver(loop, () => new Collector(loop), sent);
        // Reads this large take the large-chunk path, not the small slab's.
        assert(got.some((c) => c.length > 16 * 1024), "no read was over 16 KiB");
        if (runtime === "bun") {
          // After a large read, Bun reads into fresh memory the chunk keeps (at
          // most twice its size) instead of copying out of the shared buffer.
          const fresh = got.filter((c) => c.buffer.byteLength === 128 * 1024);
          assert(fresh.length > 0, "no chunk was read into fresh memory");
          for (const c of fresh) assert(c.length >= 64 * 1024 && c.byteOffset === 0);
        }
        assertEquals(firstDifference(concat(got), concat(sent)), -1);
      }));
  },
  { timeout: 60 },
);

test(
  "a protocol that transfers a received chunk's buffer away does not break later reads",
  async () => {
    await withLoop(loopKinds[0][1], (loop) =>
      loop.runUntilComplete(async () => {
        class Transferring extends Collector {
          #kept: Uint8Array | null = null;
          override dataReceived(data: Uint8Array): void {
            super.dataReceived(data.slice());
            // Detaches the shared slab this chunk is a view of (on Bun, its own buffer):
            // a small chunk's at once, a large one's one read later, once the loop has set
            // up the next read.
            const large = data.length > 16 * 1024;
            for (const d of [large ? null : data, this.#kept]) {
              if (d === null || d.buffer.byteLength === 0) continue;
              const buffer = d.buffer as ArrayBuffer;
              structuredClone(buffer, { transfer: [buffer] });
            }
            this.#kept = large ? data : null;
          }
        }
        const sent: Uint8Array[] = [];
        for (let i = 0; i < 200; i++) sent.push(chunk(i));
        // Large chunks too: those are received straight into the large slab.
        for (let i = 0; i < 24; i++) sent.push(new Uint8Array(96 * 1024).fill(i + 1));
        for (let i = 0; i < 20; i++) sent.push(chunk(i));
        const got = await sendOver(loop, () => new Transferring(loop), sent);
        assert(got.some((c) => c.length > 16 * 1024), "no read was over 16 KiB");
        assertEquals(firstDifference(concat(got), concat(sent)), -1);
      }));
  },
  { timeout: 60 },
);

test("a BufferedProtocol receives straight into the buffer it hands out", async () => {
  await withLoop(loopKinds[0][1], (loop) =>
    loop.runUntilComplete(async () => {
      class IntoOwnBuffer extends asyncio.BufferedProtocol {
        readonly buf = new Uint8Array(4096);
        got: Uint8Array[] = [];
        done = loop.createFuture<void>();
        override getBuffer(_sizeHint: number): Uint8Array {
          return this.buf;
        }
        override bufferUpdated(n: number): void {
          // The bytes are in this protocol's own buffer, at its start.
          this.got.push(this.buf.slice(0, n));
        }
        override eofReceived(): boolean {
          this.done.setResult(undefined);
          return false;
        }
      }
      const [a, b] = socketpair();
      const [wt] = await loop.createConnection(() => new Writer(), null, null, { sock: a });
      const [rt, rp] = await loop.createConnection(() => new IntoOwnBuffer(), null, null, {
        sock: b,
      });
      const sent: Uint8Array[] = [];
      for (let i = 0; i < 50; i++) {
        sent.push(chunk(i));
        wt.write(sent[i]);
        await asyncio.sleep(0);
      }
      wt.writeEof();
      await rp.done;
      assertEquals(firstDifference(concat(rp.got), concat(sent)), -1);
      wt.close();
      rt.close();
      await asyncio.sleep(0);
    }));
});

test("a socket transport prints as Python's: fd, polling state, buffer size, closing/closed", async () => {
  await withLoop(loopKinds[0][1], (loop) =>
    loop.runUntilComplete(async () => {
      const [a, b] = socketpair();
      a.setsockopt(C.SOL_SOCKET, C.SO_SNDBUF, 4096);
      const fd = a.fileno();
      const [t] = await loop.createConnection(() => new asyncio.Protocol(), null, null, {
        sock: a,
      });
      const shown = () =>
        String(t).replace(`fd=${fd}`, "fd=N").replace(
          `bufsize=${t.getWriteBufferSize()}`,
          "bufsize=B",
        );
      // The lines CPython 3.11 prints for the same steps (Python's repr()).
      assertEquals(shown(), "<_SelectorSocketTransport fd=N read=polling write=<idle, bufsize=B>>");
      t.pauseReading();
      assertEquals(shown(), "<_SelectorSocketTransport fd=N read=idle write=<idle, bufsize=B>>");
      t.resumeReading();
      t.write(new Uint8Array(1_000_000));
      assert(t.getWriteBufferSize() > 0);
      assertEquals(
        shown(),
        "<_SelectorSocketTransport fd=N read=polling write=<polling, bufsize=B>>",
      );
      t.close();
      assertEquals(
        shown(),
        "<_SelectorSocketTransport closing fd=N read=idle write=<polling, bufsize=B>>",
      );
      t.abort();
      assertEquals(t.getWriteBufferSize(), 0);
      assertEquals(
        shown(),
        "<_SelectorSocketTransport closing fd=N read=idle write=<idle, bufsize=B>>",
      );
      await asyncio.sleep(0);
      assertEquals(shown(), "<_SelectorSocketTransport closed fd=N>");
      b.close();
    }));
});
