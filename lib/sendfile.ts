/**
 * `loop.sendfile(transport, file, ...)` and `loop.sockSendfile(sock, file,
 * ...)`: send a file over a stream socket with sendfile(2) (the kernel copies
 * the bytes, nothing passes through JS), or by reading and writing when
 * that is not possible and `fallback` is on.
 *
 * What a "file" is here ({@link SendfileFile}): an fd number, an object with
 * `fileno()` (Python's file objects; this library's `Socket`), or an object
 * with a numeric `fd` (Node's `FileHandle` from `fs.promises.open`). An
 * object with a `mode` string that lacks `"b"` is a text file: ValueError,
 * as in Python. The fd stays the caller's; it is never closed here.
 *
 * As in Python, sendfile(2) reads from `offset` (0 by default) whatever the
 * file position, and when some bytes were sent the file position is set to
 * `offset + sent` at the end. The fallback seeks to `offset` first, except
 * when it is 0: then it reads from the current position, as Python's does.
 * On a transport that only has the fallback (TLS) the arguments are not
 * checked first, as in Python: a count of 0 sends the whole file, a negative
 * offset fails in lseek. The fallback reads a regular file on the loop's thread
 * (page-cache reads); a pipe or other fd is read only when the loop reports
 * it readable, so a blocking pipe never blocks the loop. A pipe is sent as
 * CPython 3.11 sends it: without a count, nothing (its size is 0: an
 * "empty file"); with one, through the fallback, whose final seek then
 * fails (ESPIPE) after the bytes went.
 *
 * @example
 * ```ts
 * import { open } from "node:fs/promises";
 * const fh = await open("big.bin");
 * const sent = await loop.sendfile(transport, fh);      // whole file, zero-copy
 * await loop.sockSendfile(sock, fh, 1024, 4096);        // a window of it
 * await fh.close();
 * ```
 *
 * @module
 */
import { C, ERRNO, sys } from "../ffi/mod.ts";
import {
  AttributeError,
  ConnectionError,
  osErrorFromErrno,
  RuntimeError,
  SendfileNotAvailableError,
  ValueError,
} from "./exceptions.ts";
import type { Future } from "./futures.ts";
import { Socket } from "./socket.ts";
import { type SockLoop, sockSendall } from "./sock_methods.ts";
import {
  _isBufferedProtocol,
  type BaseProtocolLike,
  type BufferedProtocolLike,
  type ProtocolLike,
} from "./protocols.ts";
import { pyRepr, pyTypeName } from "./format.ts";
import { checkKeywords } from "./keywords.ts";

/**
 * A file for `sendfile`/`sockSendfile`: an fd number, an object with
 * `fileno()`, or an object with a numeric `fd` (Node's `FileHandle`).
 * `mode`, when present, must contain `"b"` (a binary file), as in Python.
 *
 * @example
 * ```ts
 * const a: SendfileFile = fs.openSync("x.bin", "r");       // an fd
 * const b: SendfileFile = await fs.promises.open("x.bin"); // a FileHandle
 * ```
 */
export type SendfileFile =
  | number
  | { fileno(): number; readonly mode?: string }
  | { readonly fd: number; readonly mode?: string };

/** Options of `sendfile` and `sockSendfile`. */
export interface SendfileOptions {
  /** Read and write when sendfile(2) is not possible (default true). */
  fallback?: boolean;
}

/**
 * What a transport can do for `loop.sendfile`, read from its
 * `_sendfileCompatible` property: "native" (sendfile(2) on its socket, with
 * the `_sendfileBegin`/`_sendfileEnd` hooks), "fallback" (reads and
 * writes through its flow control), anything else: not supported.
 */
export type SendfileMode = "native" | "fallback";

