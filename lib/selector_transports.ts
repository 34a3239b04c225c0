/**
 * The stream transport over a non-blocking socket, driven by the loop's
 * selector: reads when the fd is readable, writes directly and buffers only
 * what the kernel would not take, and reports to its protocol.
 *
 * @module
 */
import process from "node:process";
import { C, ERRNO, sys } from "../ffi/mod.ts";
import { type BaseSelectorEventLoop, transportRepr } from "./selector_events.ts";
import { FlowControlTransport, joinBytes, toBytes } from "./transports.ts";
import {
  _bufferLength,
  _isBufferedProtocol,
  type BaseProtocolLike,
  type BufferedProtocolLike,
  checkCallback,
  type ProtocolLike,
} from "./protocols.ts";
import {
  _isBaseError,
  AttributeError,
  ConnectionError,
  OSError,
  osErrorFromErrno,
  RuntimeError,
} from "./exceptions.ts";
import type { Future } from "./futures.ts";
import { logger, reportFatalError } from "./log.ts";
import { bindOnRead } from "./bound_methods.ts";
import { closeSocketFd, fdAddress, type Socket, transportSocket, wrapSocketFd } from "./socket.ts";
import { type Context, currentContext } from "./contextvars.ts";
import { running } from "./running.ts";
import { formatCallback, printAsRepr } from "./format.ts";
import { Handle } from "./events.ts";

const { EAGAIN, EINTR } = ERRNO;
/** Python's max_size: the most read in one go. */
const MAX_SIZE = 256 * 1024;
/** Reads land here when they cannot go straight to a slab; reused, so its pages stay warm. */
const readBuf = new Uint8Array(MAX_SIZE);
/**
 * What `dataReceived` gets must be the protocol's to keep, so each chunk
 * needs memory of its own. Chunks live in shared slabs and are handed over
 * as views of them: no allocation per chunk. A large chunk is received
 * straight into the free tail of a large slab (no copy at all); a small one
 * is received into that same tail, which stays warm in cache, and copied
 * into a small slab, so that a small chunk kept for long pins 64 KiB, not
 * 1 MiB. A fresh ArrayBuffer is zero-filled, which costs about as much as
 * copying its bytes once; a slab pays that once for many chunks, and not at
 * all where the runtime can skip the zeroing (Node: `allocUninit`; every
 * byte handed out is written by the read or the copy first). As with Node's
 * pooled Buffers, `data.buffer` is the whole slab, other chunks and
 * unwritten memory included: use the view, not its buffer. On Bun the
 * slabs are not used: JavaScriptCore makes a copy
 * (`slice`) faster than a view over a shared buffer. Measured under the
 * echo benchmark, server CPU per message: 1 KiB, V8 14% less with the slab,
 * JavaScriptCore 22% more; 100 KiB, Deno 55 → 41 µs and Node 74 → 48 µs with
 * a large slab that chunks were copied into, Bun 52 → 94 µs. Receiving into
 * the slab instead of copying there took Deno's best runs from 36-38 to
 * 27-30 µs. What is left at 100 KiB varies from run to run with page faults:
 * the GC frees dead slabs in batches, malloc hands the memory back to the
 * kernel, and the next slabs fault it in again.
 */
class Slab {
  #bytes: Uint8Array;
  #buffer: ArrayBuffer;
  #used = 0;
  /** `#bytes.subarray(#used, #used + MAX_SIZE)`, made again only when `#used` moves. */
  #tail: Uint8Array | null = null;

  constructor(readonly size: number) {
    this.#buffer = sys().allocUninit(size);
    this.#bytes = new Uint8Array(this.#buffer);
  }

