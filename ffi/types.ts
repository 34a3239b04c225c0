/**
 * The one typed interface over libc that everything above `ffi/` uses.
 *
 * Every backend (`Deno.dlopen`, `bun:ffi`, koffi on Node) implements {@link Sys}.
 * Raw calls never throw on an OS failure: they return `-errno` (a negative
 * number), because the hot paths (a `read` that would block) must not pay for
 * an exception. `check` in `lib/exceptions.ts` turns a negative result into the
 * right `OSError` subclass where the caller wants an exception.
 *
 * Buffers are `Uint8Array`s; a view with a `byteOffset` is passed at that
 * offset. Lengths and counts are 32-bit: every call here is declared with
 * 32-bit integer types because 64-bit FFI types take a slow path on Deno.
 * A count that would make the kernel read or write past the buffer it is
 * given (`poll`'s `nfds`, `epollWait`'s `maxEvents`, `select`'s `nfds`) is a
 * caller bug and throws a `RangeError` before any call is made.
 *
 * @module
 */

import type { SslLib } from "./ssl.ts";
/**
 * Process attributes of a spawn beyond its fds (Python's Popen keywords
 * `start_new_session`, `process_group`, `pass_fds`).
 *
 * @example
 * ```ts
 * const attrs: SpawnAttrs = { setsid: true, passFds: [5] };
 * ```
 */
export interface SpawnAttrs {
  /** `setsid()` in the child: a new session and process group, no controlling terminal. */
  setsid?: boolean;
  /** `setpgid(0, pgroup)` in the child: 0 makes a new group led by the child. */
  pgroup?: number | null;
  /** Fds (3 and up) kept open in the child at the same numbers, even when `closeFds`. */
  passFds?: readonly number[];
}

/** Which runtime a backend serves. */
export type RuntimeName = "deno" | "bun" | "node";

/**
 * The syscall shim. One instance per process, made on first use by
 * `sys()` in `ffi/mod.ts`.
 *
 * @example
 * ```ts
 * import { sys } from "./mod.ts";
 * const r = sys().pipe2(0);
 * if (typeof r === "number") throw new Error(`pipe2 failed: errno ${-r}`);
 * const [readFd, writeFd] = r;
 * ```
 */
export interface Sys {
  /** The runtime this backend calls through. */
  readonly runtime: RuntimeName;
  /** `process.platform`-style OS name; only `"linux"` is tested. */
  readonly platform: string;
  /** `sizeof(struct epoll_event)`: 12 on x86_64 (packed), 16 on aarch64. */
  readonly epollEventSize: number;
  /** Byte offset of `data` inside `struct epoll_event` (4 on x86_64, 8 on aarch64). */
  readonly epollDataOffset: number;

