/**
 * Streams: the coroutine API over transports and protocols (Python's
 * `asyncio.streams`). {@link StreamReader} buffers what a protocol feeds it
 * and hands it out by size, line or separator; {@link StreamWriter} wraps a
 * transport and adds `drain()` (wait while the transport's buffer is full)
 * and `waitClosed()`; {@link StreamReaderProtocol} joins the two to a
 * connection. {@link openConnection} and {@link startServer} make them for
 * TCP, {@link openUnixConnection} and {@link startUnixServer} for Unix
 * sockets.
 *
 * @module
 */
import type { Server } from "./servers.ts";
import type { SSLContext } from "./ssl.ts";
import { ByteBuffer } from "./bytebuffer.ts";
import { iscoroutine } from "./coroutines.ts";
import { _getRunningLoop, type AbstractEventLoop, getRunningLoop } from "./events.ts";
import {
  AttributeError,
  CancelledError,
  ConnectionResetError,
  NotImplementedError,
  RuntimeError,
  ValueError,
} from "./exceptions.ts";
import { errorArgs, printAsRepr, pyRepr, setPyModule } from "./format.ts";
import { checkKeywords, keywords } from "./keywords.ts";
import { excRepr, type Future, isFuture } from "./futures.ts";
import { _exceptionContext, _reportedOutsideExcept, logger } from "./log.ts";
import { getEventLoop } from "./policies.ts";
import { type BaseProtocolLike, Protocol } from "./protocols.ts";
import { running, suspensions, untilALoopRuns } from "./running.ts";
import { addressKeywords } from "./sockaddr.ts";
import type { AddressKeywords, HostPort, ServerHostPort, UnixPath } from "./connections.ts";
import { bindOnRead } from "./bound_methods.ts";
import { type CancellablePromise, type Canceller, cancelOperation } from "./operations.ts";
import { sleep } from "./tasks.ts";
import {
  type BaseTransport,
  pyTypeName,
  type ReadTransport,
  toBytes,
  type Transport,
  type WriteTransport,
} from "./transports.ts";

/** Python's `_DEFAULT_LIMIT`: 64 KiB. */
const DEFAULT_LIMIT = 2 ** 16;
const NEWLINE = new Uint8Array([0x0a]);
const EMPTY = new Uint8Array(0);
/** What a `drain()` that need not wait returns: one settled promise for all. */
const RESOLVED: Promise<null> = Promise.resolve(null);
const AsyncFunctionProto = Object.getPrototypeOf(async function () {});

// ---------------------------------------------------------------- errors

/**
 * Python's `EOFError`: input ended too soon. The base of
 * {@link IncompleteReadError}.
 *
 * @example
 * ```ts
 * try { await reader.readExactly(4); } catch (e) { if (e instanceof EOFError) {} }
 * ```
 */
export class EOFError extends Error {
  /** The Python class name. */
  override name = "EOFError";
  /** Python's `e.args`: the arguments it was made with, as an array. */
  get args(): unknown[] {
    return errorArgs(this);
  }
}

/**
 * The stream ended before a read was complete. `partial` holds the bytes
 * read (they left the buffer); `expected` is how many were asked for, or
 * null when the read waited for a separator.
 *
 * @example
 * ```ts
 * try {
 *   await reader.readExactly(5);
 * } catch (e) {
 *   if (e instanceof IncompleteReadError) console.log(e.partial, e.expected);
 * }
 * ```
 */
export class IncompleteReadError extends EOFError {
  /** The Python class name. */
  override name = "IncompleteReadError";
  /** The bytes read before the end of the stream. */
  readonly partial: Uint8Array;
  /** How many bytes were expected; null if unknown. */
  readonly expected: number | null;

  /** `"2 bytes read on a total of 5 expected bytes"`, as Python words it. */
  constructor(partial: Uint8Array, expected: number | null) {
    const total = expected === null ? "undefined" : pyRepr(expected);
    super(`${partial.length} bytes read on a total of ${total} expected bytes`);
    this.partial = partial;
    this.expected = expected;
  }
}

/**
 * `readUntil()` reached the reader's limit before (or without) finding the
 * separator. The data stays buffered; `consumed` is how many bytes a read
 * would have had to take.
 *
 * @example
 * ```ts
 * try {
 *   await reader.readUntil(sep);
 * } catch (e) {
 *   if (e instanceof LimitOverrunError) await reader.readExactly(e.consumed);
 * }
 * ```
 */
export class LimitOverrunError extends Error {
  /** The Python class name. */
  override name = "LimitOverrunError";
  /** Python's `e.args`: the arguments it was made with, as an array. */
  get args(): unknown[] {
    return errorArgs(this);
  }
  /** How many bytes are to be consumed. */
  readonly consumed: number;

  /** An error with Python's `message` and the count of bytes to consume. */
  constructor(message: string, consumed: number) {
    super(message);
    this.consumed = consumed;
  }
}

/**
 * What Python's `assert` raises where the stream code asserts: feeding a
 * reader after `feedEof()`, setting its transport twice. Named as Python's
 * class, so a ported `type(e).__name__` prints the same; a `RuntimeError`
 * subclass, as this library raised before.
 *
 * @example
 * ```ts
 * reader.feedEof();
 * try { reader.feedData(data); } catch (e) { console.log((e as Error).constructor.name); } // AssertionError
 * ```
 */
export class AssertionError extends RuntimeError {
  /** The Python class name. */
  override name = "AssertionError";
}

// ---------------------------------------------------------------- reader

/**
 * A read's one parameter, also given as Python's keyword (`read(n=100)` is
 * `read({ n: 100 })`, `readuntil(separator=b"--")` is `readUntil({
 * separator })`): `dflt` when the keywords leave it out. Nothing else a
 * read takes is a plain object.
 */
function byKeyword(fn: string, arg: unknown, name: string, dflt?: unknown): unknown {
  const kw = keywords(fn, arg, [name]);
  if (kw === null) return arg;
  return name in kw ? kw[name] : dflt;
}

/** A size as Python's reads first compare it: `n < 0`. */
function checkCount(n: unknown): asserts n is number {
  if (typeof n !== "number") {
    throw new TypeError(`'<' not supported between instances of '${pyTypeName(n)}' and 'int'`);
  }
}

/** What Python's buffer slice `[:n]` says of a fractional size, once a read gets there. */
function sliceError(): TypeError {
  return new TypeError("slice indices must be integers or None or have an __index__ method");
}

