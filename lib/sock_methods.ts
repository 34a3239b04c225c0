/**
 * The loop's low-level socket methods (`loop.sockRecv`, `loop.sockSendall`,
 * `loop.sockConnect`, `loop.sockAccept`, ...), written as functions that
 * take the loop first, for `SelectorEventLoop` to expose as thin methods.
 *
 * Each follows Python's `selector_events.py`: try the call at once; only if
 * it would block, watch the fd (`addReader`/`addWriter`) and retry when it
 * is ready. The watch ends when the operation settles, and also when the
 * waiting task is cancelled, so nothing stays registered. The raw calls of
 * `ffi/` are used directly: an EAGAIN on the hot path costs no exception.
 *
 * @example
 * ```ts
 * const sock = socket(AF_INET, SOCK_STREAM);
 * sock.setblocking(false);
 * await sockConnect(loop, sock, ["127.0.0.1", 8080]);
 * await sockSendall(loop, sock, new TextEncoder().encode("GET / HTTP/1.0\r\n\r\n"));
 * const reply = await sockRecv(loop, sock, 65536);
 * ```
 *
 * @module
 */
import { C, ERRNO, sys } from "../ffi/mod.ts";
import {
  AttributeError,
  CancelledError,
  OSError,
  osErrorFromErrno,
  RuntimeError,
  ValueError,
} from "./exceptions.ts";
import type { Future } from "./futures.ts";
import { cancellable } from "./operations.ts";
import { pyRepr, pyTypeName } from "./format.ts";
import { logger } from "./log.ts";
import { checkKeywords } from "./keywords.ts";
import {
  acceptRaw,
  bytesArg,
  getsockoptInt,
  recvBytes,
  recvfromBytes,
  recvfromInto,
  Socket,
  TransportSocket,
  wrapSocketFd,
  writableArg,
} from "./socket.ts";
import { encodeSockaddr, formatAddress, type SocketAddress } from "./sockaddr.ts";
import type { AddressLike } from "./sockaddr.ts";
import {
  type AddrInfo,
  AI_ADDRCONFIG,
  AI_ALL,
  AI_CANONNAME,
  AI_NUMERICHOST,
  AI_NUMERICSERV,
  AI_PASSIVE,
  AI_V4MAPPED,
  getaddrinfo,
  type GetaddrinfoOptions,
  getnameinfo,
  ipaddrInfo,
} from "./dns.ts";

/** The part of the loop these functions use; a `SelectorEventLoop` has it all. */
export interface SockLoop {
  /** Calls `callback` whenever `fd` is readable. */
  addReader(fd: number, callback: () => void): void;
  /** Stops watching `fd` for reading. */
  removeReader(fd: number): boolean;
  /** Calls `callback` whenever `fd` is writable. */
  addWriter(fd: number, callback: () => void): void;
  /** Stops watching `fd` for writing. */
  removeWriter(fd: number): boolean;
  /** A new future bound to the loop. */
  createFuture<T>(): Future<T>;
  /** Whether the loop is closed. */
  isClosed(): boolean;
  /** Whether the loop is in debug mode (then a blocking socket is refused). */
  getDebug?(): boolean;
}

const EAGAIN = ERRNO.EAGAIN;
const EINTR = ERRNO.EINTR;
const EINPROGRESS = ERRNO.EINPROGRESS;
const EALREADY = ERRNO.EALREADY;

/** A would-block result: wait and try again. */
const AGAIN: unique symbol = Symbol("again");
type Attempt<T> = () => T | typeof AGAIN;

/**
 * Which watcher each fd has from this module, per loop and direction, so
 * that an operation only removes a watcher that is still its own (a later
 * operation on the same fd may have replaced it, as in Python, where the
 * replaced handle is cancelled and its done callback leaves the fd alone).
 */
const owners = new WeakMap<object, [Map<number, object>, Map<number, object>]>();

