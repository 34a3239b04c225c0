/**
 * How a child process's exit is noticed, for `lib/unix_subprocess.ts`.
 *
 * **pidfd** (the default on Linux 5.3+): each child's `pidfd_open` fd sits
 * in its loop's selector and becomes readable when the child exits; the
 * loop's callback reaps it with `waitpid(pid, WNOHANG)`.
 *
 * **The reaper** (the fallback): one process-wide {@link ChildReaper}
 * listening for SIGCHLD through the runtime's signal API (as the loop's
 * signal handlers do) and calling `waitpid(pid, WNOHANG)` for each child it
 * watches, plus a slow poll as a safety net (signals coalesce, and a
 * runtime may see a SIGCHLD before we listen). It is used when `pidfd_open`
 * fails (an older kernel, a seccomp filter), when pidfds are turned off
 * with `ASYNCIO_NO_PIDFD=1` in the environment or {@link setPidfdEnabled},
 * and for children whose loop was closed while they ran: those are handed
 * to the reaper, which reaps them whenever they exit (no zombie is left)
 * and records their returncode on the transport. Python's
 * `ThreadedChildWatcher` plays this part there.
 *
 * Only the pids registered here are ever waited for (never `waitpid(-1)`),
 * so children the host runtime started itself (`node:child_process`) are
 * left to it. Neither the listener nor the poll keeps the process alive.
 *
 * Python 3.11's child watcher classes ({@link ThreadedChildWatcher} and the
 * rest, `asyncio.getChildWatcher()`) are here too, for programs that set
 * one up: the policy's watcher must be active for a subprocess to start,
 * as in Python, but the loop watches its own children as described above.
 *
 * @module
 */
import process from "node:process";
import { clearTimeout as hostClearTimeout, setTimeout as hostTimeout } from "node:timers";
import { ERRNO, sys } from "../ffi/mod.ts";
import { listenSignal, SIGNALS } from "../ffi/signals.ts";
import { returncodeOf } from "../ffi/spawn.ts";
import { AbstractEventLoop, getRunningLoop } from "./events.ts";
import { AttributeError, check, NotImplementedError, RuntimeError } from "./exceptions.ts";
import { objectHead, printAsRepr, pyTypeName, setPyModule } from "./format.ts";
import { logger } from "./log.ts";

const WNOHANG = 1;
/** Seconds between safety polls while children are watched. */
const POLL_INTERVAL = 0.1;

let pidfdSetting: boolean | null = null;

/**
 * Whether new children are watched through pidfds: false when
 * {@link setPidfdEnabled}(false) was called or `ASYNCIO_NO_PIDFD` is set
 * (to anything but "" or "0").
 *
 * @example
 * ```ts
 * if (!pidfdEnabled()) console.log("children are reaped on SIGCHLD");
 * ```
 */
export function pidfdEnabled(): boolean {
  if (pidfdSetting !== null) return pidfdSetting;
  const v = process.env.ASYNCIO_NO_PIDFD;
  return v === undefined || v === "" || v === "0";
}

/**
 * Turns pidfds on or off for children started from now on (null: back to
 * what the environment says). Children already running keep their watcher.
 *
 * @example
 * ```ts
 * setPidfdEnabled(false); // the SIGCHLD reaper, as on a kernel without pidfd_open
 * ```
 */
export function setPidfdEnabled(on: boolean | null): void {
  pidfdSetting = on;
}

/** What the reaper reports: the returncode (255 when someone else reaped the child). */
export type ExitCallback = (returncode: number) => void;

/**
 * The process-wide reaper: SIGCHLD plus `waitpid(pid, WNOHANG)` per
 * watched pid. Callbacks run from a host callback (a signal listener or a
 * timer), outside any loop: schedule onto a loop with `callSoonThreadsafe`.
 *
 * @example
 * ```ts
 * childReaper().add(pid, (rc) => console.log(`child ${pid} exited with ${rc}`));
 * ```
 */
export class ChildReaper {
  #watched = new Map<number, ExitCallback>();
  #unlisten: (() => void) | null = null;
  #timer: ReturnType<typeof hostTimeout> | null = null;
  #status = new Int32Array(1);

  /**
   * Watches `pid` (a child of this process that nobody else reaps) and calls
   * `cb` once it has exited and been reaped. Replaces an earlier callback.
   */
  add(pid: number, cb: ExitCallback): void {
    this.#watched.set(pid, cb);
    this.#start();
    // It may have exited already, before any SIGCHLD was listened for.
    this.#check(pid);
  }