  /** `epoll_create1(flags)`: the new fd, or -errno. */
  epollCreate1(flags: number): number;
  /**
   * `epoll_ctl(epfd, op, fd, {events, data: fd})`: 0 or -errno. The event's
   * 64-bit `data` field holds `fd` so `epollWait` reports fds.
   */
  epollCtl(epfd: number, op: number, fd: number, events: number): number;
  /**
   * `epoll_wait(epfd, buf, maxEvents, timeoutMs)`: the number of events written
   * into `buf` (each `epollEventSize` bytes: u32 events, then data at
   * `epollDataOffset`), or -errno. EINTR is returned, not retried: the caller
   * recomputes its timeout.
   */
  epollWait(epfd: number, buf: Uint8Array, maxEvents: number, timeoutMs: number): number;
  /**
   * `poll(fds, nfds, timeoutMs)` over `struct pollfd` records (8 bytes: i32 fd,
   * i16 events, i16 revents): the count of ready records, or -errno.
   */
  poll(fds: Uint8Array, nfds: number, timeoutMs: number): number;
  /**
   * `select(nfds, r, w, x, timeout)` over 128-byte `fd_set`s (FD_SETSIZE
   * 1024); `null` passes NULL. `timeoutSec` null blocks. Returns the ready
   * count or -errno.
   */
  select(
    nfds: number,
    readfds: Uint8Array | null,
    writefds: Uint8Array | null,
    exceptfds: Uint8Array | null,
    timeoutSec: number | null,
  ): number;
  /** `eventfd(initval, flags)`: fd or -errno. */
  eventfd(initval: number, flags: number): number;
  /** `pipe2(flags)`: `[readFd, writeFd]`, or -errno. */
  pipe2(flags: number): [number, number] | number;
  /** `socketpair(domain, type, protocol)`: two fds, or -errno. */
  socketpair(domain: number, type: number, protocol: number): [number, number] | number;
  /** `read(fd, buf, buf.length)`: bytes read (0 at EOF), or -errno. */
  read(fd: number, buf: Uint8Array): number;
  /** `write(fd, buf, buf.length)`: bytes written, or -errno. */
  write(fd: number, buf: Uint8Array): number;
  /** `readv(fd, iov)` over the given buffers: bytes read, or -errno. */
  readv(fd: number, bufs: readonly Uint8Array[]): number;
  /** `writev(fd, iov)` over the given buffers: bytes written, or -errno. */
  writev(fd: number, bufs: readonly Uint8Array[]): number;
  /** `close(fd)`: 0 or -errno. Never retried on EINTR (Linux closes anyway). */
  close(fd: number): number;
  /** `fcntl(fd, cmd, arg)` for the integer commands: result or -errno. */
  fcntl(fd: number, cmd: number, arg: number): number;
  /** `clock_gettime(CLOCK_MONOTONIC)` in seconds. */
  monotonic(): number;
  /** `getpid()`. */
  getpid(): number;
  /** `strerror(errno)`, the C library's message. */
  strerror(errno: number): string;
  /**
   * A new ArrayBuffer of `size` bytes whose contents are not zeroed where the
   * runtime can allocate it so (Node and Bun: `Buffer.allocUnsafeSlow`);
   * zeroed where it cannot (Deno). Only for memory that is written before
   * it is read.
   */
  allocUninit(size: number): ArrayBuffer;
  /**
   * Asks the C allocator to keep freed memory for reuse instead of handing
   * it back to the kernel: glibc's `mallopt` with a fixed mmap threshold of
   * `mmapThreshold` bytes and a trim threshold of `trimThreshold` bytes.
   * Where ArrayBuffers come from that allocator (Deno and Node; not Bun,
   * whose allocator keeps memory already) and their garbage is freed in
   * batches, memory handed back at each collection is faulted in again by
   * the next buffers. True when the allocator took the settings; false
   * where it does not apply or has no `mallopt` (musl ignores it, macOS
   * has none).
   */
  keepFreedMemory(mmapThreshold: number, trimThreshold: number): boolean;

  // -- sockets ---------------------------------------------------------------
  // Addresses are raw `struct sockaddr` bytes. An address going in is the
  // whole of `addr` (`addr.length` is its socklen_t: pass a subarray for an
  // exact length, as AF_UNIX abstract names need). An address coming out is
  // written into `addr`, at most `addr.length` bytes; the backend sets the
  // in-out length itself, so the kernel can never write past the buffer. Its
  // real length is returned (or stored in `addrLen[0]`): more than
  // `addr.length` means it was truncated. 128 bytes
  // (`sizeof(struct sockaddr_storage)`) holds any address.

