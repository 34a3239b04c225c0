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
   * `poll(fds, nfds, timeoutMs)` run off the main thread, so the host keeps
   * running while it waits. Resolves with poll's result (or -errno). The
   * backend copies `fds` before it returns; the caller may reuse the buffer.
   * While pending it keeps the host process alive; when settled it holds
   * nothing that would. At most one call is in flight per caller: a second
   * call before the first settles is a programming error.
   */
  pollAsync(fds: Uint8Array, nfds: number, timeoutMs: number): Promise<number>;
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
  AF_UNIX: 1,
  AF_INET: 2,
  AF_INET6: 10,
  SOCK_STREAM: 1,
  SOCK_DGRAM: 2,
  SOCK_NONBLOCK: 0o4000,
  SOCK_CLOEXEC: 0o2000000,
  FD_SETSIZE: 1024,
} as const;
