/**
 * The {@link Sys} backend for Bun, over `bun:ffi`.
 *
 * Typed arrays go straight into `buffer`/`ptr` arguments. `ptr()` is used
 * only for `iovec` entries, right before the call: Bun does not keep the
 * array alive for a pointer, and a small array's storage can move (NOTES.md).
 *
 * Bun has no asynchronous FFI call, so {@link Sys.pollAsync} hands the poll
 * to one Worker ({@link BunPollWorker} in `bun_poll.ts`).
 *
 * @module
 */
import { Buffer } from "node:buffer";
import type { Sys } from "./types.ts";
import {
  checkPollArgs,
  coreCalls,
  type CoreSymbols,
  fileCalls,
  type FileSymbols,
  IovecArray,
  MsgHdr,
  SockCells,
  socketCalls,
  type SocketSymbols,
} from "./common.ts";
import { BunPollWorker } from "./bun_poll.ts";
import { envToList, type SpawnLibc, spawnWith, SYS_pidfd_open } from "./spawn.ts";
import { loadBunFfi } from "./bun_load.ts";
import { createBunSsl } from "./ssl_bun.ts";
import type { SslLib } from "./ssl.ts";

/** The typed view of the symbols declared in {@link SYMBOLS}. */
interface Libc extends SocketSymbols, CoreSymbols {
  strerror(errno: number): number | null;
  __errno_location(): number | null;
}

// `buffer` takes a typed array (at its byteOffset); `ptr` also takes null,
// which select needs. Counts that are size_t/nfds_t in C are u32: x86_64
// and aarch64 zero the upper half of a register written as 32 bits.
const SYMBOLS: Record<keyof Libc, { args: string[]; returns: string }> = {
  epoll_create1: { args: ["i32"], returns: "i32" },
  epoll_ctl: { args: ["i32", "i32", "i32", "buffer"], returns: "i32" },
  epoll_wait: { args: ["i32", "buffer", "i32", "i32"], returns: "i32" },
  poll: { args: ["buffer", "u32", "i32"], returns: "i32" },
  select: { args: ["i32", "ptr", "ptr", "ptr", "ptr"], returns: "i32" },
  eventfd: { args: ["u32", "i32"], returns: "i32" },
  pipe2: { args: ["buffer", "i32"], returns: "i32" },
  socketpair: { args: ["i32", "i32", "i32", "buffer"], returns: "i32" },
  read: { args: ["i32", "buffer", "u32"], returns: "i32" },
  write: { args: ["i32", "buffer", "u32"], returns: "i32" },
  readv: { args: ["i32", "buffer", "i32"], returns: "i32" },
  writev: { args: ["i32", "buffer", "i32"], returns: "i32" },
  sendmsg: { args: ["i32", "buffer", "i32"], returns: "i32" },
  recvmsg: { args: ["i32", "buffer", "i32"], returns: "i32" },
  close: { args: ["i32"], returns: "i32" },
  // Variadic in C; an int third argument is passed like a fixed one here.
  fcntl: { args: ["i32", "i32", "i32"], returns: "i32" },
  clock_gettime: { args: ["i32", "buffer"], returns: "i32" },
  getpid: { args: [], returns: "i32" },
  strerror: { args: ["i32"], returns: "ptr" },
  __errno_location: { args: [], returns: "ptr" },
  // Arguments that may be null are `ptr`; the rest `buffer`.
  socket: { args: ["i32", "i32", "i32"], returns: "i32" },
  bind: { args: ["i32", "buffer", "u32"], returns: "i32" },
  listen: { args: ["i32", "i32"], returns: "i32" },
  accept4: { args: ["i32", "ptr", "ptr", "i32"], returns: "i32" },
  connect: { args: ["i32", "buffer", "u32"], returns: "i32" },
  getsockname: { args: ["i32", "buffer", "buffer"], returns: "i32" },
  getpeername: { args: ["i32", "buffer", "buffer"], returns: "i32" },
  setsockopt: { args: ["i32", "i32", "i32", "buffer", "u32"], returns: "i32" },
  getsockopt: { args: ["i32", "i32", "i32", "buffer", "buffer"], returns: "i32" },
  shutdown: { args: ["i32", "i32"], returns: "i32" },
  recv: { args: ["i32", "buffer", "u32", "i32"], returns: "i32" },
  send: { args: ["i32", "buffer", "u32", "i32"], returns: "i32" },
  recvfrom: { args: ["i32", "buffer", "u32", "i32", "ptr", "ptr"], returns: "i32" },
  sendto: { args: ["i32", "buffer", "u32", "i32", "ptr", "u32"], returns: "i32" },
};