  /** A view of a copy of `src`; `src.length` is at most a quarter of the slab. */
  take(src: Uint8Array): Uint8Array {
    const n = src.length;
    let at = this.#used;
    // A detached slab (someone transferred a chunk's `buffer`) is replaced.
    if (this.size - at < n || this.#bytes.length === 0) {
      this.#renew();
      at = 0;
    }
    this.#bytes.set(src, at);
    this.#used = at + n;
    this.#tail = null;
    return new Uint8Array(this.#buffer, at, n);
  }

  /** Room for a whole read (MAX_SIZE bytes) past the used part, or null. */
  tail(): Uint8Array | null {
    // A chunk kept from earlier may have its buffer (this slab) transferred since.
    if (this.#bytes.length === 0) this.#renew();
    if (this.#tail === null && this.size - this.#used >= MAX_SIZE) {
      this.#tail = this.#bytes.subarray(this.#used, this.#used + MAX_SIZE);
    }
    return this.#tail;
  }

  /** Hands over the first n bytes of `tail()` as a chunk. */
  commit(n: number): Uint8Array {
    const at = this.#used;
    this.#used = at + n;
    this.#tail = null;
    return new Uint8Array(this.#buffer, at, n);
  }

  #renew(): void {
    this.#buffer = sys().allocUninit(this.size);
    this.#bytes = new Uint8Array(this.#buffer);
    this.#used = 0;
    this.#tail = null;
  }
}

/**
 * `buf[0, n)` as a view, kept for the next read of the same size and
 * buffer: one allocation less per chunk when sizes repeat, as in
 * request/response traffic.
 */
let lastView: Uint8Array = readBuf;
function headOf(buf: Uint8Array, n: number): Uint8Array {
  if (
    lastView.length !== n || lastView.buffer !== buf.buffer ||
    lastView.byteOffset !== buf.byteOffset
  ) {
    lastView = buf.subarray(0, n);
  }
  return lastView;
}

/** Chunks up to this size go to the small slabs. */
const SMALL_CHUNK = 16 * 1024;
let small: Slab | null = null;
let large: Slab | null = null;
/** Whether chunks go to the slabs; decided on the first read. */
let useSlab: boolean | undefined;

/**
 * Chunks are garbage once their protocol is done with them, but V8 frees
 * them in batches, one collection at a time, and glibc hands a freed batch
 * back to the kernel: the next chunks then fault that memory in again, page
 * by page, and a page fault is dear under a hypervisor (about 9 µs each on
 * the benchmark machine). So the first read asks the C allocator to keep
 * freed memory (`keepFreedMemory`): with 100 KiB echoed, a quarter to a
 * half less server CPU per message on Deno and Node and a tenth of the page
 * faults (bench/RESULTS.md, "The library keeps freed memory"). Peak RSS is
 * the same (dead chunks wait for the collector either way); what changes is
 * that up to TRIM_THRESHOLD freed bytes stay with the process after a
 * collection instead of going back to the kernel. Skipped where the user
 * tuned malloc (GLIBC_TUNABLES, MALLOC_*_ variables) or set
 * ASYNCIO_MALLOPT=0.
 */
const MMAP_THRESHOLD = 32 * 1024 * 1024, TRIM_THRESHOLD = 128 * 1024 * 1024;

function keepFreedMemory(): void {
  const env = process.env;
  if (env.ASYNCIO_MALLOPT === "0" || env.GLIBC_TUNABLES?.includes("malloc")) return;
  for (const name of ["MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TOP_PAD_"]) {
    if (env[name] !== undefined) return;
  }
  sys().keepFreedMemory(MMAP_THRESHOLD, TRIM_THRESHOLD);
}

/** Where the next read goes: the large slab's free tail, or `readBuf`. */
function readTarget(): Uint8Array {
  if (useSlab === undefined) {
    keepFreedMemory();
    useSlab = sys().runtime !== "bun";
  }
  if (!useSlab) return readBuf;
  return (large ??= new Slab(4 * MAX_SIZE)).tail() ?? readBuf;
}

/**
 * Where slabs are not used (Bun), a large chunk handed over as a view of
 * fresh uninitialised memory costs an allocation, where `slice()` costs the
 * allocation, zero-filling and a copy: 100 KiB, 1.5 µs against 4.5 µs. So a
 * transport whose last chunk was at least FRESH_MIN bytes reads the next
 * one straight into FRESH_SIZE bytes of fresh memory and keeps it as the
 * chunk's buffer (at most twice the chunk, as CPython's `recv` keeps up to
 * its `max_size` until it shrinks the bytes). A smaller chunk read there is
 * copied out and the fresh memory waits for the next large read.
 */
const FRESH_SIZE = 128 * 1024, FRESH_MIN = FRESH_SIZE / 2;
let spareFresh: Uint8Array | null = null;

/** FRESH_SIZE bytes of memory that nothing else holds. */
function freshTarget(): Uint8Array {
  const buf = spareFresh ?? new Uint8Array(sys().allocUninit(FRESH_SIZE));
  spareFresh = null;
  return buf;
}

/** The n bytes just read into `buf` (from `freshTarget()`), as a chunk the protocol may keep. */
function takeFresh(buf: Uint8Array, n: number): Uint8Array {
  if (n >= FRESH_MIN) return buf.subarray(0, n);
  spareFresh = buf;
  return buf.slice(0, n);
}

/** The n bytes just read into `buf` (from `readTarget()`), as a chunk the protocol may keep. */
function takeRead(buf: Uint8Array, n: number): Uint8Array {
  if (!useSlab) return readBuf.slice(0, n);
  if (n <= SMALL_CHUNK) return (small ??= new Slab(64 * 1024)).take(headOf(buf, n));
  if (buf !== readBuf) return large!.commit(n);
  return large!.take(headOf(buf, n));
}

/** The int 1, as setsockopt takes it. */
const ONE = new Uint8Array([1, 0, 0, 0]);

/** Most queued chunks one writev takes (Linux's IOV_MAX). */
const IOV_MAX = 1024;

/** What a transport tells the server that accepted it. */
export interface TransportOwner {
  /** A connection of this server closed. */
  _detach(transport: unknown): void;
}

/** The extra info a socket transport keeps in its Map: all but "peername", which has a field. */
function otherExtra(extra: Record<string, unknown> | null): Record<string, unknown> | null {
  if (extra === null) return null;
  const keys = Object.keys(extra);
  if (keys.length === 1 && keys[0] === "peername") return null;
  const rest = { ...extra };
  delete rest.peername;
  return rest;
}

/** Bits of a transport's `#flags`: its booleans share one field (idle connections are many). */
const CLOSING = 1, EOF = 2, PAUSED = 4, BUFFERED = 8;
/** `#sock` is the listening socket (the accepted one is made on first use from `#fd`). */
const LAZY_SOCK = 16;
/** The fd of a lazy socket was closed. */
const FD_CLOSED = 32;
/** The first run (connectionMade, then watching the fd) is done. */
const STARTED = 64;
/** `#connLost` is bits 7-9 of `#flags` (it counts up to 7: only 0, and 5 or more, matter). */
const CONN_LOST_SHIFT = 7, CONN_LOST_MASK = 7 << CONN_LOST_SHIFT;
/** A `loop.sendfile` is in progress (`#sendfile` is set). */
const SENDFILE = 1 << 27;
/** `#peerPort` is bits 11-26 of `#flags` when this bit is set (-1 otherwise). */
const HAS_PORT = 1 << 10, PORT_SHIFT = 11;
/** The last chunk was large and slabs are not used: read into fresh memory (`freshTarget`). */
const LARGE_READS = 1 << 28;
/**
 * `connectionLost` ran once a close flushed the buffer, with `#connLost`
 * still 0: Python's transport then has no socket or loop, and a write or an
 * abort fails on them (see `write` and `#forceClose`).
 */
const DROPPED = 1 << 29;

/** A transport's state that few connections need, in one object made on first use. */
interface Rare {
  /** The socket's own address, looked up on first use (undefined: not yet). */
  sockname: unknown;
  /** A `loop.sendfile` in progress: its buffer-empty waiter and who to tell if the transport closes. */
  sendfile: { empty: Future<void>; onLost: (exc: Error) => void } | null;
  /** The writer callback, made the first time a write has to wait. */
  onWritable: (() => void) | null;
}

/** The names Python's Handles show for a socket transport's reader and writer. */
const READ_READY = "_SelectorSocketTransport._read_ready";
const WRITE_READY = "_SelectorSocketTransport._write_ready";

/** `fn`, named as Python's writer Handle shows it (the slow-callback warning). */
function writeReadyOf(fn: () => void): () => void {
  Object.defineProperty(fn, "__qualname__", { value: WRITE_READY });
  return fn;
}

/** `Proto.connection_made`: the qualified name of the method Python's Handle calls. */
export function madeCallbackName(protocol: BaseProtocolLike): string {
  let owner: object | null = protocol;
  while (owner !== null && !Object.hasOwn(owner, "connectionMade")) {
    owner = Object.getPrototypeOf(owner);
  }
  const cls = (owner as { constructor?: { name?: string } } | null)?.constructor?.name || "object";
  return `${cls}.connection_made`;
}

/**
 * A stream transport over a connected socket (TCP or Unix).
 *
 * @example
 * ```ts
 * const [transport, protocol] = await loop.createConnection(() => new MyProtocol(), "127.0.0.1", 8888);
 * transport.write(new TextEncoder().encode("hello"));
 * ```
 */
export class SelectorSocketTransport extends FlowControlTransport {
  /** @internal */
  declare _loop: BaseSelectorEventLoop;
  /**
   * @internal Set when the loop stops running this transport as its fd's
   * reader (`removeReader`); reading resumes through a Handle after that.
   */
  _cancelled = false;
  /** @internal The reader is no Handle: these are the ready queue's defaults (see `ReadyItem`). */
  declare readonly _wakes: boolean;
  /** @internal */
  declare readonly _wakeOwner: object | null;
  /** @internal */
  declare readonly _sourceTraceback: string | null;
  /** @internal `loop.sendfile` may call sendfile(2) on this transport's socket. */
  declare readonly _sendfileCompatible: "native";
  /** The socket; with LAZY_SOCK, the listening socket it was accepted from (see {@link #socket}). */
  #sock: Socket;
  #fd: number;
  #protocol: BaseProtocolLike;
  /** CLOSING, EOF, PAUSED, BUFFERED, LAZY_SOCK, FD_CLOSED. */
  #flags = 0;
  #server: TransportOwner | null;
  /** Bytes the kernel has not taken yet, oldest first (made by the first write that has to wait). */
  #pending: Uint8Array[] | null = null;
  #pendingSize = 0;
  /**
   * The peer's address, looked up on first use (undefined: not yet). While
   * `#peerPort` is not -1, it holds the host of the peer's `[host, port]`,
   * which is made when first asked for.
   */
  #peername: unknown = undefined;
  /** The context reads run in (Python copies it for the reader's Handle). */
  #ctx: Context | null = null;
  /** What few connections need (see {@link Rare}), made on first use. */
  #rare: Rare | null = null;

  /**
   * @internal Made by the loop's connection methods. With `acceptedFd`, the
   * transport is for that fd, just accepted from listening socket `sock`
   * with peer address `acceptedPeer`, and makes its `Socket` only if asked
   * for one.
   */
  constructor(
    loop: BaseSelectorEventLoop,
    sock: Socket,
    protocol: BaseProtocolLike,
    waiter: Future<void> | null,
    extra: Record<string, unknown> | null,
    server: TransportOwner | null,
    acceptedFd?: number,
    acceptedPeer?: unknown,
  ) {
    // "socket", "sockname" and "peername" live in fields; other keys go to the Map.
    super(otherExtra(extra), loop);
    this.#sock = sock;
    if (acceptedFd === undefined) {
      this.#fd = sock.fileno();
    } else {
      this.#fd = acceptedFd;
      this.#flags = LAZY_SOCK;
    }
    this.#protocol = protocol;
    if (_isBufferedProtocol(protocol)) this.#flags |= BUFFERED;
    this.#server = server;
    loop._openTransports.set(this.#fd, this);
    // An accepted socket's peer address came with accept(); a connected one
    // asks now, as getpeername fails once the peer is gone. "sockname" is
    // looked up when first asked for (or just before the socket closes).
    const peer = acceptedFd !== undefined
      ? acceptedPeer
      : (extra as { peername?: unknown } | null)?.peername;
    if (peer !== undefined) {
      if (
        Array.isArray(peer) && peer.length === 2 && Number.isInteger(peer[1]) &&
        peer[1] >= 0 && peer[1] <= 0xffff
      ) {
        // Kept unpacked: the array is made if someone asks for it.
        this.#peername = peer[0];
        this.#peerPort = peer[1];
      } else {
        this.#peername = peer;
      }
    } else {
      this.#lookUpName("peername");
    }
    // Python sets TCP_NODELAY on every TCP transport (since 3.6).
    if (
      (sock.family === C.AF_INET || sock.family === C.AF_INET6) &&
      (sock.type & 0xf) === C.SOCK_STREAM
    ) {
      sys().setsockopt(this.#fd, C.IPPROTO_TCP, C.TCP_NODELAY, ONE);
    }
    if (loop.getDebug() || loop.isClosed()) {
      // The two Handles Python schedules (with their debug tracebacks; a
      // closed loop refuses them).
      this.#flags |= STARTED;
      // Named as Python's Handle shows it in errors: `Proto.connection_made(<transport>)`.
      const made = (t: this) => this.#protocol.connectionMade(t);
      Object.defineProperty(made, "__qualname__", { value: madeCallbackName(protocol) });
      loop.callSoon(made, this);
      loop.callSoon(() => {
        if (!this.#closing && !this.#paused) this.#addReader(null);
      });
    } else {
      // The same two steps as one entry of the ready queue, the transport
      // itself (see #start), in place of two Handles and their closures:
      // they are queued back to back, so nothing can run between them.
      this.#ctx = currentContext().copy();
      loop._addHandle(this);
    }
    if (waiter !== null) {
      loop.callSoon(() => {
        if (!waiter.cancelled()) waiter.setResult(undefined);
      });
    }
    if (server !== null) (server as { _attach?: () => void })._attach?.();
  }

  // -- state bits ----------------------------------------------------------

  get #closing(): boolean {
    return (this.#flags & CLOSING) !== 0;
  }

  set #closing(on: boolean) {
    this.#flags = on ? this.#flags | CLOSING : this.#flags & ~CLOSING;
  }

  get #eof(): boolean {
    return (this.#flags & EOF) !== 0;
  }

  set #eof(on: boolean) {
    this.#flags = on ? this.#flags | EOF : this.#flags & ~EOF;
  }

  /** How many writes came after the connection was lost (0: not lost), up to 7. */
  get #connLost(): number {
    return (this.#flags & CONN_LOST_MASK) >> CONN_LOST_SHIFT;
  }

  set #connLost(n: number) {
    this.#flags = (this.#flags & ~CONN_LOST_MASK) | ((n > 7 ? 7 : n) << CONN_LOST_SHIFT);
  }

  /** The port of the peer's address while kept apart from its host (see `#peername`), else -1. */
  get #peerPort(): number {
    return this.#flags & HAS_PORT ? (this.#flags >>> PORT_SHIFT) & 0xffff : -1;
  }

  set #peerPort(port: number) {
    const flags = this.#flags & ~(HAS_PORT | (0xffff << PORT_SHIFT));
    this.#flags = port === -1 ? flags : flags | HAS_PORT | (port << PORT_SHIFT);
  }

