/**
 * Event loop policies and the loop functions built on them:
 * `getEventLoop`, `setEventLoop`, `newEventLoop`, and the policy getters.
 *
 * @module
 */
import { isMainThread } from "node:worker_threads";
import { _getRunningLoop, AbstractEventLoop } from "./events.ts";
import { NotImplementedError, RuntimeError } from "./exceptions.ts";
import { SelectorEventLoop } from "./unix_events.ts";
import { currentThreadName, emulatedThread, hooks } from "./running.ts";
import { objectHead, printAsRepr, pyTypeName, setPyModule } from "./format.ts";
import { AbstractChildWatcher, ThreadedChildWatcher, watcherSource } from "./child_watcher.ts";
import { AssertionError } from "./streams.ts";

/**
 * The interface of event loop policies.
 *
 * @example
 * ```ts
 * class MyPolicy extends asyncio.DefaultEventLoopPolicy {
 *   override newEventLoop() { return new asyncio.SelectorEventLoop(new asyncio.PollSelector()); }
 * }
 * asyncio.setEventLoopPolicy(new MyPolicy());
 * ```
 */
export abstract class AbstractEventLoopPolicy {
  /** The loop of the current context (thread). */
  getEventLoop(): AbstractEventLoop {
    throw new NotImplementedError();
  }
  /** Sets the loop of the current context (thread). */
  setEventLoop(_loop: AbstractEventLoop | null): void {
    throw new NotImplementedError();
  }
  /** Makes a new loop. */
  newEventLoop(): AbstractEventLoop {
    throw new NotImplementedError();
  }
  /** The watcher of child processes (Python 3.11; deprecated in 3.12). */
  getChildWatcher(): AbstractChildWatcher {
    throw new NotImplementedError();
  }
  /** Sets the watcher of child processes (Python 3.11; deprecated in 3.12). */
  setChildWatcher(_watcher: AbstractChildWatcher | null): void {
    throw new NotImplementedError();
  }

  /** Python's default repr: `<asyncio.unix_events._UnixDefaultEventLoopPolicy object at 0x7f...>`. */
  toString(): string {
    return `<${objectHead(this)}>`;
  }
}

/** A thread's current loop, as Python's policy keeps it (`_Local`). */
interface ThreadLoop {
  loop: AbstractEventLoop | null;
  setCalled: boolean;
}

/** The loop `getEventLoop()` made on demand (none was set), while it is current. */
let implicitLoop: AbstractEventLoop | null = null;
/** The policy that made it. */
let implicitOwner: AbstractEventLoopPolicy | null = null;

/**
 * @internal The current loop, if `getEventLoop()` made it on demand and it
 * holds callbacks or timers and is not running: what code started
 * before `asyncio.run(main())` (main's first segment, before its first
 * `await`) scheduled its tasks on. `run` runs that loop rather than a new
 * one, so that those tasks run instead of waiting forever.
 */
export function _adoptableLoop(): AbstractEventLoop | null {
  const loop = implicitLoop;
  // The main thread's: not for a function run in a thread's stead.
  if (loop === null || policy !== implicitOwner || emulatedThread() !== undefined) return null;
  const pending = (loop as { _hasPendingWork?: () => boolean })._hasPendingWork;
  if (loop.isClosed() || loop.isRunning() || typeof pending !== "function") return null;
  return pending.call(loop) ? loop : null;
}

/**
 * The default policy: one loop per thread (here: per Worker), created on
 * demand in the main thread only, as in Python.
 *
 * @example
 * ```ts
 * const policy = new asyncio.DefaultEventLoopPolicy();
 * const loop = policy.newEventLoop();
 * ```
 */
export class DefaultEventLoopPolicy extends AbstractEventLoopPolicy {
  /** The main thread's (or this Worker's) loop and whether `setEventLoop` was called. */
  #main: ThreadLoop = { loop: null, setCalled: false };
  /**
   * The same for each function an executor runs on the main thread in a
   * thread's stead: Python's policy keeps them thread-local, so such a
   * function neither sees the main thread's loop nor replaces it.
   */
  #threads = new WeakMap<object, ThreadLoop>();
  #watcher: AbstractChildWatcher | null = null;

