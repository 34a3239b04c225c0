// The Web Streams adapters on real sockets: StreamReader → ReadableStream
// (pull-based: a slow consumer keeps the transport paused, no byte lost),
// StreamWriter → WritableStream (write waits for drain), and back:
// ReadableStream → StreamReader, WritableStream → StreamWriter.
import { createHash } from "node:crypto";
import { test } from "./harness.ts";
import { concat, pattern } from "./util.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";
import * as asyncio from "../mod.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const sha256 = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");

/** A stream server on 127.0.0.1 whose handler is `handle`; closed after `main`. */
async function withServer<T>(
  handle: asyncio.ClientConnectedCallback,
  main: (port: number) => Promise<T>,
): Promise<T> {
  const server = await asyncio.startServer(handle, "127.0.0.1", 0);
  try {
    return await main((server.sockets[0].getsockname() as [string, number])[1]);
  } finally {
    server.close();
    await server.waitClosed();
  }
}

test(
  "toReadableStream: 8 MiB read slowly; the client transport stays paused meanwhile, no byte lost",
  () =>
    asyncio.run(() => {
      const data = pattern(8 << 20, 3);
      let serverDone!: () => void;
      const served = new Promise<void>((r) => (serverDone = r));
      return withServer(async (_r, w) => {
        w.write(data);
        await w.drain();
        w.close();
        serverDone();
      }, async (port) => {
        const [reader, writer] = await asyncio.openConnection("127.0.0.1", port, { limit: 65536 });
        const transport = writer.transport as asyncio.SelectorSocketTransport;
        const rs = asyncio.toReadableStream(reader, { chunkSize: 16384 });
        const parts: Uint8Array[] = [];
        let pausedSeen = 0;
        let reads = 0;
        for await (const chunk of rs) {
          parts.push(chunk);
          assert(chunk.length <= 16384, `chunk of ${chunk.length}`);
          if (++reads % 64 === 0) {
            // A slow consumer: the reader's buffer fills and the transport pauses.
            await asyncio.sleep(0.01);
            if (!transport.isReading()) pausedSeen++;
          }
        }
        const got = concat(parts);
        assertEquals(got.length, data.length);
        assertEquals(sha256(got), sha256(data));
        assert(pausedSeen > 0, "the transport was never seen paused while the consumer slept");
        await served;
        writer.close();
        await writer.waitClosed();
      });
    }),
  { timeout: 60 },
);

test("toReadableStream: a host consumer (Response.text()) reads a line-based reply", () =>
  asyncio.run(() =>
    withServer(async (r, w) => {
      const line = await r.readLine();
      w.write(enc.encode(`echo: ${dec.decode(line)}`));
      w.close();
    }, async (port) => {
      const [reader, writer] = await asyncio.openConnection("127.0.0.1", port);
      writer.write(enc.encode("hello\n"));
      const text = await new Response(asyncio.toReadableStream(reader)).text();
      assertEquals(text, "echo: hello\n");
      writer.close();
      await writer.waitClosed();
    })
  ));

test("toReadableStream: cancel calls onCancel; the connection is closed there", () =>
  asyncio.run(() =>
    withServer(async (r, w) => {
      w.write(enc.encode("first"));
      await r.read(); // until the client closes
      w.close();
    }, async (port) => {
      const [reader, writer] = await asyncio.openConnection("127.0.0.1", port);
      let reason: unknown = null;
      const rs = asyncio.toReadableStream(reader, {
        onCancel: (why) => {
          reason = why;
          writer.close();
        },
      });
      const it = rs.getReader();
      assertEquals(dec.decode((await it.read()).value!), "first");
      await it.cancel("enough");
      assertEquals(reason, "enough");
      await writer.waitClosed();
    })
  ));

test(
  "toWritableStream: pipeTo 6 MiB waits for drain (buffer stays bounded); EOF half-closes",
  () =>
    asyncio.run(() => {
      const data = pattern(6 << 20, 5);
      let received!: (b: Uint8Array) => void;
      const got = new Promise<Uint8Array>((r) => (received = r));
      return withServer(async (r, w) => {
        const parts: Uint8Array[] = [];
        for (;;) {
          const d = await r.read(65536);
          if (d.length === 0) break;
          parts.push(d);
          await asyncio.sleep(0); // a slower reader than the writer
        }
        received(concat(parts));
        w.write(enc.encode("thanks"));
        w.close();
      }, async (port) => {
        const [reader, writer] = await asyncio.openConnection("127.0.0.1", port);
        const transport = writer.transport as asyncio.SelectorSocketTransport;
        const [, high] = transport.getWriteBufferLimits();
        const chunk = 32768;
        let maxBuffered = 0;
        let i = 0;
        const source = new ReadableStream<Uint8Array>({
          pull(c) {
            maxBuffered = Math.max(maxBuffered, transport.getWriteBufferSize());
            if (i >= data.length) c.close();
            else {
              c.enqueue(data.slice(i, i + chunk));
              i += chunk;
            }
          },
        }, { highWaterMark: 0 });
        await source.pipeTo(asyncio.toWritableStream(writer));
        assertEquals(sha256(await got), sha256(data));
        // drain() kept the transport's buffer near its high mark, not at 6 MiB.
        assert(maxBuffered <= high + 2 * chunk, `buffered up to ${maxBuffered} (high ${high})`);
        // Half-closed only: the reply still comes in.
        assertEquals(dec.decode(await reader.read()), "thanks");
        writer.close();
        await writer.waitClosed();
      });
    }),
  { timeout: 60 },
);