function ownersOf(loop: SockLoop, write: boolean): Map<number, object> {
  let pair = owners.get(loop);
  if (pair === undefined) owners.set(loop, pair = [new Map(), new Map()]);
  return pair[write ? 1 : 0];
}

/**
 * Waits until `attempt()` succeeds, retrying each time `fd` is ready for
 * reading (or writing). Resolves with its result; rejects with what it
 * throws. Cancelling the wait (the awaiting task's cancel) removes the
 * watcher before the cancellation is seen.
 */
function whenReady<T>(
  loop: SockLoop,
  fd: number,
  write: boolean,
  attempt: Attempt<T>,
  op: Operation | null = null,
): Promise<T> {
  const fut: Future<T> = loop.createFuture<T>();
  const mine = ownersOf(loop, write);
  const onReady = (): void => {
    // A cancelled wait must not consume data it can no longer deliver.
    if (fut.done()) return;
    let r: T | typeof AGAIN;
    try {
      r = attempt();
    } catch (e) {
      stop();
      fut.setException(e);
      return;
    }
    if (r === AGAIN) return;
    stop();
    fut.setResult(r);
  };
  const stop = (): void => {
    if (mine.get(fd) !== onReady) return;
    mine.delete(fd);
    if (write) loop.removeWriter(fd);
    else loop.removeReader(fd);
  };
  if (write) loop.addWriter(fd, onReady);
  else loop.addReader(fd, onReady);
  mine.set(fd, onReady);
  if (op !== null) op.wait = fut;
  const settled = async (): Promise<T> => {
    try {
      return await fut;
    } finally {
      stop();
    }
  };
  return cancellable(settled(), (msg) => {
    fut.cancel(msg);
  });
}

/** The wait an operation of several steps is in, for its cancel function (sockConnect). */
interface Operation {
  wait: Future<unknown> | null;
  cancelled: boolean;
}

/**
 * The socket's fd, after Python's checks. A socket in blocking mode is
 * refused only in debug mode, as in Python; otherwise it is served like a
 * non-blocking one (its fd is non-blocking anyway, so the loop waits for
 * it where Python would block the whole loop in the call).
 */
function checkSocket(loop: SockLoop, sock: unknown, method: string): number {
  if (!(sock instanceof Socket)) {
    // Python calls the methods of whatever it is given: the first one it
    // reaches (gettimeout in debug mode) is missing.
    const attr = loop.getDebug?.() ? "gettimeout" : (FIRST_ATTR[method] ?? method.slice(5));
    throw new AttributeError(`'${pyTypeName(sock)}' object has no attribute '${attr}'`);
  }
  if (sock.gettimeout() !== 0 && loop.getDebug?.()) {
    throw new ValueError("the socket must be non-blocking");
  }
  // A transport's "socket" extra has no recv/send/accept/connect in Python:
  // its sock_* call fails with AttributeError (a TypeError subclass here)
  // instead of reading or writing behind the transport's back.
  if (sock instanceof TransportSocket) {
    const attr = method === "sock_sendall" ? "send" : method.slice(5);
    throw new AttributeError(`'TransportSocket' object has no attribute '${attr}'`);
  }
  const fd = sock.fileno();
  if (fd < 0) throw new OSError(ERRNO.EBADF);
  return fd;
}

/**
 * The socket attribute each `sock_*` method of Python 3.11 reads first,
 * where it is not the method's own name (`sock_recv` calls `sock.recv`).
 */
const FIRST_ATTR: Record<string, string> = {
  sock_sendall: "send",
  sock_connect: "family",
  sock_accept: "fileno",
};

/** A size checked as Python's socket method (`method`: "recv", "recvfrom"...) checks it. */
function sizeArg(n: unknown, method: string): number {
  // A bool is an int in Python: sock_recv(sock, True) reads one byte.
  if (typeof n === "boolean") return Number(n);
  if (typeof n !== "number" || !Number.isInteger(n)) {
    throw new TypeError(`'${pyTypeName(n)}' object cannot be interpreted as an integer`);
  }
  if (n < 0) throw new ValueError(`negative buffersize in ${method}`);
  return n;
}

