/**
 * Python's `asynchat` module (deprecated in Python 3.6, removed in 3.12):
 * `async_chat`, an `asyncore.dispatcher` that splits its input at a
 * terminator (bytes, a byte count, or none) and sends a FIFO of data and
 * producers.
 *
 * @example
 * ```ts
 * import * as asynchat from "./asynchat.ts";
 * class LineHandler extends asynchat.async_chat {
 *   ibuffer: Uint8Array[] = [];
 *   constructor(sock: Socket) {
 *     super(sock);
 *     this.setTerminator(new TextEncoder().encode("\r\n"));
 *   }
 *   override collectIncomingData(data: Uint8Array) { this.ibuffer.push(data); }
 *   override foundTerminator() {
 *     this.push(concat(this.ibuffer)); // echo the line back
 *     this.ibuffer = [];
 *   }
 * }
 * ```
 *
 * @module
 */
import {
  AttributeError,
  BlockingIOError,
  LookupError,
  NotImplementedError,
  OSError,
  ValueError,
} from "./exceptions.ts";
import {
  _handleError,
  _pyTruth as truthy,
  type ChannelOptions,
  dispatcher,
  type SocketMap,
} from "./asyncore.ts";
import { keywords } from "./keywords.ts";
import type { Socket } from "./socket.ts";
import { objectHead, printAsRepr, pyRepr, pyTypeName, setPyModule } from "./format.ts";

/**
 * What `pushWithProducer` takes: `more()` returns the next bytes, empty
 * when it has no more.
 *
 * @example
 * ```ts
 * const p: Producer = { more: () => new Uint8Array(0) };
 * ```
 */
export interface Producer {
  /** The next chunk; empty when exhausted. */
  more(): Uint8Array;
}

/** A terminator: bytes to find, a count of bytes to read, or none. */
export type Terminator = Uint8Array | number | null;

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** `bytes(text, encoding)` for the encodings a string terminator is given in. */
function encodeText(text: string, encoding: string): Uint8Array {
  const name = encoding.toLowerCase().replace(/[-_]/g, "");
  if (name === "utf8") return new TextEncoder().encode(text);
  if (!["latin1", "iso88591", "l1", "ascii"].includes(name)) {
    throw new LookupError(`unknown encoding: ${encoding}`);
  }
  const [codec, limit] = name === "ascii" ? ["ascii", 0x80] : ["latin-1", 0x100];
  const codes = Array.from(text, (c) => c.codePointAt(0)!);
  const start = codes.findIndex((code) => code >= limit);
  if (start !== -1) {
    // Python reports the run of characters the codec cannot encode.
    let end = start + 1;
    while (end < codes.length && codes[end] >= limit) end++;
    const what = end === start + 1
      ? `character '${charEscape(codes[start])}' in position ${start}`
      : `characters in position ${start}-${end - 1}`;
    throw new UnicodeEncodeError(
      `'${codec}' codec can't encode ${what}: ordinal not in range(${limit})`,
    );
  }
  return Uint8Array.from(codes);
}

/** Python's escape of a character in a codec error: `\xe9`, `\u20ac`, `\U0001f600`. */
function charEscape(code: number): string {
  const [tag, width] = code <= 0xff ? ["x", 2] : code <= 0xffff ? ["u", 4] : ["U", 8];
  return `\\${tag}${code.toString(16).padStart(width, "0")}`;
}