  get #sockname(): unknown {
    return this.#rare === null ? undefined : this.#rare.sockname;
  }

  set #sockname(value: unknown) {
    this.#makeRare().sockname = value;
  }

  get #sendfile(): Rare["sendfile"] {
    return this.#rare === null ? null : this.#rare.sendfile;
  }

  set #sendfile(value: Rare["sendfile"]) {
    this.#makeRare().sendfile = value;
    this.#flags = value === null ? this.#flags & ~SENDFILE : this.#flags | SENDFILE;
  }

  get #onWritable(): (() => void) | null {
    return this.#rare === null ? null : this.#rare.onWritable;
  }

  set #onWritable(value: (() => void) | null) {
    this.#makeRare().onWritable = value;
  }

  #makeRare(): Rare {
    return this.#rare ??= { sockname: undefined, sendfile: null, onWritable: null };
  }

  get #paused(): boolean {
    return (this.#flags & PAUSED) !== 0;
  }

  set #paused(on: boolean) {
    this.#flags = on ? this.#flags | PAUSED : this.#flags & ~PAUSED;
  }

  /**
   * The transport's socket: for an accepted connection it is made on first
   * use (most never need it), non-blocking as the server made it, and
   * already closed if the transport closed its fd.
   */
  get #socket(): Socket {
    if (!(this.#flags & LAZY_SOCK)) return this.#sock;
    const listener = this.#sock;
    const sock = wrapSocketFd(this.#fd, listener.family, listener.type, listener.proto, 0);
    if (this.#flags & FD_CLOSED) sock.detach();
    this.#sock = sock;
    this.#flags &= ~(LAZY_SOCK | FD_CLOSED);
    return sock;
  }

  /** Whether the socket's fd is still open. */
  #fdOpen(): boolean {
    return this.#flags & LAZY_SOCK ? !(this.#flags & FD_CLOSED) : this.#sock.fileno() >= 0;
  }

  #closeSocket(): void {
    const open = this._loop._openTransports;
    // Keyed by itself during a loop.sendfile (see `_sendfileBegin`).
    if (open.get(this.#fd) === this) open.delete(this.#fd);
    else open.delete(this);
    if (!(this.#flags & LAZY_SOCK)) {
      this.#sock.close();
    } else if (!(this.#flags & FD_CLOSED)) {
      this.#flags |= FD_CLOSED;
      closeSocketFd(this.#fd);
    }
  }

  // -- reading -----------------------------------------------------------

  /**
   * Watches the fd for reading. The first time, the loop runs the transport
   * itself (`_run`) when the fd is readable: no Handle or closure per
   * connection. Once that was removed (`pauseReading`, say), a Handle, as
   * `addReader` makes, so that a read already queued stays skipped.
   */
  #addReader(ctx: Context | null): void {
    if (this._cancelled) {
      const readReady = () => this.#readReady();
      // Named as Python's reader Handle shows it (the slow-callback warning).
      Object.defineProperty(readReady, "__qualname__", { value: READ_READY });
      this._loop._addReader(this.#fd, readReady);
    } else {
      this.#ctx = ctx ?? currentContext().copy();
      // Debug mode: where Python's reader Handle was made, which the default
      // handler shows as `handle_traceback` for a failing dataReceived.
      if (this._loop.getDebug()) {
        (this as { _sourceTraceback: string | null })._sourceTraceback = new Error().stack ?? null;
      }
      this._loop._addSelfReader(this.#fd, this);
    }
  }

  /**
   * The first run (queued by the constructor): what Python's two Handles
   * do, `connectionMade`, then watching the fd, each in its own copy of
   * the constructor's context (`#ctx`) and with errors reported as a
   * Handle reports them.
   */
  #start(outer: Context | null): void {
    this.#flags |= STARTED;
    const ctx = this.#ctx!;
    running.context = ctx.copy();
    try {
      this.#protocol.connectionMade(this);
    } catch (exc) {
      if (_isBaseError(exc)) {
        // It leaves the loop with Python's second Handle still queued:
        // the fd is watched once the loop runs again (asyncio.run's cleanup).
        this._loop.callSoon(() => {
          if (!this.#closing && !this.#paused) this.#addReader(ctx);
        });
        throw exc;
      }
      this.#callbackFailed(exc, madeCallbackName(this.#protocol), [this], outer);
    }
    // The second Handle's context would be a copy of `ctx`, which nothing
    // else can see or change: `ctx` itself serves. A pause made by
    // connectionMade holds (CPython since 3.11.3; 3.11.2 read anyway).
    running.context = ctx;
    try {
      if (!this.#closing && !this.#paused) this.#addReader(ctx);
    } catch (exc) {
      this.#callbackFailed(exc, "<lambda>", [], outer);
    }
  }

  /**
   * Reports an error thrown by a step the loop ran as the Handle Python
   * runs that step in reports it: `Exception in callback
   * Proto.connection_made(<_SelectorSoc...e, bufsize=0>>)`, with that
   * Handle, made now, as the context's `handle`. Reported in `outer`, the
   * loop's context, as Python's Handle reports outside its `Context.run`.
   */
  #callbackFailed(exc: unknown, name: string, args: unknown[], outer: Context | null): void {
    // Out of the loop, as Python's Handle._run lets them go.
    if (_isBaseError(exc)) throw exc;
    running.context = outer;
    // Named as the Handle shows its callback.
    const callback = () => {};
    Object.defineProperty(callback, "__qualname__", { value: name });
    this._loop.callExceptionHandler({
      message: `Exception in callback ${formatCallback(callback, args)}`,
      exception: exc,
      handle: new Handle(callback, args, this._loop, this.#ctx),
    });
  }

  /**
   * @internal Run by the loop: the first time, the start (see the
   * constructor); after that, the fd is readable: reads, in the context a
   * reader Handle would have.
   */
  _run(): void {
    const prev = running.context;
    if (!(this.#flags & STARTED)) {
      try {
        this.#start(prev);
      } finally {
        running.context = prev;
      }
      return;
    }
    running.context = this.#ctx;
    try {
      this.#readReady();
    } catch (exc) {
      this.#callbackFailed(exc, READ_READY, [], prev);
    } finally {
      running.context = prev;
    }
  }

  /**
   * @internal How the loop's slow-callback warning (debug mode) names this
   * entry of its ready queue: as the reader Handle Python runs in its
   * place, `<Handle _SelectorSocketTransport._read_ready()>`, `cancelled`
   * once the reader was removed (`close()` in `dataReceived`, say).
   */
  _handleRepr(): string {
    return `<Handle ${this._cancelled ? "cancelled " : ""}${READ_READY}()>`;
  }

  #readReady(): void {
    if (this.#flags & CONN_LOST_MASK) return;
    if (this.#flags & BUFFERED) this.#readBuffered();
    else this.#readData();
  }

  #readData(): void {
    const fresh = (this.#flags & LARGE_READS) !== 0;
    const buf = fresh ? freshTarget() : readTarget();
    const n = sys().recv(this.#fd, buf, 0);
    if (n <= 0) {
      if (fresh) spareFresh = buf;
      if (n === 0) {
        this.#readEof();
      } else if (n !== -EAGAIN && n !== -EINTR) {
        this._fatalError(osErrorFromErrno(-n), "Fatal read error on socket transport");
      }
      return;
    }
    let data: Uint8Array;
    if (fresh) {
      data = takeFresh(buf, n);
      if (n < FRESH_MIN) this.#flags &= ~LARGE_READS;
    } else {
      data = takeRead(buf, n);
      if (n >= FRESH_MIN && !useSlab) this.#flags |= LARGE_READS;
    }
    try {
      checkCallback(this.#protocol, "dataReceived", "data_received");
      (this.#protocol as ProtocolLike).dataReceived(data);
    } catch (e) {
      this._fatalError(e, "Fatal error: protocol.data_received() call failed.");
    }
  }

  #readBuffered(): void {
    const proto = this.#protocol as BufferedProtocolLike;
    let buf: Uint8Array;
    try {
      buf = proto.getBuffer(-1);
      if (_bufferLength(buf) === 0) throw new RuntimeError("get_buffer() returned an empty buffer");
    } catch (e) {
      this._fatalError(e, "Fatal error: protocol.get_buffer() call failed.");
      return;
    }
    const n = sys().recv(this.#fd, buf, 0);
    if (n < 0) {
      if (n === -EAGAIN || n === -EINTR) return;
      this._fatalError(osErrorFromErrno(-n), "Fatal read error on socket transport");
      return;
    }
    if (n === 0) {
      this.#readEof();
      return;
    }
    try {
      proto.bufferUpdated(n);
    } catch (e) {
      this._fatalError(e, "Fatal error: protocol.buffer_updated() call failed.");
    }
  }

  #readEof(): void {
    if (this._loop.getDebug()) logger.debug(`${this} received EOF`);
    let keepOpen: unknown;
    try {
      checkCallback(this.#protocol, "eofReceived", "eof_received");
      keepOpen = (this.#protocol as ProtocolLike).eofReceived();
    } catch (e) {
      this._fatalError(e, "Fatal error: protocol.eof_received() call failed.");
      return;
    }
    if (keepOpen) {
      // The protocol keeps the write side; there is nothing more to read.
      this._loop._removeReader(this.#fd);
    } else {
      this.close();
    }
  }

  /** Whether the transport is receiving. */
  override isReading(): boolean {
    return !this.#paused && !this.#closing;
  }

  /** Stops reading until `resumeReading()`. */
  override pauseReading(): void {
    if (this.#closing || this.#paused) return;
    this.#paused = true;
    this._loop._removeReader(this.#fd);
    if (this._loop.getDebug()) logger.debug(`${this} pauses reading`);
  }

  /** Reads again after `pauseReading()`. */
  override resumeReading(): void {
    if (this.#closing || !this.#paused) return;
    this.#paused = false;
    this.#addReader(null);
    if (this._loop.getDebug()) logger.debug(`${this} resumes reading`);
  }

  // -- writing -----------------------------------------------------------

  /** Writes `data`: sent now if the kernel takes it, buffered otherwise. */
  override write(data: Uint8Array): void {
    data = toBytes(data);
    // One test of the flags clears the common case of all the checks below.
    if (this.#flags & (SENDFILE | EOF | CONN_LOST_MASK | DROPPED)) {
      if (this.#sendfile !== null) {
        throw new RuntimeError("unable to write; sendfile is in progress");
      }
      if (this.#eof) throw new RuntimeError("Cannot call write() after write_eof()");
      if (data.length === 0) return;
      if (this.#connLost) {
        if (this.#connLost >= 5) logger.warning("socket.send() raised exception.");
        this.#connLost++;
        return;
      }
      // Python 3.11 sends on its socket, None by now, and reporting that
      // failure fails too: an AttributeError out of write(), every time.
      // Never the fd: it is closed, and its number may be another's now.
      if (this.#flags & DROPPED) {
        throw new AttributeError("'NoneType' object has no attribute 'call_exception_handler'");
      }
    }
    if (data.length === 0) return;
    if (this.#pendingSize === 0) {
      const n = sys().send(this.#fd, data, 0);
      if (n === data.length) return;
      if (n < 0 && n !== -EAGAIN && n !== -EINTR) {
        this._fatalError(osErrorFromErrno(-n), "Fatal write error on socket transport");
        return;
      }
      data = data.subarray(n > 0 ? n : 0);
      this._loop._addWriter(this.#fd, this.#onWritable ??= writeReadyOf(() => this.#writeReady()));
    }
    // A copy: the caller may reuse its buffer once write() returns.
    (this.#pending ??= []).push(data.slice());
    this.#pendingSize += data.length;
    this._maybePauseProtocol();
  }

  #writeReady(): void {
    if (this.#connLost) return;
    // Everything queued leaves in one gathered write (writev), then the
    // chunks it took are dropped and a partly sent one is cut.
    const pending = this.#pending!;
    const count = pending.length < IOV_MAX ? pending.length : IOV_MAX;
    let n: number;
    if (count === 1) n = sys().send(this.#fd, pending[0], 0);
    else n = sys().writev(this.#fd, count === pending.length ? pending : pending.slice(0, count));
    if (n < 0) {
      if (n !== -EAGAIN && n !== -EINTR) {
        this._loop._removeWriter(this.#fd);
        this.#pending = [];
        this.#pendingSize = 0;
        this._fatalError(osErrorFromErrno(-n), "Fatal write error on socket transport");
        return;
      }
      n = 0;
    }
    this.#pendingSize -= n;
    let done = 0;
    while (done < count && n >= pending[done].length) n -= pending[done++].length;
    if (done < count && n > 0) pending[done] = pending[done].subarray(n);
    if (done === pending.length) pending.length = 0;
    else if (done > 0) pending.splice(0, done);
    this._maybeResumeProtocol();
    if (this.#pendingSize === 0) {
      this._loop._removeWriter(this.#fd);
      this.#sendfileEmpty();
      if (this.#closing) {
        // Python calls it here without counting a lost connection.
        this.#flags |= DROPPED;
        this.#callConnectionLost(null);
      } else if (this.#eof) sys().shutdown(this.#fd, C.SHUT_WR);
    }
  }

  /**
   * Writes the buffers of `list`, joined first as Python 3.11 does: an item
   * that is not bytes is a `TypeError` ("sequence item 1: ...") before
   * anything is written.
   */
  override writeLines(list: Iterable<Uint8Array>): void {
    this.write(joinBytes(list));
  }

  /** Closes the write side once the buffer is flushed. */
  override writeEof(): void {
    if (this.#closing || this.#eof) return;
    this.#eof = true;
    if (this.#pendingSize === 0) {
      // Python's sock.shutdown() raises: ENOTCONN when the peer reset a
      // connection this transport had stopped reading (after an EOF).
      const err = sys().shutdown(this.#fd, C.SHUT_WR);
      if (err < 0) throw osErrorFromErrno(-err);
    }
  }

  /** Stream sockets can half-close: true. */
  override canWriteEof(): boolean {
    return true;
  }

  /** Bytes waiting to be sent. */
  override getWriteBufferSize(): number {
    return this.#pendingSize;
  }

  // -- closing -----------------------------------------------------------

  /** Whether `close()` or a failure started closing it. */
  override isClosing(): boolean {
    return this.#closing;
  }

  // -- sendfile hooks (lib/sendfile.ts) -----------------------------------

  /**
   * @internal Starts a `loop.sendfile`: `write()` throws until
   * {@link _sendfileEnd}; the result resolves once the write buffer is
   * empty. `onLost` is called if the transport starts closing meanwhile
   * (its socket is about to be closed under the sendfile).
   */
  _sendfileBegin(onLost: (exc: Error) => void): Future<void> {
    if (this.#sendfile !== null) throw new RuntimeError("sendfile is already in progress");
    const empty = this._loop.createFuture<void>();
    this.#sendfile = { empty, onLost };
    // The loop's sockSendfile waits on the fd meanwhile, as Python's
    // `_sendfile_native` lets it by taking the fd out of `_transports`:
    // still open, it is keyed by itself until `_sendfileEnd`.
    this._loop._openTransports.delete(this.#fd);
    this._loop._openTransports.set(this, this);
    if (this.#pendingSize === 0) empty.setResult(undefined);
    return empty;
  }

  /** @internal Ends a `loop.sendfile`: writing works again. */
  _sendfileEnd(): void {
    this.#sendfile = null;
    if (this._loop._openTransports.delete(this) && this.#fdOpen()) {
      this._loop._openTransports.set(this.#fd, this);
    }
  }

  #sendfileEmpty(): void {
    const sf = this.#sendfile;
    if (sf !== null && !sf.empty.done()) sf.empty.setResult(undefined);
  }

  #sendfileLost(): void {
    const sf = this.#sendfile;
    if (sf === null) return;
    const exc = new ConnectionError("Connection is closed by peer");
    if (!sf.empty.done()) sf.empty.setException(exc);
    sf.onLost(exc);
  }

  /** Closes after the buffered data is sent; `connectionLost(null)` follows. */
  override close(): void {
    if (this.#closing) return;
    this.#sendfileLost();
    this.#closing = true;
    this._loop._removeReader(this.#fd);
    if (this.#pendingSize === 0) {
      this.#connLost++;
      this._loop._removeWriter(this.#fd);
      this._loop.callSoon(this.#connectionLostCallback(), null);
    }
  }

  /** Closes at once, dropping buffered data. */
  override abort(): void {
    this.#forceClose(null);
  }

  /** @internal Reports a failure and closes. */
  _fatalError(exc: unknown, message: string): void {
    // Python's callers re-raise SystemExit and KeyboardInterrupt first: a
    // protocol's `sys.exit()` ends the run, it is no transport failure.
    if (_isBaseError(exc)) throw exc;
    reportFatalError(this._loop, exc instanceof OSError, exc, message, this, this.#protocol);
    this.#forceClose(exc);
  }

  #forceClose(exc: unknown): void {
    if (this.#connLost) return;
    this.#sendfileLost();
    if (this.#pendingSize) {
      this.#pending = [];
      this.#pendingSize = 0;
      this._loop._removeWriter(this.#fd);
    }
    if (!this.#closing) {
      this.#closing = true;
      this._loop._removeReader(this.#fd);
    }
    this.#connLost++;
    // After a flushed close (see DROPPED), Python's loop is None: the
    // abort() counts the loss, then fails to schedule connection_lost.
    if (this.#flags & DROPPED) {
      throw new AttributeError("'NoneType' object has no attribute 'call_soon'");
    }
    this._loop.callSoon(this.#connectionLostCallback(), exc);
  }

  /** @internal The loop closed with this transport open: the socket is closed, no callback runs. */
  _loopClosed(): void {
    if (!this.#fdOpen()) return;
    this.#closing = true;
    this.#pending = [];
    this.#pendingSize = 0;
    this.#closeSocket();
    const server = this.#server;
    this.#server = null;
    server?._detach(this);
  }

  /**
   * `"sockname"` or `"peername"`: looked up once, on first use (null when
   * the socket cannot say), as Python records them when the transport is made.
   */
  override getExtraInfo(name: string, defaultValue: unknown = null): unknown {
    switch (name) {
      case "socket":
        return transportSocket(this.#socket);
      case "sockname":
        this.#lookUpName(name);
        return this.#sockname ?? null;
      case "peername":
        if (this.#peerPort !== -1) {
          this.#peername = [this.#peername, this.#peerPort];
          this.#peerPort = -1;
        }
        this.#lookUpName(name);
        return this.#peername ?? null;
    }
    return super.getExtraInfo(name, defaultValue);
  }

  #lookUpName(name: "sockname" | "peername"): void {
    if (name === "sockname" ? this.#sockname !== undefined : this.#peername !== undefined) return;
    let value: unknown = null;
    if (this.#fdOpen()) {
      try {
        value = this.#flags & LAZY_SOCK
          ? fdAddress(this.#fd, name === "peername")
          : name === "sockname"
          ? this.#sock.getsockname()
          : this.#sock.getpeername();
      } catch {
        // As Python: null when the socket cannot say.
      }
    } else {
      return;
    }
    if (name === "sockname") this.#sockname = value;
    else this.#peername = value;
  }

  /**
   * `#callConnectionLost` as a callback named as Python's Handle shows it
   * when `connectionLost` throws: `Exception in callback
   * _SelectorSocketTransport._call_connection_lost(None)`.
   */
  #connectionLostCallback(): (exc: unknown) => void {
    const callback = (exc: unknown) => this.#callConnectionLost(exc);
    Object.defineProperty(callback, "__qualname__", {
      value: "_SelectorSocketTransport._call_connection_lost",
    });
    return callback;
  }

  #callConnectionLost(exc: unknown): void {
    try {
      checkCallback(this.#protocol, "connectionLost", "connection_lost");
      this.#protocol.connectionLost(exc === undefined ? null : exc as Error | null);
    } finally {
      // The addresses stay readable after the close, as Python's are.
      this.#lookUpName("sockname");
      this.#lookUpName("peername");
      this.#closeSocket();
      // Python drops its protocol here: `getProtocol()` is then null.
      // Nothing reads it again (the reads and writes stop at #connLost).
      this.#protocol = null as unknown as BaseProtocolLike;
      const server = this.#server;
      this.#server = null;
      server?._detach(this);
    }
  }

  /** Replaces the protocol. */
  override setProtocol(protocol: BaseProtocolLike): void {
    this.#protocol = protocol;
    this.#flags = _isBufferedProtocol(protocol) ? this.#flags | BUFFERED : this.#flags & ~BUFFERED;
  }

  /** The protocol; null once `connectionLost` has run, as Python's is None. */
  override getProtocol(): BaseProtocolLike {
    return this.#protocol;
  }

  /**
   * Python's repr: `<_SelectorSocketTransport fd=7 read=polling write=<idle,
   * bufsize=0>>`, with `closing` first once it is, and only
   * `<_SelectorSocketTransport closed fd=7>` after `connectionLost`; whether
   * each direction is polled is read from the selector, as Python does.
   */
  override toString(): string {
    // Closed: connectionLost has run and the socket is closed.
    return transportRepr(
      "_SelectorSocketTransport",
      this._loop,
      this.#fd,
      !this.#fdOpen(),
      this.#closing,
      this.#pendingSize,
    );
  }
}

// Python names the class `_SelectorSocketTransport`: a ported
// `type(transport).__name__` (`transport.constructor.name`) prints that.
Object.defineProperty(SelectorSocketTransport, "name", { value: "_SelectorSocketTransport" });

const proto = SelectorSocketTransport.prototype as unknown as Record<string, unknown>;
proto._wakes = false;
proto._wakeOwner = null;
proto._sourceTraceback = null;
proto._sendfileCompatible = "native";

printAsRepr(SelectorSocketTransport);
// Python code passes these as callbacks (`loop.call_later(5, transport.close)`).
bindOnRead(SelectorSocketTransport.prototype, [
  "write",
  "writeLines",
  "writeEof",
  "close",
  "abort",
  "pauseReading",
  "resumeReading",
], {
  // Python's names, with the class each is defined on.
  write: "_SelectorSocketTransport.write",
  writeLines: "WriteTransport.writelines",
  writeEof: "_SelectorSocketTransport.write_eof",
  close: "_SelectorTransport.close",
  abort: "_SelectorTransport.abort",
  pauseReading: "_SelectorTransport.pause_reading",
  resumeReading: "_SelectorTransport.resume_reading",
});