  /** `socket(domain, type, protocol)`: the new fd, or -errno. */
  socket(domain: number, type: number, protocol: number): number;
  /** `bind(fd, addr, addr.length)`: 0 or -errno. */
  bind(fd: number, addr: Uint8Array): number;
  /** `listen(fd, backlog)`: 0 or -errno. */
  listen(fd: number, backlog: number): number;
  /**
   * `accept4(fd, addr, &len, flags)`: the new fd, or -errno. The peer's
   * address goes into `addr` and its length into `addrLen[0]` (either may
   * be null to ignore the address).
   */
  accept4(fd: number, addr: Uint8Array | null, addrLen: Uint32Array | null, flags: number): number;
  /** `connect(fd, addr, addr.length)`: 0 or -errno (`-EINPROGRESS` on a non-blocking socket). */
  connect(fd: number, addr: Uint8Array): number;
  /** `getsockname(fd, addr, &len)`: the address length, or -errno. */
  getsockname(fd: number, addr: Uint8Array): number;
  /** `getpeername(fd, addr, &len)`: the address length, or -errno. */
  getpeername(fd: number, addr: Uint8Array): number;
  /**
   * `setsockopt(fd, level, name, value, len)`: 0 or -errno. A number is
   * passed as a C `int`; bytes are passed as they are.
   */
  setsockopt(fd: number, level: number, name: number, value: number | Uint8Array): number;
  /**
   * `getsockopt(fd, level, name, out, &len)` with `len = out.length`: the
   * option's length, or -errno. An `int` option needs a 4-byte `out`
   * (native byte order).
   */
  getsockopt(fd: number, level: number, name: number, out: Uint8Array): number;
  /** `shutdown(fd, how)`: 0 or -errno. */
  shutdown(fd: number, how: number): number;
  /** `recv(fd, buf, buf.length, flags)`: bytes received (0 at EOF), or -errno. */
  recv(fd: number, buf: Uint8Array, flags: number): number;
  /**
   * `send(fd, buf, buf.length, flags | MSG_NOSIGNAL)`: bytes sent, or -errno.
   * MSG_NOSIGNAL is always added: a closed peer gives -EPIPE, never SIGPIPE.
   */
  send(fd: number, buf: Uint8Array, flags: number): number;
  /**
   * `recvfrom(fd, buf, buf.length, flags, addr, &len)`: bytes received, or
   * -errno; the sender's address goes into `addr`, its length into
   * `addrLen[0]` (0 when the socket has none, as a connected stream).
   */
  recvfrom(
    fd: number,
    buf: Uint8Array,
    flags: number,
    addr: Uint8Array | null,
    addrLen: Uint32Array | null,
  ): number;
  /**
   * `sendto(fd, buf, buf.length, flags | MSG_NOSIGNAL, addr, addr.length)`:
   * bytes sent, or -errno. A null `addr` sends to the connected peer.
   */
  sendto(fd: number, buf: Uint8Array, flags: number, addr: Uint8Array | null): number;
  /**
   * `sendmsg(fd, msg, flags | MSG_NOSIGNAL)` with `msg_iov` over `bufs` (a
   * gathered write: one datagram, or one stream write) and `msg_name` = `addr`
   * (null for a connected socket): bytes sent, or -errno.
   */
  sendmsg(fd: number, bufs: readonly Uint8Array[], flags: number, addr: Uint8Array | null): number;
  /**
   * `recvmsg(fd, msg, flags)` scattering into `bufs` in order: bytes
   * received, or -errno. With `out`, the sender's address goes into `addr`,
   * its length into `out[0]`, and `msg_flags` (`MSG_TRUNC`: a datagram was
   * longer than `bufs`) into `out[1]`.
   */
  recvmsg(
    fd: number,
    bufs: readonly Uint8Array[],
    flags: number,
    addr: Uint8Array | null,
    out: Uint32Array | null,
  ): number;

  // -- files (sendfile) ------------------------------------------------------
  // Opened on first use in a library handle of their own (like the process
  // calls), so that a libc without one of them only makes sendfile fail.

  /**
   * `sendfile(outFd, inFd, &off, count)` with `off = offset`: copies up to
   * `count` bytes of `inFd` from `offset` to `outFd` in the kernel. The
   * offset goes in by value (the backend keeps the `off_t` cell), so the
   * file position of `inFd` is neither used nor changed. Returns the bytes
   * sent (0 at the end of the file), or -errno. `count` is capped at 2^30
   * so the result fits a 32-bit int; `offset` may be any safe integer.
   */
  sendfile(outFd: number, inFd: number, offset: number, count: number): number;
  /** `lseek(fd, offset, whence)`: the new file offset, or -errno. */
  lseek(fd: number, offset: number, whence: number): number;
  /** `fstat(fd)`: the file's type bits and size, or -errno. */
  fstat(fd: number): FileStat | number;

