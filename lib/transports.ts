/**
 * Transports: the abstract channels that protocols talk through (Python's
 * `asyncio.transports`). These classes are interfaces with a body: every
 * abstract method throws `NotImplementedError`, and concrete transports
 * (sockets, pipes, subprocesses) override them.
 *
 * Also here: {@link WriteFlowControl} and {@link FlowControlTransport},
 * Python's `_FlowControlMixin`, the write-buffer water marks that call the
 * protocol's `pauseWriting()` / `resumeWriting()`; and {@link toBytes},
 * the bytes-like check every `write()` makes.
 *
 * @module
 */
import type { AbstractEventLoop } from "./events.ts";
import { keywords } from "./keywords.ts";
import { _isBaseError, NotImplementedError, ValueError } from "./exceptions.ts";
import { printAsRepr, pyRepr, pyTypeName, setPyModule } from "./format.ts";
import { type Address, type BaseProtocolLike, checkCallback, defaultRepr } from "./protocols.ts";

function notImplemented(): never {
  throw new NotImplementedError();
}

export { pyTypeName } from "./format.ts";

/**
 * `data` as a `Uint8Array` over the same memory: any typed array or
 * `DataView` is bytes-like (as Python's memoryview is); anything else, a
 * string above all, is a `TypeError` with CPython's message.
 *
 * @example
 * ```ts
 * toBytes(new Uint8Array([1])); // the same array
 * toBytes("x"); // TypeError: data argument must be a bytes-like object, not 'str'
 * ```
 */
export function toBytes(data: unknown, what = "data argument"): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data)) {
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  throw new TypeError(`${what} must be a bytes-like object, not '${pyTypeName(data)}'`);
}

/**
 * Concatenates byte strings, as Python's `b''.join(items)` does, with its
 * `TypeError` for an item that is not bytes-like.
 *
 * @example
 * ```ts
 * joinBytes([new Uint8Array([1]), new Uint8Array([2, 3])]); // Uint8Array [1, 2, 3]
 * ```
 */