/** The attempt's result, AGAIN for EAGAIN/EINTR, else the thrown OSError. */
function settle<T>(r: T | number): T | typeof AGAIN {
  if (typeof r !== "number") return r;
  if (r === -EAGAIN || r === -EINTR) return AGAIN;
  throw osErrorFromErrno(-r);
}

function count(r: number): number | typeof AGAIN {
  if (r >= 0) return r;
  if (r === -EAGAIN || r === -EINTR) return AGAIN;
  throw osErrorFromErrno(-r);
}

// ---------------------------------------------------------------- data

/**
 * `loop.sockRecv(sock, n)`: receives up to `n` bytes from a non-blocking
 * socket, waiting until some arrive; an empty array at EOF.
 *
 * @example
 * ```ts
 * const data = await sockRecv(loop, sock, 65536);
 * if (data.length === 0) console.log("peer closed");
 * ```
 */
export function sockRecv(loop: SockLoop, sock: Socket, n: number): Promise<Uint8Array> {
  try {
    const fd = checkSocket(loop, sock, "sock_recv");
    const size = sizeArg(n, "recv");
    const attempt = () => settle(recvBytes(fd, size, 0));
    const r = attempt();
    if (r !== AGAIN) return Promise.resolve(r);
    return whenReady(loop, fd, false, attempt);
  } catch (e) {
    return Promise.reject(e);
  }
}

/**
 * `loop.sockRecvInto(sock, buf)`: receives into `buf`, waiting until some
 * bytes arrive; resolves with the count (0 at EOF).
 *
 * @example
 * ```ts
 * const buf = new Uint8Array(4096);
 * const n = await sockRecvInto(loop, sock, buf);
 * ```
 */
export function sockRecvInto(loop: SockLoop, sock: Socket, buf: Uint8Array): Promise<number> {
  try {
    const fd = checkSocket(loop, sock, "sock_recv_into");
    const view = writableArg(buf, "recv_into");
    // CPython makes no call for an empty buffer: 0 at once, never EAGAIN.
    if (view.length === 0) return Promise.resolve(0);
    const attempt = () => count(sys().recv(fd, view, 0));
    const r = attempt();
    if (r !== AGAIN) return Promise.resolve(r);
    return whenReady(loop, fd, false, attempt);
  } catch (e) {
    return Promise.reject(e);
  }
}

/**
 * `loop.sockRecvfrom(sock, bufsize)` (beyond the spec; Python 3.11):
 * receives a datagram and its sender's address.
 *
 * @example
 * ```ts
 * const [data, addr] = await sockRecvfrom(loop, udp, 2048);
 * ```
 */
export function sockRecvfrom(
  loop: SockLoop,
  sock: Socket,
  bufsize: number,
): Promise<[Uint8Array, SocketAddress | null]> {
  try {
    const fd = checkSocket(loop, sock, "sock_recvfrom");
    const size = sizeArg(bufsize, "recvfrom");
    const attempt = () => settle(recvfromBytes(fd, size, 0));
    const r = attempt();
    if (r !== AGAIN) return Promise.resolve(r);
    return whenReady(loop, fd, false, attempt);
  } catch (e) {
    return Promise.reject(e);
  }
}

/**
 * `loop.sockRecvfromInto(sock, buf, nbytes?)` (beyond the spec; Python
 * 3.11): receives a datagram into `buf`: `[count, address]`.
 *
 * @example
 * ```ts
 * const [n, addr] = await sockRecvfromInto(loop, udp, buf);
 * ```
 */
