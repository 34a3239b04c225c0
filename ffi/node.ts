/**
 * The {@link Sys} backend for Node, over koffi.
 *
 * koffi passes a typed array to a `void *` parameter as the address of its
 * first byte (byteOffset included) without copying, and saves errno right
 * after each call (`koffi.errno()`), for `.async()` calls too.
 *
 * `pollAsync` uses koffi's `.async()`, which runs the call on libuv's thread
 * pool: a pending poll keeps the process alive and occupies one pool thread
 * (4 by default, shared with `fs`, `dns.lookup` and zlib) until it returns.
 *
 * @module
 */
import { createRequire } from "node:module";
import process from "node:process";
import { Buffer } from "node:buffer";
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
import { createNodeSsl, type KoffiForSsl } from "./ssl_node.ts";
import type { SslLib } from "./ssl.ts";
import { envToList, type SpawnLibc, spawnWith, SYS_pidfd_open } from "./spawn.ts";

// The slice of koffi's API used here, typed locally so that this file does
// not depend on koffi's typings being resolvable from every tool.
type AsyncCallback = (err: unknown, result: number) => void;
interface KoffiFunc {
  // deno-lint-ignore no-explicit-any
  (...args: any[]): any;
  // deno-lint-ignore no-explicit-any
  async(...args: any[]): void;
}
interface Koffi {
  load(path: string): { func(definition: string): KoffiFunc };
  errno(): number;
  address(value: ArrayBufferView): bigint;
}

/** The typed view of the functions declared in {@link PROTOTYPES}. */
interface Libc extends SocketSymbols, CoreSymbols {
  poll: {
    (fds: Uint8Array, nfds: number, ms: number): number;
    async(fds: Uint8Array, nfds: number, ms: number, cb: AsyncCallback): void;
  };
  strerror(errno: number): string | null;
}

// Counts that are size_t/nfds_t in C are uint32_t: x86_64 and aarch64 zero
// the upper half of a register written as 32 bits. fcntl is variadic in C;
// an int third argument is passed like a fixed one on these ABIs.
const PROTOTYPES: Record<keyof Libc, string> = {
  epoll_create1: "int epoll_create1(int flags)",
  epoll_ctl: "int epoll_ctl(int epfd, int op, int fd, void *event)",
  epoll_wait: "int epoll_wait(int epfd, void *events, int maxevents, int timeout)",
  poll: "int poll(void *fds, uint32_t nfds, int timeout)",
  select: "int select(int nfds, void *readfds, void *writefds, void *exceptfds, void *timeout)",
  eventfd: "int eventfd(uint32_t initval, int flags)",
  pipe2: "int pipe2(void *fds, int flags)",
  socketpair: "int socketpair(int domain, int type, int protocol, void *sv)",
  read: "int read(int fd, void *buf, uint32_t count)",
  write: "int write(int fd, void *buf, uint32_t count)",
  readv: "int readv(int fd, void *iov, int iovcnt)",
  writev: "int writev(int fd, void *iov, int iovcnt)",
  sendmsg: "int sendmsg(int fd, void *msg, int flags)",
  recvmsg: "int recvmsg(int fd, void *msg, int flags)",
  close: "int close(int fd)",
  fcntl: "int fcntl(int fd, int cmd, int arg)",
  clock_gettime: "int clock_gettime(int clockid, void *tp)",
  getpid: "int getpid()",
  strerror: "const char *strerror(int errnum)",
  socket: "int socket(int domain, int type, int protocol)",
  bind: "int bind(int fd, void *addr, uint32_t len)",
  listen: "int listen(int fd, int backlog)",
  accept4: "int accept4(int fd, void *addr, void *len, int flags)",
  connect: "int connect(int fd, void *addr, uint32_t len)",
  getsockname: "int getsockname(int fd, void *addr, void *len)",
  getpeername: "int getpeername(int fd, void *addr, void *len)",
  setsockopt: "int setsockopt(int fd, int level, int name, void *value, uint32_t len)",
  getsockopt: "int getsockopt(int fd, int level, int name, void *value, void *len)",
  shutdown: "int shutdown(int fd, int how)",
  recv: "int recv(int fd, void *buf, uint32_t n, int flags)",
  send: "int send(int fd, void *buf, uint32_t n, int flags)",
  recvfrom: "int recvfrom(int fd, void *buf, uint32_t n, int flags, void *addr, void *len)",
  sendto: "int sendto(int fd, void *buf, uint32_t n, int flags, void *addr, uint32_t len)",
};

// glibc's allocator settings, bound on their own: a libc without mallopt
// (macOS) only leaves the allocator as it is.
interface MallocLibc {
  mallopt(param: number, value: number): number;
}
const MALLOC_PROTOTYPES: Record<keyof MallocLibc, string> = {
  mallopt: "int mallopt(int param, int value)",
};

