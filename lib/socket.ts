/**
 * `Socket`: the part of Python's `socket.socket` that asyncio code uses, over
 * the raw calls of `ffi/`, plus `socket()`, `socketpair()` and the socket
 * constants.
 *
 * Every fd a `Socket` holds is non-blocking (O_NONBLOCK) and close-on-exec,
 * so the event loop can use it at any time. The Python-visible mode
 * (`gettimeout()`, `setblocking()`) is kept separately: a new socket is in
 * blocking mode, as in Python, and the loop's `sock*` methods want it
 * non-blocking (`setblocking(false)`). A call that would block never does
 * (but `connect()` in blocking mode, see there): in either mode it throws
 * `BlockingIOError` (EAGAIN, EINPROGRESS), like a Python socket in
 * non-blocking mode. Blocking the JS thread would freeze the host and the
 * loop with it.
 *
 * @example
 * ```ts
 * using srv = socket(AF_INET, SOCK_STREAM);
 * srv.bind(["127.0.0.1", 0]);
 * srv.listen();
 * console.log(srv.getsockname()); // ["127.0.0.1", 41234]
 * ```
 *
 * @module
 */
import { C, ERRNO, sys } from "../ffi/mod.ts";
import {
  AttributeError,
  OSError,
  osErrorFromErrno,
  TimeoutError,
  ValueError,
} from "./exceptions.ts";
import {
  type AddressLike,
  decodeSockaddr,
  encodeSockaddr,
  formatAddress,
  type SocketAddress,
} from "./sockaddr.ts";
import { bytesRepr, printAsRepr, pyTypeName } from "./format.ts";
import { keywords } from "./keywords.ts";
import { bindOnRead } from "./bound_methods.ts";

export {
  type AddressLike,
  EAI_ADDRFAMILY,
  EAI_AGAIN,
  EAI_BADFLAGS,
  EAI_FAIL,
  EAI_FAMILY,
  EAI_MEMORY,
  EAI_NODATA,
  EAI_NONAME,
  EAI_OVERFLOW,
  EAI_SERVICE,
  EAI_SOCKTYPE,
  EAI_SYSTEM,
  gaierror,
  type IPv4Address,
  type IPv6Address,
  type RawAddress,
  type SocketAddress,
} from "./sockaddr.ts";

// ---------------------------------------------------------------- constants

/** Address family: unspecified (any). */
export const AF_UNSPEC: number = C.AF_UNSPEC;
/** Address family: Unix domain sockets. */
export const AF_UNIX: number = C.AF_UNIX;
/** Address family: IPv4. */
export const AF_INET: number = C.AF_INET;
/** Address family: IPv6. */
export const AF_INET6: number = C.AF_INET6;
/** Socket type: a byte stream (TCP). */
export const SOCK_STREAM: number = C.SOCK_STREAM;
/** Socket type: datagrams (UDP). */
export const SOCK_DGRAM: number = C.SOCK_DGRAM;
/** Socket type: raw. */
export const SOCK_RAW: number = C.SOCK_RAW;
/** Socket type: reliable datagrams. */
export const SOCK_RDM: number = C.SOCK_RDM;
/** Socket type: sequenced packets. */
export const SOCK_SEQPACKET: number = C.SOCK_SEQPACKET;
/** Type flag: create the socket non-blocking (`gettimeout()` is then 0). */
export const SOCK_NONBLOCK: number = C.SOCK_NONBLOCK;
/** Type flag: close-on-exec (always set here). */
export const SOCK_CLOEXEC: number = C.SOCK_CLOEXEC;
/** The kernel's largest listen backlog. */
export const SOMAXCONN: number = C.SOMAXCONN;
/** Option level: the socket itself. */
export const SOL_SOCKET: number = C.SOL_SOCKET;
/** Allow binding an address in TIME_WAIT. */
export const SO_REUSEADDR: number = C.SO_REUSEADDR;
/** Let several sockets bind the same address and port. */
export const SO_REUSEPORT: number = C.SO_REUSEPORT;
/** The pending error (and clear it); how a non-blocking connect reports. */
export const SO_ERROR: number = C.SO_ERROR;
/** Allow sending to broadcast addresses. */
export const SO_BROADCAST: number = C.SO_BROADCAST;
/** Send keepalive probes. */
export const SO_KEEPALIVE: number = C.SO_KEEPALIVE;
/** The socket type (read only). */
export const SO_TYPE: number = C.SO_TYPE;
/** The receive buffer size. */
export const SO_RCVBUF: number = C.SO_RCVBUF;
/** The send buffer size. */
export const SO_SNDBUF: number = C.SO_SNDBUF;
/** Linger on close (a `struct linger`, 8 bytes). */
export const SO_LINGER: number = C.SO_LINGER;
/** Whether the socket listens (read only). */
export const SO_ACCEPTCONN: number = C.SO_ACCEPTCONN;
/** The address family (read only). */
export const SO_DOMAIN: number = C.SO_DOMAIN;
/** The protocol (read only). */
export const SO_PROTOCOL: number = C.SO_PROTOCOL;
/** Protocol: IP. */
export const IPPROTO_IP: number = C.IPPROTO_IP;
/** Protocol: TCP. */
export const IPPROTO_TCP: number = C.IPPROTO_TCP;
/** Protocol: UDP. */
export const IPPROTO_UDP: number = C.IPPROTO_UDP;
/** Protocol: IPv6. */
export const IPPROTO_IPV6: number = C.IPPROTO_IPV6;
/** Protocol: SCTP. */
export const IPPROTO_SCTP: number = C.IPPROTO_SCTP;
/** Disable Nagle's algorithm. */
export const TCP_NODELAY: number = C.TCP_NODELAY;
/** Restrict an AF_INET6 socket to IPv6 (no IPv4-mapped peers). */
export const IPV6_V6ONLY: number = C.IPV6_V6ONLY;
/** `shutdown`: no more receptions. */
export const SHUT_RD: number = C.SHUT_RD;
/** `shutdown`: no more transmissions (sends EOF). */
export const SHUT_WR: number = C.SHUT_WR;
/** `shutdown`: neither. */
export const SHUT_RDWR: number = C.SHUT_RDWR;
/** `recv` flag: out-of-band data. */
export const MSG_OOB: number = C.MSG_OOB;
/** `recv` flag: look without consuming. */
export const MSG_PEEK: number = C.MSG_PEEK;
/** `recv` flag: report the real length of a truncated datagram. */
export const MSG_TRUNC: number = C.MSG_TRUNC;
/** Flag: do not block (every call here is non-blocking anyway). */
export const MSG_DONTWAIT: number = C.MSG_DONTWAIT;
/** `recv` flag: wait for the full request (never blocks here: sockets are non-blocking). */
export const MSG_WAITALL: number = C.MSG_WAITALL;
/** `send` flag: no SIGPIPE (always added). */
export const MSG_NOSIGNAL: number = C.MSG_NOSIGNAL;
/** The platform supports IPv6 (Python's `socket.has_ipv6`). */
export const hasIpv6: boolean = true;