export function joinBytes(items: Iterable<Uint8Array>): Uint8Array {
  // Python's message, the same on every runtime (each words its own).
  if (typeof (items as { [Symbol.iterator]?: unknown })?.[Symbol.iterator] !== "function") {
    throw new TypeError("can only join an iterable");
  }
  const parts: Uint8Array[] = [];
  let total = 0;
  let i = 0;
  for (const item of items) {
    if (!ArrayBuffer.isView(item)) {
      throw new TypeError(
        `sequence item ${i}: expected a bytes-like object, ${pyTypeName(item)} found`,
      );
    }
    const b = toBytes(item);
    parts.push(b);
    total += b.length;
    i++;
  }
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * The extra information a transport carries (`"peername"`, `"sockname"`,
 * `"socket"`, `"pipe"`, ...): a Map, or a plain object of the same pairs.
 *
 * @example
 * ```ts
 * const extra: ExtraInfo = { peername: ["127.0.0.1", 8888], socket: sock };
 * ```
 */
export type ExtraInfo = Map<string, unknown> | Record<string, unknown>;

/**
 * The water marks as Python's keywords, for
 * `transport.setWriteBufferLimits({ high: 65536 })` (Python's
 * `set_write_buffer_limits(high=65536)`).
 *
 * @example
 * ```ts
 * const limits: WriteBufferLimits = { high: 1 << 20, low: 1 << 16 };
 * transport.setWriteBufferLimits(limits);
 * ```
 */
export interface WriteBufferLimits {
  /** Above this many buffered bytes the protocol's `pauseWriting()` is called. */
  high?: number | null;
  /** At or below this many, once paused, `resumeWriting()` is called. */
  low?: number | null;
}

/**
 * The base of all transports.
 *
 * @example
 * ```ts
 * const peer = transport.getExtraInfo("peername") as [string, number];
 * transport.close();
 * ```
 */
export class BaseTransport {
  // Made on first use: an idle connection should not pay for a Map it never reads.
  #extra: Map<string, unknown> | ExtraInfo | null;

  /** A transport with `extra` as its extra information. */
  constructor(extra?: ExtraInfo | null) {
    this.#extra = extra ?? null;
  }

  /**
   * Python's default repr, `<__main__.MemoryTransport object at 0x...>` for
   * a user's transport class; the library's own transports print more.
   */
  toString(): string {
    return defaultRepr(this);
  }

  /** @internal The extra information, read by {@link getExtraInfo}; transports add to it. */
  get _extra(): Map<string, unknown> {
    const e = this.#extra;
    if (e instanceof Map) return e;
    const map = new Map(e === null ? undefined : Object.entries(e));
    this.#extra = map;
    return map;
  }

  /**
   * Optional information about the transport: `name` is a key such as
   * `"peername"`; `defaultValue` (null) is returned when it is missing.
   */
  getExtraInfo(name: string, defaultValue: unknown = null): unknown {
    if (this.#extra === null) return defaultValue;
    const extra = this._extra;
    return extra.has(name) ? extra.get(name) : defaultValue;
  }

  /** Whether the transport is closing or closed. */
  isClosing(): boolean {
    notImplemented();
  }

  /**
   * Closes the transport. Buffered outgoing data is still sent; then the
   * protocol's `connectionLost(null)` is called. No more data is received.
   */
  close(): void {
    notImplemented();
  }

  /** Switches to another protocol (only where both protocols support it). */
  setProtocol(_protocol: BaseProtocolLike): void {
    notImplemented();
  }

  /** The current protocol. */
  getProtocol(): BaseProtocolLike {
    notImplemented();
  }

  /**
   * `await using` support: closes the transport unless it is closing. It
   * does not wait for `connectionLost()` (Python's transports have no way
   * to wait for that; a `StreamWriter` does, with `waitClosed()`).
   */
  [Symbol.asyncDispose](): Promise<void> {
    try {
      if (!this.isClosing()) this.close();
    } catch (e) {
      return Promise.reject(e);
    }
    return Promise.resolve();
  }
}

/**
 * A transport that receives (the read end of a pipe, say).
 *
 * @example
 * ```ts
 * transport.pauseReading(); // no dataReceived() until resumeReading()
 * ```
 */
export class ReadTransport extends BaseTransport {
  /** Whether the transport is receiving. */
  isReading(): boolean {
    notImplemented();
  }

  /** Stops calling the protocol's `dataReceived()` until `resumeReading()`. Idempotent. */
  pauseReading(): void {
    notImplemented();
  }

  /** Calls the protocol's `dataReceived()` again when data comes. Idempotent. */
  resumeReading(): void {
    notImplemented();
  }
}

/**
 * A transport that sends (the write end of a pipe, say).
 *
 * @example
 * ```ts
 * transport.write(new TextEncoder().encode("hello\n"));
 * transport.writeEof();
 * ```
 */
export class WriteTransport extends BaseTransport {
  /**
   * A {@link Transport} is a `WriteTransport` too, as in Python, where it
   * inherits from both `ReadTransport` and `WriteTransport`.
   */
  static override [Symbol.hasInstance](x: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, x)) return true;
    return this === WriteTransport && x instanceof Transport;
  }

  /**
   * Sets the water marks of write flow control: the protocol's
   * `pauseWriting()` is called when the buffer grows above `high`, then
   * `resumeWriting()` when it drains to `low`. Omitted: the transport's
   * defaults (64 KiB, and a quarter of `high`).
   */
  setWriteBufferLimits(_high?: number | null | WriteBufferLimits, _low?: number | null): void {
    notImplemented();
  }

  /** How many bytes wait in the write buffer. */
  getWriteBufferSize(): number {
    notImplemented();
  }

  /** The water marks, `[low, high]`. */
  getWriteBufferLimits(): [number, number] {
    notImplemented();
  }

  /**
   * Queues `data` to be sent, without blocking. A string is a `TypeError`
   * (API.md rule 5).
   */
  write(data: Uint8Array): void {
    toBytes(data);
    notImplemented();
  }

  /** Writes each chunk of `list`; the default joins them and calls `write()` once. */
  writeLines(list: Iterable<Uint8Array>): void {
    this.write(joinBytes(list));
  }

  /** Closes the write end once the buffer is sent; data may still be received. */
  writeEof(): void {
    notImplemented();
  }

  /** Whether {@link writeEof} is supported (an SSL transport cannot half-close). */
  canWriteEof(): boolean {
    notImplemented();
  }

  /**
   * Closes the transport at once: buffered data is lost. The protocol's
   * `connectionLost(null)` is called soon.
   */
  abort(): void {
    notImplemented();
  }
}