  /** The state of the calling thread. */
  #here(): ThreadLoop {
    const thread = emulatedThread();
    if (thread === undefined) return this.#main;
    let st = this.#threads.get(thread);
    if (st === undefined) this.#threads.set(thread, st = { loop: null, setCalled: false });
    return st;
  }

  /**
   * The current loop. In the main thread one is made the first time, unless
   * `setEventLoop` was called; elsewhere a `RuntimeError`.
   */
  override getEventLoop(): AbstractEventLoop {
    const st = this.#here();
    if (st.loop === null && !st.setCalled && st === this.#main && isMainThread) {
      this.setEventLoop(this.newEventLoop());
      implicitLoop = st.loop;
      implicitOwner = this;
    }
    if (st.loop === null) {
      throw new RuntimeError(`There is no current event loop in thread '${currentThreadName()}'.`);
    }
    return st.loop;
  }

  /**
   * Sets the current loop (null to clear it). In the main thread, a child
   * watcher set or made before is attached to it, as in Python.
   */
  override setEventLoop(loop: AbstractEventLoop | null): void {
    const st = this.#here();
    st.setCalled = true;
    if (loop !== null && !(loop instanceof AbstractEventLoop)) {
      throw new TypeError(
        `loop must be an instance of AbstractEventLoop or None, not '${pyTypeName(loop)}'`,
      );
    }
    st.loop = loop;
    if (st !== this.#main) return;
    if (loop !== implicitLoop) implicitLoop = null;
    if (this.#watcher !== null && isMainThread) this.#watcher.attachLoop(loop);
  }

  /** The child watcher; a `ThreadedChildWatcher` is made the first time, as in Python 3.11. */
  override getChildWatcher(): AbstractChildWatcher {
    return this.#watcher ??= new ThreadedChildWatcher();
  }

  /** Sets the child watcher (null: the default again), closing the previous one. */
  override setChildWatcher(watcher: AbstractChildWatcher | null): void {
    // Python's `assert watcher is None or isinstance(watcher, AbstractChildWatcher)`.
    if (watcher !== null && !(watcher instanceof AbstractChildWatcher)) throw new AssertionError();
    this.#watcher?.close();
    this.#watcher = watcher;
  }

  /** A new `SelectorEventLoop`. */
  override newEventLoop(): AbstractEventLoop {
    return new SelectorEventLoop();
  }
}

let policy: AbstractEventLoopPolicy | null = null;

/**
 * The current policy (a `DefaultEventLoopPolicy` unless one was set).
 *
 * @example
 * ```ts
 * const loop = asyncio.getEventLoopPolicy().newEventLoop();
 * ```
 */
export function getEventLoopPolicy(): AbstractEventLoopPolicy {
  if (policy === null) policy = new DefaultEventLoopPolicy();
  return policy;
}

/**
 * Sets the policy; `null` restores the default.
 *
 * @example
 * ```ts
 * asyncio.setEventLoopPolicy(null);
 * ```
 */
export function setEventLoopPolicy(p: AbstractEventLoopPolicy | null): void {
  if (p !== null && !(p instanceof AbstractEventLoopPolicy)) {
    throw new TypeError(
      `policy must be an instance of AbstractEventLoopPolicy or None, not '${pyTypeName(p)}'`,
    );
  }
  policy = p;
}

/**
 * The running loop if there is one, else the policy's current loop.
 *
 * @example
 * ```ts
 * const loop = asyncio.getEventLoop();
 * loop.callSoon(() => loop.stop());
 * await loop.runForever();
 * ```
 */
export function getEventLoop(): AbstractEventLoop {
  return _getRunningLoop() ?? getEventLoopPolicy().getEventLoop();
}

/**
 * Makes `loop` the policy's current loop.
 *
 * @example
 * ```ts
 * asyncio.setEventLoop(asyncio.newEventLoop());
 * ```
 */
export function setEventLoop(loop: AbstractEventLoop | null): void {
  getEventLoopPolicy().setEventLoop(loop);
}

/**
 * A new loop from the policy.
 *
 * @example
 * ```ts
 * const loop = asyncio.newEventLoop();
 * ```
 */
export function newEventLoop(): AbstractEventLoop {
  return getEventLoopPolicy().newEventLoop();
}

/**
 * The current policy's child watcher (Python 3.11; deprecated in 3.12). The
 * default policy makes a `ThreadedChildWatcher`, which is always active.
 *
 * @example
 * ```ts
 * console.log(asyncio.getChildWatcher().constructor.name); // ThreadedChildWatcher
 * ```
 */
export function getChildWatcher(): AbstractChildWatcher {
  return getEventLoopPolicy().getChildWatcher();
}

/**
 * Sets the current policy's child watcher (Python 3.11; deprecated in 3.12).
 * A watcher bound to a loop is attached by `setEventLoop` (which `run`
 * calls), or with `watcher.attachLoop(loop)`.
 *
 * @example
 * ```ts
 * asyncio.setChildWatcher(new asyncio.PidfdChildWatcher());
 * await asyncio.run(main);
 * ```
 */
export function setChildWatcher(watcher: AbstractChildWatcher | null): void {
  getEventLoopPolicy().setChildWatcher(watcher);
}

hooks.getEventLoop = getEventLoop;
watcherSource.get = getChildWatcher;

// CPython's default policy on Unix is `_UnixDefaultEventLoopPolicy`: a ported
// `type(policy).__name__` (`policy.constructor.name`) prints that.
Object.defineProperty(DefaultEventLoopPolicy, "name", { value: "_UnixDefaultEventLoopPolicy" });
setPyModule("asyncio.events", AbstractEventLoopPolicy);
setPyModule("asyncio.unix_events", DefaultEventLoopPolicy);
printAsRepr(AbstractEventLoopPolicy);