// ---------------------------------------------------------------- helpers

const EBADF = ERRNO.EBADF;
const EINTR = ERRNO.EINTR;
const EINPROGRESS = ERRNO.EINPROGRESS;
const EAGAIN = ERRNO.EAGAIN;
const EALREADY = ERRNO.EALREADY;
const ECONNRESET = ERRNO.ECONNRESET;
const TYPE_FLAGS = C.SOCK_NONBLOCK | C.SOCK_CLOEXEC;
const SMALL_RECV = 65536;

// Scratch for the synchronous calls; JS runs one call at a time, and every
// result is copied out before the next call.
const addrBuf = new Uint8Array(C.SOCKADDR_STORAGE_SIZE);
const addrLen = new Uint32Array(1);
const intBuf = new Uint8Array(4);
const intView = new DataView(intBuf.buffer);
let recvScratch: Uint8Array | undefined;

function typeName(v: unknown): string {
  if (v === null || v === undefined) return "NoneType";
  if (typeof v === "string") return "str";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  // An array stands for a tuple (rule 7), a Uint8Array for bytes (rule 5).
  if (Array.isArray(v)) return "tuple";
  if (v instanceof Uint8Array) return "bytes";
  return typeof v === "object" ? (v.constructor?.name ?? "object") : typeof v;
}

function intArg(v: unknown): number {
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v !== "number" || !Number.isInteger(v)) {
    throw new TypeError(`'${typeName(v)}' object cannot be interpreted as an integer`);
  }
  return v;
}

/**
 * `data` as a `Uint8Array` over the same memory. Any `ArrayBufferView`
 * (Python's bytes-like objects) is accepted; anything else, a string in
 * particular, is a `TypeError` (API.md rule 5).
 *
 * @example
 * ```ts
 * bytesArg(new TextEncoder().encode("hi")); // the same Uint8Array
 * bytesArg("hi"); // throws TypeError: a bytes-like object is required, not 'str'
 * ```
 */
export function bytesArg(data: unknown): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data)) {
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  throw new TypeError(`a bytes-like object is required, not '${typeName(data)}'`);
}

/**
 * A buffer to receive into, as `bytesArg`, with the TypeError of Python's
 * `method` (`recv_into`...) for anything else.
 * @internal
 */
export function writableArg(data: unknown, method: string): Uint8Array {
  if (!ArrayBuffer.isView(data)) {
    throw new TypeError(
      `${method}() argument 1 must be read-write bytes-like object, not ${typeName(data)}`,
    );
  }
  return bytesArg(data);
}

/**
 * Throws the `OSError` subclass for a raw call's `-errno` result `r`;
 * returns `r` when it is a success.
 */
function ok(r: number): number {
  if (r < 0) throw osErrorFromErrno(-r);
  return r;
}

/**
 * Receives up to `n` bytes from `fd` into a new array of exactly the bytes
 * received: the raw result (`-errno`) on failure. Small reads go through a
 * shared buffer and are copied out; large ones keep their own buffer.
 *
 * @example
 * ```ts
 * const r = recvBytes(fd, 4096, 0);
 * if (typeof r === "number") throw osErrorFromErrno(-r);
 * ```
 */