/**
 * A two-way transport (TCP, Unix sockets, SSL). It has
 * {@link ReadTransport}'s methods and {@link WriteTransport}'s; in
 * Python it inherits from both, and `transport instanceof WriteTransport`
 * holds here too.
 *
 * @example
 * ```ts
 * const [transport, protocol] = await loop.createConnection(() => new Protocol(), "127.0.0.1", 8888);
 * transport.write(new TextEncoder().encode("ping"));
 * transport.close();
 * ```
 */
export class Transport extends ReadTransport {
  // The write half is written out again: a class has one base in JS.

  /** As {@link WriteTransport.setWriteBufferLimits}. */
  setWriteBufferLimits(_high?: number | null | WriteBufferLimits, _low?: number | null): void {
    notImplemented();
  }

  /** As {@link WriteTransport.getWriteBufferSize}. */
  getWriteBufferSize(): number {
    notImplemented();
  }

  /** As {@link WriteTransport.getWriteBufferLimits}: `[low, high]`. */
  getWriteBufferLimits(): [number, number] {
    notImplemented();
  }

  /** As {@link WriteTransport.write}. */
  write(data: Uint8Array): void {
    toBytes(data);
    notImplemented();
  }

  /** As {@link WriteTransport.writeLines}. */
  writeLines(list: Iterable<Uint8Array>): void {
    this.write(joinBytes(list));
  }

  /** As {@link WriteTransport.writeEof}. */
  writeEof(): void {
    notImplemented();
  }

  /** As {@link WriteTransport.canWriteEof}. */
  canWriteEof(): boolean {
    notImplemented();
  }

  /** As {@link WriteTransport.abort}. */
  abort(): void {
    notImplemented();
  }
}

/**
 * A datagram (UDP) transport.
 *
 * @example
 * ```ts
 * transport.sendto(new Uint8Array([1, 2, 3]), ["127.0.0.1", 9999]);
 * ```
 */
export class DatagramTransport extends BaseTransport {
  /**
   * Queues `data` for `addr`, without blocking; with no `addr`, for the
   * remote address the transport was made with. An empty `data` is sent as
   * an empty datagram, as Python 3.13 does (3.11 dropped it).
   */
  sendto(data: Uint8Array, _addr?: Address | null): void {
    toBytes(data);
    notImplemented();
  }

  /** Closes at once: queued datagrams are lost. */
  abort(): void {
    notImplemented();
  }
}

/**
 * The transport of a child process and its pipes.
 *
 * @example
 * ```ts
 * console.log(transport.getPid(), transport.getReturncode());
 * transport.terminate();
 * ```
 */
export class SubprocessTransport extends BaseTransport {
  /** The child's process id. */
  getPid(): number {
    notImplemented();
  }

  /** The child's exit code, or null while it runs (negative: killed by that signal). */
  getReturncode(): number | null {
    notImplemented();
  }

  /** The transport of the child's pipe `fd` (0, 1, 2), or null when it has none. */
  getPipeTransport(_fd: number): BaseTransport | null {
    notImplemented();
  }

  /** Sends signal number `signal` to the child. */
  sendSignal(_signal: number): void {
    notImplemented();
  }

  /** Asks the child to stop (SIGTERM). */
  terminate(): void {
    notImplemented();
  }

  /** Kills the child (SIGKILL). */
  kill(): void {
    notImplemented();
  }
}

/**
 * What {@link WriteFlowControl} needs of its transport.
 *
 * @example
 * ```ts
 * const t: FlowControlled = { getWriteBufferSize: () => 0, getProtocol: () => protocol };
 * ```
 */
export interface FlowControlled {
  /** Bytes waiting in the write buffer. */
  getWriteBufferSize(): number;
  /** The protocol to pause and resume. */
  getProtocol(): BaseProtocolLike;
}

/** Python's default high-water mark. */
const DEFAULT_HIGH_WATER = 64 * 1024;

/**
 * The error Python's `set_write_buffer_limits` raises for limits that
 * are not numbers, at the step that fails: `high // 4` when only `high` is
 * given, else the comparison `high >= low >= 0`.
 */