export function sockRecvfromInto(
  loop: SockLoop,
  sock: Socket,
  buf: Uint8Array,
  nbytes = 0,
): Promise<[number, SocketAddress | null]> {
  try {
    const fd = checkSocket(loop, sock, "sock_recvfrom_into");
    const view = writableArg(buf, "recvfrom_into");
    const n = sizeArg(nbytes, "recvfrom_into");
    if (n > view.length) throw new ValueError("nbytes is greater than the length of the buffer");
    const target = n === 0 ? view : view.subarray(0, n);
    const attempt = () => settle(recvfromInto(fd, target, 0));
    const r = attempt();
    if (r !== AGAIN) return Promise.resolve(r);
    return whenReady(loop, fd, false, attempt);
  } catch (e) {
    return Promise.reject(e);
  }
}

/**
 * `loop.sockSendall(sock, data)`: sends all of `data`, waiting for room as
 * needed. Resolves once the kernel has taken the last byte; rejects on
 * the first error (what was sent before it stays sent). `data` is not
 * copied: leave it unchanged until this settles.
 *
 * @example
 * ```ts
 * await sockSendall(loop, sock, new Uint8Array(8 << 20));
 * ```
 */
export function sockSendall(loop: SockLoop, sock: Socket, data: Uint8Array): Promise<null> {
  try {
    const fd = checkSocket(loop, sock, "sock_sendall");
    const buf = bytesArg(data);
    const s = sys();
    let pos = 0;
    const attempt = (): null | typeof AGAIN => {
      while (pos < buf.length) {
        const r = s.send(fd, pos === 0 ? buf : buf.subarray(pos), 0);
        if (r < 0) {
          if (r === -EINTR) continue;
          if (r === -EAGAIN) return AGAIN;
          throw osErrorFromErrno(-r);
        }
        pos += r;
      }
      return null;
    };
    // A zero-length send still runs once, so a dead socket reports its error.
    if (buf.length === 0) {
      const r = s.send(fd, buf, 0);
      if (r < 0 && r !== -EAGAIN && r !== -EINTR) throw osErrorFromErrno(-r);
      return Promise.resolve(null);
    }
    if (attempt() !== AGAIN) return Promise.resolve(null);
    return whenReady(loop, fd, true, attempt);
  } catch (e) {
    return Promise.reject(e);
  }
}

/**
 * `loop.sockSendto(sock, data, address)` (beyond the spec; Python 3.11):
 * sends a datagram, waiting for room if needed; resolves with the count.
 *
 * @example
 * ```ts
 * await sockSendto(loop, udp, new Uint8Array([1]), ["127.0.0.1", 9999]);
 * ```
 */
export function sockSendto(
  loop: SockLoop,
  sock: Socket,
  data: Uint8Array,
  address: AddressLike,
): Promise<number> {
  try {
    const fd = checkSocket(loop, sock, "sock_sendto");
    const buf = bytesArg(data);
    const sa = encodeSockaddr(sock.family, address, "sendto");
    const attempt = () => count(sys().sendto(fd, buf, 0, sa));
    const r = attempt();
    if (r !== AGAIN) return Promise.resolve(r);
    return whenReady(loop, fd, true, attempt);
  } catch (e) {
    return Promise.reject(e);
  }
}

// ---------------------------------------------------------------- connections

/**
 * `loop.sockConnect(sock, address)`: connects a non-blocking socket,
 * waiting for the connection to complete. A host name in an IP address is
 * resolved first with {@link loopGetaddrinfo} (the first result is used).
 * A failed connection rejects with the OSError subclass of its errno
 * (`ConnectionRefusedError`: "[Errno 111] Connect call failed ('127.0.0.1',
 * 1)").
 *
 * @example
 * ```ts
 * await sockConnect(loop, sock, ["127.0.0.1", 8080]);
 * ```
 */
export function sockConnect(loop: SockLoop, sock: Socket, address: AddressLike): Promise<null> {
  const op: Operation = { wait: null, cancelled: false };
  return cancellable(connectSteps(loop, sock, address, op), (msg) => {
    op.cancelled = true;
    op.wait?.cancel(msg);
  });
}