export function recvBytes(fd: number, n: number, flags: number): Uint8Array | number {
  // CPython asks the kernel for nothing when 0 bytes are wanted: b'' at once,
  // where a non-blocking recv(2) of 0 bytes with no data would say EAGAIN.
  if (n === 0) return new Uint8Array(0);
  if (n <= SMALL_RECV) {
    recvScratch ??= new Uint8Array(SMALL_RECV);
    const r = sys().recv(fd, n === SMALL_RECV ? recvScratch : recvScratch.subarray(0, n), flags);
    return r < 0 ? r : recvScratch.slice(0, r);
  }
  const buf = new Uint8Array(n);
  const r = sys().recv(fd, buf, flags);
  if (r < 0) return r;
  // Keep the big buffer only when most of it is used.
  return r === n ? buf : r > n >> 1 ? buf.subarray(0, r) : buf.slice(0, r);
}

/**
 * Like {@link recvBytes} with the sender's address: `recvfrom(2)`.
 *
 * @example
 * ```ts
 * const r = recvfromBytes(fd, 2048, 0);
 * if (typeof r !== "number") console.log(r[0].length, "bytes from", r[1]);
 * ```
 */
export function recvfromBytes(
  fd: number,
  n: number,
  flags: number,
): [Uint8Array, SocketAddress | null] | number {
  const buf = n <= SMALL_RECV
    ? (recvScratch ??= new Uint8Array(SMALL_RECV)).subarray(0, n)
    : new Uint8Array(n);
  const r = sys().recvfrom(fd, buf, flags, addrBuf, addrLen);
  if (r < 0) return r;
  // MSG_TRUNC reports the datagram's full length, which may exceed the buffer.
  const got = Math.min(r, n);
  const data = n <= SMALL_RECV || got <= n >> 1 ? buf.slice(0, got) : buf.subarray(0, got);
  return [data, decodeSockaddr(addrBuf, addrLen[0])];
}

/**
 * Receives into `buf` with the sender's address; the raw result on failure.
 *
 * @example
 * ```ts
 * const r = recvfromInto(fd, buf, 0);
 * if (typeof r !== "number") console.log(r[0], "bytes from", r[1]);
 * ```
 */
export function recvfromInto(
  fd: number,
  buf: Uint8Array,
  flags: number,
): [number, SocketAddress | null] | number {
  const r = sys().recvfrom(fd, buf, flags, addrBuf, addrLen);
  return r < 0 ? r : [r, decodeSockaddr(addrBuf, addrLen[0])];
}

/**
 * Accepts a connection on `fd` as a non-blocking, close-on-exec fd, with
 * the peer's address; the raw result on failure.
 *
 * @example
 * ```ts
 * const r = acceptRaw(listenFd);
 * if (typeof r !== "number") { const [fd, peer] = r; }
 * ```
 */
export function acceptRaw(fd: number): [number, SocketAddress | null] | number {
  const r = sys().accept4(fd, addrBuf, addrLen, C.SOCK_NONBLOCK | C.SOCK_CLOEXEC);
  return r < 0 ? r : [r, decodeSockaddr(addrBuf, addrLen[0])];
}

/**
 * The address of open socket `fd` (`peer`: its peer's), as
 * `Socket.getsockname()` / `getpeername()` return it; throws the `OSError`.
 * For a transport that keeps only the fd of an accepted socket.
 *
 * @example
 * ```ts
 * const [host, port] = fdAddress(fd, true) as [string, number];
 * ```
 */
export function fdAddress(fd: number, peer: boolean): SocketAddress {
  const s = sys();
  const len = ok(peer ? s.getpeername(fd, addrBuf) : s.getsockname(fd, addrBuf));
  return decodeSockaddr(addrBuf, len) ?? "";
}

/**
 * Closes socket fd `fd` as `Socket.close()` does: ECONNRESET (the peer
 * reset it; the fd is closed anyway) is not an error, anything else throws.
 *
 * @example
 * ```ts
 * closeSocketFd(fd);
 * ```
 */
export function closeSocketFd(fd: number): void {
  const r = sys().close(fd);
  if (r < 0 && r !== -ECONNRESET) throw osErrorFromErrno(-r);
}

/**
 * An `int` socket option of `fd`; throws the `OSError` on failure.
 *
 * @example
 * ```ts
 * const err = getsockoptInt(fd, SOL_SOCKET, SO_ERROR);
 * ```
 */
export function getsockoptInt(fd: number, level: number, name: number): number {
  intView.setInt32(0, 0, true);
  ok(sys().getsockopt(fd, level, name, intBuf));
  return intView.getInt32(0, true);
}

function setNonBlocking(fd: number): void {
  const s = sys();
  const fl = ok(s.fcntl(fd, C.F_GETFL, 0));
  if (!(fl & C.O_NONBLOCK)) ok(s.fcntl(fd, C.F_SETFL, fl | C.O_NONBLOCK));
}

/** Python's keyword arguments of `socket()`, `new Socket()` and `socketpair()` (rule 3). */
export interface SocketKeywords {
  /** The address family: AF_INET (the default; AF_UNIX for `socketpair`), AF_INET6, AF_UNIX. */
  family?: number;
  /** The socket type: SOCK_STREAM (the default), SOCK_DGRAM, ... */
  type?: number;
  /** The protocol number; 0 by default. */
  proto?: number;
  /** An open socket fd to take over (`socket()` and `new Socket()` only). */
  fileno?: number | null;
}

const SOCKET_KEYWORDS = ["family", "type", "proto", "fileno"] as const;