function checkLimits(hi: unknown, lo: unknown): void {
  const isNum = (x: unknown) => typeof x === "number";
  const given = (x: unknown) => x !== null && x !== undefined;
  if ((!given(hi) || isNum(hi)) && (!given(lo) || isNum(lo))) return;
  if (!given(lo)) {
    throw new TypeError(`unsupported operand type(s) for //: '${pyTypeName(hi)}' and 'int'`);
  }
  // Without `high`, Python's high is `4 * low`: a string stays a string.
  const h = given(hi) ? hi : lo;
  const ht = pyTypeName(h);
  const lt = pyTypeName(lo);
  if (ht !== lt && !(isNum(h) && isNum(lo))) {
    throw new TypeError(`'>=' not supported between instances of '${ht}' and '${lt}'`);
  }
  if (typeof h === "string" && typeof lo === "string" && h < lo) {
    throw new ValueError(`high (${pyRepr(h)}) must be >= low (${pyRepr(lo)}) must be >= 0`);
  }
  throw new TypeError(`'>=' not supported between instances of '${lt}' and 'int'`);
}

/**
 * Write flow control for one transport (Python's `_FlowControlMixin`, as a
 * part a transport holds rather than a base class, so a datagram or pipe
 * transport can use it too). The transport calls {@link maybePause} after
 * its buffer grows and {@link maybeResume} after it shrinks; the protocol's
 * `pauseWriting()` / `resumeWriting()` are called in pairs. Their errors go
 * to the loop's exception handler.
 *
 * @example
 * ```ts
 * this._flow = new WriteFlowControl(this, loop);
 * // in write(), after buffering:
 * this._flow.maybePause();
 * // after the socket took some of the buffer:
 * this._flow.maybeResume();
 * ```
 */
export class WriteFlowControl {
  #transport: FlowControlled;
  #loop: Pick<AbstractEventLoop, "callExceptionHandler">;
  #paused = false;
  #high = DEFAULT_HIGH_WATER;
  #low = DEFAULT_HIGH_WATER / 4;

  /** Flow control for `transport`, with the default limits. */
  constructor(transport: FlowControlled, loop: Pick<AbstractEventLoop, "callExceptionHandler">) {
    this.#transport = transport;
    this.#loop = loop;
  }

  /** Whether the protocol is paused (its `pauseWriting()` was called last). */
  get paused(): boolean {
    return this.#paused;
  }

  /** The high-water mark. */
  get highWater(): number {
    return this.#high;
  }

  /** The low-water mark. */
  get lowWater(): number {
    return this.#low;
  }

  /** `[low, high]`. */
  getLimits(): [number, number] {
    return [this.#low, this.#high];
  }

  /**
   * Sets the water marks with Python's defaults: `high` 64 KiB, or 4 ×
   * `low` when only `low` is given; `low` a quarter of `high`. A
   * `ValueError` unless `high >= low >= 0`. Does not pause by itself (the
   * transport's `setWriteBufferLimits` calls {@link maybePause} after).
   */
  setLimits(high?: number | null | WriteBufferLimits, low?: number | null): void {
    const kw = keywords("set_write_buffer_limits", high, ["high", "low"]);
    let hi = kw !== null ? kw.high as number | null | undefined : high as number | null | undefined;
    let lo = kw !== null ? kw.low as number | null | undefined : low;
    // A bool is an int to Python: True is 1.
    if (typeof hi === "boolean") hi = +hi;
    if (typeof lo === "boolean") lo = +lo;
    checkLimits(hi, lo);
    let h = hi ?? null;
    let l = lo ?? null;
    if (h === null) h = l === null ? DEFAULT_HIGH_WATER : 4 * l;
    if (l === null) l = Math.floor(h / 4);
    if (!(h >= l && l >= 0)) {
      throw new ValueError(`high (${pyRepr(h)}) must be >= low (${pyRepr(l)}) must be >= 0`);
    }
    this.#high = h;
    this.#low = l;
  }

  /** Pauses the protocol if the buffer is above the high-water mark and it is not paused. */
  maybePause(): void {
    if (this.#transport.getWriteBufferSize() <= this.#high || this.#paused) return;
    this.#paused = true;
    this.#call("pauseWriting", "protocol.pause_writing() failed");
  }

  /** Resumes the protocol if it is paused and the buffer is at or below the low-water mark. */
  maybeResume(): void {
    if (!this.#paused || this.#transport.getWriteBufferSize() > this.#low) return;
    this.#paused = false;
    this.#call("resumeWriting", "protocol.resume_writing() failed");
  }

  #call(method: "pauseWriting" | "resumeWriting", message: string): void {
    const protocol = this.#transport.getProtocol();
    try {
      // A protocol object without the method (not a Protocol subclass)
      // fails with Python's AttributeError, not each runtime's TypeError.
      checkCallback(
        protocol,
        method,
        method === "pauseWriting" ? "pause_writing" : "resume_writing",
      );
      protocol[method]();
    } catch (exc) {
      // SystemExit and KeyboardInterrupt leave the loop, as in Python.
      if (_isBaseError(exc)) throw exc;
      // A protocol bug must not break the transport's write path.
      this.#loop.callExceptionHandler({
        message,
        exception: exc,
        transport: this.#transport,
        protocol,
      });
    }
  }
}