  /** Stops watching `pid` (its callback will not be called); true if it was watched. */
  remove(pid: number): boolean {
    const had = this.#watched.delete(pid);
    if (this.#watched.size === 0) this.#stop();
    return had;
  }

  /** Whether `pid` is watched. */
  has(pid: number): boolean {
    return this.#watched.has(pid);
  }

  /** How many children are watched. */
  get size(): number {
    return this.#watched.size;
  }

  /** Reaps every watched child that has exited. */
  poll(): void {
    for (const pid of [...this.#watched.keys()]) this.#check(pid);
  }

  #check(pid: number): void {
    const cb = this.#watched.get(pid);
    if (cb === undefined) return;
    const r = sys().waitpid(pid, this.#status, WNOHANG);
    let rc: number | null;
    if (r === 0 || r === -ERRNO.EINTR) return;
    if (r === -ERRNO.ECHILD) rc = 255; // reaped by someone else: Python reports 255 too
    else if (r < 0) return;
    else {
      rc = returncodeOf(this.#status[0]);
      if (rc === null) return; // stopped or continued, not gone
    }
    this.remove(pid);
    cb(rc);
  }

  #start(): void {
    if (this.#unlisten === null) {
      try {
        this.#unlisten = listenSignal(SIGNALS.SIGCHLD, () => this.poll());
      } catch {
        // A runtime that refuses SIGCHLD: the poll alone does the work.
      }
    }
    this.#arm();
  }

  #arm(): void {
    if (this.#timer !== null || this.#watched.size === 0) return;
    const t = hostTimeout(() => {
      this.#timer = null;
      this.poll();
      this.#arm();
    }, POLL_INTERVAL * 1000);
    t.unref();
    this.#timer = t;
  }

  #stop(): void {
    this.#unlisten?.();
    this.#unlisten = null;
    if (this.#timer !== null) {
      hostClearTimeout(this.#timer as Parameters<typeof hostClearTimeout>[0]);
    }
    this.#timer = null;
  }
}

let reaper: ChildReaper | undefined;

/**
 * The process's one {@link ChildReaper}.
 *
 * @example
 * ```ts
 * childReaper().add(pid, (rc) => console.log(rc));
 * ```
 */
export function childReaper(): ChildReaper {
  return reaper ??= new ChildReaper();
}

// ---------------------------------------------------------------------------
// Python 3.11's child watcher classes (`asyncio.get_child_watcher()`).

/** What a watcher calls when a child exits: `callback(pid, returncode, ...args)`. */
export type ChildCallback = (pid: number, returncode: number, ...args: never[]) => unknown;

/**
 * Python 3.11's abstract child watcher: an object that reports, through
 * `addChildHandler`, when a child process exits. Here the loop watches its
 * own subprocesses whichever watcher is set (through a pidfd, or the
 * process-wide reaper); the policy's watcher still decides, as in Python,
 * whether subprocesses may start: one that is not active (`isActive()`
 * false: a `SafeChildWatcher` attached to no running loop, say) makes
 * `createSubprocessExec` a `RuntimeError`. `addChildHandler` works for any
 * child of this process that nobody else reaps.
 *
 * @example
 * ```ts
 * const watcher = asyncio.getChildWatcher();
 * console.log(watcher.isActive()); // true: a ThreadedChildWatcher
 * ```
 */
export class AbstractChildWatcher {
  /**
   * Calls `callback(pid, returncode, ...args)` when child `pid` exits;
   * another callback for the same pid replaces the first.
   */
  addChildHandler(_pid: number, _callback: ChildCallback, ..._args: unknown[]): void {
    throw new NotImplementedError();
  }
  /** Stops watching `pid`; whether there was a handler to remove. */
  removeChildHandler(_pid: number): boolean {
    throw new NotImplementedError();
  }
  /** Attaches the watcher to `loop` (null: detaches it). */
  attachLoop(_loop: AbstractEventLoop | null): void {
    throw new NotImplementedError();
  }
  /** Frees the watcher's resources. */
  close(): void {
    throw new NotImplementedError();
  }
  /** Whether the watcher is ready to report exits (so subprocesses may start). */
  isActive(): boolean {
    throw new NotImplementedError();
  }
  /** Python's `with watcher:` (`using w = watcher`): nothing to do here. */
  [Symbol.dispose](): void {}

  /** `<asyncio.unix_events.ThreadedChildWatcher object at 0x7f...>`, Python's default repr. */
  toString(): string {
    return `<${objectHead(this)}>`;
  }
}

/** One watched child: the reaper's entry, or a pidfd on the watcher's loop. */
interface Watched {
  callback: ChildCallback;
  args: unknown[];
  loop: AbstractEventLoop | null;
  pidfd: number;
}

/** Python's `assert loop is None or isinstance(loop, AbstractEventLoop)`. */
function checkLoop(loop: unknown): void {
  if (loop !== null && !(loop instanceof AbstractEventLoop)) {
    throw new TypeError(
      `loop must be an instance of AbstractEventLoop or None, not '${pyTypeName(loop)}'`,
    );
  }
}

/**
 * The children a reaper-based watcher has registered, by pid: the
 * process-wide reaper reaps them, and each exit is reported on a loop.
 */
class ChildTable {
  #children = new Map<number, Watched>();

  /**
   * Watches `pid`; its exit is reported on `w.loop`, else on the loop
   * `fallback()` gives then, as Python's watchers do with
   * `call_soon_threadsafe`. A closed loop gets Python's warning instead.
   */
  watch(pid: number, w: Watched, fallback: () => AbstractEventLoop | null): void {
    this.#children.set(pid, w);
    childReaper().add(pid, (rc) => {
      if (this.#children.get(pid) !== w) return;
      this.#children.delete(pid);
      const loop = w.loop ?? fallback();
      if (loop === null || loop.isClosed()) {
        logger.warning(`Loop ${loop} that handles pid ${pid} is closed`);
        return;
      }
      loop.callSoonThreadsafe(w.callback as (...a: unknown[]) => unknown, pid, rc, ...w.args);
    });
  }

  /** Stops watching `pid`; whether it was watched. */
  remove(pid: number): boolean {
    if (!this.#children.delete(pid)) return false;
    childReaper().remove(pid);
    return true;
  }

  /** Forgets every child. */
  clear(): void {
    for (const pid of this.#children.keys()) childReaper().remove(pid);
    this.#children.clear();
  }
}

/**
 * The default watcher of Python 3.11 (one waiting thread per child there;
 * the process-wide reaper here). Always active; reports each exit on the
 * loop that was running when the child was added.
 *
 * @example
 * ```ts
 * const w = new asyncio.ThreadedChildWatcher();
 * w.isActive(); // true
 * ```
 */
export class ThreadedChildWatcher extends AbstractChildWatcher {
  #table = new ChildTable();
  /** Always true. */
  override isActive(): boolean {
    return true;
  }
  /** Nothing to free. */
  override close(): void {}
  /** Not bound to a loop: nothing to do. */
  override attachLoop(_loop: AbstractEventLoop | null): void {}
  /** Watches `pid`; the callback runs on the running loop (a `RuntimeError` without one). */
  override addChildHandler(pid: number, callback: ChildCallback, ...args: unknown[]): void {
    this.#table.watch(pid, { callback, args, loop: getRunningLoop(), pidfd: -1 }, () => null);
  }
  /**
   * Does nothing and returns true, as in Python (asyncio never calls it): the
   * child's callback still runs when it exits.
   */
  override removeChildHandler(_pid: number): boolean {
    return true;
  }
}

/**
 * Python 3.11's `MultiLoopChildWatcher`: active once attached (to any
 * loop); reports each exit on the loop running when the child was added.
 *
 * @example
 * ```ts
 * const w = new asyncio.MultiLoopChildWatcher();
 * w.attachLoop(loop);
 * w.isActive(); // true
 * ```
 */
export class MultiLoopChildWatcher extends AbstractChildWatcher {
  #table = new ChildTable();
  #installed = false;
  /** Whether `attachLoop` was called (and `close` not since). */
  override isActive(): boolean {
    return this.#installed;
  }
  /** Forgets the children and uninstalls. */
  override close(): void {
    this.#table.clear();
    this.#installed = false;
  }
  /** Installs the watcher (the loop itself is not kept). */
  override attachLoop(_loop: AbstractEventLoop | null): void {
    this.#installed = true;
  }
  /** Watches `pid`; the callback runs on the running loop (a `RuntimeError` without one). */
  override addChildHandler(pid: number, callback: ChildCallback, ...args: unknown[]): void {
    this.#table.watch(pid, { callback, args, loop: getRunningLoop(), pidfd: -1 }, () => null);
  }
  /** Stops watching `pid`; whether it was watched. */
  override removeChildHandler(pid: number): boolean {
    return this.#table.remove(pid);
  }
}

/**
 * Python 3.11's `SafeChildWatcher`: bound to the loop it is attached to,
 * and active only while that loop runs. Exits are reported on that loop.
 *
 * @example
 * ```ts
 * const watcher = new asyncio.SafeChildWatcher();
 * asyncio.setChildWatcher(watcher);
 * watcher.attachLoop(asyncio.getRunningLoop());
 * ```
 */
export class SafeChildWatcher extends AbstractChildWatcher {
  #table = new ChildTable();
  #loop: AbstractEventLoop | null = null;
  /** Whether it is attached to a loop that is running. */
  override isActive(): boolean {
    return this.#loop !== null && this.#loop.isRunning();
  }
  /** Forgets the children and detaches. */
  override close(): void {
    this.#table.clear();
    this.attachLoop(null);
  }
  /** Binds the watcher to `loop` (null: unbinds it). */
  override attachLoop(loop: AbstractEventLoop | null): void {
    checkLoop(loop);
    this.#loop = loop;
  }
  /** Watches `pid`; the callback runs on the attached loop. */
  override addChildHandler(pid: number, callback: ChildCallback, ...args: unknown[]): void {
    this.#table.watch(pid, { callback, args, loop: null, pidfd: -1 }, () => this.#loop);
  }
  /** Stops watching `pid`; whether it was watched. */
  override removeChildHandler(pid: number): boolean {
    return this.#table.remove(pid);
  }
}

/**
 * Python 3.11's `FastChildWatcher`. Python's calls `waitpid(-1)`, reaping
 * every child; this one reaps only the children added to it, as
 * {@link SafeChildWatcher} does, so the host runtime's own children are
 * left alone.
 *
 * @example
 * ```ts
 * asyncio.setChildWatcher(new asyncio.FastChildWatcher());
 * ```
 */
export class FastChildWatcher extends SafeChildWatcher {}

/**
 * Python 3.11's `PidfdChildWatcher`: each child's pidfd is watched by the
 * attached loop, which must be running for the watcher to be active.
 *
 * @example
 * ```ts
 * asyncio.setChildWatcher(new asyncio.PidfdChildWatcher());
 * await asyncio.run(main); // run() attaches it to its loop
 * ```
 */
export class PidfdChildWatcher extends AbstractChildWatcher {
  #loop: AbstractEventLoop | null = null;
  #children = new Map<number, Watched>();
  #status = new Int32Array(1);

  /** Whether it is attached to a loop that is running. */
  override isActive(): boolean {
    return this.#loop !== null && this.#loop.isRunning();
  }
  /** Detaches from the loop (closing the pidfds). */
  override close(): void {
    this.attachLoop(null);
  }
  /** Binds the watcher to `loop`; the children watched so far are dropped. */
  override attachLoop(loop: AbstractEventLoop | null): void {
    for (const w of this.#children.values()) this.#unwatch(w);
    this.#children.clear();
    this.#loop = loop;
  }
  /** Watches `pid` through a pidfd on the attached loop. */
  override addChildHandler(pid: number, callback: ChildCallback, ...args: unknown[]): void {
    const existing = this.#children.get(pid);
    if (existing !== undefined) {
      this.#children.set(pid, { ...existing, callback, args });
      return;
    }
    const loop = this.#loop;
    if (loop === null) {
      // Python's `self._loop._add_reader` on None.
      throw new AttributeError("'NoneType' object has no attribute '_add_reader'");
    }
    const pidfd = check(sys().pidfdOpen(pid, 0));
    loop.addReader(pidfd, () => this.#wait(pid));
    this.#children.set(pid, { callback, args, loop, pidfd });
  }
  /** Stops watching `pid`; whether it was watched. */
  override removeChildHandler(pid: number): boolean {
    const w = this.#children.get(pid);
    if (w === undefined) return false;
    this.#children.delete(pid);
    this.#unwatch(w);
    return true;
  }

  #unwatch(w: Watched): void {
    if (w.loop !== null && !w.loop.isClosed()) w.loop.removeReader(w.pidfd);
    sys().close(w.pidfd);
  }

  #wait(pid: number): void {
    const w = this.#children.get(pid);
    if (w === undefined) return;
    const r = sys().waitpid(pid, this.#status, WNOHANG);
    if (r === 0 || r === -ERRNO.EINTR) return;
    let rc: number | null = 255;
    if (r === -ERRNO.ECHILD) {
      logger.warning(
        `child process pid ${pid} exit status already read:  will report returncode 255`,
      );
    } else if (r > 0) {
      rc = returncodeOf(this.#status[0]);
      if (rc === null) return; // stopped or continued
    }
    this.#children.delete(pid);
    this.#unwatch(w);
    (w.callback as (...a: unknown[]) => unknown)(pid, rc, ...w.args);
  }
}

/**
 * @internal What `createSubprocessExec` asks before it starts a child, as
 * Python's `_make_subprocess_transport` does: the policy's watcher (set by
 * `policies.ts`, which this module cannot import) must be active.
 */
export const watcherSource = {
  get: null as (() => AbstractChildWatcher) | null,
};

/** @internal Python's check before a child starts: a `RuntimeError` when the watcher is not active. */
export function checkChildWatcher(): void {
  const watcher = watcherSource.get?.();
  if (watcher !== undefined && !watcher.isActive()) {
    throw new RuntimeError(
      "asyncio.get_child_watcher() is not activated, subprocess support is not installed.",
    );
  }
}

setPyModule(
  "asyncio.unix_events",
  AbstractChildWatcher,
  ThreadedChildWatcher,
  MultiLoopChildWatcher,
  SafeChildWatcher,
  FastChildWatcher,
  PidfdChildWatcher,
);
printAsRepr(AbstractChildWatcher);
