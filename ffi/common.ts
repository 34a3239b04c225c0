/**
 * Struct layouts and argument checks that the three backends share.
 *
 * Everything here is plain JS over typed arrays; no FFI. Both supported
 * architectures are little-endian, so multi-byte fields are written through
 * `Uint32Array`/`BigUint64Array` views in native order.
 *
 * @module
 */
import type { FileStat, Sys } from "./types.ts";

/** Where the fields of `struct epoll_event` sit on one architecture. */
export interface EpollLayout {
  /** `sizeof(struct epoll_event)`. */
  readonly size: number;
  /** Byte offset of the 64-bit `data` member. */
  readonly dataOffset: number;
}

/**
 * The `struct epoll_event` layout for an architecture name as Deno
 * (`x86_64`) or Node/Bun (`x64`) spell it. Only x86_64 packs the struct
 * (glibc's `__EPOLL_PACKED`); every other 64-bit ABI pads `data` to 8.
 */
export function epollLayout(arch: string): EpollLayout {
  return arch === "x86_64" || arch === "x64"
    ? { size: 12, dataOffset: 4 }
    : { size: 16, dataOffset: 8 };
}

/**
 * One reusable `struct epoll_event` for `epoll_ctl`, with `data` set to the
 * fd so that `epoll_wait` reports fds.
 */
export class EpollEventBuf {
  /** The bytes handed to `epoll_ctl`. */
  readonly bytes: Uint8Array = new Uint8Array(16);
  readonly #u32 = new Uint32Array(this.bytes.buffer);
  readonly #dataIndex: number;

  /** Builds the buffer for `layout`. */
  constructor(layout: EpollLayout) {
    this.#dataIndex = layout.dataOffset >> 2;
  }