// The process calls, bound on the first spawn, so that a libc without one of
// them (addclosefrom_np is glibc 2.34+) only makes spawning fail. A `short`
// flags argument is passed in a full register.
interface ProcLibc extends SpawnLibc {
  syscall(nr: number, a: number, b: number): number;
  waitpid(pid: number, status: Int32Array, options: number): number;
  kill(pid: number, sig: number): number;
}
const PROC_PROTOTYPES: Record<keyof ProcLibc, string> = {
  posix_spawn_file_actions_init: "int posix_spawn_file_actions_init(void *fa)",
  posix_spawn_file_actions_destroy: "int posix_spawn_file_actions_destroy(void *fa)",
  posix_spawn_file_actions_adddup2:
    "int posix_spawn_file_actions_adddup2(void *fa, int fd, int newfd)",
  posix_spawn_file_actions_addclose: "int posix_spawn_file_actions_addclose(void *fa, int fd)",
  posix_spawn_file_actions_addchdir_np:
    "int posix_spawn_file_actions_addchdir_np(void *fa, void *path)",
  posix_spawn_file_actions_addclosefrom_np:
    "int posix_spawn_file_actions_addclosefrom_np(void *fa, int from)",
  posix_spawnattr_init: "int posix_spawnattr_init(void *attr)",
  posix_spawnattr_destroy: "int posix_spawnattr_destroy(void *attr)",
  posix_spawnattr_setflags: "int posix_spawnattr_setflags(void *attr, int flags)",
  posix_spawnattr_setsigmask: "int posix_spawnattr_setsigmask(void *attr, void *set)",
  posix_spawnattr_setsigdefault: "int posix_spawnattr_setsigdefault(void *attr, void *set)",
  posix_spawnattr_setpgroup: "int posix_spawnattr_setpgroup(void *attr, int pgroup)",
  posix_spawnp:
    "int posix_spawnp(void *pid, void *file, void *fa, void *attr, void *argv, void *envp)",
  // syscall() is variadic; int arguments pass like fixed ones on these ABIs.
  syscall: "int syscall(int nr, int a, int b)",
  waitpid: "int waitpid(int pid, void *status, int options)",
  kill: "int kill(int pid, int sig)",
};

// The file calls behind sendfile, bound on first use. sendfile's off_t goes
// by pointer and its size_t count as uint32_t (see FileSymbols); only lseek
// takes and returns a 64-bit off_t.
const FILE_PROTOTYPES: Record<keyof FileSymbols, string> = {
  sendfile: "int sendfile(int out_fd, int in_fd, void *offset, uint32_t count)",
  lseek: "int64_t lseek(int fd, int64_t offset, int whence)",
  fstat: "int fstat(int fd, void *buf)",
};

const LIBC_NAMES = ["libc.so.6", "libc.so"];
const F_GETFD = 1;
const F_SETFD = 2;
const FD_CLOEXEC = 1;

/**
 * Loads koffi from next to this file, else from the working directory (a
 * build output outside the package tree). The module name is computed so
 * that bundlers (`bun build`) leave it alone.
 */