/**
 * The positional arguments `args` of `fn`, with a trailing options object
 * (Python's keywords, rule 3) spread into their places: `socket({ type:
 * SOCK_DGRAM })` is `socket(undefined, SOCK_DGRAM)`. Python's TypeErrors
 * for an unknown keyword or one also given by position.
 */
function socketArgs(
  fn: string,
  args: readonly unknown[],
): [number | undefined, number | undefined, number | undefined, number | null | undefined] {
  let last = args.length - 1;
  while (last >= 0 && args[last] === undefined) last--;
  const names = SOCKET_KEYWORDS.slice(0, args.length);
  const kw = last >= 0 ? keywords(fn, args[last], names) : null;
  const out = args.slice() as [number, number, number, number | null];
  if (kw === null) return out;
  out[last] = undefined as never;
  for (const [key, value] of Object.entries(kw)) {
    const i = names.indexOf(key as typeof names[number]);
    if (i < last) throw new TypeError(`${fn}() got multiple values for argument '${key}'`);
    out[i] = value as number;
  }
  return out;
}

/**
 * Set around `new Socket(...)` by {@link wrapSocketFd}: the fd is one this
 * module just made, so the constructor trusts the identity it is given
 * instead of asking the kernel, and takes this timeout.
 */
let adopting: { timeout: number | null } | null = null;

// ---------------------------------------------------------------- Socket

/**
 * A socket, with the methods of Python's `socket.socket` that asyncio code
 * uses. Made by {@link socket}, {@link socketpair}, `accept()`, or
 * `new Socket(family, type, proto, fileno)` to adopt an open fd.
 *
 * @example
 * ```ts
 * const [a, b] = socketpair();
 * a.send(new TextEncoder().encode("ping"));
 * console.log(b.recv(100)); // Uint8Array "ping"
 * a.close();
 * b.close();
 * ```
 */
export class Socket {
  #fd: number;
  readonly #family: number;
  readonly #type: number;
  readonly #proto: number;
  /** Python's timeout: null in blocking mode, 0 in non-blocking mode. */
  #timeout: number | null;

  /**
   * A new socket (`family` AF_INET, `type` SOCK_STREAM, `proto` 0 by
   * default), or with `fileno`, a `Socket` that takes over that open fd
   * (made non-blocking; family, type and protocol read from the kernel when
   * not given). `type` may include SOCK_NONBLOCK (non-blocking mode) and
   * SOCK_CLOEXEC (always set anyway). Python's keyword arguments are a
   * trailing options object (rule 3): `new Socket({ fileno: fd })`.
   */
  constructor(
    family?: number | SocketKeywords,
    type?: number | SocketKeywords,
    proto?: number | SocketKeywords,
    fileno?: number | null | SocketKeywords,
  ) {
    [family, type, proto, fileno] = socketArgs("socket.__init__", [family, type, proto, fileno]);
    const s = sys();
    if (fileno === undefined || fileno === null) {
      const fam = family === undefined || family === -1 ? C.AF_INET : intArg(family);
      const typ = type === undefined || type === -1 ? C.SOCK_STREAM : intArg(type);
      const pro = proto === undefined || proto === -1 ? 0 : intArg(proto);
      const fd = ok(s.socket(fam, typ | TYPE_FLAGS, pro));
      this.#fd = fd;
      this.#family = fam;
      this.#type = typ & ~TYPE_FLAGS;
      // The kernel picks the protocol for 0; Python keeps what was asked.
      this.#proto = pro;
      this.#timeout = typ & C.SOCK_NONBLOCK ? 0 : null;
      return;
    }
    const fd = intArg(fileno);
    const known = adopting;
    // Adopted fds are the library's own; a TransportSocket may wrap a closed one (-1).
    if (fd < 0 && known === null) throw new ValueError("negative file descriptor");
    if (known !== null) {
      adopting = null;
      this.#fd = fd;
      this.#family = family!;
      this.#type = type!;
      this.#proto = proto!;
      this.#timeout = known.timeout;
      return;
    }
    // Reading the type also proves that fd is an open socket.
    const kernelType = getsockoptInt(fd, C.SOL_SOCKET, C.SO_TYPE);
    this.#family = family === undefined || family === -1
      ? getsockoptInt(fd, C.SOL_SOCKET, C.SO_DOMAIN)
      : intArg(family);
    this.#type = (type === undefined || type === -1 ? kernelType : intArg(type)) & ~TYPE_FLAGS;
    this.#proto = proto === undefined || proto === -1
      ? getsockoptInt(fd, C.SOL_SOCKET, C.SO_PROTOCOL)
      : intArg(proto);
    setNonBlocking(fd);
    this.#fd = fd;
    this.#timeout = type !== undefined && type !== -1 && type & C.SOCK_NONBLOCK ? 0 : null;
  }

  /** The address family (AF_INET, AF_INET6, AF_UNIX, ...). */
  get family(): number {
    return this.#family;
  }

  /** The socket type (SOCK_STREAM, SOCK_DGRAM, ...), without the SOCK_NONBLOCK/SOCK_CLOEXEC flags. */
  get type(): number {
    return this.#type;
  }

  /** The protocol number (0 for the family's default). */
  get proto(): number {
    return this.#proto;
  }