// The process calls, opened on the first spawn in a library handle of their
// own, so that a libc without one of them (addclosefrom_np is glibc 2.34+)
// only makes spawning fail. A `short` flags argument is passed in a full register.
interface ProcLibc extends SpawnLibc {
  syscall(nr: number, a: number, b: number): number;
  waitpid(pid: number, status: Int32Array, options: number): number;
  kill(pid: number, sig: number): number;
}
const PROC_SYMBOLS: Record<keyof ProcLibc, { args: string[]; returns: string }> = {
  posix_spawn_file_actions_init: { args: ["buffer"], returns: "i32" },
  posix_spawn_file_actions_destroy: { args: ["buffer"], returns: "i32" },
  posix_spawn_file_actions_adddup2: { args: ["buffer", "i32", "i32"], returns: "i32" },
  posix_spawn_file_actions_addclose: { args: ["buffer", "i32"], returns: "i32" },
  posix_spawn_file_actions_addchdir_np: { args: ["buffer", "buffer"], returns: "i32" },
  posix_spawn_file_actions_addclosefrom_np: { args: ["buffer", "i32"], returns: "i32" },
  posix_spawnattr_init: { args: ["buffer"], returns: "i32" },
  posix_spawnattr_destroy: { args: ["buffer"], returns: "i32" },
  posix_spawnattr_setflags: { args: ["buffer", "i32"], returns: "i32" },
  posix_spawnattr_setsigmask: { args: ["buffer", "buffer"], returns: "i32" },
  posix_spawnattr_setsigdefault: { args: ["buffer", "buffer"], returns: "i32" },
  posix_spawnattr_setpgroup: { args: ["buffer", "i32"], returns: "i32" },
  posix_spawnp: {
    args: ["buffer", "buffer", "buffer", "buffer", "buffer", "buffer"],
    returns: "i32",
  },
  // syscall() is variadic; int arguments pass like fixed ones on these ABIs.
  syscall: { args: ["i32", "i32", "i32"], returns: "i32" },
  waitpid: { args: ["i32", "buffer", "i32"], returns: "i32" },
  kill: { args: ["i32", "i32"], returns: "i32" },
};

// The file calls behind sendfile, in a handle of their own opened on first
// use. sendfile's off_t goes by pointer and its size_t count as u32 (see
// FileSymbols); only lseek takes and returns a 64-bit off_t.
const FILE_SYMBOLS: Record<keyof FileSymbols, { args: string[]; returns: string }> = {
  sendfile: { args: ["i32", "i32", "buffer", "u32"], returns: "i32" },
  lseek: { args: ["i32", "i64", "i32"], returns: "i64" },
  fstat: { args: ["i32", "buffer"], returns: "i32" },
};

// glibc first; the bare name covers a libc that installs only that.
const LIBC_NAMES = ["libc.so.6", "libc.so"];