function loadKoffi(): Koffi {
  const name = ["kof", "fi"].join("");
  const tried: string[] = [];
  for (const base of [import.meta.url, `${process.cwd()}/`]) {
    try {
      return createRequire(base)(name) as Koffi;
    } catch (e) {
      tried.push(`${base}: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
    }
  }
  throw new Error(
    `the Node backend needs the koffi package (npm install koffi); tried ${tried.join("; ")}`,
  );
}

function bind<T = Libc>(koffi: Koffi, prototypes: Record<string, string> = PROTOTYPES): T {
  let last: unknown;
  for (const path of LIBC_NAMES) {
    try {
      const lib = koffi.load(path);
      const out: Record<string, KoffiFunc> = {};
      for (const [key, proto] of Object.entries(prototypes)) out[key] = lib.func(proto);
      return out as unknown as T;
    } catch (e) {
      last = e;
    }
  }
  throw last;
}

/**
 * The keys Node's async hooks put on every promise made while an
 * `AsyncLocalStorage` is enabled, as own enumerable symbols; tasks run in
 * one, so `console.log(promise)` printed them (with the task in
 * `kResourceStore`) where Deno and Bun print `Promise { <pending> }`.
 */
const HOOK_KEYS = new Set(["async_id_symbol", "trigger_async_id_symbol", "kResourceStore"]);

/**
 * Makes `util.inspect` (so `console.log`) leave those keys out of a
 * promise: they become non-enumerable when it is printed (they stay
 * readable and writable for Node), and returning the promise itself has
 * Node format it as usual. Nothing is done when promises are not printed.
 */
function quietPrintedPromises(): void {
  const custom = Symbol.for("nodejs.util.inspect.custom");
  if (Object.hasOwn(Promise.prototype, custom)) return;
  Object.defineProperty(Promise.prototype, custom, {
    value: function inspectPromise(this: Promise<unknown>): Promise<unknown> {
      for (const key of Object.getOwnPropertySymbols(this)) {
        if (
          HOOK_KEYS.has(key.description ?? "") &&
          Object.prototype.propertyIsEnumerable.call(this, key)
        ) {
          Object.defineProperty(this, key, { enumerable: false });
        }
      }
      return this;
    },
    writable: true,
    configurable: true,
  });
}

/** Builds the Node backend; throws when koffi or libc cannot be loaded. */
export function createNodeSys(): Sys {
  quietPrintedPromises();
  const koffi = loadKoffi();
  const c = bind(koffi);
  // Node starts with its fds 0-2 close-on-exec, so a child left to inherit
  // them (stdin/stdout/stderr None) got none: `cat` failed with status 1.
  // Python's are inheritable; so are these from here on (Node's own
  // child_process sets up a child's 0-2 explicitly either way).
  for (let fd = 0; fd < 3; fd++) {
    const flags = c.fcntl(fd, F_GETFD, 0);
    if (flags >= 0 && (flags & FD_CLOEXEC) !== 0) c.fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
  }
  let proc: ProcLibc | undefined;
  const procLib = (): ProcLibc => proc ??= bind<ProcLibc>(koffi, PROC_PROTOTYPES);
  let files: FileSymbols | undefined;
  const fileLib = (): FileSymbols => files ??= bind<FileSymbols>(koffi, FILE_PROTOTYPES);
  const errno = koffi.errno;
  const iov = new IovecArray();
  const msg = new MsgHdr();
  const slot = new AsyncPollSlot();
  const cells = new SockCells();
  let sslLib: SslLib | undefined;

  function fillIov(bufs: readonly Uint8Array[]): Uint8Array {
    iov.reserve(bufs.length);
    for (let i = 0; i < bufs.length; i++) {
      const b = bufs[i];
      iov.setBig(i, b.length ? koffi.address(b) : 0n, b.length);
    }
    return iov.bytes;
  }

  /** Fills `msg` with `addr` and the iovecs of `bufs` (filled here). */
  function fillMsg(bufs: readonly Uint8Array[], addr: Uint8Array | null): MsgHdr {
    fillIov(bufs);
    const name = addr && addr.length ? koffi.address(addr) : 0n;
    msg.setBig(name, addr ? addr.length : 0, koffi.address(iov.bytes), bufs.length);
    return msg;
  }

  return {
    runtime: "node",
    platform: process.platform,
    ...coreCalls(c, errno, process.arch, { fillIov, fillMsg }),
    allocUninit(size) {
      // Unpooled, so its ArrayBuffer is exactly `size` bytes, all of them its own.
      return Buffer.allocUnsafeSlow(size).buffer as ArrayBuffer;
    },
    keepFreedMemory(mmapThreshold, trimThreshold) {
      return malloptKeep(
        () => bind<MallocLibc>(koffi, MALLOC_PROTOTYPES),
        mmapThreshold,
        trimThreshold,
      );
    },
    strerror(n) {
      return c.strerror(n) ?? `Unknown error ${n}`;
    },

    ...socketCalls(c, errno, cells),
    ...fileCalls(fileLib, errno, process.arch),

    spawn(path, argv, envp, cwd, fdMap, closeFds = false, attrs = {}) {
      const p = procLib();
      const env = envp ?? envToList(process.env);
      return spawnWith(p, (b) => koffi.address(b), {
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
      return r < 0 ? -errno() : r;
    },
    waitpid(pid, status, options) {
      const r = procLib().waitpid(pid, status, options);
      return r < 0 ? -errno() : r;
    },
    kill(pid, sig) {
      const r = procLib().kill(pid, sig);
      return r < 0 ? -errno() : r;
    },

    ssl() {
      return sslLib ??= createNodeSsl(koffi as unknown as KoffiForSsl);
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
      return new Promise<number>((resolve, reject) => {
        try {
          c.poll.async(buf, nfds, timeoutMs, (err, r) => {
            slot.end();
            if (err) reject(err);
            // koffi keeps the worker thread's errno for the callback.
            else resolve(r < 0 ? -errno() : r);
          });
        } catch (e) {
          // Not queued (koffi's max_async_calls reached): nothing will call back.
          slot.end();
          reject(e);
        }
      });
    },
  };
}