/** The transport side `loop.sendfile` uses. */
export interface SendfileTransport {
  /** "native" or "fallback"; absent: sendfile is not supported. */
  readonly _sendfileCompatible?: SendfileMode;
  /** Whether it is closing. */
  isClosing(): boolean;
  /** Writes bytes. */
  write(data: Uint8Array): void;
  /** Extra info; "socket" is the transport's `Socket`. */
  getExtraInfo(name: string): unknown;
  /** The protocol (swapped for the fallback's flow control while it runs). */
  getProtocol(): BaseProtocolLike;
  /** Sets the protocol. */
  setProtocol(p: BaseProtocolLike): void;
  /** Whether it reads: a sendfile pauses reading while it runs, as Python's does. */
  isReading?(): boolean;
  /** Stops reading (for the sendfile). */
  pauseReading?(): void;
  /** Reads again (after the sendfile). */
  resumeReading?(): void;
  /** @internal Whether its protocol's writing is paused (a fallback waits for the resume). */
  readonly _protocolPaused?: boolean;
  /** @internal Native mode: waits for an empty write buffer and blocks `write()`. */
  _sendfileBegin?(onLost: (exc: Error) => void): Future<void>;
  /** @internal Native mode: unblocks `write()`. */
  _sendfileEnd?(): void;
}

/** Python's SENDFILE_FALLBACK_READBUFFER_SIZE, for sockets. */
const SOCK_FALLBACK_BLOCK = 256 * 1024;
/** Python's fallback block for transports. */
const TRANSPORT_FALLBACK_BLOCK = 64 * 1024;

function describe(v: unknown): string {
  return pyRepr(v);
}

/** The fd of `file`; TypeError when it is not a file this module knows. */
export function fileFd(file: unknown): number {
  let fd: unknown;
  if (typeof file === "number") fd = file;
  else if (file !== null && typeof file === "object") {
    const f = file as { fileno?: unknown; fd?: unknown };
    if (typeof f.fileno === "function") fd = (f.fileno as () => unknown)();
    else if (typeof f.fd === "number") fd = f.fd;
  }
  if (typeof fd !== "number" || !Number.isInteger(fd) || fd < 0) {
    throw new TypeError(
      `file must be an fd, an object with fileno() or a FileHandle, not ${describe(file)}`,
    );
  }
  return fd;
}

/** A file whose `mode` lacks "b" is a text file: ValueError, as in Python. */
function checkBinary(file: unknown): void {
  const mode = file !== null && typeof file === "object"
    ? (file as { mode?: unknown }).mode
    : undefined;
  if (typeof mode === "string" && !mode.includes("b")) {
    throw new ValueError("file should be opened in binary mode");
  }
}

/** Python's `_check_sendfile_params`, without the socket part. */
function checkParams(file: unknown, offset: unknown, count: unknown): void {
  checkBinary(file);
  if (count !== null && count !== undefined) {
    if (typeof count !== "number" || !Number.isSafeInteger(count)) {
      throw new TypeError(`count must be a positive integer (got ${describe(count)})`);
    }
    if (count <= 0) throw new ValueError(`count must be a positive integer (got ${count})`);
  }
  if (typeof offset !== "number" || !Number.isSafeInteger(offset)) {
    throw new TypeError(`offset must be a non-negative integer (got ${describe(offset)})`);
  }
  if (offset < 0) throw new ValueError(`offset must be a non-negative integer (got ${offset})`);
  fileFd(file);
}

/** Sets the file position after a send, as Python does (only when something was sent). */
function updatePosition(fd: number, pos: number, sent: number): void {
  if (sent > 0) sys().lseek(fd, pos, C.SEEK_SET);
}

/**
 * The fallbacks' last step, Python's `file.seek(offset + total_sent)` when
 * something was sent: on a pipe it fails (ESPIPE), after the data went, as
 * in Python.
 */
function seekAfterFallback(fd: number, pos: number, sent: number): void {
  if (sent === 0) return;
  const r = sys().lseek(fd, pos, C.SEEK_SET);
  if (r < 0) throw osErrorFromErrno(-r);
}

