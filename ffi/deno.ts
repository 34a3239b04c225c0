/**
 * The {@link Sys} backend for Deno, over `Deno.dlopen`.
 *
 * Every symbol uses 32-bit integer types: Deno boxes 64-bit FFI values as
 * BigInt on a slow path (see NOTES.md). Counts that are `size_t`/`nfds_t` in C
 * are declared `u32`; x86_64 and aarch64 zero the upper half of a register
 * written as 32 bits, and the values here never exceed 2^31.
 *
 * @module
 */
import type { Sys } from "./types.ts";
import {
  AsyncPollSlot,
  coreCalls,
  type CoreSymbols,
  fileCalls,
  type FileSymbols,
  IovecArray,
  malloptKeep,
  MsgHdr,
  SockCells,
  socketCalls,
  type SocketSymbols,
} from "./common.ts";
import { createDenoSsl } from "./ssl_deno.ts";
import type { SslLib } from "./ssl.ts";
import { envToList, type SpawnLibc, spawnWith, SYS_pidfd_open } from "./spawn.ts";

// The slice of the Deno namespace this file uses, so that it type-checks
// under tsc (Node build) as well as under `deno check`.
type DenoPointer = object;
type DenoNativeType = "i32" | "u32" | "i64" | "buffer" | "pointer";
interface DenoSymbolDef {
  name?: string;
  parameters: DenoNativeType[];
  result: DenoNativeType;
  nonblocking?: boolean;
}
interface DenoFfi {
  dlopen(path: string, symbols: Record<string, DenoSymbolDef>): { symbols: unknown };
  UnsafePointer: {
    of(value: ArrayBufferView): DenoPointer | null;
    value(p: DenoPointer | null): bigint | number;
  };
  UnsafePointerView: {
    getCString(p: DenoPointer, offset?: number): string;
    getArrayBuffer(p: DenoPointer, byteLength: number, offset?: number): ArrayBuffer;
  };
  build: { arch: string; os: string };
  env: { toObject(): Record<string, string> };
}

/** The typed view of the symbols declared in {@link SYMBOLS}. */
interface Libc extends SocketSymbols, CoreSymbols {
  poll_nb(fds: Uint8Array, nfds: number, ms: number): Promise<number>;
  strerror(errno: number): DenoPointer | null;
  __errno_location(): DenoPointer | null;
}