  /** Fills in `events` and `data = fd`; returns the bytes. */
  fill(events: number, fd: number): Uint8Array {
    const u = this.#u32;
    u[0] = events;
    u[this.#dataIndex] = fd;
    u[this.#dataIndex + 1] = 0;
    return this.bytes;
  }
}

/** A 16-byte `struct timespec` and the conversion of it to seconds. */
export class Timespec {
  /** The bytes handed to `clock_gettime`. */
  readonly bytes: Uint8Array = new Uint8Array(16);
  readonly #u32 = new Uint32Array(this.bytes.buffer);

  /** `tv_sec + tv_nsec / 1e9`. */
  seconds(): number {
    const u = this.#u32;
    return u[0] + u[1] * 4294967296 + u[2] / 1e9;
  }
}

/** A 16-byte `struct timeval` for `select`. */
export class Timeval {
  /** The bytes handed to `select`. */
  readonly bytes: Uint8Array = new Uint8Array(16);
  readonly #u32 = new Uint32Array(this.bytes.buffer);

  /** Sets the value from seconds (negative or NaN counts as 0); returns the bytes. */
  set(seconds: number): Uint8Array {
    const t = seconds > 0 ? seconds : 0;
    let sec = Math.floor(t);
    let usec = Math.round((t - sec) * 1e6);
    if (usec >= 1e6) {
      sec += 1;
      usec -= 1e6;
    }
    const u = this.#u32;
    u[0] = sec % 4294967296;
    u[1] = Math.floor(sec / 4294967296);
    u[2] = usec;
    u[3] = 0;
    return this.bytes;
  }
}

/**
 * A growable `struct iovec` array: 16 bytes per entry, `iov_base` then
 * `iov_len`. Each backend fills in the addresses its own way.
 */
export class IovecArray {
  /** The bytes handed to `readv`/`writev`; valid for {@link count} entries. */
  bytes: Uint8Array = new Uint8Array(16 * 8);
  /** The same memory as 32-bit words (for number addresses and lengths). */
  u32: Uint32Array = new Uint32Array(this.bytes.buffer);
  /** The same memory as 64-bit words (for bigint addresses). */
  u64: BigUint64Array = new BigUint64Array(this.bytes.buffer);

  /** Makes room for `n` entries, keeping none of the old ones. */
  reserve(n: number): void {
    if (n * 16 <= this.bytes.length) return;
    let cap = this.bytes.length;
    while (cap < n * 16) cap *= 2;
    this.bytes = new Uint8Array(cap);
    this.u32 = new Uint32Array(this.bytes.buffer);
    this.u64 = new BigUint64Array(this.bytes.buffer);
  }

  /** Sets entry `i` from a bigint address. */
  setBig(i: number, base: bigint, len: number): void {
    this.u64[2 * i] = base;
    this.u32[4 * i + 2] = len;
    this.u32[4 * i + 3] = 0;
  }

  /** Sets entry `i` from a number address (exact below 2^53, as all user-space addresses are). */
  setNum(i: number, base: number, len: number): void {
    const u = this.u32;
    u[4 * i] = base % 4294967296;
    u[4 * i + 1] = Math.floor(base / 4294967296);
    u[4 * i + 2] = len;
    u[4 * i + 3] = 0;
  }
}

/** A reusable `int[2]` for `pipe2` and `socketpair`. */
export class FdPair {
  /** The bytes handed to the call. */
  readonly bytes: Uint8Array = new Uint8Array(8);
  readonly #i32 = new Int32Array(this.bytes.buffer);

  /** The two fds the call wrote. */
  get(): [number, number] {
    return [this.#i32[0], this.#i32[1]];
  }
}

/** Bytes of one `struct pollfd`. */
export const POLLFD_SIZE = 8;

/**
 * Throws a RangeError when `poll` over `nfds` records would read or write
 * past `fds`: a caller bug that would otherwise corrupt memory.
 */
export function checkPollArgs(fds: Uint8Array, nfds: number): void {
  if (!(nfds >= 0 && nfds * POLLFD_SIZE <= fds.length)) {
    throw new RangeError(`poll: ${nfds} pollfd records do not fit in ${fds.length} bytes`);
  }
}

/** Throws a RangeError when `maxEvents` events would not fit in `buf`. */
export function checkEpollWaitArgs(buf: Uint8Array, maxEvents: number, eventSize: number): void {
  if (maxEvents * eventSize > buf.length) {
    throw new RangeError(`epoll_wait: ${maxEvents} events do not fit in ${buf.length} bytes`);
  }
}

/**
 * Throws a RangeError when the kernel would touch more of an `fd_set` than
 * it holds: it reads and writes `nfds` bits rounded up to whole 64-bit words.
 */
export function checkSelectArgs(nfds: number, ...sets: (Uint8Array | null)[]): void {
  if (!(nfds >= 0 && nfds <= 1024)) throw new RangeError(`select: nfds ${nfds} is outside 0..1024`);
  const need = ((nfds + 63) >> 6) << 3;
  for (const s of sets) {
    if (s !== null && s.length < need) {
      throw new RangeError(`select: an fd_set of ${s.length} bytes is too small for nfds ${nfds}`);
    }
  }
}

/**
 * The private copy of the pollfd records that an async poll works on, and
 * the one-in-flight rule. The copy stays untouched until the call settles,
 * so the caller may reuse its own buffer at once.
 */
export class AsyncPollSlot {
  #buf: Uint8Array = new Uint8Array(64 * POLLFD_SIZE);
  #busy = false;

  /**
   * Claims the slot and copies the first `nfds` records of `fds` into it.
   * Throws when a call is already in flight or the arguments are bad.
   */
  begin(fds: Uint8Array, nfds: number): Uint8Array {
    if (this.#busy) throw new Error("pollAsync: a call is already in flight");
    checkPollArgs(fds, nfds);
    const n = nfds * POLLFD_SIZE;
    if (n > this.#buf.length) this.#buf = new Uint8Array(Math.max(n, this.#buf.length * 2));
    this.#buf.set(fds.subarray(0, n));
    this.#busy = true;
    return this.#buf;
  }

  /** Releases the slot once the call has settled. */
  end(): void {
    this.#busy = false;
  }
}

/**
 * The scratch cells the socket calls pass by pointer: a `socklen_t` for the
 * in-out address and option lengths, and a C `int` for integer options.
 * One per backend, reused on every call, so the calls allocate nothing.
 */
export class SockCells {
  /** A `socklen_t` handed to the kernel by address. */
  readonly len: Uint32Array = new Uint32Array(1);
  /** A C `int` option value. */
  readonly int: Int32Array = new Int32Array(1);
  /** The bytes of {@link int}. */
  readonly intBytes: Uint8Array = new Uint8Array(this.int.buffer);

  /**
   * The `socklen_t *` to pass with an output address: `addrLen` (else the
   * shared cell) set to the room in `addr`, so the kernel cannot write past
   * the buffer whatever the caller left there; null when `addr` is null.
   */
  addrLen(addr: Uint8Array | null, addrLen: Uint32Array | null): Uint32Array | null {
    if (addrLen !== null) {
      if (addrLen.length < 1) throw new RangeError("addrLen must hold one socklen_t");
      addrLen[0] = 0;
    }
    if (addr === null) return null;
    const cell = addrLen ?? this.len;
    cell[0] = addr.length;
    return cell;
  }

  /** The shared `socklen_t` cell set to the room in `buf`. */
  sized(buf: Uint8Array): Uint32Array {
    this.len[0] = buf.length;
    return this.len;
  }

  /** Fills {@link int} with `value` (truncated to 32 bits, as C would); returns its bytes. */
  intValue(value: number): Uint8Array {
    this.int[0] = value;
    return this.intBytes;
  }
}

/**
 * A `struct msghdr` (x86_64/aarch64 Linux layout, 56 bytes) for `sendmsg`
 * and `recvmsg`: the name and the iovec array are given by address, so each
 * backend fills in the addresses its own way, as with {@link IovecArray}.
 * After `recvmsg`, {@link nameLen} and {@link flags} hold what the kernel wrote.
 */
export class MsgHdr {
  /** The struct itself. */
  readonly bytes: Uint8Array = new Uint8Array(56);
  readonly #u32 = new Uint32Array(this.bytes.buffer);
  readonly #u64 = new BigUint64Array(this.bytes.buffer);

  /** Sets name, iov and counts from bigint addresses; no control data. */
  setBig(name: bigint, nameLen: number, iov: bigint, iovLen: number): void {
    const u = this.#u64;
    u[0] = name;
    u[1] = BigInt(nameLen); // msg_namelen (u32) and padding
    u[2] = iov;
    u[3] = BigInt(iovLen);
    u[4] = 0n; // msg_control
    u[5] = 0n; // msg_controllen
    u[6] = 0n; // msg_flags and padding
  }

  /** Sets name, iov and counts from number addresses (exact below 2^53). */
  setNum(name: number, nameLen: number, iov: number, iovLen: number): void {
    const u = this.#u32;
    u[0] = name % 4294967296;
    u[1] = Math.floor(name / 4294967296);
    u[2] = nameLen;
    u[3] = 0;
    u[4] = iov % 4294967296;
    u[5] = Math.floor(iov / 4294967296);
    u[6] = iovLen;
    u.fill(0, 7, 14);
  }

  /** `msg_namelen` as the kernel left it. */
  get nameLen(): number {
    return this.#u32[2];
  }

  /** `msg_flags` as the kernel left it (`MSG_TRUNC`, ...). */
  get flags(): number {
    return this.#u32[12];
  }
}

/**
 * The socket functions of libc, as each backend declares them (the same
 * 32-bit signatures on every runtime).
 */
export interface SocketSymbols {
  socket(domain: number, type: number, protocol: number): number;
  bind(fd: number, addr: Uint8Array, len: number): number;
  listen(fd: number, backlog: number): number;
  accept4(fd: number, addr: Uint8Array | null, len: Uint32Array | null, flags: number): number;
  connect(fd: number, addr: Uint8Array, len: number): number;
  getsockname(fd: number, addr: Uint8Array, len: Uint32Array): number;
  getpeername(fd: number, addr: Uint8Array, len: Uint32Array): number;
  setsockopt(fd: number, level: number, name: number, value: Uint8Array, len: number): number;
  getsockopt(fd: number, level: number, name: number, out: Uint8Array, len: Uint32Array): number;
  shutdown(fd: number, how: number): number;
  recv(fd: number, buf: Uint8Array, n: number, flags: number): number;
  send(fd: number, buf: Uint8Array, n: number, flags: number): number;
  recvfrom(
    fd: number,
    buf: Uint8Array,
    n: number,
    flags: number,
    addr: Uint8Array | null,
    len: Uint32Array | null,
  ): number;
  sendto(
    fd: number,
    buf: Uint8Array,
    n: number,
    flags: number,
    addr: Uint8Array | null,
    len: number,
  ): number;
}

/** The socket members of `Sys`. */
export type SocketCalls = Pick<
  Sys,
  | "socket"
  | "bind"
  | "listen"
  | "accept4"
  | "connect"
  | "getsockname"
  | "getpeername"
  | "setsockopt"
  | "getsockopt"
  | "shutdown"
  | "recv"
  | "send"
  | "recvfrom"
  | "sendto"
>;

/** `MSG_NOSIGNAL`: a send to a closed peer fails with EPIPE instead of raising SIGPIPE. */
export const MSG_NOSIGNAL_FLAG = 0x4000;

/**
 * The socket calls over `lib`, with errno read through `errno()`: `-errno`
 * on failure, MSG_NOSIGNAL on every send.
 *
 * @example
 * ```ts
 * const calls = socketCalls(lib, () => errnoCell[0], new SockCells());
 * ```
 */
export function socketCalls(
  lib: SocketSymbols,
  errno: () => number,
  cells: SockCells,
): SocketCalls {
  const MSG_NOSIGNAL = MSG_NOSIGNAL_FLAG;
  return {
    socket(domain, type, protocol) {
      const r = lib.socket(domain, type, protocol);
      return r < 0 ? -errno() : r;
    },
    bind(fd, addr) {
      const r = lib.bind(fd, addr, addr.length);
      return r < 0 ? -errno() : r;
    },
    listen(fd, backlog) {
      const r = lib.listen(fd, backlog);
      return r < 0 ? -errno() : r;
    },
    accept4(fd, addr, addrLen, flags) {
      const r = lib.accept4(fd, addr, cells.addrLen(addr, addrLen), flags);
      return r < 0 ? -errno() : r;
    },
    connect(fd, addr) {
      const r = lib.connect(fd, addr, addr.length);
      return r < 0 ? -errno() : r;
    },
    getsockname(fd, addr) {
      const len = cells.sized(addr);
      const r = lib.getsockname(fd, addr, len);
      return r < 0 ? -errno() : len[0];
    },
    getpeername(fd, addr) {
      const len = cells.sized(addr);
      const r = lib.getpeername(fd, addr, len);
      return r < 0 ? -errno() : len[0];
    },
    setsockopt(fd, level, name, value) {
      const v = typeof value === "number" ? cells.intValue(value) : value;
      const r = lib.setsockopt(fd, level, name, v, v.length);
      return r < 0 ? -errno() : r;
    },
    getsockopt(fd, level, name, out) {
      const len = cells.sized(out);
      const r = lib.getsockopt(fd, level, name, out, len);
      return r < 0 ? -errno() : len[0];
    },
    shutdown(fd, how) {
      const r = lib.shutdown(fd, how);
      return r < 0 ? -errno() : r;
    },
    recv(fd, buf, flags) {
      const r = lib.recv(fd, buf, buf.length, flags);
      return r < 0 ? -errno() : r;
    },
    send(fd, buf, flags) {
      const r = lib.send(fd, buf, buf.length, flags | MSG_NOSIGNAL);
      return r < 0 ? -errno() : r;
    },
    recvfrom(fd, buf, flags, addr, addrLen) {
      const r = lib.recvfrom(fd, buf, buf.length, flags, addr, cells.addrLen(addr, addrLen));
      return r < 0 ? -errno() : r;
    },
    sendto(fd, buf, flags, addr) {
      const r = lib.sendto(fd, buf, buf.length, flags | MSG_NOSIGNAL, addr, addr ? addr.length : 0);
      return r < 0 ? -errno() : r;
    },
  };
}

// ---------------------------------------------------------------- files

/**
 * The file functions of libc behind `Sys.sendfile`, `lseek` and `fstat`.
 * `off_t` and `size_t` are 64-bit: sendfile takes its offset through a
 * pointer (an 8-byte cell) and its count as a 32-bit value (the upper half of
 * the register is zeroed on x86_64 and aarch64), so only `lseek` needs a
 * 64-bit argument and result, on a path that runs once per sendfile.
 */
export interface FileSymbols {
  sendfile(outFd: number, inFd: number, offset: Uint8Array, count: number): number;
  lseek(fd: number, offset: number | bigint, whence: number): number | bigint;
  fstat(fd: number, buf: Uint8Array): number;
}

/** The file members of `Sys`. */
export type FileCalls = Pick<Sys, "sendfile" | "lseek" | "fstat">;

/** Where `st_mode` and `st_size` sit in `struct stat` (glibc, 64-bit). */
function statLayout(arch: string): { mode: number; size: number } {
  // x86_64 has its own struct; aarch64 and the other 64-bit ABIs use the
  // asm-generic one.
  return arch === "x86_64" || arch === "x64" ? { mode: 24, size: 48 } : { mode: 16, size: 48 };
}

/** Larger than any `struct stat` (144 bytes on x86_64, 128 on aarch64). */
const STAT_BUF_SIZE = 256;
/** The most one sendfile call is asked for: its result must fit an i32. */
const SENDFILE_MAX = 2 ** 30;

/**
 * The file calls over a lazily opened `lib`, with errno read through
 * `errno()`: `-errno` on failure.
 *
 * @example
 * ```ts
 * const calls = fileCalls(() => lib, () => errnoCell[0], "x86_64");
 * ```
 */
export function fileCalls(lib: () => FileSymbols, errno: () => number, arch: string): FileCalls {
  const off = new Uint8Array(8);
  const offWords = new Uint32Array(off.buffer);
  const stat = new Uint8Array(STAT_BUF_SIZE);
  const statView = new DataView(stat.buffer);
  const layout = statLayout(arch);
  return {
    sendfile(outFd, inFd, offset, count) {
      if (!(Number.isSafeInteger(offset) && offset >= 0)) {
        throw new RangeError(`sendfile: bad offset ${offset}`);
      }
      offWords[0] = offset % 4294967296;
      offWords[1] = Math.floor(offset / 4294967296);
      const n = count > SENDFILE_MAX ? SENDFILE_MAX : count < 0 ? 0 : count;
      const r = lib().sendfile(outFd, inFd, off, n);
      return r < 0 ? -errno() : r;
    },
    lseek(fd, offset, whence) {
      const r = Number(lib().lseek(fd, offset, whence));
      return r < 0 ? -errno() : r;
    },
    fstat(fd): FileStat | number {
      const r = lib().fstat(fd, stat);
      if (r < 0) return -errno();
      return {
        mode: statView.getUint32(layout.mode, true),
        size: Number(statView.getBigInt64(layout.size, true)),
      };
    },
  };
}

/**
 * The libc functions besides sockets, files and processes, as every backend
 * binds them (the same 32-bit signatures on every runtime). `select` takes
 * null for a set it does not watch.
 */
export interface CoreSymbols {
  epoll_create1(flags: number): number;
  epoll_ctl(epfd: number, op: number, fd: number, ev: Uint8Array): number;
  epoll_wait(epfd: number, buf: Uint8Array, max: number, ms: number): number;
  poll(fds: Uint8Array, nfds: number, ms: number): number;
  select(
    nfds: number,
    r: Uint8Array | null,
    w: Uint8Array | null,
    x: Uint8Array | null,
    tv: Uint8Array | null,
  ): number;
  eventfd(initval: number, flags: number): number;
  pipe2(fds: Uint8Array, flags: number): number;
  socketpair(domain: number, type: number, protocol: number, fds: Uint8Array): number;
  read(fd: number, buf: Uint8Array, n: number): number;
  write(fd: number, buf: Uint8Array, n: number): number;
  readv(fd: number, iov: Uint8Array, n: number): number;
  writev(fd: number, iov: Uint8Array, n: number): number;
  sendmsg(fd: number, msg: Uint8Array, flags: number): number;
  recvmsg(fd: number, msg: Uint8Array, flags: number): number;
  close(fd: number): number;
  fcntl(fd: number, cmd: number, arg: number): number;
  clock_gettime(clock: number, ts: Uint8Array): number;
  getpid(): number;
}

/** The members of `Sys` that {@link coreCalls} makes. */
export type CoreCalls = Pick<
  Sys,
  | "epollEventSize"
  | "epollDataOffset"
  | "epollCreate1"
  | "epollCtl"
  | "epollWait"
  | "poll"
  | "select"
  | "eventfd"
  | "pipe2"
  | "socketpair"
  | "read"
  | "write"
  | "readv"
  | "writev"
  | "sendmsg"
  | "recvmsg"
  | "close"
  | "fcntl"
  | "monotonic"
  | "getpid"
>;

/**
 * How a backend hands addresses to the kernel: it fills the iovec array (and
 * the `msghdr` that points at it) with the addresses of the given buffers, in
 * its runtime's pointer type, right before the call.
 */
export interface PointerGlue {
  /** Fills the iovec array for `bufs`; returns its bytes. */
  fillIov(bufs: readonly Uint8Array[]): Uint8Array;
  /** Fills the `msghdr` for `bufs` and `addr` (the iovecs too); returns it. */
  fillMsg(bufs: readonly Uint8Array[], addr: Uint8Array | null): MsgHdr;
}

const CLOCK_MONOTONIC = 1;

/**
 * The calls of {@link CoreCalls} over `lib`: `-errno` on failure, the
 * result otherwise. The scratch structs are made once here and reused.
 *
 * @example
 * ```ts
 * const sys = { ...coreCalls(lib, () => errnoCell[0], "x86_64", glue), ...socketCalls(lib, () => errnoCell[0], cells) };
 * ```
 */
export function coreCalls(
  lib: CoreSymbols,
  errno: () => number,
  arch: string,
  glue: PointerGlue,
): CoreCalls {
  const layout = epollLayout(arch);
  const ev = new EpollEventBuf(layout);
  const pair = new FdPair();
  const ts = new Timespec();
  const tv = new Timeval();
  return {
    epollEventSize: layout.size,
    epollDataOffset: layout.dataOffset,

    epollCreate1(flags) {
      const r = lib.epoll_create1(flags);
      return r < 0 ? -errno() : r;
    },
    epollCtl(epfd, op, fd, events) {
      const r = lib.epoll_ctl(epfd, op, fd, ev.fill(events, fd));
      return r < 0 ? -errno() : r;
    },
    epollWait(epfd, buf, maxEvents, timeoutMs) {
      checkEpollWaitArgs(buf, maxEvents, layout.size);
      const r = lib.epoll_wait(epfd, buf, maxEvents, timeoutMs);
      return r < 0 ? -errno() : r;
    },
    poll(fds, nfds, timeoutMs) {
      checkPollArgs(fds, nfds);
      const r = lib.poll(fds, nfds, timeoutMs);
      return r < 0 ? -errno() : r;
    },
    select(nfds, readfds, writefds, exceptfds, timeoutSec) {
      checkSelectArgs(nfds, readfds, writefds, exceptfds);
      const t = timeoutSec === null ? null : tv.set(timeoutSec);
      const r = lib.select(nfds, readfds, writefds, exceptfds, t);
      return r < 0 ? -errno() : r;
    },
    eventfd(initval, flags) {
      const r = lib.eventfd(initval, flags);
      return r < 0 ? -errno() : r;
    },
    pipe2(flags) {
      const r = lib.pipe2(pair.bytes, flags);
      return r < 0 ? -errno() : pair.get();
    },
    socketpair(domain, type, protocol) {
      const r = lib.socketpair(domain, type, protocol, pair.bytes);
      return r < 0 ? -errno() : pair.get();
    },
    read(fd, buf) {
      const r = lib.read(fd, buf, buf.length);
      return r < 0 ? -errno() : r;
    },
    write(fd, buf) {
      const r = lib.write(fd, buf, buf.length);
      return r < 0 ? -errno() : r;
    },
    readv(fd, bufs) {
      const r = lib.readv(fd, glue.fillIov(bufs), bufs.length);
      return r < 0 ? -errno() : r;
    },
    writev(fd, bufs) {
      const r = lib.writev(fd, glue.fillIov(bufs), bufs.length);
      return r < 0 ? -errno() : r;
    },
    sendmsg(fd, bufs, flags, addr) {
      const msg = glue.fillMsg(bufs, addr);
      const r = lib.sendmsg(fd, msg.bytes, flags | MSG_NOSIGNAL_FLAG);
      return r < 0 ? -errno() : r;
    },
    recvmsg(fd, bufs, flags, addr, out) {
      const msg = glue.fillMsg(bufs, out === null ? null : addr);
      const r = lib.recvmsg(fd, msg.bytes, flags);
      if (r < 0) return -errno();
      if (out !== null) {
        out[0] = msg.nameLen;
        out[1] = msg.flags;
      }
      return r;
    },
    close(fd) {
      const r = lib.close(fd);
      return r < 0 ? -errno() : r;
    },
    fcntl(fd, cmd, arg) {
      const r = lib.fcntl(fd, cmd, arg);
      return r < 0 ? -errno() : r;
    },
    monotonic() {
      lib.clock_gettime(CLOCK_MONOTONIC, ts.bytes);
      return ts.seconds();
    },
    getpid() {
      return lib.getpid();
    },
  };
}

/** glibc's `mallopt` parameter numbers (malloc.h). */
const M_TRIM_THRESHOLD = -1;
const M_MMAP_THRESHOLD = -3;

/**
 * Sets glibc's mmap and trim thresholds (see `Sys.keepFreedMemory`) through
 * the `mallopt` that `load` binds; false when it cannot be bound (macOS has
 * none). Either threshold set by hand turns off glibc's own moving of both.
 * mallopt returns 1 on success, 0 on error; musl's returns 0 and changes
 * nothing.
 */
export function malloptKeep(
  load: () => { mallopt(param: number, value: number): number },
  mmapThreshold: number,
  trimThreshold: number,
): boolean {
  let lib: { mallopt(param: number, value: number): number };
  try {
    lib = load();
  } catch {
    return false;
  }
  return lib.mallopt(M_MMAP_THRESHOLD, mmapThreshold) === 1 &&
    lib.mallopt(M_TRIM_THRESHOLD, trimThreshold) === 1;
}