/** Resolves when `fd` is ready for writing (or reading); rejects if `lost` is called first. */
async function whenFdReady(
  loop: SockLoop,
  fd: number,
  write: boolean,
  lost: { reject: ((e: Error) => void) | null },
): Promise<void> {
  const fut = loop.createFuture<void>();
  const done = () => {
    if (!fut.done()) fut.setResult(undefined);
  };
  if (write) loop.addWriter(fd, done);
  else loop.addReader(fd, done);
  lost.reject = (e) => {
    if (!fut.done()) fut.setException(e);
  };
  try {
    await fut;
  } finally {
    lost.reject = null;
    if (write) loop.removeWriter(fd);
    else loop.removeReader(fd);
  }
}

/**
 * sendfile(2) from `inFd` to the socket `outFd`; the count sent. Throws
 * `SendfileNotAvailableError` when it cannot start (not a regular file, a
 * socket sendfile(2) refuses) so that the caller may fall back.
 */
async function sendfileNative(
  loop: SockLoop,
  outFd: number,
  file: SendfileFile,
  offset: number,
  count: number | null,
  lost: { reject: ((e: Error) => void) | null } = { reject: null },
): Promise<number> {
  const s = sys();
  const inFd = fileFd(file);
  const st = s.fstat(inFd);
  if (typeof st === "number") throw new SendfileNotAvailableError("not a regular file");
  const fsize = st.size;
  let blocksize = count ?? fsize;
  // Python's "empty file": also a pipe (its size is 0) when no count is given.
  if (!blocksize) return 0;
  // sendfile(2) needs a file it can map; Python learns that from its EINVAL.
  if ((st.mode & C.S_IFMT) !== C.S_IFREG) {
    throw new SendfileNotAvailableError("os.sendfile call failed");
  }
  const endPos = count ? Math.min(offset + count, fsize) : fsize;
  let pos = Math.min(offset, fsize);
  let total = 0;
  try {
    for (;;) {
      blocksize = Math.min(endPos - pos, blocksize);
      if (blocksize <= 0) return total;
      const r = s.sendfile(outFd, inFd, pos, blocksize);
      if (r === -ERRNO.EAGAIN || r === -ERRNO.EINTR) {
        await whenFdReady(loop, outFd, true, lost);
        continue;
      }
      if (r < 0) {
        if (r === -ERRNO.ENOTCONN) {
          throw new ConnectionError(ERRNO.ENOTCONN, "socket is not connected");
        }
        if (total === 0) {
          const e = new SendfileNotAvailableError("os.sendfile call failed");
          (e as { cause?: unknown }).cause = osErrorFromErrno(-r);
          throw e;
        }
        throw osErrorFromErrno(-r);
      }
      if (r === 0) return total; // the file ended early (truncated meanwhile)
      pos += r;
      total += r;
    }
  } finally {
    updatePosition(inFd, pos, total);
  }
}

/**
 * Reads up to `buf.length` bytes of the file at `fd` into `buf`: at once for
 * a regular file, after the loop reports the fd readable for anything else
 * (a pipe), so a blocking fd never blocks the loop. 0 at the end.
 */
async function readChunk(loop: SockLoop, fd: number, regular: boolean, buf: Uint8Array) {
  const s = sys();
  for (;;) {
    if (!regular) await whenFdReady(loop, fd, false, { reject: null });
    const r = s.read(fd, buf);
    if (r >= 0) return r;
    if (r === -ERRNO.EINTR) continue;
    if (r === -ERRNO.EAGAIN && !regular) continue;
    throw osErrorFromErrno(-r);
  }
}

/**
 * Seeks to `offset` for the fallback. As Python's `if offset:
 * file.seek(offset)`, an offset of 0 reads from the current position (a
 * pipe is read from where it is); a negative one fails in lseek (EINVAL).
 */