/** Builds the Bun backend; throws when libc cannot be opened. */
export function createBunSys(): Sys {
  const ffi = loadBunFfi();
  let c: Libc | undefined;
  let last: unknown;
  for (const name of LIBC_NAMES) {
    try {
      c = ffi.dlopen(name, SYMBOLS).symbols as Libc;
      break;
    } catch (e) {
      last = e;
    }
  }
  if (c === undefined) throw last;
  const lib = c;
  const errnoPtr = lib.__errno_location();
  if (!errnoPtr) throw new Error("__errno_location() returned NULL");
  // errno is thread-local; the JS thread never changes, so one view serves.
  const errno = new Int32Array(ffi.toArrayBuffer(errnoPtr, 0, 4));
  const readErrno = (): number => errno[0];
  const arch = (globalThis as unknown as { process: { arch: string } }).process.arch;
  const iov = new IovecArray();
  const msg = new MsgHdr();
  const cells = new SockCells();
  const ptr = ffi.ptr;
  let worker: BunPollWorker | undefined;
  let sslLib: SslLib | undefined;
  let proc: ProcLibc | undefined;
  const procLib = (): ProcLibc => {
    if (proc) return proc;
    let lastErr: unknown;
    for (const name of LIBC_NAMES) {
      try {
        return proc = ffi.dlopen(name, PROC_SYMBOLS).symbols as ProcLibc;
      } catch (e) {
        lastErr = e;
      }
    }
    throw lastErr;
  };

  let files: FileSymbols | undefined;
  const fileLib = (): FileSymbols => {
    if (files) return files;
    let lastErr: unknown;
    for (const name of LIBC_NAMES) {
      try {
        return files = ffi.dlopen(name, FILE_SYMBOLS).symbols as FileSymbols;
      } catch (e) {
        lastErr = e;
      }
    }
    throw lastErr;
  };

  function fillIov(bufs: readonly Uint8Array[]): Uint8Array {
    iov.reserve(bufs.length);
    for (let i = 0; i < bufs.length; i++) {
      const b = bufs[i];
      // An empty view may have no storage at all; its address is irrelevant.
      iov.setNum(i, b.length ? ptr(b) : 0, b.length);
    }
    return iov.bytes;
  }

  /** Fills `msg` with `addr` and the iovecs of `bufs` (filled here). */
  function fillMsg(bufs: readonly Uint8Array[], addr: Uint8Array | null): MsgHdr {
    fillIov(bufs);
    const name = addr && addr.length ? ptr(addr) : 0;
    msg.setNum(name, addr ? addr.length : 0, ptr(iov.bytes), bufs.length);
    return msg;
  }

  const core = coreCalls(c, readErrno, arch, { fillIov, fillMsg });
  return {
    runtime: "bun",
    platform: "linux",
    ...core,
    allocUninit(size) {
      return Buffer.allocUnsafeSlow(size).buffer as ArrayBuffer;
    },
    keepFreedMemory() {
      // Bun's allocator (mimalloc) keeps freed memory for reuse already.
      return false;
    },
    strerror(n) {
      const p = lib.strerror(n);
      return p ? new ffi.CString(p).toString() : `Unknown error ${n}`;
    },

    ...socketCalls(c, readErrno, cells),
    ...fileCalls(fileLib, readErrno, arch),

    spawn(path, argv, envp, cwd, fdMap, closeFds = false, attrs = {}) {
      const p = procLib();
      const env = envp ??
        envToList(
          (globalThis as unknown as { process: { env: Record<string, string> } }).process.env,
        );
      // The block is a fresh ArrayBuffer (stable storage), referenced until the call returns.
      return spawnWith(p, (b) => BigInt(ptr(b)), {
        file: path,
        argv,
        envp: env,
        cwd,
        fdMap,
        closeFds,
        ...attrs,
      });
    },
    pidfdOpen(pid, flags) {
      const r = procLib().syscall(SYS_pidfd_open, pid, flags);
      return r < 0 ? -errno[0] : r;
    },
    waitpid(pid, status, options) {
      const r = procLib().waitpid(pid, status, options);
      return r < 0 ? -errno[0] : r;
    },
    kill(pid, sig) {
      const r = procLib().kill(pid, sig);
      return r < 0 ? -errno[0] : r;
    },

    ssl() {
      return sslLib ??= createBunSsl(ffi);
    },

    prepareAsync() {
      return (worker ??= new BunPollWorker(core.poll)).ready;
    },

    pollAsync(fds, nfds, timeoutMs) {
      try {
        checkPollArgs(fds, nfds);
        worker ??= new BunPollWorker(core.poll);
        return worker.poll(fds, nfds, timeoutMs);
      } catch (e) {
        return Promise.reject(e);
      }
    },
  };
}