  /** The file descriptor, or -1 once closed or detached (as in Python). */
  fileno(): number {
    return this.#fd;
  }

  #checkFd(): number {
    if (this.#fd < 0) throw new OSError(EBADF);
    return this.#fd;
  }

  // -- mode ----------------------------------------------------------------

  /**
   * Python's timeout: null in blocking mode, 0 in non-blocking mode (the
   * mode the loop's `sock*` methods require).
   */
  gettimeout(): number | null {
    return this.#timeout;
  }

  /**
   * `setblocking(false)` is `settimeout(0)`, `setblocking(true)` is
   * `settimeout(null)`. The fd itself stays non-blocking either way.
   */
  setblocking(flag: boolean): void {
    if (typeof flag !== "boolean" && !(typeof flag === "number" && Number.isInteger(flag))) {
      // Python's message: it reads the flag as a C int, before the fd.
      throw new TypeError(`'${pyTypeName(flag)}' object cannot be interpreted as an integer`);
    }
    // As CPython: the mode is kept even when setting the fd's then fails (EBADF).
    this.#timeout = flag ? null : 0;
    this.#checkFd();
  }

  /** Whether the socket is in blocking mode (`gettimeout() !== 0`); closed or not, as in Python. */
  getblocking(): boolean {
    return this.#timeout !== 0;
  }

  /**
   * Sets Python's timeout: null (blocking mode), 0 (non-blocking), or a
   * positive number of seconds, which is kept and reported by
   * `gettimeout()` but never waited for: calls that would block throw
   * `BlockingIOError` right away.
   */
  settimeout(value: number | null): void {
    if (value === null || value === undefined) {
      this.#timeout = null;
    } else {
      if (typeof value === "boolean") value = Number(value);
      if (typeof value !== "number") {
        throw new TypeError(`'${typeName(value)}' object cannot be interpreted as an integer`);
      }
      if (Number.isNaN(value)) throw new ValueError("Invalid value NaN (not a number)");
      if (value < 0) throw new ValueError("Timeout value out of range");
      this.#timeout = value;
    }
    // As CPython: the timeout is kept even when setting the fd's mode then fails (EBADF).
    this.#checkFd();
  }

  // -- addresses -----------------------------------------------------------