  // -- processes -------------------------------------------------------------

  /**
   * Starts `path` (looked up in PATH when it has no slash) with `argv` and
   * `envp` (null: this process's environment) through `posix_spawnp`: in
   * the child, each `[childFd, parentFd]` of `fdMap` is `dup2`ed in order,
   * then it changes to `cwd` (unless null) and, when `closeFds`, closes every
   * fd from 3 up (but `attrs.passFds`, which stay open at their numbers).
   * The signal mask is empty and SIGPIPE/SIGXFSZ are default; `attrs` may
   * ask for a new session or process group. Returns the pid, or -errno (a
   * missing program, a failed chdir or exec included). An embedded NUL
   * gives -EINVAL. A parent fd of the map must not be an earlier entry's
   * child fd (it would be overwritten first). A string of `argv` or `envp`
   * is passed as UTF-8, bytes as they are.
   */
  spawn(
    path: string,
    argv: readonly (string | Uint8Array)[],
    envp: readonly (string | Uint8Array)[] | null,
    cwd: string | null,
    fdMap: ReadonlyArray<readonly [number, number]>,
    closeFds?: boolean,
    attrs?: SpawnAttrs,
  ): number;
  /** `pidfd_open(pid, flags)` (syscall 434): an fd readable once the child exits, or -errno. */
  pidfdOpen(pid: number, flags: number): number;
  /**
   * `waitpid(pid, &status, options)`: the pid reaped, 0 (WNOHANG and still
   * running), or -errno. The status goes into `status[0]`.
   */
  waitpid(pid: number, status: Int32Array, options: number): number;
  /** `kill(pid, sig)`: 0 or -errno. */
  kill(pid: number, sig: number): number;

  /**
   * `poll(fds, nfds, timeoutMs)` run off the main thread, so the host keeps
   * running while it waits. Resolves with poll's result (or -errno). The
   * backend copies `fds` before it returns; the caller may reuse the buffer.
   * While pending it keeps the host process alive; when settled it holds
   * nothing that would. At most one call is in flight per caller: a second
   * call before the first settles is a programming error.
   */
  pollAsync(fds: Uint8Array, nfds: number, timeoutMs: number): Promise<number>;

  /**
   * Gets `pollAsync` ready ahead of its first call, where that takes time
   * (Bun starts its poll Worker: 5–15 ms), so that a loop's first wait is
   * not late by it. Resolves once it is ready (at once where nothing needs
   * preparing); cheap to call again.
   */
  prepareAsync(): Promise<void>;

  // -- TLS -------------------------------------------------------------------

  /**
   * OpenSSL 3 (`libssl.so.3`) bound on the first call and cached. Throws an
   * `Error` naming the library when it cannot be loaded.
   */
  ssl(): SslLib;
}

/** The part of `struct stat` that `Sys.fstat` reports. */
export interface FileStat {
  /** `st_mode`: the type (`S_IFMT` bits) and permission bits. */
  readonly mode: number;
  /** `st_size` in bytes. */
  readonly size: number;
}

