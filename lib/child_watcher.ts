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
 * @module
 */
import process from "node:process";
import { clearTimeout as hostClearTimeout, setTimeout as hostTimeout } from "node:timers";
import { ERRNO, sys } from "../ffi/mod.ts";
import { listenSignal, SIGNALS } from "../ffi/signals.ts";
import { returncodeOf } from "../ffi/spawn.ts";

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
