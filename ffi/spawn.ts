/**
 * What the three backends share for starting a child process: the
 * `posix_spawnp` sequence over an abstract set of libc calls, the buffers it
 * needs (C strings and pointer arrays in one block that stays alive for the
 * call), and the decoding of `waitpid` statuses.
 *
 * `fork()` through FFI in a multithreaded runtime is unsafe; glibc's
 * `posix_spawnp` uses `clone(CLONE_VM | CLONE_VFORK)` and reports exec
 * failures (ENOENT, EACCES, a failed `chdir`) as its result, so a missing
 * program is an error of the call itself.
 *
 * Plain JS over typed arrays; no FFI here.
 *
 * @module
 */

/** One entry of a spawn's fd map: `[childFd, parentFd]` (`dup2(parentFd, childFd)` in the child). */
export type FdMapEntry = [number, number];

/** `posix_spawnattr_setflags` bits (glibc). */
export const POSIX_SPAWN_SETPGROUP = 0x02;
/** `posix_spawnattr_setflags` bits (glibc). */
export const POSIX_SPAWN_SETSIGDEF = 0x04;
/** `posix_spawnattr_setflags` bits (glibc). */
export const POSIX_SPAWN_SETSIGMASK = 0x08;
/** `posix_spawnattr_setflags` bits (glibc 2.26+): `setsid()` in the child. */
export const POSIX_SPAWN_SETSID = 0x80;
/** `pidfd_open` syscall number (the same on x86_64 and asm-generic/aarch64). */
export const SYS_pidfd_open = 434;
/** `waitpid` option: do not block. */
export const WNOHANG = 1;

const SIGPIPE = 13;
const SIGXFSZ = 25;
const EINVAL = 22;
const ENOSYS = 38;

/**
 * The libc calls the spawn sequence makes; every one takes typed arrays for
 * its pointer arguments (at their byteOffset) and returns an error number
 * (positive, as the `posix_spawn*` functions do) or 0.
 */
export interface SpawnLibc {
  posix_spawn_file_actions_init(fa: Uint8Array): number;
  posix_spawn_file_actions_destroy(fa: Uint8Array): number;
  posix_spawn_file_actions_adddup2(fa: Uint8Array, fd: number, newfd: number): number;
  posix_spawn_file_actions_addclose(fa: Uint8Array, fd: number): number;
  posix_spawn_file_actions_addchdir_np(fa: Uint8Array, path: Uint8Array): number;
  posix_spawn_file_actions_addclosefrom_np(fa: Uint8Array, from: number): number;
  posix_spawnattr_init(attr: Uint8Array): number;
  posix_spawnattr_destroy(attr: Uint8Array): number;
  posix_spawnattr_setflags(attr: Uint8Array, flags: number): number;
  posix_spawnattr_setsigmask(attr: Uint8Array, set: Uint8Array): number;
  posix_spawnattr_setsigdefault(attr: Uint8Array, set: Uint8Array): number;
  posix_spawnattr_setpgroup(attr: Uint8Array, pgroup: number): number;
  posix_spawnp(
    pid: Uint8Array,
    file: Uint8Array,
    fa: Uint8Array,
    attr: Uint8Array,
    argv: Uint8Array,
    envp: Uint8Array,
  ): number;
}

/** Memory that does not move: a fresh ArrayBuffer (never in a GC heap's small-array space). */
function stable(n: number): Uint8Array {
  return new Uint8Array(new ArrayBuffer(Math.max(n, 256)));
}

const enc = new TextEncoder();

/**
 * The C strings and `char *[]` arrays of one spawn, in one block: the argv
 * pointer array, the envp pointer array, then every NUL-terminated string.
 * The pointers are filled in from the block's address ({@link fill}) right
 * before the call, and the block is referenced until the call returns.
 */
export class SpawnBlock {
  /** The whole block. */
  readonly bytes: Uint8Array;
  readonly #u64: BigUint64Array;
  readonly #argvOff: number;
  readonly #envpOff: number;
  readonly #fileOff: number;
  readonly #cwdOff: number;
  /** Offsets of each argv string, then each envp string. */
  readonly #strOffs: number[] = [];
  readonly #argc: number;

