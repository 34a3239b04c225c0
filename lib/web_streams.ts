/**
 * Web Streams adapters (beyond the spec): a `StreamReader` as a
 * `ReadableStream<Uint8Array>`, a `StreamWriter` as a
 * `WritableStream<Uint8Array>`, and back: a `ReadableStream` fed into a
 * `StreamReader`, a `WritableStream` behind a `StreamWriter`.
 *
 * Back-pressure goes through in both directions:
 * - {@link toReadableStream} is pull-based with a high-water mark of 0: it
 *   reads from the `StreamReader` only when the consumer asks, so a slow
 *   consumer leaves the reader's buffer full and the transport paused.
 * - {@link toWritableStream}'s `write()` resolves after `drain()`, so a
 *   `pipeTo` waits while the transport's buffer is above its high mark.
 * - {@link readerFromReadableStream} stops pulling from the stream while
 *   the reader's buffer is over twice its limit (the reader pauses it as it
 *   would pause a transport) and resumes when it is read down.
 * - {@link writerFromWritableStream}'s `drain()` waits while more than the
 *   high-water mark of written bytes has not been accepted by the stream.
 *
 * The stream side may be driven from anywhere (host code, `fetch`,
 * `Response`): reads and drains run as tasks on the loop, which must be
 * running (inside `asyncio.run`, say) for them to make progress.
 *
 * @example
 * ```ts
 * const [reader, writer] = await asyncio.openConnection("127.0.0.1", 8888);
 * await someReadableStream.pipeTo(asyncio.toWritableStream(writer));
 * const text = await new Response(asyncio.toReadableStream(reader)).text();
 * ```
 *
 * @module
 */
import type { AbstractEventLoop } from "./events.ts";
import { getEventLoop } from "./policies.ts";
import { FlowControlMixin, StreamReader, StreamWriter } from "./streams.ts";
import { WriteTransport } from "./transports.ts";
import { type WriteBufferLimits, WriteFlowControl } from "./transports.ts";
import type { BaseProtocolLike } from "./protocols.ts";
import { RuntimeError } from "./exceptions.ts";
import type { Future } from "./futures.ts";

/** Options of {@link toReadableStream}. */
export interface ToReadableStreamOptions {
  /** The most one chunk holds (default 64 KiB). */
  chunkSize?: number;
  /** The loop the reads run on (default: `getEventLoop()` at the call). */
  loop?: AbstractEventLoop;
  /** Called when the consumer cancels the stream (close the connection here, say). */
  onCancel?: (reason: unknown) => void;
}

/**
 * A `ReadableStream<Uint8Array>` over `reader`: each consumer read is one
 * `reader.read(chunkSize)`; EOF closes the stream; a read error errors it.
 *
 * @example
 * ```ts
 * const [reader, writer] = await asyncio.openConnection("example.com", 80);
 * writer.write(new TextEncoder().encode("GET / HTTP/1.0\r\n\r\n"));
 * for await (const chunk of asyncio.toReadableStream(reader)) console.log(chunk.length);
 * ```
 */
export function toReadableStream(
  reader: StreamReader,
  opts: ToReadableStreamOptions = {},
): ReadableStream<Uint8Array> {
  const size = opts.chunkSize ?? 65536;
  if (!Number.isInteger(size) || size <= 0) {
    throw new RangeError(`chunkSize must be a positive integer, got ${size}`);
  }
  const loop = opts.loop ?? getEventLoop();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const data = await loop.createTask<Uint8Array>(() => reader.read(size));
      if (data.length === 0) controller.close();
      else controller.enqueue(data);
    },
    cancel(reason) {
      opts.onCancel?.(reason);
    },
  }, { highWaterMark: 0 });
}

/** Options of {@link toWritableStream}. */
export interface ToWritableStreamOptions {
  /**
   * What closing the stream does: "eof" (the default) half-closes with
   * `writeEof()` when the transport can, else closes; "close" closes the
   * writer and waits until it is closed.
   */
  close?: "eof" | "close";
}