const SYMBOLS: Record<keyof Libc, DenoSymbolDef> = {
  epoll_create1: { parameters: ["i32"], result: "i32" },
  epoll_ctl: { parameters: ["i32", "i32", "i32", "buffer"], result: "i32" },
  epoll_wait: { parameters: ["i32", "buffer", "i32", "i32"], result: "i32" },
  poll: { parameters: ["buffer", "u32", "i32"], result: "i32" },
  // A second binding of poll that Deno runs on its blocking thread pool.
  poll_nb: { name: "poll", parameters: ["buffer", "u32", "i32"], result: "i32", nonblocking: true },
  select: { parameters: ["i32", "buffer", "buffer", "buffer", "buffer"], result: "i32" },
  eventfd: { parameters: ["u32", "i32"], result: "i32" },
  pipe2: { parameters: ["buffer", "i32"], result: "i32" },
  socketpair: { parameters: ["i32", "i32", "i32", "buffer"], result: "i32" },
  read: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  write: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  readv: { parameters: ["i32", "buffer", "i32"], result: "i32" },
  writev: { parameters: ["i32", "buffer", "i32"], result: "i32" },
  sendmsg: { parameters: ["i32", "buffer", "i32"], result: "i32" },
  recvmsg: { parameters: ["i32", "buffer", "i32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  // fcntl is variadic in C; an int third argument is passed like a fixed one
  // on x86_64 and aarch64 Linux.
  fcntl: { parameters: ["i32", "i32", "i32"], result: "i32" },
  clock_gettime: { parameters: ["i32", "buffer"], result: "i32" },
  getpid: { parameters: [], result: "i32" },
  strerror: { parameters: ["i32"], result: "pointer" },
  __errno_location: { parameters: [], result: "pointer" },
  // socklen_t and size_t counts are u32, ssize_t results i32 (see above).
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  bind: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  listen: { parameters: ["i32", "i32"], result: "i32" },
  accept4: { parameters: ["i32", "buffer", "buffer", "i32"], result: "i32" },
  connect: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  getsockname: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
  getpeername: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
  setsockopt: { parameters: ["i32", "i32", "i32", "buffer", "u32"], result: "i32" },
  getsockopt: { parameters: ["i32", "i32", "i32", "buffer", "buffer"], result: "i32" },
  shutdown: { parameters: ["i32", "i32"], result: "i32" },
  recv: { parameters: ["i32", "buffer", "u32", "i32"], result: "i32" },
  send: { parameters: ["i32", "buffer", "u32", "i32"], result: "i32" },
  recvfrom: { parameters: ["i32", "buffer", "u32", "i32", "buffer", "buffer"], result: "i32" },
  sendto: { parameters: ["i32", "buffer", "u32", "i32", "buffer", "u32"], result: "i32" },
};

// The process calls, opened on the first spawn in a library handle of their
// own, so that a libc without one of them (addclosefrom_np is glibc 2.34+)
// only makes spawning fail. int results; a `short` flags argument is passed
// in a full register.
interface ProcLibc extends SpawnLibc {
  syscall(nr: number, a: number, b: number): number;
  waitpid(pid: number, status: Int32Array, options: number): number;
  kill(pid: number, sig: number): number;
}
const PROC_SYMBOLS: Record<keyof ProcLibc, DenoSymbolDef> = {
  posix_spawn_file_actions_init: { parameters: ["buffer"], result: "i32" },
  posix_spawn_file_actions_destroy: { parameters: ["buffer"], result: "i32" },
  posix_spawn_file_actions_adddup2: { parameters: ["buffer", "i32", "i32"], result: "i32" },
  posix_spawn_file_actions_addclose: { parameters: ["buffer", "i32"], result: "i32" },
  posix_spawn_file_actions_addchdir_np: { parameters: ["buffer", "buffer"], result: "i32" },
  posix_spawn_file_actions_addclosefrom_np: { parameters: ["buffer", "i32"], result: "i32" },
  posix_spawnattr_init: { parameters: ["buffer"], result: "i32" },
  posix_spawnattr_destroy: { parameters: ["buffer"], result: "i32" },
  posix_spawnattr_setflags: { parameters: ["buffer", "i32"], result: "i32" },
  posix_spawnattr_setsigmask: { parameters: ["buffer", "buffer"], result: "i32" },
  posix_spawnattr_setsigdefault: { parameters: ["buffer", "buffer"], result: "i32" },
  posix_spawnattr_setpgroup: { parameters: ["buffer", "i32"], result: "i32" },
  posix_spawnp: {
    parameters: ["buffer", "buffer", "buffer", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  // syscall() is variadic; int arguments pass like fixed ones on these ABIs.
  syscall: { parameters: ["i32", "i32", "i32"], result: "i32" },
  waitpid: { parameters: ["i32", "buffer", "i32"], result: "i32" },
  kill: { parameters: ["i32", "i32"], result: "i32" },
};

// The file calls behind sendfile, in a handle of their own opened on first
// use. sendfile's off_t goes by pointer and its size_t count as u32 (see
// FileSymbols); only lseek takes and returns a 64-bit off_t.
const FILE_SYMBOLS: Record<keyof FileSymbols, DenoSymbolDef> = {
  sendfile: { parameters: ["i32", "i32", "buffer", "u32"], result: "i32" },
  lseek: { parameters: ["i32", "i64", "i32"], result: "i64" },
  fstat: { parameters: ["i32", "buffer"], result: "i32" },
};

// glibc's allocator settings, in a handle of their own: a libc without
// mallopt (macOS) only leaves the allocator as it is.
interface MallocLibc {
  mallopt(param: number, value: number): number;
}
const MALLOC_SYMBOLS: Record<keyof MallocLibc, DenoSymbolDef> = {
  mallopt: { parameters: ["i32", "i32"], result: "i32" },
};

const LIBC_NAMES = ["libc.so.6", "libc.so"];
const EINTR = 4;

function open<T>(deno: DenoFfi, symbols: Record<string, DenoSymbolDef> = SYMBOLS): T {
  let last: unknown;
  for (const name of LIBC_NAMES) {
    try {
      return deno.dlopen(name, symbols).symbols as T;
    } catch (e) {
      last = e;
    }
  }
  throw last;
}

/**
 * Builds the Deno backend. Needs `--allow-ffi`; throws when FFI is not
 * allowed or libc cannot be opened.
 */
export function createDenoSys(): Sys {
  const deno = (globalThis as unknown as { Deno: DenoFfi }).Deno;
  const c = open<Libc>(deno);
  let proc: ProcLibc | undefined;
  const procLib = (): ProcLibc => proc ??= open<ProcLibc>(deno, PROC_SYMBOLS);
  let files: FileSymbols | undefined;
  const fileLib = (): FileSymbols => files ??= open<FileSymbols>(deno, FILE_SYMBOLS);
  const errnoPtr = c.__errno_location();
  if (errnoPtr === null) throw new Error("__errno_location() returned NULL");
  // errno is thread-local; the JS thread never changes, so one view serves.
  const errno = new Int32Array(deno.UnsafePointerView.getArrayBuffer(errnoPtr, 4));
  const readErrno = (): number => errno[0];
  const iov = new IovecArray();
  const msg = new MsgHdr();
  const slot = new AsyncPollSlot();
  const cells = new SockCells();
  const ptrOf = deno.UnsafePointer;
  let sslLib: SslLib | undefined;

  function fillIov(bufs: readonly Uint8Array[]): Uint8Array {
    iov.reserve(bufs.length);
    for (let i = 0; i < bufs.length; i++) {
      const b = bufs[i];
      iov.setBig(i, BigInt(ptrOf.value(ptrOf.of(b))), b.length);
    }
    return iov.bytes;
  }

  /** Fills `msg` with `addr` and the iovecs of `bufs` (filled here). */
  function fillMsg(bufs: readonly Uint8Array[], addr: Uint8Array | null): MsgHdr {
    fillIov(bufs);
    const name = addr && addr.length ? BigInt(ptrOf.value(ptrOf.of(addr))) : 0n;
    msg.setBig(name, addr ? addr.length : 0, BigInt(ptrOf.value(ptrOf.of(iov.bytes))), bufs.length);
    return msg;
  }

  return {
    runtime: "deno",
    platform: deno.build.os,
    ...coreCalls(c, readErrno, deno.build.arch, { fillIov, fillMsg }),
    allocUninit(size) {
      // Deno has no allocation without zero-filling (its node:buffer zeroes too).
      return new ArrayBuffer(size);
    },
    keepFreedMemory(mmapThreshold, trimThreshold) {
      return malloptKeep(
        () => open<MallocLibc>(deno, MALLOC_SYMBOLS),
        mmapThreshold,
        trimThreshold,
      );
    },
    strerror(n) {
      const p = c.strerror(n);
      return p === null ? `Unknown error ${n}` : deno.UnsafePointerView.getCString(p);
    },

    ...socketCalls(c, readErrno, cells),
    ...fileCalls(fileLib, readErrno, deno.build.arch),

    spawn(path, argv, envp, cwd, fdMap, closeFds = false, attrs = {}) {
      const p = procLib();
      const env = envp ?? envToList(deno.env.toObject());
      return spawnWith(p, (b) => BigInt(ptrOf.value(ptrOf.of(b))), {
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
      return sslLib ??= createDenoSsl(deno);
    },

    prepareAsync() {
      return Promise.resolve();
    },

    pollAsync(fds, nfds, timeoutMs) {
      let buf: Uint8Array;
      try {
        buf = slot.begin(fds, nfds);
      } catch (e) {
        return Promise.reject(e);
      }
      // The call runs on another thread, whose errno we cannot see: on
      // failure, poll the same records once more without waiting to learn
      // a lasting error; a passing one (a signal) is reported as EINTR.
      let pending: Promise<number>;
      try {
        pending = c.poll_nb(buf, nfds, timeoutMs);
      } catch (e) {
        slot.end();
        return Promise.reject(e);
      }
      return pending.then((r) => {
        slot.end();
        if (r >= 0) return r;
        const again = c.poll(buf, nfds, 0);
        return again < 0 ? -errno[0] : -EINTR;
      }, (e: unknown) => {
        slot.end();
        throw e;
      });
    },
  };
}