  /**
   * Lays out `file`, `argv`, `envp` and `cwd` (null: none). Throws a
   * TypeError on an embedded NUL. A string is encoded as UTF-8; bytes go
   * as they are (Python passes a bytes argument unchanged, not valid UTF-8
   * too).
   */
  constructor(
    file: string,
    argv: readonly (string | Uint8Array)[],
    envp: readonly (string | Uint8Array)[],
    cwd: string | null,
  ) {
    const strs = [file, ...(cwd === null ? [] : [cwd]), ...argv, ...envp].map((s) => {
      if (typeof s !== "string") {
        if (s.includes(0)) throw new TypeError("embedded null byte");
        return s;
      }
      if (s.includes("\0")) throw new TypeError("embedded null byte");
      return enc.encode(s);
    });
    this.#argc = argv.length;
    this.#argvOff = 0;
    this.#envpOff = (argv.length + 1) * 8;
    let off = this.#envpOff + (envp.length + 1) * 8;
    let total = off;
    for (const s of strs) total += s.length + 1;
    this.bytes = stable(total);
    this.#u64 = new BigUint64Array(this.bytes.buffer, 0, this.bytes.length >> 3);
    const offs: number[] = [];
    for (const s of strs) {
      offs.push(off);
      this.bytes.set(s, off);
      this.bytes[off + s.length] = 0;
      off += s.length + 1;
    }
    this.#fileOff = offs[0];
    this.#cwdOff = cwd === null ? -1 : offs[1];
    this.#strOffs = offs.slice(cwd === null ? 1 : 2);
  }

  /** Writes the argv and envp pointers, given the address of {@link bytes}. */
  fill(base: bigint): void {
    const u = this.#u64;
    const argc = this.#argc;
    const offs = this.#strOffs;
    for (let i = 0; i < argc; i++) u[i] = base + BigInt(offs[i]);
    u[argc] = 0n;
    const e0 = this.#envpOff >> 3;
    const envc = offs.length - argc;
    for (let i = 0; i < envc; i++) u[e0 + i] = base + BigInt(offs[argc + i]);
    u[e0 + envc] = 0n;
  }