/**
 * A `WritableStream<Uint8Array>` over `writer`: each chunk is written and
 * then drained; `close()` half-closes (or closes, see the options);
 * `abort()` closes the writer.
 *
 * @example
 * ```ts
 * const [, writer] = await asyncio.openConnection("127.0.0.1", 8888);
 * await new Blob(["hello\n"]).stream().pipeTo(asyncio.toWritableStream(writer));
 * ```
 */
export function toWritableStream(
  writer: StreamWriter,
  opts: ToWritableStreamOptions = {},
): WritableStream<Uint8Array> {
  const loop = writer._loop;
  const how = opts.close ?? "eof";
  return new WritableStream<Uint8Array>({
    async write(chunk) {
      writer.write(chunk);
      await loop.createTask(() => writer.drain());
    },
    async close() {
      if (how === "eof" && writer.canWriteEof()) {
        writer.writeEof();
        await loop.createTask(() => writer.drain());
        return;
      }
      writer.close();
      await loop.createTask(() => writer.waitClosed());
    },
    abort() {
      writer.close();
    },
  });
}

/** Options of {@link readerFromReadableStream}. */
export interface ReaderFromReadableStreamOptions {
  /** The reader's limit (default 64 KiB): it stops pulling above twice this. */
  limit?: number;
  /** The loop the reader belongs to (default: `getEventLoop()` at the call). */
  loop?: AbstractEventLoop;
}

/**
 * A `StreamReader` fed from `readable`: `readLine`, `readExactly`,
 * `readUntil` and the rest work on any byte stream (a `fetch` body, a file
 * stream). Pulling stops while the reader holds more than twice its limit.
 * A stream error becomes the reader's exception.
 *
 * @example
 * ```ts
 * const reader = asyncio.readerFromReadableStream((await fetch(url)).body!);
 * const firstLine = await reader.readLine();
 * ```
 */
export function readerFromReadableStream(
  readable: ReadableStream<Uint8Array>,
  opts: ReaderFromReadableStreamOptions = {},
): StreamReader {
  const loop = opts.loop ?? getEventLoop();
  const reader = new StreamReader(opts.limit, loop);
  const source = readable.getReader();
  let paused = false;
  let pumping = false;
  const pump = async () => {
    if (pumping) return;
    pumping = true;
    try {
      while (!paused) {
        const { value, done } = await source.read();
        if (done) {
          reader.feedEof();
          source.releaseLock();
          return;
        }
        if (value !== undefined && value.length) reader.feedData(value);
      }
    } catch (e) {
      reader.setException(e instanceof Error ? e : new RuntimeError(String(e)));
    } finally {
      pumping = false;
    }
  };
  // The reader pauses and resumes its "transport" as it does a socket's.
  const control = {
    pauseReading() {
      paused = true;
    },
    resumeReading() {
      if (!paused) return;
      paused = false;
      void pump();
    },
    isClosing: () => false,
  };
  reader.setTransport(control as never);
  void pump();
  return reader;
}

/**
 * The transport behind {@link writerFromWritableStream}: bytes handed to
 * the stream's writer count as buffered until its `write()` settles.
 */
class WritableStreamTransport extends WriteTransport {
  #sink: WritableStreamDefaultWriter<Uint8Array>;
  #protocol: BaseProtocolLike;
  #flow: WriteFlowControl;
  #pending = 0;
  #closing = false;
  #lost = false;
  #loop: AbstractEventLoop;

  constructor(
    sink: WritableStreamDefaultWriter<Uint8Array>,
    protocol: BaseProtocolLike,
    loop: AbstractEventLoop,
  ) {
    super({ writable: sink });
    this.#sink = sink;
    this.#protocol = protocol;
    this.#loop = loop;
    this.#flow = new WriteFlowControl(this, loop);
  }