function fallbackStart(fd: number, offset: number): boolean {
  const s = sys();
  const st = s.fstat(fd);
  if (typeof st === "number") throw osErrorFromErrno(-st);
  const regular = (st.mode & C.S_IFMT) === C.S_IFREG;
  if (offset) {
    const r = s.lseek(fd, offset, C.SEEK_SET);
    if (r < 0) throw osErrorFromErrno(-r);
  }
  return regular;
}

/**
 * Python's `_sendfile_fallback` does not check its arguments (only the
 * native path's `sock_sendfile` does): a TLS transport gets the errors of
 * `file.seek(offset)` and `bytearray(min(count, 16384))`, and a count of 0
 * sends the whole file. This raises those same errors, in that order.
 */
function checkFallbackParams(offset: unknown, count: unknown): void {
  if (offset && (typeof offset !== "number" || !Number.isSafeInteger(offset))) {
    throw new TypeError(`'${pyTypeName(offset)}' object cannot be interpreted as an integer`);
  }
  if (!count) return;
  if (typeof count !== "number") {
    throw new TypeError(`'<' not supported between instances of 'int' and '${pyTypeName(count)}'`);
  }
  if (!Number.isSafeInteger(count)) {
    throw new TypeError("cannot convert 'float' object to bytearray");
  }
  if (count < 0) throw new ValueError("negative count");
}

async function sockSendfileFallback(
  loop: SockLoop,
  sock: Socket,
  file: SendfileFile,
  offset: number,
  count: number | null,
): Promise<number> {
  const fd = fileFd(file);
  const regular = fallbackStart(fd, offset);
  const buf = new Uint8Array(count ? Math.min(count, SOCK_FALLBACK_BLOCK) : SOCK_FALLBACK_BLOCK);
  let total = 0;
  try {
    for (;;) {
      const want = count ? Math.min(count - total, buf.length) : buf.length;
      if (want <= 0) return total;
      const n = await readChunk(loop, fd, regular, buf.subarray(0, want));
      if (n === 0) return total;
      await sockSendall(loop, sock, buf.subarray(0, n));
      total += n;
    }
  } finally {
    seekAfterFallback(fd, offset + total, total);
  }
}

/**
 * Python's checks of the socket, with the file's mode first: a blocking
 * socket is refused only in debug mode (its fd is non-blocking anyway, so
 * the send waits on the loop where Python's would block it).
 */
function checkStreamSocket(loop: SockLoop, sock: unknown, file: unknown): Socket {
  // Python reads the attributes of whatever it is given as the socket:
  // gettimeout (debug mode), then type, after the file's mode.
  const missing = (attr: string) =>
    new AttributeError(`'${pyTypeName(sock)}' object has no attribute '${attr}'`);
  if (loop.getDebug?.()) {
    if (!(sock instanceof Socket)) throw missing("gettimeout");
    if (sock.gettimeout() !== 0) throw new ValueError("the socket must be non-blocking");
  }
  const mode = file !== null && typeof file === "object"
    ? (file as { mode?: unknown }).mode
    : undefined;
  if (typeof mode === "string" && !mode.includes("b")) {
    throw new ValueError("file should be opened in binary mode");
  }
  if (!(sock instanceof Socket)) throw missing("type");
  if ((sock.type & 0xf) !== C.SOCK_STREAM) {
    throw new ValueError("only SOCK_STREAM type sockets are supported");
  }
  return sock;
}

/**
 * `loop.sockSendfile(sock, file, offset = 0, count = null, {fallback})`:
 * sends `count` bytes of `file` (all to its end when null) from `offset`
 * over the connected non-blocking stream socket `sock`, with sendfile(2);
 * resolves with the number of bytes sent. When sendfile(2) is not possible
 * (not a regular file, a socket it refuses), reads and `sockSendall`s
 * instead, or throws `SendfileNotAvailableError` if `fallback` is false.
 *
 * @example
 * ```ts
 * const sent = await sockSendfile(loop, sock, fs.openSync("f.bin", "r"));
 * ```
 */