/** {@link sockConnect}'s steps: the name lookup, if any, then the connect. */
async function connectSteps(
  loop: SockLoop,
  sock: Socket,
  address: AddressLike,
  op: Operation,
): Promise<null> {
  checkSocket(loop, sock, "sock_connect");
  let target: AddressLike = address;
  if (
    (sock.family === C.AF_INET || sock.family === C.AF_INET6) &&
    !((typeof address === "string" || Array.isArray(address)) && address.length >= 2)
  ) {
    // Python resolves first: `host, port = address[:2]`.
    if (typeof address === "string" || Array.isArray(address)) {
      throw new ValueError(`not enough values to unpack (expected 2, got ${address.length})`);
    }
    throw new TypeError(`'${pyTypeName(address)}' object is not subscriptable`);
  }
  if ((sock.family === C.AF_INET || sock.family === C.AF_INET6) && Array.isArray(address)) {
    // Python's _ensure_resolved: a numeric host with a port int() reads
    // (8080, "8080", None) is used as it is; anything else is looked up: a
    // name, "" (gaierror, where connect(2) would take INADDR_ANY), a
    // service ("http"), or a None host (the loopback).
    const [host, port, ...rest] = address as unknown[];
    if (rest.length > 2) {
      // `_ipaddr_info(host, port, family, type, proto, *address[2:])`.
      throw new TypeError(
        `_ipaddr_info() takes from 5 to 7 positional arguments but ${
          address.length + 3
        } were given`,
      );
    }
    const info = ipaddrInfo(host, port, sock.family, sock.type, sock.proto);
    if (info !== null) {
      const [h, p] = info[4];
      // The flow info and scope id given are kept; an IPv4 pair drops them.
      target = sock.family === C.AF_INET6
        ? [h, p, rest[0] ?? 0, rest[1] ?? 0] as unknown as AddressLike
        : [h, p];
    } else {
      const infos = await loopGetaddrinfo(
        loop,
        host as string | Uint8Array | null,
        port as number | string | Uint8Array | null,
        { family: sock.family, type: sock.type, proto: sock.proto },
      );
      // Cancelled during the lookup: no connect is started.
      if (op.cancelled) throw new CancelledError();
      target = infos[0][4];
    }
  }
  // Checked again: the socket may have been closed while the name resolved.
  const fd = checkSocket(loop, sock, "sock_connect");
  const err = sock._connect(target, "connect");
  if (err === 0) return null;
  if (err !== EINPROGRESS && err !== EAGAIN && err !== EINTR) throw osErrorFromErrno(err);
  // Python's blocking connect() raises the bare error ("[Errno 111]
  // Connection refused"); only the waited-for one names the address.
  const blocking = sock.gettimeout() !== 0;
  return await whenReady(loop, fd, true, () => {
    if (blocking) {
      // Connecting again ends it as Python's blocking connect(2) does: 0
      // marks the socket connected (a second connect says EISCONN, even
      // after a reset), an error is taken and the socket is unconnected
      // again, so a retry on it starts afresh (reading SO_ERROR would leave
      // it half-failed: ECONNABORTED for the retry, ENOTCONN unreported).
      const again = sock._connect(target, "connect");
      if (again === 0) return null;
      // EAGAIN: a Unix listener's backlog is full; the blocking call waits.
      if (again === EALREADY || again === EINPROGRESS || again === EAGAIN || again === EINTR) {
        return AGAIN;
      }
      throw osErrorFromErrno(again);
    }
    const e = getsockoptInt(fd, C.SOL_SOCKET, C.SO_ERROR);
    if (e === 0) return null;
    if (e === EINPROGRESS || e === EAGAIN || e === EINTR) return AGAIN;
    throw connectError(e, target);
  }, op);
}

/** Python's `OSError(err, f"Connect call failed {address}")`, as the subclass for `err`. */
function connectError(err: number, address: unknown): OSError {
  const Class = osErrorFromErrno(err).constructor as new (e: number, m: string) => OSError;
  return new Class(err, `Connect call failed ${formatAddress(address)}`);
}