  override write(data: Uint8Array): void {
    if (this.#closing) throw new RuntimeError("Cannot call write() after close()");
    if (!(data instanceof Uint8Array)) {
      throw new TypeError(`data argument must be a bytes-like object, not ${typeof data}`);
    }
    if (data.length === 0) return;
    const copy = data.slice();
    this.#pending += copy.length;
    this.#sink.write(copy).then(() => {
      this.#pending -= copy.length;
      this.#flow.maybeResume();
    }, (e) => this.#fail(e));
    this.#flow.maybePause();
  }

  override writeEof(): void {
    this.close();
  }

  override canWriteEof(): boolean {
    return true;
  }

  override getWriteBufferSize(): number {
    return this.#pending;
  }

  override getWriteBufferLimits(): [number, number] {
    return this.#flow.getLimits();
  }

  override setWriteBufferLimits(
    high?: number | null | WriteBufferLimits,
    low?: number | null,
  ): void {
    this.#flow.setLimits(high, low);
    this.#flow.maybePause();
  }

  override isClosing(): boolean {
    return this.#closing;
  }

  override close(): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#sink.close().then(() => this.#connectionLost(null), (e) => this.#fail(e));
  }

  override abort(): void {
    if (this.#lost) return;
    this.#closing = true;
    this.#sink.abort().catch(() => {});
    this.#connectionLost(null);
  }

  override getProtocol(): BaseProtocolLike {
    return this.#protocol;
  }

  override setProtocol(p: BaseProtocolLike): void {
    this.#protocol = p;
  }

  #fail(e: unknown): void {
    this.#closing = true;
    this.#connectionLost(e instanceof Error ? e : new RuntimeError(String(e)));
  }

  #connectionLost(exc: Error | null): void {
    if (this.#lost) return;
    this.#lost = true;
    this.#loop.callSoonThreadsafe(() => this.#protocol.connectionLost(exc));
  }
}

/** The protocol of a writer over a WritableStream: flow control and a close waiter. */
class WritableStreamProtocol extends FlowControlMixin {
  #closed: Future<void>;
  constructor(loop: AbstractEventLoop) {
    super(loop);
    this.#closed = loop.createFuture<void>();
    // Nobody may wait for it: an error is reported by drain() too.
    this.#closed.addDoneCallback((f) => {
      if (!f.cancelled()) f.exception();
    });
  }
  override connectionLost(exc: Error | null): void {
    super.connectionLost(exc);
    if (this.#closed.done()) return;
    if (exc === null) this.#closed.setResult(undefined);
    else this.#closed.setException(exc);
  }
  override _getCloseWaiter(): Future<void> {
    return this.#closed;
  }
}

/** Options of {@link writerFromWritableStream}. */
export interface WriterFromWritableStreamOptions {
  /** The loop the writer belongs to (default: `getEventLoop()` at the call). */
  loop?: AbstractEventLoop;
  /** `drain()` waits while more than this many bytes are not yet accepted (default 64 KiB). */
  highWater?: number;
}

/**
 * A `StreamWriter` whose bytes go to `writable`: `write()` queues them,
 * `drain()` waits until the stream has accepted enough of them, `close()`
 * (or `writeEof()`) closes the stream, `waitClosed()` waits for that.
 *
 * @example
 * ```ts
 * const chunks: Uint8Array[] = [];
 * const writer = asyncio.writerFromWritableStream(new WritableStream({ write: (c) => { chunks.push(c); } }));
 * writer.write(new TextEncoder().encode("hi"));
 * await writer.drain();
 * ```
 */
export function writerFromWritableStream(
  writable: WritableStream<Uint8Array>,
  opts: WriterFromWritableStreamOptions = {},
): StreamWriter<WriteTransport> {
  const loop = opts.loop ?? getEventLoop();
  const protocol = new WritableStreamProtocol(loop);
  const transport = new WritableStreamTransport(writable.getWriter(), protocol, loop);
  transport.setWriteBufferLimits(opts.highWater ?? 65536);
  return new StreamWriter<WriteTransport>(transport, protocol, null, loop);
}