/** A separator as Python 3.11's readuntil() takes it: `len(sep)`, then `buffer.find(sep)`. */
function separatorBytes(sep: unknown): Uint8Array {
  if (ArrayBuffer.isView(sep)) return toBytes(sep, "separator");
  if (sep === null || typeof sep === "number" || typeof sep === "boolean") {
    throw new TypeError(`object of type '${pyTypeName(sep)}' has no len()`);
  }
  throw new TypeError(
    `argument should be integer or bytes-like object, not '${pyTypeName(sep)}'`,
  );
}

function concat(blocks: Uint8Array[]): Uint8Array {
  if (blocks.length === 1) return blocks[0];
  const out = new Uint8Array(blocks.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of blocks) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

/**
 * A buffer of incoming bytes with coroutine reads. A protocol feeds it
 * (`feedData`, `feedEof`, `setException`); tasks read from it. Only one
 * read may wait for data at a time.
 *
 * `limit` bounds what `readLine()` and `readUntil()` return (not counting
 * the separator), and is the flow-control mark: the transport is paused
 * while more than `2 * limit` bytes are buffered and resumed once a read
 * leaves at most `limit`.
 *
 * @example
 * ```ts
 * const [reader, writer] = await asyncio.openConnection("127.0.0.1", 8888);
 * const status = await reader.readLine();
 * for await (const line of reader) console.log(new TextDecoder().decode(line));
 * ```
 */
export class StreamReader {
  #limit: number;
  #loop: AbstractEventLoop | null;
  #buffer = new ByteBuffer();
  #eof = false;
  /** The future a read waits on for data or EOF. */
  #waiter: Future<void> | null = null;
  #exception: Error | null = null;
  #transport: BaseTransport | null = null;
  #paused = false;
  /** @internal What cancels a parked read of a task made from it (see {@link watchedReads}). */
  _readCanceller: Canceller | null = null;

  /**
   * A reader with line limit `limit` (64 KiB), for `loop` (default: the
   * running loop, else the one running when a read first waits). Also
   * `{ limit, loop }`, as Python's keywords.
   */
  constructor(
    limit: number | { limit?: number; loop?: AbstractEventLoop | null } = DEFAULT_LIMIT,
    loop?: AbstractEventLoop | null,
  ) {
    const kw = keywords("StreamReader.__init__", limit, ["limit", "loop"]);
    if (kw !== null) {
      // `{ limit: null }` is Python's `limit=None`: a TypeError below, not the default.
      limit = kw.limit === undefined ? DEFAULT_LIMIT : kw.limit as number;
      loop = kw.loop as AbstractEventLoop | null | undefined;
    }
    if (typeof limit !== "number") {
      // Python's `if limit <= 0`.
      throw new TypeError(
        `'<=' not supported between instances of '${pyTypeName(limit)}' and 'int'`,
      );
    }
    if (!(limit > 0)) throw new ValueError("Limit cannot be <= 0");
    this.#limit = limit;
    this.#loop = loop ?? _getRunningLoop();
  }

  /** The exception set by {@link setException}, or null. */
  exception(): Error | null {
    return this.#exception;
  }

  /** Makes every read fail with `exc`; a read waiting now fails at once. */
  setException(exc: Error): void {
    this.#exception = exc;
    const waiter = this.#waiter;
    if (waiter !== null) {
      this.#waiter = null;
      if (!waiter.cancelled()) waiter.setException(exc);
    }
  }

  /** Sets the transport to pause and resume for flow control (once). */
  setTransport(transport: BaseTransport): void {
    if (this.#transport !== null) throw new AssertionError("Transport already set");
    this.#transport = transport;
  }

  /** There will be no more data. */
  feedEof(): void {
    this.#eof = true;
    this.#wakeUpWaiter();
  }

  /** Whether the buffer is empty and `feedEof()` was called. */
  atEof(): boolean {
    return this.#eof && this.#buffer.length === 0;
  }

  /** Adds (a copy of) bytes to the buffer and wakes the waiting read. A string is a `TypeError`. */
  feedData(data: Uint8Array): void {
    this.#feed(data, false);
  }

  /**
   * @internal `feedData` of a chunk that is the reader's to keep (a
   * transport's, see `ProtocolLike.dataReceived`): buffered without a copy,
   * and a read that takes it whole gets it as it is.
   */
  _feedOwned(data: Uint8Array): void {
    this.#feed(data, true);
  }

  #feed(data: Uint8Array, owned: boolean): void {
    if (this.#eof) throw new AssertionError("feed_data after feed_eof");
    if (!(data instanceof Uint8Array)) {
      // Python returns on any false value (`if not data`), then extends a
      // bytearray, which takes a str or an int only with these errors.
      if (!data && !ArrayBuffer.isView(data)) return;
      if (typeof data === "string") {
        throw new TypeError("'str' object cannot be interpreted as an integer");
      }
      if (typeof data === "number" || typeof data === "boolean") {
        throw new TypeError(`can't extend bytearray with ${pyTypeName(data)}`);
      }
    }
    const bytes = toBytes(data);
    if (bytes.length === 0) return;
    if (owned) this.#buffer.keep(bytes);
    else this.#buffer.append(bytes);
    this.#wakeUpWaiter();
    if (this.#transport !== null && !this.#paused && this.#buffer.length > 2 * this.#limit) {
      const t = this.#transport as Partial<ReadTransport>;
      try {
        if (typeof t.pauseReading !== "function") throw new NotImplementedError();
        t.pauseReading();
      } catch (e) {
        if (!(e instanceof NotImplementedError)) throw e;
        // This transport cannot pause: buffer everything, and stop asking.
        this.#transport = null;
        return;
      }
      this.#paused = true;
    }
  }

  #wakeUpWaiter(): void {
    const waiter = this.#waiter;
    if (waiter !== null) {
      this.#waiter = null;
      if (!waiter.cancelled()) waiter.setResult(undefined);
    }
  }

  #maybeResumeTransport(): void {
    if (this.#paused && this.#buffer.length <= this.#limit) {
      this.#paused = false;
      (this.#transport as ReadTransport).resumeReading();
    }
  }

  /**
   * Waits until `feedData()`, `feedEof()` or `setException()` is called.
   * Not an async function: the caller awaits the promise of the waiter's
   * own `then()`, one microtask from the wake-up instead of the several an
   * async function and the adoption of a thenable cost.
   */
  #waitForData(funcName: string): Promise<void> {
    return this.#park(funcName).then(this.#woken, this.#wokenByError);
  }

  /**
   * Python's `_wait_for_data` up to its `await`: the checks, then the
   * future the read waits on. Its `finally` (the waiter is gone) is
   * {@link #woken} and {@link #wokenByError}.
   */
  #park(funcName: string): Future<void> {
    // Two waiting reads could not know which of them the next data is for.
    if (this.#waiter !== null) {
      throw new RuntimeError(
        `${funcName}() called while another coroutine is already waiting for incoming data`,
      );
    }
    if (this.#eof) throw new RuntimeError("_wait_for_data after EOF");
    // Waiting while paused would wait forever (readExactly(n) with n above
    // the pause mark needs more than is buffered): resume first.
    if (this.#paused) {
      this.#paused = false;
      (this.#transport as ReadTransport).resumeReading();
    }
    let loop = this.#loop;
    // When this loop is the only one running, it is the running loop
    // (what getRunningLoop() would find, at the cost of a task lookup).
    const loops = running.loops;
    if (loop === null || loops.length !== 1 || loops[0] !== loop) {
      const current = getRunningLoop();
      if (loop === null) this.#loop = loop = current;
      else if (loop !== current) {
        // Its future would never be woken by a loop that is not running.
        throw new RuntimeError(`${this} is bound to a different event loop`);
      }
    }
    const waiter = loop.createFuture<void>();
    this.#waiter = waiter;
    return waiter;
  }

  // One of each per reader, not a closure per wait.
  #woken = (): void => {
    this.#waiter = null;
  };

  #wokenByError = (e: unknown): never => {
    this.#waiter = null;
    throw e;
  };

  /** How much the read parked in {@link read} takes once woken. */
  #readSize = 0;

  /** A parked `read(n)` resumes: it takes its bytes right in the wake-up. */
  #readWoken = (): Uint8Array => {
    this.#waiter = null;
    return this.#take(this.#readSize);
  };

  #take(n: number): Uint8Array {
    const data = this.#buffer.take(n);
    this.#maybeResumeTransport();
    return data;
  }

  /**
   * Reads one line, up to and including `"\n"`. At EOF, the rest without a
   * newline, then an empty array. A line longer than the limit is a
   * `ValueError`; it is dropped with its newline if that is buffered, else
   * the whole buffer is.
   */
  async readLine(): Promise<Uint8Array> {
    try {
      return await this.readUntil(NEWLINE);
    } catch (e) {
      if (e instanceof IncompleteReadError) return e.partial;
      if (e instanceof LimitOverrunError) {
        if (this.#buffer.startsWith(NEWLINE, e.consumed)) this.#buffer.drop(e.consumed + 1);
        else this.#buffer.clear();
        this.#maybeResumeTransport();
        // Raised in Python's `except` clause, not `from` it: the overrun is
        // the ValueError's `__context__` ("During handling of the above
        // exception..."), its `__cause__` (JS `cause`) is None.
        const err = new ValueError(e.message);
        _exceptionContext.set(err, e);
        throw err;
      }
      throw e;
    }
  }

  /**
   * Reads up to and including `separator` (default `"\n"`). Given several
   * separators (Python 3.13), the shortest chunk that ends in any of them
   * wins. At EOF without a separator: `IncompleteReadError` with the bytes
   * (taken from the buffer) as `partial`. A chunk longer than the limit,
   * separator not counted: `LimitOverrunError`, and the data stays buffered.
   */
  async readUntil(
    separator: Uint8Array | readonly Uint8Array[] | {
      separator?: Uint8Array | readonly Uint8Array[];
    } = NEWLINE,
  ): Promise<Uint8Array> {
    separator = byKeyword("StreamReader.readuntil", separator, "separator", NEWLINE) as
      | Uint8Array
      | readonly Uint8Array[];
    if (typeof separator === "string") return this.#readUntilString(separator);
    const seps = Array.isArray(separator)
      ? separator.map(separatorBytes).sort((a, b) => a.length - b.length)
      : [separatorBytes(separator)];
    if (seps.length === 0) throw new ValueError("Separator should contain at least one element");
    const minLen = seps[0].length;
    const maxLen = seps[seps.length - 1].length;
    if (minLen === 0) throw new ValueError("Separator should be at least one-byte string");
    if (this.#exception !== null) throw this.#exception;
    // A read that needs no wait does not suspend a Python task: the loop's
    // drain must let the step go on (see `suspensions.progress`).
    suspensions.progress++;

    const buf = this.#buffer;
    // No separator starts before `offset`: each wait searches only the new
    // bytes, plus the tail that may hold the start of a separator.
    let offset = 0;
    let matchStart = -1;
    let matchEnd = -1;
    for (;;) {
      const buflen = buf.length;
      if (buflen - offset >= minLen) {
        for (const sep of seps) {
          const i = buf.indexOf(sep, offset);
          if (i !== -1 && (matchEnd === -1 || i + sep.length < matchEnd)) {
            matchStart = i;
            matchEnd = i + sep.length;
          }
        }
        if (matchEnd !== -1) break;
        offset = Math.max(0, buflen + 1 - maxLen);
        if (offset > this.#limit) {
          throw new LimitOverrunError("Separator is not found, and chunk exceed the limit", offset);
        }
      }
      // Checked after the search: the last chunk before EOF may complete it.
      if (this.#eof) throw new IncompleteReadError(buf.take(buf.length), null);
      await this.#waitForData("readuntil");
    }
    if (matchStart > this.#limit) {
      throw new LimitOverrunError("Separator is found, but chunk is longer than limit", matchStart);
    }
    return this.#take(matchEnd);
  }

  /**
   * `readUntil("x")`: Python takes the str's `len()`, checks it and the
   * stream's error as for bytes, and fails only in `bytearray.find()`, once
   * as much is buffered (at EOF before that: `IncompleteReadError`).
   */
  async #readUntilString(separator: string): Promise<never> {
    const seplen = [...separator].length;
    if (seplen === 0) throw new ValueError("Separator should be at least one-byte string");
    if (this.#exception !== null) throw this.#exception;
    suspensions.progress++; // as in readUntil(): no suspension unless it waits
    while (this.#buffer.length < seplen) {
      if (this.#eof) throw new IncompleteReadError(this.#buffer.take(this.#buffer.length), null);
      await this.#waitForData("readuntil");
    }
    throw new TypeError("argument should be integer or bytes-like object, not 'str'");
  }

  /**
   * Reads up to `n` bytes, as soon as at least one is buffered; an empty
   * array at EOF. `n` negative (the default): reads until EOF. `n` is not
   * bounded by the limit. A read that takes a whole chunk as the transport
   * delivered it gets that chunk, not a copy: like a protocol's
   * `dataReceived` data, it may be a view of a larger buffer (use the view,
   * not its `.buffer`).
   */
  read(n: number | { n?: number } = -1): Promise<Uint8Array> {
    // Not an async function, so that the common case, a read that waits
    // for the next chunk, costs one promise (the waiter's `then()`), and its
    // caller resumes one microtask after the wake-up. Errors still come as
    // a rejected promise, never thrown.
    try {
      if (typeof n === "object") n = byKeyword("StreamReader.read", n, "n", -1) as number;
      // A Python bool is an int: read(True) reads one byte.
      if (typeof n === "boolean") n = Number(n);
      // Python's order: the stream's error before any check of `n`.
      if (this.#exception !== null) throw this.#exception;
      checkCount(n);
      // As in readUntil(): no suspension unless it parks below.
      suspensions.progress++;
      if (n === 0) return Promise.resolve(EMPTY);
      if (n < 0) return this.#readAll();
      if (!Number.isInteger(n)) return this.#readFraction();
      if (this.#buffer.length === 0 && !this.#eof) {
        const waiter = this.#park("read");
        this.#readSize = n;
        return waiter.then(this.#readWoken, this.#wokenByError);
      }
      return Promise.resolve(this.#take(n));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** `read(1.5)`: Python waits for data as for any size, then fails to slice. */
  async #readFraction(): Promise<never> {
    if (this.#buffer.length === 0 && !this.#eof) await this.#waitForData("read");
    throw sliceError();
  }

  /** `read(-1)`: until EOF. */
  async #readAll(): Promise<Uint8Array> {
    // Limit-sized reads, so the transport is resumed between them instead
    // of the buffer growing without bound.
    const blocks: Uint8Array[] = [];
    for (;;) {
      const block = await this.read(this.#limit);
      if (block.length === 0) break;
      blocks.push(block);
    }
    return blocks.length ? concat(blocks) : EMPTY;
  }

  /**
   * Reads exactly `n` bytes. EOF first: `IncompleteReadError` with the
   * bytes read (taken from the buffer). `n` may exceed the limit.
   */
  async readExactly(n: number | { n: number }): Promise<Uint8Array> {
    if (typeof n === "object") n = byKeyword("StreamReader.readexactly", n, "n") as number;
    if (typeof n === "boolean") n = Number(n);
    checkCount(n);
    if (n < 0) throw new ValueError("readexactly size can not be less than zero");
    if (this.#exception !== null) throw this.#exception;
    // As in readUntil(): no suspension unless it waits below.
    suspensions.progress++;
    if (n === 0) return EMPTY;
    while (this.#buffer.length < n) {
      if (this.#eof) throw new IncompleteReadError(this.#buffer.take(this.#buffer.length), n);
      await this.#waitForData("readexactly");
    }
    // A fractional size waits (and ends at EOF) as Python's does, then fails to slice.
    if (!Number.isInteger(n)) throw sliceError();
    return this.#take(n);
  }

  /** `for await (const line of reader)`: the lines until EOF, as `readLine()` gives them. */
  [Symbol.asyncIterator](): AsyncIterator<Uint8Array, undefined> {
    return {
      // A plain method, not an async generator: readLine() then runs in the
      // caller's task, so cancelling that task reaches the waiting read.
      next: async (): Promise<IteratorResult<Uint8Array, undefined>> => {
        const line = await this.readLine();
        return line.length === 0 ? { done: true, value: undefined } : { done: false, value: line };
      },
    };
  }

  /** @internal The future a read is parked on, if any (see {@link watchedReads}). */
  _parkedWaiter(): Future<void> | null {
    return this.#waiter;
  }

  /** `<StreamReader 3 bytes eof limit=10 ...>`, as Python prints it. */
  toString(): string {
    const info = ["StreamReader"];
    if (this.#buffer.length) info.push(`${this.#buffer.length} bytes`);
    if (this.#eof) info.push("eof");
    if (this.#limit !== DEFAULT_LIMIT) info.push(`limit=${this.#limit}`);
    if (this.#waiter !== null) info.push(`waiter=${this.#waiter}`);
    if (this.#exception !== null) info.push(`exception=${excRepr(this.#exception)}`);
    if (this.#transport !== null) info.push(`transport=${pyRepr(this.#transport)}`);
    if (this.#paused) info.push("paused");
    return `<${info.join(" ")}>`;
  }
}

/** The reader's own `feedData`, to tell whether a subclass replaced it. */
const FEED_DATA = StreamReader.prototype.feedData;

/** Cancels the read parked on `reader` (one read waits at a time, so it is this one's). */
function newReadCanceller(reader: StreamReader): Canceller {
  const canceller: Canceller = {
    cancelOperation(_p: Promise<unknown>, msg?: string): boolean {
      reader._parkedWaiter()?.cancel(msg);
      return false;
    },
  };
  return reader._readCanceller = canceller;
}

/**
 * A read that parked (it must wait for data) gives a promise that a task
 * made from it can cancel: `createTask(reader.readLine())`, cancelled when
 * another task of an `asyncio.wait(..., FIRST_COMPLETED)` won (a chat
 * client's loop), cancels the wait, as Python's task throws CancelledError
 * into the readline coroutine. Else the waiter stayed, and the next read
 * failed with "called while another coroutine is already waiting". A read
 * that need not wait pays a call and two field reads; one that parks, a
 * property on its promise.
 */
function watchedReads(
  proto: StreamReader,
  keys: readonly ("read" | "readLine" | "readUntil" | "readExactly")[],
): void {
  for (const key of keys) {
    const method = proto[key] as (this: StreamReader, a0?: unknown) => Promise<Uint8Array>;
    const watched = {
      [key](this: StreamReader, a0?: unknown): Promise<Uint8Array> {
        const before = this._parkedWaiter();
        const p = method.call(this, a0);
        const waiter = this._parkedWaiter();
        if (waiter === null || waiter === before) return p;
        // One canceller per reader, not a closure per parked read: an echo
        // loop's every read parks.
        (p as CancellablePromise<Uint8Array>)[cancelOperation] = this._readCanceller ??
          newReadCanceller(this);
        return p;
      },
    }[key];
    Object.defineProperty(proto, key, { value: watched, writable: true, configurable: true });
  }
}
watchedReads(StreamReader.prototype, ["read", "readLine", "readUntil", "readExactly"]);

// ---------------------------------------------------------------- protocols

/**
 * The protocol half of `drain()` (Python's `streams.FlowControlMixin`): it
 * tracks `pauseWriting()` / `resumeWriting()` from the transport and lets
 * `drain()` wait while writing is paused. A subclass that overrides
 * `pauseWriting`, `resumeWriting` or `connectionLost` must call `super`.
 *
 * @example
 * ```ts
 * class Sender extends FlowControlMixin {
 *   override _getCloseWaiter() { return this.closed; }
 * }
 * ```
 */
export class FlowControlMixin extends Protocol {
  /** @internal */
  _loop: AbstractEventLoop;
  /** @internal Whether the transport asked to stop writing. */
  _paused = false;
  /** @internal */
  _connectionLost = false;
  #drainWaiters = new Set<Future<void>>();

  /** Flow control on `loop` (default: `getEventLoop()`); also `{ loop }`, Python's keyword. */
  constructor(loop?: AbstractEventLoop | null | { loop?: AbstractEventLoop | null }) {
    super();
    const kw = keywords("FlowControlMixin.__init__", loop, ["loop"]);
    if (kw !== null) loop = kw.loop as AbstractEventLoop | null | undefined;
    this._loop = (loop as AbstractEventLoop | null | undefined) ?? getEventLoop();
  }

  /** The transport's buffer is full: `drain()` waits from now on. */
  override pauseWriting(): void {
    this._paused = true;
    if (this._loop.getDebug()) logger.debug(`${pyRepr(this)} pauses writing`);
  }

  /** The transport's buffer drained: every waiting `drain()` returns. */
  override resumeWriting(): void {
    this._paused = false;
    if (this._loop.getDebug()) logger.debug(`${pyRepr(this)} resumes writing`);
    for (const w of this.#drainWaiters) if (!w.done()) w.setResult(undefined);
  }

  /** Waiting `drain()` calls end: with `exc`, or normally when it is null. */
  override connectionLost(exc: Error | null): void {
    this._connectionLost = true;
    if (!this._paused) return;
    for (const w of this.#drainWaiters) {
      if (w.done()) continue;
      if (exc == null) w.setResult(undefined);
      else w.setException(exc);
    }
  }

  /**
   * @internal What `StreamWriter.drain()` waits on: nothing unless paused;
   * `ConnectionResetError` once the connection is lost.
   */
  _drainHelper(): Promise<null> {
    // Not async: the common case (not paused) returns a settled promise
    // without an async function's frame and promise.
    if (this._connectionLost) return Promise.reject(new ConnectionResetError("Connection lost"));
    if (!this._paused) return RESOLVED;
    return this.#waitResumed();
  }

  async #waitResumed(): Promise<null> {
    const waiter = this._loop.createFuture<void>();
    this.#drainWaiters.add(waiter);
    try {
      await waiter;
    } finally {
      this.#drainWaiters.delete(waiter);
    }
    return null;
  }

  /** @internal The future `StreamWriter.waitClosed()` waits on; subclasses provide it. */
  _getCloseWaiter(_stream: StreamWriter<WriteTransport>): PromiseLike<void> {
    throw new NotImplementedError();
  }
}

/**
 * What a server's stream callback is: called with the reader and writer of
 * each new connection. If it returns an awaitable, that runs as a task (an
 * async function runs inside the task from its first line). Its reader is
 * the protocol's, so a server protocol must be given one.
 *
 * @example
 * ```ts
 * const echo: ClientConnectedCallback = async (reader, writer) => {
 *   writer.write(await reader.readLine());
 *   writer.close();
 * };
 * ```
 */
export type ClientConnectedCallback = (reader: StreamReader, writer: StreamWriter) => unknown;

function isThenable(x: unknown): x is PromiseLike<unknown> {
  return (typeof x === "object" || typeof x === "function") && x !== null &&
    typeof (x as { then?: unknown }).then === "function";
}

/**
 * The protocol between a transport and a {@link StreamReader}: it feeds the
 * reader and, for a server (with `clientConnectedCb`), makes the
 * {@link StreamWriter} and starts the client callback on each connection.
 *
 * @example
 * ```ts
 * const reader = new StreamReader();
 * const protocol = new StreamReaderProtocol(reader);
 * const [transport] = await loop.createConnection(() => protocol, "127.0.0.1", 8888);
 * const writer = new StreamWriter(transport, protocol, reader, loop);
 * ```
 */
export class StreamReaderProtocol extends FlowControlMixin {
  #reader: StreamReader | null;
  #clientConnectedCb: ClientConnectedCallback | null;
  #task: Future<unknown> | null = null;
  /** @internal */
  _transport: BaseTransport | null = null;
  #overSsl = false;
  #closed: Future<void>;

  /**
   * A protocol feeding `streamReader`. With `clientConnectedCb`, it is a
   * server's: the callback gets `(reader, writer)` for the connection.
   * The last two may also come as Python's keywords,
   * `{ clientConnectedCb, loop }` (`StreamReaderProtocol(reader, loop=loop)`).
   */
  constructor(
    streamReader: StreamReader | null,
    clientConnectedCb?:
      | ClientConnectedCallback
      | null
      | { clientConnectedCb?: ClientConnectedCallback | null; loop?: AbstractEventLoop | null },
    loop?: AbstractEventLoop | null,
  ) {
    const kw = keywords("StreamReaderProtocol.__init__", clientConnectedCb, [
      "clientConnectedCb",
      "loop",
    ]);
    if (kw !== null) {
      clientConnectedCb = kw.clientConnectedCb as ClientConnectedCallback | null | undefined;
      loop = (kw.loop as AbstractEventLoop | null | undefined) ?? loop;
    }
    super(loop);
    const kind = typeof streamReader;
    if (streamReader != null && kind !== "object" && kind !== "function") {
      // Python's message: it keeps a weak reference to the reader.
      throw new TypeError(`cannot create weak reference to '${pyTypeName(streamReader)}' object`);
    }
    this.#reader = streamReader;
    this.#clientConnectedCb = (clientConnectedCb as ClientConnectedCallback | null | undefined) ??
      null;
    this.#closed = this._loop.createFuture<void>();
  }

  /** @internal Whether it serves a server's connection (it has a client callback). */
  get _serverSide(): boolean {
    return this.#clientConnectedCb !== null;
  }

  /** @internal Swaps in the transport `startTls()` made. */
  _replaceTransport(transport: BaseTransport): void {
    this._transport = transport;
    this.#overSsl = transport.getExtraInfo("sslcontext") != null;
  }

  /** Hands the transport to the reader; for a server, starts the client callback. */
  override connectionMade(transport: BaseTransport): void {
    this._transport = transport;
    const reader = this.#reader;
    if (reader !== null) reader.setTransport(transport);
    this.#overSsl = transport.getExtraInfo("sslcontext") != null;
    const cb = this.#clientConnectedCb;
    if (cb === null) return;
    const writer = new StreamWriter(transport as Transport, this, reader, this._loop);
    const task = this.#startClient(cb, reader as StreamReader, writer);
    if (task === null) return;
    this.#task = task;
    // As in 3.11: a cancelled task makes `exception()` raise CancelledError
    // here, which the loop reports as this callback's error ("Exception in
    // callback StreamReaderProtocol.connection_made.<locals>.callback(...)"),
    // and the transport stays open (3.13 closes it quietly instead).
    const callback = (t: Future<unknown>) => {
      const exc = t.exception();
      if (exc !== null) {
        const context = {
          message: "Unhandled exception in client_connected_cb",
          exception: exc,
          transport,
        };
        // Reported from a done callback, not from an `except`.
        _reportedOutsideExcept.add(context);
        this._loop.callExceptionHandler(context);
        transport.close();
      }
    };
    Object.defineProperty(callback, "__qualname__", {
      value: "StreamReaderProtocol.connection_made.<locals>.callback",
    });
    task.addDoneCallback(callback);
  }

  #startClient(
    cb: ClientConnectedCallback,
    reader: StreamReader,
    writer: StreamWriter,
  ): Future<unknown> | null {
    // Calling an async function runs its body up to the first await outside
    // any task; let the task call it instead (API.md rule 9), which is also
    // when Python's task would start the coroutine.
    if (Object.getPrototypeOf(cb) === AsyncFunctionProto) {
      const start = () => cb(reader, writer);
      // The task's repr names the handler (`coro=<handler()>`), as Python's.
      Object.defineProperty(start, "name", { value: cb.name });
      return this._loop.createTask(start);
    }
    const res = cb(reader, writer);
    // A Future or Task returned (`(r, w) => asyncio.createTask(h(r, w))`)
    // is not a coroutine: 3.11 ignores it, so its error is not this
    // callback's ("Unhandled exception in client_connected_cb") and the
    // transport stays open. Other thenables are what a coroutine ports to.
    if (isFuture(res)) return null;
    if (iscoroutine(res) || isThenable(res)) return this._loop.createTask(res);
    return null;
  }

  /** Ends the reader (EOF, or `exc`) and settles `waitClosed()`. */
  override connectionLost(exc: Error | null): void {
    const reader = this.#reader;
    if (reader !== null) {
      if (exc == null) reader.feedEof();
      else reader.setException(exc);
    }
    const closed = this.#closed;
    if (!closed.done()) {
      if (exc == null) closed.setResult(undefined);
      else {
        closed.setException(exc);
        // The reader reports the error; an unawaited waitClosed() need not.
        closed._logTraceback = false;
      }
    }
    super.connectionLost(exc);
    this.#reader = null;
    this.#task = null;
    this._transport = null;
  }

  /** Feeds the reader. */
  override dataReceived(data: Uint8Array): void {
    const reader = this.#reader;
    if (reader === null) return;
    // The transport's chunk is the protocol's to keep: the reader need not
    // copy it, unless a subclass changed what feedData does.
    if (reader.feedData === FEED_DATA) reader._feedOwned(data);
    else reader.feedData(data);
  }

  /** Feeds EOF to the reader and keeps the transport open for writing (not over SSL). */
  override eofReceived(): boolean {
    this.#reader?.feedEof();
    // SSL cannot half-close; returning true there only draws a warning.
    return !this.#overSsl;
  }

  /** @internal */
  override _getCloseWaiter(_stream: StreamWriter<WriteTransport>): Future<void> {
    return this.#closed;
  }

  /** @internal The client callback's task, while the connection lasts. */
  get _task(): Future<unknown> | null {
    return this.#task;
  }
}

// ---------------------------------------------------------------- writer

/**
 * What a {@link StreamWriter} needs of its protocol; a
 * {@link FlowControlMixin} subclass has it.
 *
 * @example
 * ```ts
 * const protocol: StreamWriterProtocol = new StreamReaderProtocol(reader);
 * ```
 */
export interface StreamWriterProtocol {
  /** Resolves when writing may go on (see {@link FlowControlMixin}). */
  _drainHelper(): Promise<null>;
  /** Settles when the connection is closed. */
  _getCloseWaiter(stream: StreamWriter<WriteTransport>): PromiseLike<void>;
}

/**
 * The arguments of a {@link StreamWriter} after its transport, by name
 * (Python's keywords).
 *
 * @example
 * ```ts
 * const kw: StreamWriterKeywords = { protocol, reader: null, loop };
 * ```
 */
export interface StreamWriterKeywords {
  /** The protocol, for `drain()` and `waitClosed()`. */
  protocol: StreamWriterProtocol;
  /** The connection's reader, or null. */
  reader?: StreamReader | null;
  /** The loop. */
  loop: AbstractEventLoop;
}

/**
 * The writing half of a stream: a transport plus `drain()`, to wait while
 * the transport's buffer is full, and `waitClosed()`.
 *
 * @example
 * ```ts
 * writer.write(new TextEncoder().encode("hello\n"));
 * await writer.drain();
 * writer.close();
 * await writer.waitClosed();
 * ```
 */
export class StreamWriter<T extends WriteTransport = Transport> {
  #transport: T;
  #protocol: StreamWriterProtocol;
  #reader: StreamReader | null;
  #loop: AbstractEventLoop;

  /**
   * A writer over `transport`; `reader` (or null) is the connection's
   * reader. Those after `transport` may also come as Python's keywords, in
   * a last plain object, as asyncio itself calls it:
   * `new StreamWriter(t, { protocol, reader: null, loop })`, or
   * `new StreamWriter(t, protocol, reader, { loop })`.
   */
  constructor(
    transport: T,
    protocol: StreamWriterProtocol | StreamWriterKeywords,
    reader?: StreamReader | null | Partial<StreamWriterKeywords>,
    loop?: AbstractEventLoop | Partial<StreamWriterKeywords>,
  ) {
    // The last argument given, if a plain object, holds the rest by name
    // (a protocol may be a plain object too, but then the loop follows it).
    const given: unknown[] = [protocol, reader, loop];
    let last = given.length - 1;
    while (last > 0 && given[last] === undefined) last--;
    const names = ["protocol", "reader", "loop"];
    const kw = keywords("StreamWriter.__init__", given[last], names.slice(last));
    if (kw !== null) {
      given.splice(last, 1, ...names.slice(last).map((name) => kw[name]));
      [protocol, reader, loop] = given as [
        StreamWriterProtocol,
        StreamReader | null,
        AbstractEventLoop,
      ];
    }
    if (reader != null && !(reader instanceof StreamReader)) {
      // Python asserts it: drain() asks the reader for its exception().
      throw new AssertionError();
    }
    if (loop == null) {
      throw new AttributeError("'NoneType' object has no attribute 'create_future'");
    }
    this.#transport = transport;
    this.#protocol = protocol as StreamWriterProtocol;
    this.#reader = (reader as StreamReader | null | undefined) ?? null;
    this.#loop = loop as AbstractEventLoop;
  }

  /** The transport. */
  get transport(): T {
    return this.#transport;
  }

  /** Queues `data` on the transport; follow with `await drain()`. */
  write(data: Uint8Array): void {
    this.#transport.write(data);
  }

  /** Queues each chunk of `data` on the transport. */
  writeLines(data: Iterable<Uint8Array>): void {
    this.#transport.writeLines(data);
  }

  /** Closes the write end once the buffer is sent. */
  writeEof(): void {
    this.#transport.writeEof();
  }

  /** Whether the transport supports `writeEof()`. */
  canWriteEof(): boolean {
    return this.#transport.canWriteEof();
  }

  /** Closes the transport; `waitClosed()` tells when it is closed. */
  close(): void {
    this.#transport.close();
  }

  /** Whether the transport is closing or closed. */
  isClosing(): boolean {
    return this.#transport.isClosing();
  }

  /**
   * Resolves (to null, Python's None) once the connection is closed;
   * rejects with the error it was lost with.
   */
  async waitClosed(): Promise<null> {
    await this.#protocol._getCloseWaiter(this);
    return null;
  }

  /** The transport's extra information `name` (see `BaseTransport.getExtraInfo`). */
  getExtraInfo(name: string, defaultValue: unknown = null): unknown {
    return this.#transport.getExtraInfo(name, defaultValue);
  }

  /**
   * Waits until the transport's buffer is below its high-water mark. Throws
   * the reader's exception if it has one, and `ConnectionResetError` once
   * the connection is lost.
   */
  drain(): Promise<null> {
    // Not an async function: when nothing is to wait for, the caller gets
    // the protocol's settled promise and resumes one microtask later.
    try {
      if (this.#reader !== null) {
        const exc = this.#reader.exception();
        if (exc !== null) throw exc;
      }
      if (this.#transport.isClosing()) return this.#drainClosing();
      // Not paused, it returns at once: the task's step goes on, as in
      // Python (see `suspensions.progress`).
      suspensions.progress++;
      const p = this.#protocol._drainHelper();
      return p instanceof Promise ? p : Promise.resolve(p);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  async #drainClosing(): Promise<null> {
    // Let connectionLost() run, so a write-and-drain loop on a closed
    // connection sees its error instead of spinning.
    await sleep(0);
    return await this.#protocol._drainHelper();
  }

  /**
   * `await using` support: `close()`, then `waitClosed()`. The error a
   * connection was lost with is not thrown again here (the reader and
   * `drain()` report it); cancellation is.
   */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
    try {
      await this.waitClosed();
    } catch (e) {
      if (e instanceof CancelledError) throw e;
    }
  }

  /**
   * Upgrades the connection to TLS (Python 3.11's `StreamWriter.start_tls`):
   * drains, runs the handshake (as the server end when this writer came
   * from a server), then reads and writes go through TLS.
   */
  async startTls(
    sslcontext: SSLContext,
    opts: {
      serverHostname?: string | null;
      sslHandshakeTimeout?: number | null;
      sslShutdownTimeout?: number | null;
    } = {},
  ): Promise<null> {
    // Refused as this method's (Python's signature check), before the drain,
    // not as the loop's `BaseEventLoop.start_tls()` after it.
    checkKeywords("StreamWriter.start_tls", opts, [
      "serverHostname",
      "sslHandshakeTimeout",
      "sslShutdownTimeout",
    ]);
    const protocol = this.#protocol as StreamWriterProtocol & {
      _serverSide?: boolean;
      _replaceTransport?(t: BaseTransport): void;
    };
    const loop = this.#loop as AbstractEventLoop & {
      startTls?(
        t: BaseTransport,
        p: unknown,
        c: SSLContext,
        o: Record<string, unknown>,
      ): Promise<BaseTransport>;
    };
    if (typeof loop.startTls !== "function") {
      throw new NotImplementedError(`${loop.constructor.name} has no startTls()`);
    }
    await this.drain();
    const transport = await loop.startTls(this.#transport, protocol, sslcontext, {
      serverSide: protocol._serverSide ?? false,
      ...opts,
    });
    this.#transport = transport as unknown as T;
    protocol._replaceTransport?.(transport);
    return null; // Python's None
  }

  /** @internal The loop the writer was made for. */
  get _loop(): AbstractEventLoop {
    return this.#loop;
  }

  /** `<StreamWriter transport=... reader=...>`, as Python prints it. */
  toString(): string {
    const info = ["StreamWriter", `transport=${pyRepr(this.#transport)}`];
    if (this.#reader !== null) info.push(`reader=${this.#reader}`);
    return `<${info.join(" ")}>`;
  }
}

// ---------------------------------------------------------------- functions

/**
 * What {@link startServer} resolves to: the loop's `Server` (`close()`,
 * `waitClosed()`, `sockets`, `await using`, ...).
 *
 * @example
 * ```ts
 * const server: StreamServer = await asyncio.startServer(cb, "127.0.0.1", 0);
 * server.close();
 * await server.waitClosed();
 * ```
 */
export type StreamServer = Server;

/** A protocol factory, as the loop's create* methods take it. */
type ProtocolFactory = () => BaseProtocolLike;

/** The loop methods the stream functions build on. */
interface ConnectingLoop {
  createConnection(
    f: ProtocolFactory,
    host: string | null | undefined,
    port: number | string | null | undefined,
    opts: Record<string, unknown>,
  ): Promise<[BaseTransport, BaseProtocolLike]>;
  createServer(
    f: ProtocolFactory,
    host: string | string[] | null | undefined,
    port: number | string | null | undefined,
    opts: Record<string, unknown>,
  ): Promise<StreamServer>;
  createUnixConnection(
    f: ProtocolFactory,
    path: string | null | undefined,
    opts: Record<string, unknown>,
  ): Promise<[BaseTransport, BaseProtocolLike]>;
  createUnixServer(
    f: ProtocolFactory,
    path: string | null | undefined,
    opts: Record<string, unknown>,
  ): Promise<StreamServer>;
}

/**
 * @internal The loop for a stream or subprocess function called while no
 * loop runs: a JS async function runs from its call, so
 * `loop.runUntilComplete(asyncio.startServer(...))` (the spec's own form)
 * and `asyncio.run(main())` with `startServer` as main's first `await` get
 * there before their loop runs, where Python's coroutine would start inside
 * it. They wait for the loop that starts next, as `sleep()` does; if none
 * starts by the host's next turn, `getEventLoop()`'s.
 */
export async function loopAboutToRun(): Promise<AbstractEventLoop> {
  if (await untilALoopRuns()) {
    const loop = _getRunningLoop();
    if (loop !== null) return loop;
  }
  return getEventLoop();
}

/** The loop given (the running one, or {@link loopAboutToRun}'s), checked for `method`. */
function connectingLoop(
  method: keyof ConnectingLoop,
  given: AbstractEventLoop,
): AbstractEventLoop & ConnectingLoop {
  const loop = given as AbstractEventLoop & Partial<ConnectingLoop>;
  if (typeof loop[method] !== "function") {
    throw new NotImplementedError(`${loop.constructor.name} has no ${method}()`);
  }
  return loop as AbstractEventLoop & ConnectingLoop;
}

/**
 * Options of the stream functions: `limit` (the reader's, 64 KiB) and
 * any option of the loop method they call (`createConnection`, ...).
 *
 * @example
 * ```ts
 * const opts: StreamOptions = { limit: 1 << 20, localAddr: ["127.0.0.1", 0] };
 * ```
 */
export interface StreamOptions {
  /** The `StreamReader` limit. */
  limit?: number;
  /** Passed on to the loop method. */
  [option: string]: unknown;
}

function splitLimit(opts: StreamOptions | undefined): [number, Record<string, unknown>] {
  const { limit, ...rest } = opts ?? {};
  // A null limit is Python's `limit=None`: the reader refuses it.
  return [limit === undefined ? DEFAULT_LIMIT : limit, rest];
}

async function connectWith(
  loop: AbstractEventLoop,
  limit: number,
  connect: (f: ProtocolFactory) => Promise<[BaseTransport, BaseProtocolLike]>,
): Promise<[StreamReader, StreamWriter]> {
  const reader = new StreamReader(limit, loop);
  const protocol = new StreamReaderProtocol(reader, null, loop);
  const [transport] = await connect(() => protocol);
  return [reader, new StreamWriter(transport as Transport, protocol, reader, loop)];
}

/**
 * Connects to `host`:`port` over TCP; resolves to `[reader, writer]`.
 * Options: `limit`, and those of `loop.createConnection`.
 *
 * @example
 * ```ts
 * const [reader, writer] = await asyncio.openConnection("127.0.0.1", 8888);
 * writer.write(new TextEncoder().encode("ping\n"));
 * console.log(await reader.readLine());
 * writer.close();
 * await writer.waitClosed();
 * ```
 */
export async function openConnection(
  hostOrKeywords?: string | null | AddressKeywords<StreamOptions, HostPort>,
  portOrKeywords?: number | string | null | AddressKeywords<StreamOptions, HostPort>,
  opts?: StreamOptions,
): Promise<[StreamReader, StreamWriter]> {
  const loop = connectingLoop("createConnection", _getRunningLoop() ?? await loopAboutToRun());
  let host: HostPort["host"] | undefined, port: HostPort["port"] | undefined;
  [[host, port], opts] = addressKeywords(
    ["host", "port"],
    [hostOrKeywords, portOrKeywords],
    opts,
  ) as [
    [typeof host, typeof port],
    StreamOptions | undefined,
  ];
  const [limit, rest] = splitLimit(opts);
  return await connectWith(loop, limit, (f) => loop.createConnection(f, host, port, rest));
}

/**
 * Starts a TCP server; `clientConnectedCb(reader, writer)` is called for
 * each connection (as a task, if it is async). Options: `limit`, and those
 * of `loop.createServer`.
 *
 * @example
 * ```ts
 * await using server = await asyncio.startServer(async (reader, writer) => {
 *   for await (const line of reader) writer.write(line);
 *   writer.close();
 * }, "127.0.0.1", 8888);
 * await server.serveForever();
 * ```
 */
export async function startServer(
  clientConnectedCb: ClientConnectedCallback,
  hostOrKeywords?: string | string[] | null | AddressKeywords<StreamOptions, ServerHostPort>,
  portOrKeywords?: number | string | null | AddressKeywords<StreamOptions, ServerHostPort>,
  opts?: StreamOptions,
): Promise<StreamServer> {
  const loop = connectingLoop("createServer", _getRunningLoop() ?? await loopAboutToRun());
  let host: ServerHostPort["host"] | undefined, port: ServerHostPort["port"] | undefined;
  [[host, port], opts] = addressKeywords(
    ["host", "port"],
    [hostOrKeywords, portOrKeywords],
    opts,
  ) as [
    [typeof host, typeof port],
    StreamOptions | undefined,
  ];
  const [limit, rest] = splitLimit(opts);
  const factory = () =>
    new StreamReaderProtocol(new StreamReader(limit, loop), clientConnectedCb, loop);
  return await loop.createServer(factory, host, port, rest);
}

/**
 * Connects to the Unix socket at `path`; resolves to `[reader, writer]`.
 *
 * @example
 * ```ts
 * const [reader, writer] = await asyncio.openUnixConnection("/tmp/app.sock");
 * ```
 */
export async function openUnixConnection(
  pathOrKeywords?: string | null | AddressKeywords<StreamOptions, UnixPath>,
  opts?: StreamOptions,
): Promise<[StreamReader, StreamWriter]> {
  const loop = connectingLoop("createUnixConnection", _getRunningLoop() ?? await loopAboutToRun());
  let path: UnixPath["path"] | undefined;
  [[path], opts] = addressKeywords(["path"], [pathOrKeywords], opts) as [
    [typeof path],
    StreamOptions | undefined,
  ];
  const [limit, rest] = splitLimit(opts);
  return await connectWith(loop, limit, (f) => loop.createUnixConnection(f, path, rest));
}

/**
 * Starts a Unix socket server at `path`, as {@link startServer} does for TCP.
 *
 * @example
 * ```ts
 * const server = await asyncio.startUnixServer((reader, writer) => writer.close(), "/tmp/app.sock");
 * ```
 */
export async function startUnixServer(
  clientConnectedCb: ClientConnectedCallback,
  pathOrKeywords?: string | null | AddressKeywords<StreamOptions, UnixPath>,
  opts?: StreamOptions,
): Promise<StreamServer> {
  const loop = connectingLoop("createUnixServer", _getRunningLoop() ?? await loopAboutToRun());
  let path: UnixPath["path"] | undefined;
  [[path], opts] = addressKeywords(["path"], [pathOrKeywords], opts) as [
    [typeof path],
    StreamOptions | undefined,
  ];
  const [limit, rest] = splitLimit(opts);
  const factory = () =>
    new StreamReaderProtocol(new StreamReader(limit, loop), clientConnectedCb, loop);
  return await loop.createUnixServer(factory, path, rest);
}

printAsRepr(StreamReader, StreamWriter);
// Python code passes these as callbacks (`loop.call_soon(writer.close)`).
bindOnRead(StreamWriter.prototype, ["write", "writeLines", "writeEof", "close"], {
  writeLines: "StreamWriter.writelines",
  writeEof: "StreamWriter.write_eof",
});
// Their repr is Python's default one, naming Python's module.
setPyModule("asyncio.streams", FlowControlMixin, StreamReaderProtocol);
// Named so in a traceback's last line: `asyncio.exceptions.IncompleteReadError: ...`.
setPyModule("asyncio.exceptions", IncompleteReadError, LimitOverrunError);