test("readerFromReadableStream over a socket's ReadableStream: readLine/readExactly, then EOF", () =>
  asyncio.run(() =>
    withServer(async (_r, w) => {
      w.write(enc.encode("line one\nline two\n"));
      w.write(pattern(100_000, 9));
      w.close();
    }, async (port) => {
      const [sockReader, writer] = await asyncio.openConnection("127.0.0.1", port);
      const reader = asyncio.readerFromReadableStream(
        asyncio.toReadableStream(sockReader, { chunkSize: 7 }),
      );
      assertEquals(dec.decode(await reader.readLine()), "line one\n");
      assertEquals(dec.decode(await reader.readUntil(enc.encode("\n"))), "line two\n");
      assertEquals(sha256(await reader.readExactly(100_000)), sha256(pattern(100_000, 9)));
      assertEquals((await reader.read()).length, 0);
      assert(reader.atEof());
      writer.close();
      await writer.waitClosed();
    })
  ));

test("readerFromReadableStream stops pulling above twice its limit and resumes when read", () =>
  asyncio.run(async () => {
    let pulled = 0;
    const total = 1 << 20;
    const source = new ReadableStream<Uint8Array>({
      pull(c) {
        if (pulled >= total) return c.close();
        c.enqueue(new Uint8Array(4096).fill(pulled / 4096 & 0xff));
        pulled += 4096;
      },
    }, { highWaterMark: 0 });
    const reader = asyncio.readerFromReadableStream(source, { limit: 16384 });
    for (let i = 0; i < 20; i++) await asyncio.sleep(0.005);
    // Paused: at most 2 * limit buffered, plus the chunk that crossed it.
    assert(pulled <= 2 * 16384 + 2 * 4096, `pulled ${pulled} with nobody reading`);
    const all = await reader.read();
    assertEquals(all.length, total);
    assertEquals(all[total - 1], (total / 4096 - 1) & 0xff);
  }));

test("readerFromReadableStream: a stream error becomes the reader's exception", () =>
  asyncio.run(async () => {
    const source = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(enc.encode("partial"));
        c.error(new TypeError("network gone"));
      },
    });
    const reader = asyncio.readerFromReadableStream(source);
    await assertRejects(() => reader.readExactly(100), TypeError, "network gone");
  }));

test(
  "writerFromWritableStream over a socket's WritableStream: write/drain/close, all bytes arrive",
  () =>
    asyncio.run(() => {
      const data = pattern(3 << 20, 13);
      let received!: (b: Uint8Array) => void;
      const got = new Promise<Uint8Array>((r) => (received = r));
      return withServer(async (r, w) => {
        received(await r.read());
        w.close();
      }, async (port) => {
        const [, sockWriter] = await asyncio.openConnection("127.0.0.1", port);
        const writer = asyncio.writerFromWritableStream(asyncio.toWritableStream(sockWriter), {
          highWater: 65536,
        });
        let maxPending = 0;
        for (let i = 0; i < data.length; i += 50_000) {
          writer.write(data.subarray(i, i + 50_000));
          maxPending = Math.max(maxPending, writer.transport.getWriteBufferSize());
          await writer.drain();
        }
        writer.close();
        await writer.waitClosed();
        // The server read to EOF: closing the writer half-closed the socket.
        assertEquals(sha256(await got), sha256(data));
        assert(maxPending <= 65536 + 50_000, `pending up to ${maxPending}`);
        sockWriter.close();
        await sockWriter.waitClosed();
      });
    }),
  { timeout: 60 },
);

test("writerFromWritableStream: a failing sink makes drain() and waitClosed() reject", () =>
  asyncio.run(async () => {
    const writer = asyncio.writerFromWritableStream(
      new WritableStream<Uint8Array>({
        write() {
          throw new TypeError("sink broke");
        },
      }),
    );
    writer.write(enc.encode("x"));
    await asyncio.sleep(0.01);
    await assertRejects(() => writer.waitClosed(), TypeError, "sink broke");
    await assertRejects(() => writer.drain(), asyncio.ConnectionResetError);
  }));