/**
 * A two-way transport with write flow control built in (Python's
 * `_FlowControlMixin`): subclasses implement `getWriteBufferSize()` and
 * `getProtocol()`, and call {@link _maybePauseProtocol} whenever their
 * buffer grows and {@link _maybeResumeProtocol} whenever it shrinks.
 *
 * @example
 * ```ts
 * class MemoryTransport extends FlowControlTransport {
 *   buffer: Uint8Array[] = [];
 *   override getWriteBufferSize() { return this.buffer.reduce((n, b) => n + b.length, 0); }
 *   override write(data: Uint8Array) { this.buffer.push(data); this._maybePauseProtocol(); }
 *   // ...
 * }
 * ```
 */
export abstract class FlowControlTransport extends Transport {
  /** @internal The loop whose exception handler hears of protocol failures. */
  _loop: AbstractEventLoop;
  /**
   * Made when first needed (the buffer passed the default high-water mark,
   * or the limits were asked for or set): a connection that never buffers
   * much pays for none.
   */
  #flow: WriteFlowControl | null = null;

  /** A transport on `loop` with `extra` information and the default water marks. */
  constructor(extra: ExtraInfo | null | undefined, loop: AbstractEventLoop) {
    super(extra);
    this._loop = loop;
  }

  /** @internal The flow-control state (made on first use). */
  get _flow(): WriteFlowControl {
    return this.#flow ??= new WriteFlowControl(this, this._loop);
  }

  /** Bytes waiting in the write buffer: the subclass knows. */
  abstract override getWriteBufferSize(): number;

  /** The protocol, whose `pauseWriting()` / `resumeWriting()` are called. */
  abstract override getProtocol(): BaseProtocolLike;

  /** @internal Whether the protocol is paused. */
  get _protocolPaused(): boolean {
    return this.#flow !== null && this.#flow.paused;
  }

  /** @internal Call after the write buffer grew. */
  _maybePauseProtocol(): void {
    const flow = this.#flow;
    if (flow !== null) flow.maybePause();
    else if (this.getWriteBufferSize() > DEFAULT_HIGH_WATER) this._flow.maybePause();
  }

  /** @internal Call after the write buffer shrank. */
  _maybeResumeProtocol(): void {
    // Without the state, the protocol was never paused.
    this.#flow?.maybeResume();
  }

  /** The water marks, `[low, high]`. */
  override getWriteBufferLimits(): [number, number] {
    return this.#flow === null
      ? [DEFAULT_HIGH_WATER / 4, DEFAULT_HIGH_WATER]
      : this.#flow.getLimits();
  }

  /**
   * Sets the water marks (defaults: 64 KiB and a quarter of `high`) and
   * pauses the protocol at once if the buffer is already above `high`.
   */
  override setWriteBufferLimits(
    high?: number | null | WriteBufferLimits,
    low?: number | null,
  ): void {
    this._flow.setLimits(high, low);
    this._maybePauseProtocol();
  }
}

setPyModule(
  "asyncio.transports",
  BaseTransport,
  ReadTransport,
  WriteTransport,
  Transport,
  DatagramTransport,
  SubprocessTransport,
);
// print(transport) shows that repr for subclasses too (the symbol is inherited).
printAsRepr(BaseTransport);