  /** Binds to `address` (rule 7 tuple, or a Unix path). */
  bind(address: AddressLike): void {
    // Python parses the address first: a bad one is a TypeError even when closed.
    const sa = encodeSockaddr(this.#family, address, "bind");
    ok(sys().bind(this.#checkFd(), sa));
  }

  /** Starts listening; `backlog` defaults to Python's `min(SOMAXCONN, 128)`. */
  listen(backlog?: number): void {
    const fd = this.#checkFd();
    const n = backlog === undefined ? Math.min(C.SOMAXCONN, 128) : intArg(backlog);
    ok(sys().listen(fd, Math.max(0, n)));
  }

  /**
   * Accepts a connection: `[socket, address]`. The new socket is in
   * blocking mode, as Python's is; `BlockingIOError` when none is pending.
   */
  accept(): [Socket, SocketAddress] {
    const fd = this.#checkFd();
    const r = acceptRaw(fd);
    if (typeof r === "number") throw osErrorFromErrno(-r);
    const conn = wrapSocketFd(r[0], this.#family, this.#type, this.#proto, null);
    return [conn, r[1] ?? ""];
  }

  /**
   * Connects to `address`. In non-blocking mode, a connection that cannot
   * complete at once (TCP, always) throws `BlockingIOError` (EINPROGRESS);
   * wait for writability, then read `SO_ERROR`, or use the loop's
   * `sockConnect`. In blocking mode it waits for the outcome, as Python's
   * does (the one call here that blocks: `s.connect(addr)` before
   * `openConnection({ sock: s })` is common, and on loopback it is
   * immediate), up to `gettimeout()` seconds (`TimeoutError` "timed out").
   */
  connect(address: AddressLike): void {
    let err = this._connect(address, "connect");
    if (err === EINPROGRESS && this.#timeout !== 0) err = this.#awaitConnect(address);
    if (err !== 0) throw osErrorFromErrno(err);
  }

  /** Blocks until the pending connect finishes: its errno (0: connected). */
  #awaitConnect(address: AddressLike): number {
    const rec = new Uint8Array(8);
    const dv = new DataView(rec.buffer);
    dv.setInt32(0, this.#fd, true);
    dv.setInt16(4, C.POLLOUT, true);
    const ms = this.#timeout === null ? -1 : Math.ceil(this.#timeout * 1000);
    const deadline = Date.now() + ms;
    for (;;) {
      const left = ms < 0 ? -1 : Math.max(0, deadline - Date.now());
      const n = sys().poll(rec, 1, left);
      if (n === -EINTR) continue;
      if (n < 0) return -n;
      if (n === 0) throw new TimeoutError("timed out");
      // Connecting again ends it as a blocking connect(2) does: 0 marks the
      // socket connected (the next connect says EISCONN), an error is taken
      // and the socket is unconnected again (the next connect starts afresh,
      // where reading SO_ERROR would leave ECONNABORTED for it).
      const again = this._connect(address, "connect");
      if (again === EALREADY) continue;
      return again;
    }
  }

  /**
   * Like {@link connect}, but returns the errno (0 on success) instead of
   * throwing for an OS error; a bad address still throws. In blocking mode
   * it waits for the outcome as `connect` does (Python's gives 111 for a
   * refused connection, not 115), and a timeout is EAGAIN, as in Python.
   */
  connectEx(address: AddressLike): number {
    const err = this._connect(address, "connect_ex");
    if (err !== EINPROGRESS || this.#timeout === 0) return err;
    try {
      return this.#awaitConnect(address);
    } catch (e) {
      if (e instanceof TimeoutError) return EAGAIN;
      throw e;
    }
  }

  /** @internal {@link connectEx}, with `fn` (Python's method name) in the address errors. */
  _connect(address: AddressLike, fn: string): number {
    const sa = encodeSockaddr(this.#family, address, fn);
    if (this.#fd < 0) return EBADF;
    // Not retried on EINTR: the connection goes on in the background and a
    // second connect would only say EALREADY.
    const r = sys().connect(this.#fd, sa);
    return r < 0 ? -r : 0;
  }

  /** The local address. */
  getsockname(): SocketAddress {
    return fdAddress(this.#checkFd(), false);
  }

  /** The peer's address; `OSError` ENOTCONN when not connected. */
  getpeername(): SocketAddress {
    return fdAddress(this.#checkFd(), true);
  }

  // -- options -------------------------------------------------------------

  /** Sets an option: a number (or boolean) as a C `int`, or raw bytes. */
  setsockopt(level: number, optname: number, value: number | boolean | Uint8Array): void {
    const fd = this.#checkFd();
    const lvl = intArg(level), opt = intArg(optname);
    // Python tries an int, then a buffer: anything else is the buffer's TypeError.
    const v = typeof value === "number" && Number.isInteger(value) || typeof value === "boolean"
      ? intArg(value)
      : bytesArg(value);
    ok(sys().setsockopt(fd, lvl, opt, v));
  }

  /** An `int` option's value. */
  getsockopt(level: number, optname: number): number;
  /** An option's raw bytes, at most `buflen` (1..1024) of them. */
  getsockopt(level: number, optname: number, buflen: number): Uint8Array;
  getsockopt(level: number, optname: number, buflen?: number): number | Uint8Array {
    const fd = this.#checkFd();
    if (buflen === undefined || buflen === 0) {
      return getsockoptInt(fd, intArg(level), intArg(optname));
    }
    const n = intArg(buflen);
    if (n < 0 || n > 1024) throw new OSError("getsockopt buflen out of range");
    const out = new Uint8Array(n);
    const len = ok(sys().getsockopt(fd, intArg(level), intArg(optname), out));
    return len < n ? out.slice(0, len) : out;
  }

  // -- data ----------------------------------------------------------------

  /** Receives up to `bufsize` bytes; an empty array at EOF. */
  recv(bufsize: number, flags = 0): Uint8Array {
    const fd = this.#checkFd();
    const n = intArg(bufsize);
    if (n < 0) throw new ValueError("negative buffersize in recv");
    const r = recvBytes(fd, n, intArg(flags));
    if (typeof r === "number") throw osErrorFromErrno(-r);
    return r;
  }

  /** Receives into `buffer` (its first `nbytes`, or all of it); returns the count. */
  recvInto(buffer: Uint8Array, nbytes = 0, flags = 0): number {
    const fd = this.#checkFd();
    const buf = writableArg(buffer, "recv_into");
    const n = intArg(nbytes);
    if (n < 0) throw new ValueError("negative buffersize in recv_into");
    if (n > buf.length) throw new ValueError("buffer too small for requested bytes");
    // As recv(0): no call for an empty buffer.
    if (buf.length === 0) return 0;
    return ok(
      sys().recv(fd, n === 0 || n === buf.length ? buf : buf.subarray(0, n), intArg(flags)),
    );
  }

  /** Receives a datagram (or bytes): `[data, address]`; the address is null when there is none. */
  recvfrom(bufsize: number, flags = 0): [Uint8Array, SocketAddress | null] {
    const fd = this.#checkFd();
    const n = intArg(bufsize);
    if (n < 0) throw new ValueError("negative buffersize in recvfrom");
    const r = recvfromBytes(fd, n, intArg(flags));
    if (typeof r === "number") throw osErrorFromErrno(-r);
    return r;
  }

  /** Like {@link recvfrom} into `buffer`: `[count, address]`. */
  recvfromInto(buffer: Uint8Array, nbytes = 0, flags = 0): [number, SocketAddress | null] {
    const fd = this.#checkFd();
    const buf = writableArg(buffer, "recvfrom_into");
    const n = intArg(nbytes);
    if (n < 0) throw new ValueError("negative buffersize in recvfrom_into");
    if (n > buf.length) throw new ValueError("nbytes is greater than the length of the buffer");
    const r = recvfromInto(fd, n === 0 ? buf : buf.subarray(0, n), intArg(flags));
    if (typeof r === "number") throw osErrorFromErrno(-r);
    return r;
  }

  /** Sends bytes; returns how many were sent (perhaps fewer than given). */
  send(data: Uint8Array, flags = 0): number {
    const fd = this.#checkFd();
    return ok(sys().send(fd, bytesArg(data), intArg(flags)));
  }

  /**
   * Sends all of `data`. The socket never blocks, so when the kernel's
   * buffer fills this throws `BlockingIOError` with part of the data sent,
   * as a non-blocking Python socket does: the loop's `sockSendall` waits.
   */
  sendall(data: Uint8Array, flags = 0): void {
    const fd = this.#checkFd();
    const buf = bytesArg(data);
    const f = intArg(flags);
    const s = sys();
    let pos = 0;
    do {
      const r = s.send(fd, pos === 0 ? buf : buf.subarray(pos), f);
      if (r === -EINTR) continue;
      pos += ok(r);
    } while (pos < buf.length);
  }

  /** Sends a datagram to `address`: `sendto(data, address)` or `sendto(data, flags, address)`. */
  sendto(data: Uint8Array, address: AddressLike): number;
  /** Sends a datagram to `address` with `flags`. */
  sendto(data: Uint8Array, flags: number, address: AddressLike): number;
  sendto(data: Uint8Array, flagsOrAddress: number | AddressLike, address?: AddressLike): number {
    const fd = this.#checkFd();
    const buf = bytesArg(data);
    const [flags, addr] = address === undefined
      ? [0, flagsOrAddress]
      : [intArg(flagsOrAddress), address];
    return ok(sys().sendto(fd, buf, flags, encodeSockaddr(this.#family, addr, "sendto")));
  }

  /** Shuts down one or both directions: SHUT_RD, SHUT_WR, SHUT_RDWR. */
  shutdown(how: number): void {
    const fd = this.#checkFd();
    ok(sys().shutdown(fd, intArg(how)));
  }

  // -- lifetime ------------------------------------------------------------

  /**
   * Closes the fd, once: later calls do nothing. ECONNRESET from close is
   * ignored, as in Python; other errors are thrown (the fd is gone anyway).
   */
  close(): void {
    const fd = this.#fd;
    if (fd < 0) return;
    this.#fd = -1;
    closeSocketFd(fd);
  }

  /** Gives up the fd without closing it; returns it (-1 if already closed). */
  detach(): number {
    const fd = this.#fd;
    this.#fd = -1;
    return fd;
  }

  /** `using sock = socket()` closes it at the end of the scope. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** Python's repr: `<socket.socket fd=5, family=2, type=1, proto=0, laddr=('127.0.0.1', 8888)>`. */
  toString(): string {
    const closed = this.#fd < 0;
    let s = `<socket.socket${closed ? " [closed]" : ""} fd=${this.#fd}, family=${this.#family}, ` +
      `type=${this.#type}, proto=${this.#proto}`;
    if (!closed) {
      for (
        const [key, get] of [["laddr", sys().getsockname], ["raddr", sys().getpeername]] as const
      ) {
        const len = get.call(sys(), this.#fd, addrBuf);
        const a = len > 0 ? decodeSockaddr(addrBuf, len) : null;
        if (a === null || a === "") continue;
        // Python gives an abstract Unix name as bytes: laddr=b'\x00name'.
        const shown = typeof a === "string" && a.startsWith("\0")
          ? bytesRepr(new TextEncoder().encode(a))
          : formatAddress(a);
        s += `, ${key}=${shown}`;
      }
    }
    return s + ">";
  }
}

/**
 * A new socket, non-blocking at the fd level and in blocking mode for
 * Python (`setblocking(false)` before the loop's `sock*` methods).
 *
 * @example
 * ```ts
 * const sock = socket(AF_INET6, SOCK_DGRAM);
 * sock.bind(["::1", 0]);
 * ```
 */
export function socket(
  family?: number | SocketKeywords,
  type?: number | SocketKeywords,
  proto?: number | SocketKeywords,
): Socket {
  // The defaults (AF_INET, SOCK_STREAM, 0) and keywords are the constructor's.
  return new Socket(family, type, proto);
}

/**
 * A pair of connected sockets (`AF_UNIX`, `SOCK_STREAM` by default), both
 * in blocking mode for Python.
 *
 * @example
 * ```ts
 * const [a, b] = socketpair();
 * a.sendall(new Uint8Array([1, 2, 3]));
 * b.recv(3); // Uint8Array [1, 2, 3]
 * ```
 */
export function socketpair(
  family?: number | SocketKeywords,
  type?: number | SocketKeywords,
  proto?: number | SocketKeywords,
): [Socket, Socket] {
  const [f, t, p] = socketArgs("socketpair", [family, type, proto]);
  const fam = intArg(f ?? C.AF_UNIX), typ = intArg(t ?? C.SOCK_STREAM), pro = intArg(p ?? 0);
  const r = sys().socketpair(fam, typ | TYPE_FLAGS, pro);
  if (typeof r === "number") throw osErrorFromErrno(-r);
  const timeout = typ & C.SOCK_NONBLOCK ? 0 : null;
  const bare = typ & ~TYPE_FLAGS;
  return [
    wrapSocketFd(r[0], fam, bare, pro, timeout),
    wrapSocketFd(r[1], fam, bare, pro, timeout),
  ];
}

/**
 * Makes a `Socket` for an fd this library just created (non-blocking and
 * close-on-exec already), without asking the kernel what it is.
 *
 * @example
 * ```ts
 * const sock = wrapSocketFd(fd, AF_INET, SOCK_STREAM, 0, 0);
 * ```
 */
export function wrapSocketFd(
  fd: number,
  family: number,
  type: number,
  proto: number,
  timeout: number | null,
): Socket {
  adopting = { timeout };
  try {
    return new Socket(family, type, proto, fd);
  } finally {
    adopting = null;
  }
}

/**
 * Python's `asyncio.trsock.TransportSocket`: what `server.sockets` and a
 * transport's `"socket"` extra give, a view of the transport's socket that
 * prints as `<asyncio.TransportSocket fd=6, family=2, type=1, proto=6,
 * laddr=('127.0.0.1', 8888)>`. Its methods act on the socket it wraps
 * (`fileno()` is -1 once the transport closed it); those Python's lacks
 * (accept, recv, send, close, ...) are AttributeError when read. It is
 * still a `Socket`, so code that takes one (sendfile) accepts it. As in
 * Python, it is always non-blocking: only timeout 0 may be set.
 *
 * @example
 * ```ts
 * const view = new TransportSocket(sock);
 * console.log(view); // <asyncio.TransportSocket fd=6, family=2, ...>
 * ```
 */
export class TransportSocket extends Socket {
  readonly #sock: Socket;

  /** A view of `sock`, which stays the transport's. */
  constructor(sock: Socket) {
    // Adopts the number without asking the kernel: the fd stays sock's.
    adopting = { timeout: 0 };
    super(sock.family, sock.type, sock.proto, sock.fileno());
    this.#sock = sock;
  }

  /** @internal The wrapped socket, for the delegating methods below. */
  static _wrapped(view: TransportSocket): Socket {
    return view.#sock;
  }

  /** Always 0: a transport socket is non-blocking. */
  override gettimeout(): number {
    return 0;
  }

  /** Only 0 is allowed (Python's ValueError otherwise). */
  override settimeout(value: number | null): void {
    if (value === 0) return;
    throw new ValueError("settimeout(): only 0 timeout is allowed on transport sockets");
  }

  /** Only `false` is allowed (Python's ValueError otherwise). */
  override setblocking(flag: boolean): void {
    if (!flag) return;
    throw new ValueError("setblocking(): transport sockets cannot be blocking");
  }

  /** Python's repr: the wrapped socket's, under this name, and without `[closed]`. */
  override toString(): string {
    return String(this.#sock).replace(/^<socket\.socket( \[closed\])?/, "<asyncio.TransportSocket");
  }
}

const views = new WeakMap<Socket, TransportSocket>();

/**
 * The {@link TransportSocket} of `sock`, made once: a transport's `"socket"`
 * extra is the same object each time it is asked for, as in Python.
 *
 * @example
 * ```ts
 * transportSocket(sock) === transportSocket(sock); // true
 * ```
 */
export function transportSocket(sock: Socket): TransportSocket {
  let view = views.get(sock);
  if (view === undefined) {
    view = new TransportSocket(sock);
    views.set(sock, view);
  }
  return view;
}

/**
 * The socket methods Python 3.11's TransportSocket lacks (it would read or
 * write behind the transport's back), with their Python names: reading one
 * from a view is Python's AttributeError (`server.sockets[0].accept`).
 */
const NOT_ON_TRANSPORT_SOCKETS: Record<string, string> = {
  getblocking: "getblocking",
  bind: "bind",
  listen: "listen",
  accept: "accept",
  connect: "connect",
  connectEx: "connect_ex",
  recv: "recv",
  recvInto: "recv_into",
  recvfrom: "recvfrom",
  recvfromInto: "recvfrom_into",
  send: "send",
  sendall: "sendall",
  sendto: "sendto",
  close: "close",
  detach: "detach",
};

// The other methods act on the wrapped socket: the view's own copy of the fd
// number would go stale once the transport closes it.
for (const key of Reflect.ownKeys(Socket.prototype)) {
  if (key === "constructor" || Object.hasOwn(TransportSocket.prototype, key)) continue;
  const desc = Object.getOwnPropertyDescriptor(Socket.prototype, key)!;
  const method = desc.value;
  if (typeof method !== "function") continue;
  const pyName = typeof key === "string" ? NOT_ON_TRANSPORT_SOCKETS[key] : undefined;
  if (pyName !== undefined) {
    Object.defineProperty(TransportSocket.prototype, key, {
      configurable: true,
      get(this: object) {
        // Read from the prototype itself (introspection): nothing there.
        if (Object.hasOwn(this, "constructor")) return undefined;
        throw new AttributeError(`'TransportSocket' object has no attribute '${pyName}'`);
      },
    });
    continue;
  }
  Object.defineProperty(TransportSocket.prototype, key, {
    ...desc,
    value: function (this: TransportSocket, ...args: unknown[]) {
      return method.apply(TransportSocket._wrapped(this), args);
    },
  });
}

// The socket methods that Python code passes as callbacks; a view's are its
// delegates (above), bound the same way.
const CALLBACK_METHODS = ["send", "sendall", "sendto", "recv", "close", "shutdown"];
bindOnRead(
  Socket.prototype,
  CALLBACK_METHODS,
  Object.fromEntries(CALLBACK_METHODS.map((k) => [k, `socket.${k}`])),
);
// Of those, a view has shutdown alone.
bindOnRead(TransportSocket.prototype, ["shutdown"]);

printAsRepr(Socket, TransportSocket);