/** Linux constants the layers above use. Values for x86_64 and aarch64 (asm-generic). */
export const C = {
  // epoll
  EPOLL_CLOEXEC: 0o2000000,
  EPOLL_CTL_ADD: 1,
  EPOLL_CTL_DEL: 2,
  EPOLL_CTL_MOD: 3,
  EPOLLIN: 0x001,
  EPOLLPRI: 0x002,
  EPOLLOUT: 0x004,
  EPOLLERR: 0x008,
  EPOLLHUP: 0x010,
  EPOLLRDHUP: 0x2000,
  // poll
  POLLIN: 0x001,
  POLLPRI: 0x002,
  POLLOUT: 0x004,
  POLLERR: 0x008,
  POLLHUP: 0x010,
  POLLNVAL: 0x020,
  // fcntl
  F_GETFD: 1,
  F_SETFD: 2,
  F_GETFL: 3,
  F_SETFL: 4,
  FD_CLOEXEC: 1,
  O_NONBLOCK: 0o4000,
  O_CLOEXEC: 0o2000000,
  // eventfd
  EFD_CLOEXEC: 0o2000000,
  EFD_NONBLOCK: 0o4000,
  // sockets
  AF_UNSPEC: 0,
  AF_UNIX: 1,
  AF_INET: 2,
  AF_INET6: 10,
  SOCK_STREAM: 1,
  SOCK_DGRAM: 2,
  SOCK_RAW: 3,
  SOCK_RDM: 4,
  SOCK_SEQPACKET: 5,
  SOCK_NONBLOCK: 0o4000,
  SOCK_CLOEXEC: 0o2000000,
  /** `sizeof(struct sockaddr_storage)`: room for any address. */
  SOCKADDR_STORAGE_SIZE: 128,
  SOMAXCONN: 4096,
  SOL_SOCKET: 1,
  SO_REUSEADDR: 2,
  SO_TYPE: 3,
  SO_ERROR: 4,
  SO_DONTROUTE: 5,
  SO_BROADCAST: 6,
  SO_SNDBUF: 7,
  SO_RCVBUF: 8,
  SO_KEEPALIVE: 9,
  SO_OOBINLINE: 10,
  SO_LINGER: 13,
  SO_REUSEPORT: 15,
  SO_PASSCRED: 16,
  SO_PEERCRED: 17,
  SO_RCVLOWAT: 18,
  SO_SNDLOWAT: 19,
  SO_ACCEPTCONN: 30,
  SO_PROTOCOL: 38,
  SO_DOMAIN: 39,
  IPPROTO_IP: 0,
  IPPROTO_ICMP: 1,
  IPPROTO_TCP: 6,
  IPPROTO_UDP: 17,
  IPPROTO_IPV6: 41,
  IPPROTO_ICMPV6: 58,
  IPPROTO_SCTP: 132,
  IPPROTO_RAW: 255,
  IP_TOS: 1,
  IP_TTL: 2,
  IP_MULTICAST_TTL: 33,
  IP_MULTICAST_LOOP: 34,
  TCP_NODELAY: 1,
  TCP_MAXSEG: 2,
  TCP_CORK: 3,
  TCP_KEEPIDLE: 4,
  TCP_KEEPINTVL: 5,
  TCP_KEEPCNT: 6,
  TCP_QUICKACK: 12,
  TCP_USER_TIMEOUT: 18,
  IPV6_UNICAST_HOPS: 16,
  IPV6_MULTICAST_HOPS: 18,
  IPV6_MULTICAST_LOOP: 19,
  IPV6_V6ONLY: 26,
  SHUT_RD: 0,
  SHUT_WR: 1,
  SHUT_RDWR: 2,
  MSG_OOB: 0x1,
  MSG_PEEK: 0x2,
  MSG_DONTROUTE: 0x4,
  MSG_TRUNC: 0x20,
  MSG_DONTWAIT: 0x40,
  MSG_EOR: 0x80,
  MSG_WAITALL: 0x100,
  MSG_NOSIGNAL: 0x4000,
  MSG_CMSG_CLOEXEC: 0x40000000,
  FD_SETSIZE: 1024,
  // files
  SEEK_SET: 0,
  SEEK_CUR: 1,
  SEEK_END: 2,
  S_IFMT: 0o170000,
  S_IFREG: 0o100000,
  S_IFIFO: 0o010000,
  S_IFSOCK: 0o140000,
  // processes
  WNOHANG: 1,
  PIDFD_NONBLOCK: 0o4000,
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGKILL: 9,
  SIGUSR1: 10,
  SIGUSR2: 12,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
  SIGCHLD: 17,
  SIGCONT: 18,
  SIGSTOP: 19,
} as const;