/** Python's `UnicodeEncodeError`, a `ValueError`, as a string terminator's encoding raises it. */
class UnicodeEncodeError extends ValueError {
  /** The Python class name. */
  override name = "UnicodeEncodeError";
}

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  const n = needle.length;
  if (n === 0) return 0;
  const first = needle[0];
  const last = haystack.length - n;
  outer: for (
    let i = haystack.indexOf(first);
    i !== -1 && i <= last;
    i = haystack.indexOf(first, i + 1)
  ) {
    for (let j = 1; j < n; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/**
 * The length of the longest proper prefix of `needle` that `haystack` ends
 * with (0 if none): Python's `asynchat.find_prefix_at_end`.
 *
 * @example
 * ```ts
 * findPrefixAtEnd(enc.encode("qwerty\r"), enc.encode("\r\n")); // 1
 * ```
 */
export function findPrefixAtEnd(haystack: Uint8Array, needle: Uint8Array): number {
  let l = needle.length - 1;
  while (l) {
    const off = haystack.length - l;
    let match = off >= 0;
    for (let j = 0; match && j < l; j++) if (haystack[off + j] !== needle[j]) match = false;
    if (match) break;
    l--;
  }
  return l;
}

type FifoItem = Uint8Array | Producer | null;

/**
 * The output queue: an array that prints as Python's `deque([...])`, since
 * `print(chat.producer_fifo)` shows one, and so does `print(chat.writable())`,
 * which returns the queue itself while it holds anything.
 */
class ProducerFifo extends Array<FifoItem> {
  override toString(): string {
    return `deque([${Array.from(this, (x) => pyRepr(x)).join(", ")}])`;
  }
}

function isBytes(x: unknown): x is Uint8Array {
  return x instanceof Uint8Array;
}

/**
 * A channel that splits its input at a terminator and sends a FIFO of
 * bytes and producers. Subclass it with `collectIncomingData()` and
 * `foundTerminator()`. Python's `asynchat.async_chat`.
 *
 * @example
 * ```ts
 * class Chat extends async_chat {
 *   override collectIncomingData(data: Uint8Array) { console.log(data); }
 *   override foundTerminator() { this.push(new TextEncoder().encode("ok\r\n")); }
 * }
 * ```
 */
// deno-lint-ignore camelcase
export class async_chat extends dispatcher {
  /** How much `handleRead()` reads at a time (Python's `ac_in_buffer_size`). */
  acInBufferSize = 65536;
  /** The largest chunk sent at a time (Python's `ac_out_buffer_size`). */
  acOutBufferSize = 65536;
  /** Received bytes not yet handed on. */
  acInBuffer: Uint8Array = new Uint8Array(0);
  /** Collected by the default-style `collectIncomingDataDefault`. */
  incoming: Uint8Array[] = [];
  /** The output queue: bytes, producers, and `null` (close when reached). */
  producerFifo: FifoItem[] = new ProducerFifo();
  /**
   * The current terminator; undefined until `setTerminator()` is called, as
   * Python's `async_chat` has no `terminator` attribute until then.
   */
  terminator!: Terminator;
  /**
   * Python's `use_encoding`, kept for ported code. A string terminator is
   * encoded with `encoding` whether or not it is set: where Python would
   * keep the string and fail at the next read, a string here stands for
   * the bytes a ported program means.
   */
  useEncoding: boolean | number = false;
  /** How a string terminator is encoded: `"latin-1"` (the default), `"ascii"` or `"utf-8"`. */
  encoding = "latin-1";

  /**
   * A chat channel over `sock` (or none yet), in `map` (default the global
   * map). Also `{ sock, map }`, as the spec's
   * `async_chat.__init__(self, sock=sock)` ported: `super({ sock })`.
   */
  constructor(
    sock: Socket | null | ChannelOptions = null,
    map: SocketMap | null | Pick<ChannelOptions, "map"> = null,
  ) {
    // An unknown keyword names this constructor, as Python's message does.
    keywords("async_chat.__init__", sock, ["sock", "map"]);
    super(sock, map);
  }

  /** Called with received data. Must be overridden. */
  collectIncomingData(_data: Uint8Array): void {
    throw new NotImplementedError("must be implemented in subclass");
  }

  /** Appends `data` to `incoming` (Python's `_collect_incoming_data`). */
  protected collectIncomingDataDefault(data: Uint8Array): void {
    this.incoming.push(data);
  }

  /** Joins and clears `incoming` (Python's `_get_data`). */
  protected getData(): Uint8Array {
    let n = 0;
    for (const d of this.incoming) n += d.length;
    const out = new Uint8Array(n);
    let pos = 0;
    for (const d of this.incoming) {
      out.set(d, pos);
      pos += d.length;
    }
    // Emptied in place, as Python's `del self.incoming[:]`.
    this.incoming.length = 0;
    return out;
  }

  /**
   * Python's `_collect_incoming_data` under its ported name: appends `data`
   * to `incoming`, for a `collectIncomingData()` that only collects.
   *
   * @example
   * ```ts
   * class Lines extends async_chat {
   *   override collectIncomingData(data: Uint8Array) { this._collectIncomingData(data); }
   *   override foundTerminator() { console.log(this._getData()); }
   * }
   * ```
   */
  protected _collectIncomingData(data: Uint8Array): void {
    this.collectIncomingDataDefault(data);
  }

  /** Python's `_get_data` under its ported name: joins and clears `incoming`. */
  protected _getData(): Uint8Array {
    return this.getData();
  }

  /** Called when the terminator is found. Must be overridden. */
  foundTerminator(): void {
    throw new NotImplementedError("must be implemented in subclass");
  }

  /**
   * Sets the terminator: bytes, a byte count (>= 0), or null (collect
   * forever). A string is encoded with `encoding`, as Python's
   * `use_encoding` does.
   */
  setTerminator(term: Terminator | string): void {
    if (typeof term === "string") {
      term = encodeText(term, this.encoding);
    } else if (typeof term === "number") {
      if (!Number.isInteger(term)) throw new TypeError("terminator must be an integer");
      if (term < 0) throw new ValueError("the number of received bytes must be positive");
    }
    this.terminator = term;
  }

  /**
   * The current terminator. Before any `setTerminator()`, Python's
   * AttributeError (a TypeError here), which `handleRead()` meets too.
   */
  getTerminator(): Terminator {
    if (this.terminator === undefined) {
      throw new AttributeError(
        `'${this.constructor.name}' object has no attribute 'terminator'`,
      );
    }
    return this.terminator;
  }

  /** Reads what is there and hands it on, split at the terminator. */
  override handleRead(): void {
    let data: Uint8Array;
    try {
      data = this.recv(this.acInBufferSize);
    } catch (e) {
      if (e instanceof BlockingIOError) return;
      if (e instanceof OSError) {
        _handleError(this, e);
        return;
      }
      throw e;
    }
    this.acInBuffer = concat(this.acInBuffer, data);
    // Keep going while there is data and the channel is still being handled.
    while (this.acInBuffer.length) {
      const lb = this.acInBuffer.length;
      const terminator = this.getTerminator();
      if (terminator === null || terminator === 0 || (isBytes(terminator) && !terminator.length)) {
        // No terminator: collect everything.
        this.collectIncomingData(this.acInBuffer);
        this.acInBuffer = new Uint8Array(0);
      } else if (typeof terminator === "number") {
        const n = terminator;
        if (lb < n) {
          this.collectIncomingData(this.acInBuffer);
          this.acInBuffer = new Uint8Array(0);
          this.terminator = n - lb;
        } else {
          this.collectIncomingData(this.acInBuffer.subarray(0, n));
          this.acInBuffer = this.acInBuffer.subarray(n);
          this.terminator = 0;
          this.foundTerminator();
        }
      } else {
        const tlen = terminator.length;
        const index = indexOf(this.acInBuffer, terminator);
        if (index !== -1) {
          if (index > 0) this.collectIncomingData(this.acInBuffer.subarray(0, index));
          this.acInBuffer = this.acInBuffer.subarray(index + tlen);
          this.foundTerminator();
        } else {
          // The buffer may end with the start of the terminator: keep that part.
          const keep = findPrefixAtEnd(this.acInBuffer, terminator);
          if (keep) {
            if (keep !== lb) {
              this.collectIncomingData(this.acInBuffer.subarray(0, lb - keep));
              this.acInBuffer = this.acInBuffer.subarray(lb - keep);
            }
            break;
          }
          this.collectIncomingData(this.acInBuffer);
          this.acInBuffer = new Uint8Array(0);
        }
      }
    }
  }

  /** Sends more of the queue. */
  override handleWrite(): void {
    this.initiateSend();
  }

  /** The peer closed: closes the channel. */
  override handleClose(): void {
    this.close();
  }

  /** Queues `data` (split into `acOutBufferSize` chunks) and starts sending. */
  push(data: Uint8Array): void {
    const raw: unknown = data;
    if (!ArrayBuffer.isView(raw)) {
      // CPython 3.11 passes the format and the type as two arguments, so
      // str(exc) is that tuple: ('data argument must be byte-ish (%r)', <class 'str'>).
      throw new TypeError(
        `('data argument must be byte-ish (%r)', <class '${pyTypeName(raw)}'>)`,
      );
    }
    const d = raw instanceof Uint8Array
      ? raw
      : new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
    const sabs = this.acOutBufferSize;
    if (d.length > sabs) {
      for (let i = 0; i < d.length; i += sabs) this.producerFifo.push(d.subarray(i, i + sabs));
    } else {
      this.producerFifo.push(d);
    }
    this.initiateSend();
  }

  /** Queues a producer and starts sending. */
  pushWithProducer(producer: Producer): void {
    this.producerFifo.push(producer);
    this.initiateSend();
  }

  /**
   * Always 1, as Python's (which returns the int, so `print(chat.readable())`
   * shows `1`).
   */
  override readable(): boolean | number {
    return 1;
  }

  /**
   * While there is something queued, or while connecting. Python's
   * `self.producer_fifo or (not self.connected)`: the queue when it is not
   * empty, so `print(chat.writable())` shows `deque([b'hi'])`.
   */
  override writable(): boolean | readonly FifoItem[] {
    return this.producerFifo.length ? this.producerFifo : !this.connected;
  }

  /** Queues a close: the channel closes once everything before it is sent. */
  closeWhenDone(): void {
    this.producerFifo.push(null);
  }

  /** Sends the head of the queue, as much as the socket takes. */
  initiateSend(): void {
    while (this.producerFifo.length && this.connected) {
      const first: unknown = this.producerFifo[0];
      // An empty (falsy) entry is dropped; None closes the channel. An empty
      // chunk goes on to the empty send below, which (as in Python) ends
      // this call: what comes after it waits for handleWrite().
      if (!truthy(first)) {
        this.producerFifo.shift();
        if (first === null || first === undefined) {
          this.handleClose();
          return;
        }
      }
      const obs = this.acOutBufferSize;
      let data: unknown;
      if (isBytes(first)) {
        data = first.subarray(0, obs);
      } else if (typeof first === "string" || Array.isArray(first)) {
        // Python's `first[:obs]` slices a str or a list too; send() then
        // refuses it with the socket's TypeError.
        data = first.slice(0, obs);
      } else {
        // Python's `first.more()` for anything that cannot be sliced: a
        // producer, or the AttributeError of what was pushed by mistake.
        const more = (first as Partial<Producer>).more;
        if (typeof more !== "function") {
          throw new AttributeError(`'${pyTypeName(first)}' object has no attribute 'more'`);
        }
        const chunk: unknown = more.call(first);
        if (truthy(chunk)) this.producerFifo.unshift(chunk as FifoItem);
        else this.producerFifo.shift();
        continue;
      }
      let numSent: number;
      try {
        numSent = this.send(data as Uint8Array);
      } catch (e) {
        if (!(e instanceof OSError)) throw e;
        _handleError(this, e);
        return;
      }
      if (numSent) {
        const head = first as Uint8Array;
        if (numSent < (data as Uint8Array).length || obs < head.length) {
          this.producerFifo[0] = head.subarray(numSent);
        } else {
          this.producerFifo.shift();
        }
      }
      return;
    }
  }

  /** Drops buffered input, collected data and the output queue. */
  discardBuffers(): void {
    this.acInBuffer = new Uint8Array(0);
    // Emptied in place, as Python's `del self.incoming[:]` and
    // `producer_fifo.clear()`: a reference kept to either sees it empty.
    this.incoming.length = 0;
    this.producerFifo.length = 0;
  }
}

/**
 * A producer over bytes, handed out `bufferSize` at a time. Python's
 * `asynchat.simple_producer`.
 *
 * @example
 * ```ts
 * chat.pushWithProducer(new simple_producer(bigData, 1024));
 * ```
 */
// deno-lint-ignore camelcase
export class simple_producer implements Producer {
  /** What is left. */
  data: Uint8Array;
  /** The chunk size. */
  bufferSize: number;

  /**
   * A producer of `data` in chunks of `bufferSize` (default 512); also
   * `(data, { bufferSize })`, as Python's `simple_producer(data, buffer_size=5)`.
   */
  constructor(data: Uint8Array, bufferSize: number | { bufferSize?: number } = 512) {
    const kw = keywords("simple_producer.__init__", bufferSize, ["bufferSize"]);
    this.data = data;
    this.bufferSize = kw === null ? bufferSize as number : (kw.bufferSize ?? 512) as number;
  }

  /** The next chunk; empty when done. */
  more(): Uint8Array {
    if (this.data.length > this.bufferSize) {
      const result = this.data.subarray(0, this.bufferSize);
      this.data = this.data.subarray(this.bufferSize);
      return result;
    }
    const result = this.data;
    this.data = new Uint8Array(0);
    return result;
  }

  /**
   * Python's default repr, which is also its str(): `print(producer)`
   * shows `<asynchat.simple_producer object at 0x...>`.
   */
  toString(): string {
    return `<${objectHead(this)}>`;
  }
}

printAsRepr(simple_producer);
setPyModule("asynchat", async_chat, simple_producer);