/**
 * `loop.sockAccept(sock)`: waits for a connection on a listening
 * non-blocking socket: `[conn, address]`, `conn` non-blocking too.
 *
 * @example
 * ```ts
 * const [conn, peer] = await sockAccept(loop, listener);
 * ```
 */
export function sockAccept(loop: SockLoop, sock: Socket): Promise<[Socket, SocketAddress]> {
  try {
    const fd = checkSocket(loop, sock, "sock_accept");
    const attempt = (): [Socket, SocketAddress] | typeof AGAIN => {
      const r = settle(acceptRaw(fd));
      if (r === AGAIN) return AGAIN;
      return [wrapSocketFd(r[0], sock.family, sock.type, sock.proto, 0), r[1] ?? ""];
    };
    const r = attempt();
    if (r !== AGAIN) return Promise.resolve(r);
    return whenReady(loop, fd, false, attempt);
  } catch (e) {
    return Promise.reject(e);
  }
}

// ---------------------------------------------------------------- names

/** Settles a loop future from a host promise, so a task waits on the loop's own terms. */
async function onLoop<T>(loop: SockLoop, work: () => Promise<T>): Promise<T> {
  if (loop.isClosed()) throw new RuntimeError("Event loop is closed");
  const fut = loop.createFuture<T>();
  // Settled from a loop callback, as Python's executor result arrives
  // (call_soon_threadsafe): callbacks queued before the call run first,
  // even when the work fails at once (an unknown family, a numeric host of
  // the other family), instead of the await resuming in a microtask.
  const l = loop as SockLoop & { callSoon(cb: () => void): unknown };
  const settle = (f: () => void) => l.isClosed() || l.callSoon(f);
  work().then(
    (v) => settle(() => fut.done() || fut.setResult(v)),
    (e) => settle(() => fut.done() || fut.setException(e)),
  );
  return await fut;
}

/**
 * `loop.getaddrinfo(host, port, {family, type, proto, flags})`: Python's
 * `socket.getaddrinfo` (see `getaddrinfo` in `dns.ts`) settled through the
 * loop, so cancelling the awaiting task cancels the wait.
 *
 * @example
 * ```ts
 * const infos = await loopGetaddrinfo(loop, "localhost", 80, { type: SOCK_STREAM });
 * ```
 */
export function loopGetaddrinfo(
  loop: SockLoop,
  host: string | Uint8Array | null | undefined,
  port: number | string | Uint8Array | null | undefined,
  opts: GetaddrinfoOptions = {},
): Promise<AddrInfo[]> {
  try {
    checkKeywords("BaseEventLoop.getaddrinfo", opts, ["family", "type", "proto", "flags"]);
  } catch (e) {
    return Promise.reject(e);
  }
  if (loop.getDebug?.()) return onLoop(loop, () => getaddrinfoDebug(loop, host, port, opts));
  return onLoop(loop, () => getaddrinfo(host, port, opts));
}

/** Python's enum names of getaddrinfo's ints, for its debug log. */
const FAMILY_NAMES: Record<number, string> = {
  [C.AF_UNIX]: "AF_UNIX",
  [C.AF_INET]: "AF_INET",
  [C.AF_INET6]: "AF_INET6",
};
const KIND_NAMES: Record<number, string> = {
  [C.SOCK_STREAM]: "SOCK_STREAM",
  [C.SOCK_DGRAM]: "SOCK_DGRAM",
  [C.SOCK_RAW]: "SOCK_RAW",
  [C.SOCK_RDM]: "SOCK_RDM",
  [C.SOCK_SEQPACKET]: "SOCK_SEQPACKET",
};
const AI_NAMES: Array<[number, string]> = [
  [AI_PASSIVE, "AI_PASSIVE"],
  [AI_CANONNAME, "AI_CANONNAME"],
  [AI_NUMERICHOST, "AI_NUMERICHOST"],
  [AI_V4MAPPED, "AI_V4MAPPED"],
  [AI_ALL, "AI_ALL"],
  [AI_ADDRCONFIG, "AI_ADDRCONFIG"],
  [AI_NUMERICSERV, "AI_NUMERICSERV"],
];
const AI_KNOWN = AI_NAMES.reduce((m, [bit]) => m | bit, 0);