export async function sockSendfile(
  loop: SockLoop,
  sock: Socket,
  file: SendfileFile,
  offset: number = 0,
  count: number | null = null,
  opts: SendfileOptions = {},
): Promise<number> {
  checkKeywords("BaseEventLoop.sock_sendfile", opts, ["fallback"]);
  const s = checkStreamSocket(loop, sock, file);
  checkParams(file, offset, count);
  const fallback = opts.fallback ?? true;
  try {
    return await sendfileNative(loop, s.fileno(), file, offset, count ?? null);
  } catch (e) {
    if (!(e instanceof SendfileNotAvailableError) || !fallback) throw e;
  }
  return await sockSendfileFallback(loop, s, file, offset, count ?? null);
}

/**
 * The fallback's stand-in protocol: turns the transport's pause/resume of
 * writing into a `drain()` for the copy loop. Reading is paused meanwhile
 * and resumed by `restore()`, as Python's `_SendfileFallbackProtocol` does
 * (what it would read is forwarded to the real protocol all the same).
 */
function flowProxy(transport: SendfileTransport, loop: SockLoop) {
  const real = transport.getProtocol();
  const resumeReading = transport.isReading?.() ?? false;
  transport.pauseReading?.();
  // A protocol paused now misses the transport's resumeWriting() (it goes
  // to the proxy): the copy waits for it, and restore() passes it on.
  const resumeWriting = transport._protocolPaused === true;
  let paused = resumeWriting;
  let waiter: Future<void> | null = null;
  let lost: Error | null = null;
  let closed = false;
  const wake = (exc: Error | null) => {
    const w = waiter;
    waiter = null;
    if (w === null || w.done()) return;
    if (exc) w.setException(exc);
    else w.setResult(undefined);
  };
  const proxy: Record<string, unknown> = {
    connectionMade() {},
    pauseWriting() {
      paused = true;
    },
    resumeWriting() {
      paused = false;
      wake(null);
    },
    eofReceived() {
      return (real as ProtocolLike).eofReceived?.();
    },
    connectionLost(exc: Error | null) {
      closed = true;
      lost = exc;
      wake(new ConnectionError("Connection closed by peer"));
      real.connectionLost(exc);
    },
  };
  if (_isBufferedProtocol(real)) {
    proxy.getBuffer = (n: number) => (real as BufferedProtocolLike).getBuffer(n);
    proxy.bufferUpdated = (n: number) => (real as BufferedProtocolLike).bufferUpdated(n);
  } else {
    proxy.dataReceived = (d: Uint8Array) => (real as ProtocolLike).dataReceived(d);
  }
  transport.setProtocol(proxy as unknown as BaseProtocolLike);
  return {
    async drain(): Promise<void> {
      if (closed || transport.isClosing()) {
        throw lost ?? new ConnectionError("Connection closed by peer");
      }
      if (!paused) return;
      waiter = loop.createFuture<void>();
      await waiter;
    },
    restore(): void {
      if (transport.getProtocol() === (proxy as unknown)) transport.setProtocol(real);
      if (resumeReading) transport.resumeReading?.();
      if (resumeWriting) (real as ProtocolLike).resumeWriting?.();
    },
  };
}

async function transportSendfileFallback(
  loop: SockLoop,
  transport: SendfileTransport,
  file: SendfileFile,
  offset: number,
  count: number | null,
): Promise<number> {
  const fd = fileFd(file);
  const regular = fallbackStart(fd, offset);
  const block = count ? Math.min(count, TRANSPORT_FALLBACK_BLOCK) : TRANSPORT_FALLBACK_BLOCK;
  const buf = new Uint8Array(block);
  const flow = flowProxy(transport, loop);
  let total = 0;
  try {
    for (;;) {
      const want = count ? Math.min(count - total, block) : block;
      if (want <= 0) return total;
      const n = await readChunk(loop, fd, regular, buf.subarray(0, want));
      if (n === 0) return total;
      await flow.drain();
      transport.write(buf.subarray(0, n));
      total += n;
    }
  } finally {
    flow.restore();
    seekAfterFallback(fd, offset + total, total);
  }
}