  /** The `char *const argv[]`. */
  get argv(): Uint8Array {
    return this.bytes.subarray(this.#argvOff);
  }
  /** The `char *const envp[]`. */
  get envp(): Uint8Array {
    return this.bytes.subarray(this.#envpOff);
  }
  /** The program name or path. */
  get file(): Uint8Array {
    return this.bytes.subarray(this.#fileOff);
  }
  /** The working directory, or null. */
  get cwd(): Uint8Array | null {
    return this.#cwdOff < 0 ? null : this.bytes.subarray(this.#cwdOff);
  }
}

/** The fixed-size buffers of a spawn, reused across calls. */
class SpawnScratch {
  /** `posix_spawn_file_actions_t` (80 bytes in glibc; generous room). */
  readonly fa = stable(512);
  /** `posix_spawnattr_t` (336 bytes in glibc). */
  readonly attr = stable(1024);
  /** An empty `sigset_t`. */
  readonly emptySet = stable(128);
  /** The signals reset to SIG_DFL in the child: SIGPIPE and SIGXFSZ (as Python's restore_signals). */
  readonly defSet = stable(128);
  /** The `pid_t` out-parameter. */
  readonly pid = stable(8);
  readonly pidView = new Int32Array(this.pid.buffer, 0, 1);

  constructor() {
    for (const sig of [SIGPIPE, SIGXFSZ]) this.defSet[(sig - 1) >> 3] |= 1 << ((sig - 1) & 7);
  }
}

let scratch: SpawnScratch | undefined;

/** What {@link spawnWith} needs besides the calls. */
export interface SpawnArgs {
  file: string;
  /** Strings (encoded as UTF-8) or bytes (as they are). */
  argv: readonly (string | Uint8Array)[];
  /** `KEY=value` strings (UTF-8) or bytes. */
  envp: readonly (string | Uint8Array)[];
  cwd: string | null;
  fdMap: ReadonlyArray<readonly [number, number]>;
  closeFds: boolean;
  /** `setsid()` in the child (Python's start_new_session). */
  setsid?: boolean;
  /** `setpgid(0, pgroup)` in the child (Python's process_group; 0: a new group); null: none. */
  pgroup?: number | null;
  /** Fds (3 and up) the child keeps at the same numbers, even when `closeFds` (Python's pass_fds). */
  passFds?: readonly number[];
}

/**
 * Runs the `posix_spawnp` sequence: the fd map as `dup2` actions (in order),
 * each of `passFds` `dup2`ed onto itself (which clears its close-on-exec flag,
 * glibc 2.29+), `chdir` to `cwd`, every other fd from 3 up closed when
 * `closeFds`, an empty signal mask and default SIGPIPE/SIGXFSZ, then
 * `setsid`/`setpgid` as asked. Returns the pid, or -errno.
 *
 * The fd map is applied in order, so a parent fd that is also an earlier
 * entry's child fd would be overwritten first: the caller moves such fds out
 * of 0–2 beforehand (see `lib/unix_subprocess.ts`).
 * `addressOf` gives the native address of a typed array's first byte.
 */
export function spawnWith(
  c: SpawnLibc,
  addressOf: (b: Uint8Array) => bigint,
  a: SpawnArgs,
): number {
  let block: SpawnBlock;
  try {
    block = new SpawnBlock(a.file, a.argv, a.envp, a.cwd);
  } catch {
    return -EINVAL;
  }
  const s = scratch ??= new SpawnScratch();
  let r = c.posix_spawn_file_actions_init(s.fa);
  if (r !== 0) return -r;
  try {
    r = c.posix_spawnattr_init(s.attr);
    if (r !== 0) return -r;
    try {
      for (const [childFd, parentFd] of a.fdMap) {
        r = c.posix_spawn_file_actions_adddup2(s.fa, parentFd, childFd);
        if (r !== 0) return -r;
      }
      const cwd = block.cwd;
      if (cwd !== null) {
        r = c.posix_spawn_file_actions_addchdir_np(s.fa, cwd);
        if (r !== 0) return -r;
      }
      const keep = [...new Set(a.passFds ?? [])].filter((fd) => fd >= 3).sort((x, y) => x - y);
      for (const fd of keep) {
        r = c.posix_spawn_file_actions_adddup2(s.fa, fd, fd);
        if (r !== 0) return -r;
      }
      if (a.closeFds) {
        // Close the gaps between kept fds one by one (a close of an fd that
        // is not open is ignored by glibc), then everything above the last.
        let from = 3;
        for (const fd of keep) {
          for (let gap = from; gap < fd; gap++) {
            r = c.posix_spawn_file_actions_addclose(s.fa, gap);
            if (r !== 0) return -r;
          }
          from = fd + 1;
        }
        r = c.posix_spawn_file_actions_addclosefrom_np(s.fa, from);
        if (r !== 0) return -r;
      }
      let flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
      if (a.setsid) flags |= POSIX_SPAWN_SETSID;
      if (a.pgroup !== undefined && a.pgroup !== null) {
        flags |= POSIX_SPAWN_SETPGROUP;
        r = c.posix_spawnattr_setpgroup(s.attr, a.pgroup);
        if (r !== 0) return -r;
      }
      r = c.posix_spawnattr_setflags(s.attr, flags);
      if (r !== 0) return -r;
      r = c.posix_spawnattr_setsigmask(s.attr, s.emptySet);
      if (r !== 0) return -r;
      r = c.posix_spawnattr_setsigdefault(s.attr, s.defSet);
      if (r !== 0) return -r;
      block.fill(addressOf(block.bytes));
      s.pidView[0] = 0;
      r = c.posix_spawnp(s.pid, block.file, s.fa, s.attr, block.argv, block.envp);
      // Keep the block referenced until after the call.
      if (block.bytes.length === 0) return -ENOSYS;
      return r !== 0 ? -r : s.pidView[0];
    } finally {
      c.posix_spawnattr_destroy(s.attr);
    }
  } finally {
    c.posix_spawn_file_actions_destroy(s.fa);
  }
}

/** `envp` strings (`NAME=value`) from an environment object. */
export function envToList(env: Record<string, string | undefined>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out.push(`${k}=${v}`);
  return out;
}

// -- wait statuses (glibc's macros) ------------------------------------------

/** `WIFEXITED(status)`. */
export function wIfExited(status: number): boolean {
  return (status & 0x7f) === 0;
}
/** `WEXITSTATUS(status)`. */
export function wExitStatus(status: number): number {
  return (status >> 8) & 0xff;
}
/** `WIFSIGNALED(status)`. */
export function wIfSignaled(status: number): boolean {
  return ((status & 0x7f) + 1) >> 1 > 0 && (status & 0x7f) !== 0x7f;
}
/** `WTERMSIG(status)`. */
export function wTermSig(status: number): number {
  return status & 0x7f;
}
/**
 * Python's returncode for a wait status: the exit code, or minus the signal
 * number that killed the child; null for a stop/continue report.
 */
export function returncodeOf(status: number): number | null {
  if (wIfExited(status)) return wExitStatus(status);
  if (wIfSignaled(status)) return -wTermSig(status);
  return null;
}