/** `<AddressFamily.AF_INET: 2>`: Python's repr of the socket module's constant (a bare int if none). */
function enumRepr(cls: string, names: Record<number, string>, v: unknown): string {
  const name = typeof v === "number" ? names[v] : undefined;
  return name === undefined ? pyRepr(v) : `<${cls}.${name}: ${v}>`;
}

/** `<AddressInfo.AI_PASSIVE|AI_NUMERICHOST: 5>`, Python's repr of a flag combination. */
function flagsRepr(flags: unknown): string {
  if (typeof flags !== "number") return pyRepr(flags);
  const names = AI_NAMES.filter(([bit]) => flags & bit).map(([, name]) => name);
  if (names.length === 0 || flags & ~AI_KNOWN) return String(flags);
  return `<AddressInfo.${names.join("|")}: ${flags}>`;
}

/**
 * Python's `_getaddrinfo_debug`, what `loop.getaddrinfo` runs in debug mode:
 * `Get address info host:port, type=...` at DEBUG before the lookup, and
 * after it how long it took and what it found, at INFO when that was as
 * slow as a slow callback.
 */
async function getaddrinfoDebug(
  loop: SockLoop,
  host: string | Uint8Array | null | undefined,
  port: number | string | Uint8Array | null | undefined,
  opts: GetaddrinfoOptions,
): Promise<AddrInfo[]> {
  // Python formats the host with str() and the port with repr().
  const parts = [
    `${typeof host === "string" ? host : pyRepr(host ?? null)}:${pyRepr(port ?? null)}`,
  ];
  if (opts.family) parts.push(`family=${enumRepr("AddressFamily", FAMILY_NAMES, opts.family)}`);
  if (opts.type) parts.push(`type=${enumRepr("SocketKind", KIND_NAMES, opts.type)}`);
  if (opts.proto) parts.push(`proto=${pyRepr(opts.proto)}`);
  if (opts.flags) parts.push(`flags=${flagsRepr(opts.flags)}`);
  const msg = parts.join(", ");
  logger.debug(`Get address info ${msg}`);
  const timed = loop as { time?(): number; slowCallbackDuration?: number };
  const t0 = timed.time?.() ?? performance.now() / 1000;
  const infos = await getaddrinfo(host, port, opts);
  const dt = (timed.time?.() ?? performance.now() / 1000) - t0;
  const found = infos.map(([family, type, proto, canon, addr]) =>
    `(${enumRepr("AddressFamily", FAMILY_NAMES, family)}, ${
      enumRepr("SocketKind", KIND_NAMES, type)
    }, ${proto}, ${pyRepr(canon)}, (${addr.map((x) => pyRepr(x)).join(", ")}))`
  );
  const text = `Getting address info ${msg} took ${(dt * 1e3).toFixed(3)}ms: [${found.join(", ")}]`;
  if (dt >= (timed.slowCallbackDuration ?? 0.1)) logger.info(text);
  else logger.debug(text);
  return infos;
}

/**
 * `loop.getnameinfo(sockaddr, flags)`: Python's `socket.getnameinfo` (see
 * `getnameinfo` in `dns.ts`) settled through the loop.
 *
 * @example
 * ```ts
 * const [host, service] = await loopGetnameinfo(loop, ["127.0.0.1", 22]);
 * ```
 */
export function loopGetnameinfo(
  loop: SockLoop,
  sockaddr: readonly [string, number, ...number[]],
  flags = 0,
): Promise<[host: string, service: string]> {
  return onLoop(loop, () => getnameinfo(sockaddr, flags));
}