/**
 * `loop.sendfile(transport, file, offset = 0, count = null, {fallback})`:
 * sends `count` bytes of `file` (to its end when null) from `offset` over
 * `transport`; resolves with the number sent. On a socket transport,
 * sendfile(2) runs once the transport's write buffer has been flushed;
 * meanwhile reading is paused and `transport.write()` throws, as in
 * Python; both work again when this resolves. Otherwise (a file that is not
 * regular, a transport without a socket of its own) the file is read and
 * written through the transport's flow control if `fallback` is true (the
 * default). A transport that supports neither (datagram, pipe) gives a
 * RuntimeError, as in Python.
 *
 * @example
 * ```ts
 * const [transport] = await loop.createConnection(() => new Protocol(), "127.0.0.1", 8080);
 * const sent = await sendfile(loop, transport, fs.openSync("f.bin", "r"));
 * ```
 */
export async function sendfile(
  loop: SockLoop,
  transport: SendfileTransport,
  file: SendfileFile,
  offset: number = 0,
  count: number | null = null,
  opts: SendfileOptions = {},
): Promise<number> {
  checkKeywords("BaseEventLoop.sendfile", opts, ["fallback"]);
  if (transport === null || typeof transport !== "object") {
    throw new TypeError(`transport must be a transport, not ${describe(transport)}`);
  }
  if (transport.isClosing()) throw new RuntimeError("Transport is closing");
  const mode = transport._sendfileCompatible;
  if (mode !== "native" && mode !== "fallback") {
    throw new RuntimeError(`sendfile is not supported for transport ${String(transport)}`);
  }
  // Python checks the arguments on the native path only (in sock_sendfile).
  if (mode === "native") checkParams(file, offset, count);
  else {
    checkBinary(file);
    fileFd(file);
    checkFallbackParams(offset, count);
  }
  const fallback = opts.fallback ?? true;
  if (mode === "native") {
    try {
      return await transportSendfileNative(loop, transport, file, offset, count ?? null);
    } catch (e) {
      if (!(e instanceof SendfileNotAvailableError) || !fallback) throw e;
    }
  }
  if (!fallback) {
    throw new RuntimeError(
      `fallback is disabled and native sendfile is not supported for transport ${
        String(transport)
      }`,
    );
  }
  return await transportSendfileFallback(loop, transport, file, offset, count ?? null);
}

async function transportSendfileNative(
  loop: SockLoop,
  transport: SendfileTransport,
  file: SendfileFile,
  offset: number,
  count: number | null,
): Promise<number> {
  const sock = transport.getExtraInfo("socket");
  if (!(sock instanceof Socket) || !transport._sendfileBegin || !transport._sendfileEnd) {
    throw new SendfileNotAvailableError("the transport has no socket of its own");
  }
  // Checked before the buffer is flushed, so that a fallback keeps the order
  // (a pipe without a count sends nothing, as in Python: its size is 0).
  const st = sys().fstat(fileFd(file));
  if (typeof st === "number") throw new SendfileNotAvailableError("not a regular file");
  if ((st.mode & C.S_IFMT) !== C.S_IFREG && (count || st.size)) {
    throw new SendfileNotAvailableError("os.sendfile call failed");
  }
  const lost: { reject: ((e: Error) => void) | null } = { reject: null };
  const empty = transport._sendfileBegin((e) => lost.reject?.(e));
  // Python's `_sendfile_native` stops reading until the file is sent: what
  // the peer sends meanwhile reaches the protocol afterwards.
  const resumeReading = transport.isReading?.() ?? false;
  transport.pauseReading?.();
  try {
    await empty;
    return await sendfileNative(loop, sock.fileno(), file, offset, count, lost);
  } finally {
    transport._sendfileEnd();
    if (resumeReading) transport.resumeReading?.();
  }
}
