/**
 * `Future`: a result that will exist later, bound to an event loop.
 *
 * A Future is a thenable: `await fut` works in any async function. Done
 * callbacks (and the continuations of `await`) are scheduled on the loop with
 * `callSoon`, in the order they were added, each in the context that was
 * current when it was added.
 *
 * @module
 */
import process from "node:process";
import { bindOverrides, registerBound } from "./bound_methods.ts";
import type { Context } from "./contextvars.ts";
import { checkOptions, currentContext, rootContext } from "./contextvars.ts";
import { type Callback, Handle, type ReadyItem } from "./events.ts";
import { _isBaseError, CancelledError, InvalidStateError, RuntimeError } from "./exceptions.ts";
import {
  _boundQualnames,
  formatCallback,
  printAsRepr,
  pyRepr,
  pyTypeName,
  shortRepr,
  withEmptyArg,
} from "./format.ts";
import { _unraised } from "./log.ts";
import type { RingQueue } from "./ring.ts";
import {
  hooks,
  running,
  type RunningTask,
  suspended,
  suspensions,
  taskInScope,
  taskStorage,
} from "./running.ts";

/**
 * What a Future needs of its loop (every event loop of this library has it).
 *
 * @example
 * ```ts
 * const loop: FutureLoop = asyncio.newEventLoop();
 * ```
 */
export interface FutureLoop {
  /** @internal Queues a handle for the next iteration. */
  _addHandle(h: ReadyItem): void;
  /** Hands an error context to the loop's exception handler. */
  callExceptionHandler(context: Record<string, unknown>): void;
  /** Whether the loop is in debug mode. */
  getDebug(): boolean;
  /** Whether the loop was closed. */
  isClosed(): boolean;
}

interface UnreadReport {
  loop: FutureLoop;
  /** Still to be reported: cleared once the exception is read or reported. */
  log: boolean;
  exception: unknown;
  message: string;
  repr: string;
  sourceTraceback: string | null;
  /**
   * The future itself while it lives: a report made before it is collected
   * (`_reportUnread`, at run()'s end) hands the handler the real Task, as
   * Python's does (`context["future"].get_name()`); weak, so the report
   * never keeps it alive.
   */
  ref: WeakRef<object>;
}

/**
 * Per loop, the reports not made yet: futures whose exception is unread
 * and that were not collected. They hold the reports, never the futures.
 */
const unreadByLoop = new WeakMap<FutureLoop, Set<UnreadReport>>();

function unreadOf(loop: FutureLoop): Set<UnreadReport> {
  let s = unreadByLoop.get(loop);
  if (s === undefined) {
    s = new Set();
    unreadByLoop.set(loop, s);
  }
  return s;
}

/** Calls the loop's exception handler for one report, once. */
function report(r: UnreadReport): void {
  if (!r.log) return;
  r.log = false;
  unreadByLoop.get(r.loop)?.delete(r);
  const context: Record<string, unknown> = {
    message: r.message,
    exception: r.exception,
    // Once collected, a stand-in that prints as the future did.
    future: r.ref.deref() ?? { toString: () => r.repr },
  };
  if (r.sourceTraceback) context.source_traceback = r.sourceTraceback;
  r.loop.callExceptionHandler(context);
}

/** Runs on a later host turn after a future with an unread exception was collected. */
const unreadRegistry = new FinalizationRegistry<UnreadReport>((r) => {
  // While the loop waits: the handler runs as in the loop, as CPython's
  // does (`asyncio.create_task()` works there).
  const outside = running.loop === null && (r.loop as { isRunning?(): boolean }).isRunning?.();
  if (outside) running.loop = r.loop;
  try {
    report(r);
  } finally {
    if (outside) running.loop = null;
  }
});

/** The runtime's full collection, or null where there is none to call. */
let forceGc: (() => void) | null | undefined;

function gcFunction(): (() => void) | null {
  if (forceGc !== undefined) return forceGc;
  forceGc = null;
  // Not on Bun: there the ended task outlives a collection at that point
  // anyway, while futures that only a dead local still names do not.
  if ("Bun" in globalThis) return forceGc;
  try {
    // V8 (Deno, Node): `gc` exposed to a fresh context, made once.
    const v8 = process.getBuiltinModule("node:v8") as typeof import("node:v8");
    const vm = process.getBuiltinModule("node:vm") as typeof import("node:vm");
    v8.setFlagsFromString("--expose-gc");
    forceGc = vm.runInNewContext("gc") as () => void;
  } catch {
    forceGc = null;
  }
  return forceGc;
}

/** Loops asked to collect once they are about to wait. */
const collectAsked = new WeakSet<object>();
/** When the last forced collection ended, and how long it took (ms). */
let lastCollectEnd = -Infinity;
let lastCollectCost = 0;

/**
 * CPython reports an unread exception the moment the future's last
 * reference goes: a program's exception handler hears at once of a failed
 * task that nothing kept, and may stop the loop (the usual "shut down on
 * error" handler of a `runForever()` program). A JS collector may not run
 * for minutes, so once a loop with such a report is about to wait, it
 * collects once: a future nothing references is reported then; one still
 * referenced survives, as in Python. Off the fast path: only futures whose
 * exception is unread ask, and at most a hundredth of the time goes to it.
 */
function collectWhenIdle(loop: FutureLoop): void {
  // The loop's calls for when it is about to wait (base_events.ts).
  const l = loop as { _whenIdle?: Array<() => void> };
  if (l._whenIdle === undefined || collectAsked.has(loop)) return;
  collectAsked.add(loop);
  const collect = () => {
    if (!unreadByLoop.get(loop)?.size) return void collectAsked.delete(loop);
    // Too soon after the last one: at a later wait.
    if (performance.now() - lastCollectEnd < 100 * lastCollectCost) {
      return void l._whenIdle!.push(collect);
    }
    collectAsked.delete(loop);
    const gc = gcFunction();
    if (gc === null) return;
    // On a host turn of its own, once the loop waits: a WeakRef made in
    // this JS job (a task's, a report's) keeps its object alive to its end.
    setTimeout(() => {
      const start = performance.now();
      gc();
      lastCollectEnd = performance.now();
      lastCollectCost = lastCollectEnd - start;
    }, 0);
  };
  l._whenIdle.push(collect);
}

/**
 * @internal Reports now every future of `loop` whose exception was never
 * read: CPython reports each when its last reference goes, at the latest
 * when the interpreter exits, while a JS collector may never collect them
 * before the process ends. `Runner` calls it when its main coroutine is
 * done and when it closes, where CPython's frames let go of them; with
 * `keepScheduled` (the main coroutine done, the loop to run on), a future
 * that a queued callback will be handed is left for that callback.
 */
export function _reportUnread(loop: object, opts?: { keepScheduled?: boolean }): void {
  const pending = unreadByLoop.get(loop as FutureLoop);
  if (pending === undefined || pending.size === 0) return;
  const held = opts?.keepScheduled ? scheduledFutures(loop) : null;
  for (const r of [...pending]) {
    const fut = held !== null ? r.ref.deref() : undefined;
    if (fut === undefined || !held!.has(fut)) report(r);
  }
}

/**
 * The futures that callbacks waiting in `loop`'s ready queue will be handed
 * (an awaiting task's wake-up, a done callback, `gather`'s): CPython's
 * handles keep them alive, and the callback may still read the exception
 * (a task awaiting a child that failed as the main coroutine returned).
 */
function scheduledFutures(loop: object): Set<object> {
  const held = new Set<object>();
  const ready = (loop as { _ready?: { forEach(fn: (h: unknown) => void): void } })._ready;
  ready?.forEach((h) => {
    if (h instanceof DoneEntry || h instanceof ThenEntry) held.add(h.fut);
    else if (h instanceof Handle && h._args !== null) {
      for (const a of h._args) if (a instanceof Future) held.add(a);
    }
  });
  return held;
}

const PENDING = 0;
/** How far back from the newest ready callback `_unsetResult` looks for those it cancels. */
const UNSET_DEPTH = 1024;
const CANCELLED = 1;
const FINISHED = 2;
const STATE_NAMES = ["PENDING", "CANCELLED", "FINISHED"];

/** A done callback: called with the future once it is done. */
export type DoneCallback<T> = (fut: Future<T>) => unknown;

/** The part of a Task that futures talk to while it awaits them. @internal */
export interface AwaitingTask {
  /** The task awaited this future (its code called `then()` on it). */
  _awaiting(fut: Future<unknown>): void;
  /** The future the task is suspended on (Python's `_fut_waiter`), shown by its repr. */
  _futWaiter: Future<unknown> | null;
  /** A cancellation requested while the awaited future could not be cancelled. */
  _mustCancel: boolean;
  /** The CancelledError to deliver for a pending cancellation. */
  _makeCancelledError(): CancelledError;
}

/**
 * What the two kinds of future entries share: each is queued as the loop
 * callback itself and answers as the Handle it stands for (`cancel()`,
 * `cancelled()`); the flags default on the prototype (see below).
 */
abstract class FutureEntry {
  /** Skipped by the loop once true. */
  declare _cancelled: boolean;
  /** Where it was scheduled, in debug mode. */
  declare _sourceTraceback: string | null;

  /** As `Handle.cancel()`. */
  cancel(): void {
    this._cancelled = true;
  }

  /** As `Handle.cancelled()`. */
  cancelled(): boolean {
    return this._cancelled;
  }
}

Object.defineProperties(FutureEntry.prototype, {
  _cancelled: { value: false, writable: true },
  _sourceTraceback: { value: null, writable: true },
});

/**
 * A done callback; its future type is erased so Future<T> stays covariant in T.
 *
 * It is queued as the loop callback itself, standing for the Handle that
 * Python's `call_soon(fn, fut)` would make: one small object per callback
 * (a gather of 100,000 tasks holds one per task), not an entry plus a handle
 * plus an argument array.
 *
 * @internal
 */
export class DoneEntry extends FutureEntry implements ReadyItem {
  declare readonly _wakes: boolean;
  declare readonly _wakeOwner: object | null;

  constructor(
    readonly fn: (fut: never) => unknown,
    readonly fut: Future<unknown>,
    readonly _context: Context,
  ) {
    super();
  }

  /** Calls `fn(fut)` in its context; an error goes to the loop's handler. */
  _run(): void {
    const prev = running.context;
    running.context = this._context;
    try {
      (this.fn as (fut: Future<unknown>) => unknown)(this.fut);
    } catch (err) {
      // As Python's Handle._run: Ctrl+C and sys.exit() are not the
      // callback's errors to log but the program's, out of runForever().
      if (_isBaseError(err)) throw err;
      // A callback that is not callable fails in Python's words, not JS's
      // ("this.fn is not a function").
      const exc = typeof this.fn === "function"
        ? err
        : new TypeError(`'${pyTypeName(this.fn)}' object is not callable`);
      // As Python, the handler runs outside the callback's `Context.run`.
      running.context = prev;
      // The handler sees the Handle this entry stands for (a program's
      // handler may check `instanceof Handle` or print its class name),
      // made here, on the error path, rather than for every callback.
      const handle = new Handle(this.fn as Callback, [this.fut], this.fut._loop, this._context);
      handle._sourceTraceback = this._sourceTraceback;
      const context: Record<string, unknown> = {
        message: `Exception in callback ${formatCallback(this.fn, [this.fut])}`,
        exception: exc,
        handle,
      };
      if (this._sourceTraceback) context.source_traceback = this._sourceTraceback;
      this.fut._loop.callExceptionHandler(context);
    } finally {
      running.context = prev;
    }
  }

  /** `<Handle fn(<Future ...>)>`, as the handle it stands for. */
  override toString(): string {
    return `<Handle ${formatCallback(this.fn, [this.fut])}>`;
  }
}

/**
 * An `await` (or `.then()`) parked on a future. It is also the loop
 * callback that resumes it once the future is done: one object per await,
 * not an entry plus a handle plus an argument array.
 */
class ThenEntry extends FutureEntry implements ReadyItem {
  declare readonly _wakes: boolean;

  constructor(
    readonly fut: Future<unknown>,
    readonly onFulfilled: ((v: unknown) => unknown) | null | undefined,
    readonly onRejected: ((e: unknown) => unknown) | null | undefined,
    readonly resolve: (v: unknown) => void,
    readonly reject: (e: unknown) => void,
    readonly task: AwaitingTask | undefined,
    readonly _context: Context,
  ) {
    super();
  }

  /** The task this resumes: the loop runs its wake-ups in a row without a drain between. */
  get _wakeOwner(): object | null {
    return this.task ?? null;
  }

  /** Resumes the await, in the context it was made in. */
  _run(): void {
    const prev = running.context;
    running.context = this._context;
    try {
      settleThen(this.fut, this);
    } catch (exc) {
      this.fut._loop.callExceptionHandler({
        message: `Exception in callback ${this}`,
        exception: exc,
        handle: this,
      });
    } finally {
      running.context = prev;
    }
  }

  /** `<Handle settleThen(<Future ...>)>`, as the handle it stands for. */
  override toString(): string {
    return `<Handle ${formatCallback(settleThen, [this.fut])}>`;
  }
}

Object.defineProperty(DoneEntry.prototype, "_wakes", { value: false });
Object.defineProperty(DoneEntry.prototype, "_wakeOwner", { value: null });
Object.defineProperty(ThenEntry.prototype, "_wakes", { value: true });

/** What a future's `_callbacks` holds: one entry alone (most futures get one or none), or many. */
type Entry = DoneEntry | ThenEntry;

/** The entries of a `_callbacks` value, as an array. @internal */
function entries(cbs: Entry | Entry[] | null): Entry[] {
  return cbs === null ? [] : Array.isArray(cbs) ? cbs : [cbs];
}

/** Where {@link captureResolvers} leaves a new promise's resolvers, taken at once by `then()`. */
let capturedResolve: ((v: unknown) => void) | null = null;
let capturedReject: ((e: unknown) => void) | null = null;

/** The executor of `then()`'s promise: one shared function, no closure per call. */
function captureResolvers(resolve: (v: never) => void, reject: (e: unknown) => void): void {
  capturedResolve = resolve as (v: unknown) => void;
  capturedReject = reject;
}

function settleThen(fut: Future<unknown>, entry: ThenEntry, resumed = true): void {
  let ok: boolean;
  let value: unknown;
  const task = entry.task;
  if (fut._state === CANCELLED) {
    ok = false;
    value = fut._makeCancelledError();
  } else if (fut._exception !== null) {
    ok = false;
    value = fut._exception;
    fut._logTraceback = false;
    // The await raises it: from now on it has a traceback, as in Python.
    _unraised.delete(value as object);
  } else {
    ok = true;
    value = fut._result;
  }
  // Python's Task.__step: a task that resumes waits on nothing any more
  // (its repr stops showing `wait_for=`).
  if (task !== undefined && task._futWaiter === fut) task._futWaiter = null;
  if (resumed && task !== undefined && task._mustCancel) {
    // Python's Task.__step: a cancellation that could not reach the awaited
    // future is thrown into the coroutine at this await instead of the
    // result, unless the future already gives a CancelledError (the first
    // `cancel(msg)` reached it, so its message wins over a later one's).
    task._mustCancel = false;
    if (ok || !(value instanceof CancelledError)) {
      ok = false;
      value = task._makeCancelledError();
    }
  }
  const handler = ok ? entry.onFulfilled : entry.onRejected;
  if (typeof handler !== "function") {
    if (ok) entry.resolve(value);
    else entry.reject(value);
    return;
  }
  try {
    entry.resolve(handler(value));
  } catch (e) {
    entry.reject(e);
  }
}

/**
 * What `cancel()` takes: the message, or Python's keyword form
 * `cancel(msg="...")` ported by rule 3 of API.md, `cancel({ msg: "..." })`.
 *
 * @example
 * ```ts
 * task.cancel("shutting down");
 * task.cancel({ msg: "shutting down" });
 * ```
 */
export type CancelMessage = string | { msg?: string | null };

/**
 * @internal The message a `cancel()` call gives: its argument, or the `msg`
 * of its keyword form (a plain object, which was never a message a port
 * meant: it used to print as `[object Object]`). Another key is Python's
 * TypeError, worded as the C method words it unless `unexpected` words it.
 */
export function _cancelMessageArg(
  msg: unknown,
  unexpected = (key: string) => `'${key}' is an invalid keyword argument for cancel()`,
): string | undefined {
  if (typeof msg !== "object" || msg === null) return (msg ?? undefined) as string | undefined;
  const proto = Object.getPrototypeOf(msg);
  if (proto !== Object.prototype && proto !== null) return msg as unknown as string;
  for (const key of Object.keys(msg)) {
    if (key !== "msg") throw new TypeError(unexpected(key));
  }
  return (msg as { msg?: string | null }).msg ?? undefined;
}

/**
 * @internal Python's `CancelledError(msg)` for a `cancel(msg)` message: none
 * is `CancelledError()`, and an empty string is still an argument,
 * `CancelledError('')` (args `('',)`), as `cancel("")` gives in Python.
 */
export function _cancelledError(msg: unknown): CancelledError {
  if (msg === undefined || msg === null) return new CancelledError();
  const e = new CancelledError(msg);
  return msg === "" ? withEmptyArg(e) : e;
}

/**
 * A Future, as in Python's asyncio: set once with a result, an exception,
 * or cancelled.
 *
 * @example
 * ```ts
 * const loop = asyncio.getRunningLoop();
 * const fut = loop.createFuture<number>();
 * loop.callLater(0.1, () => fut.setResult(42));
 * console.log(await fut); // 42
 * ```
 */
export class Future<T = unknown> implements PromiseLike<T> {
  /** @internal */
  _state = PENDING;
  /** @internal */
  _result: T | undefined = undefined;
  /** @internal */
  _exception: unknown = null;
  /** @internal */
  _loop: FutureLoop;
  /**
   * @internal Done callbacks and parked awaits, in order; null while there
   * are none (most futures get one or none: no array for them).
   */
  _callbacks: Entry | Entry[] | null = null;
  // The three below default on the prototype (see the end of this module):
  // most futures never set them, and a hundred thousand live tasks are each
  // a Future; every field is 8 bytes more per task to allocate and copy in GC.
  /** @internal */
  declare _cancelMessage: string | undefined;
  /** @internal The report shared with the GC and the loop: is the exception still unread? */
  declare _unread: UnreadReport | null;
  /** @internal Where it was created, in debug mode. */
  declare _sourceTraceback: string | null;

  /** @internal An exception was set and nobody has looked at it yet. */
  get _logTraceback(): boolean {
    return this._unread !== null && this._unread.log;
  }
  set _logTraceback(v: boolean) {
    const r = this._unread;
    if (r === null) {
      if (v) this.#watchUnread();
    } else if (r.log !== v) {
      r.log = v;
      if (v) unreadOf(r.loop).add(r);
      else unreadByLoop.get(r.loop)?.delete(r);
    }
  }

  /**
   * Reports "exception was never retrieved" if this future is collected
   * with its exception unread, as Python's `__del__` does. The report holds
   * no reference to the future, only what the message needs.
   */
  #watchUnread(): void {
    const r: UnreadReport = {
      loop: this._loop,
      log: true,
      exception: this._exception,
      message: `${this.constructor.name} exception was never retrieved`,
      repr: String(this),
      sourceTraceback: this._sourceTraceback,
      ref: new WeakRef(this),
    };
    this._unread = r;
    unreadOf(r.loop).add(r);
    unreadRegistry.register(this, r);
    collectWhenIdle(r.loop);
  }

  /** A pending future on `loop` (default: `getEventLoop()`). */
  constructor(opts?: { loop?: FutureLoop }) {
    const loop = opts?.loop ?? (hooks.getEventLoop!() as FutureLoop);
    this._loop = loop;
    if (loop.getDebug()) this._sourceTraceback = new Error().stack ?? null;
    // A subclass's own `setResult` or `cancel`, read as a value, is bound
    // as Python's is (`loop.callLater(1, fut.setResult, 42)`). A task pays
    // one own-key test; a plain future nothing.
    if (new.target !== Future) bindOverrides(this);
  }

  /** The loop this future is bound to. */
  getLoop(): FutureLoop {
    return this._loop;
  }

  /**
   * Cancels the future and schedules its callbacks. False if it was done
   * already. `msg` is carried into the `CancelledError`; Python's
   * `cancel(msg="...")` is `cancel({ msg: "..." })`.
   */
  cancel(msg?: CancelMessage): boolean {
    msg = _cancelMessageArg(msg);
    this._logTraceback = false;
    if (this._state !== PENDING) return false;
    this._state = CANCELLED;
    this._cancelMessage = msg;
    this._scheduleCallbacks();
    return true;
  }

  /** Whether it was cancelled. */
  cancelled(): boolean {
    return this._state === CANCELLED;
  }

  /** Whether it has a result, an exception, or was cancelled. */
  done(): boolean {
    return this._state !== PENDING;
  }

  /**
   * The result. Throws the exception if one was set, `CancelledError` if
   * cancelled, `InvalidStateError` if not done.
   */
  result(): T {
    if (this._state === CANCELLED) throw this._makeCancelledError();
    // The messages are those of CPython's C Future, which is what Python programs print.
    if (this._state !== FINISHED) throw new InvalidStateError("Result is not set.");
    this._logTraceback = false;
    if (this._exception !== null) {
      // Raised here: from now on it has a traceback, as in Python.
      _unraised.delete(this._exception as object);
      throw this._exception;
    }
    return this._result as T;
  }

  /** The exception set, or null. `CancelledError` if cancelled; `InvalidStateError` if not done. */
  exception(): unknown {
    if (this._state === CANCELLED) throw this._makeCancelledError();
    if (this._state !== FINISHED) throw new InvalidStateError("Exception is not set.");
    this._logTraceback = false;
    return this._exception;
  }

  /**
   * Calls `fn(future)` once done (soon, if done already), in `context` or
   * the current one. As in CPython 3.11, `fn` is not checked here: one that
   * is not callable (a coroutine object, `fut.add_done_callback(f())`) fails
   * when it is called, through the loop's exception handler.
   */
  addDoneCallback(fn: DoneCallback<T>, opts?: { context?: Context }): void {
    if (opts !== undefined) checkOptions("add_done_callback", opts, "context", "exactly");
    this._addDoneEntry(fn as (fut: never) => unknown, opts?.context ?? currentContext().copy());
  }

  /**
   * @internal `addDoneCallback` without the checks, in a given context:
   * for the library's own callbacks, which set no context variable and so
   * need no copy of the context.
   */
  _addDoneEntry(fn: (fut: never) => unknown, ctx: Context): void {
    if (this._state !== PENDING) {
      // Scheduled with call_soon, as in Python: refused by a closed loop.
      if (this._loop.isClosed()) throw new RuntimeError("Event loop is closed");
      this._loop._addHandle(new Handle(fn, [this], this._loop, ctx));
    } else {
      this.#push(new DoneEntry(fn, this as Future<unknown>, ctx));
    }
  }

  #push(e: Entry): void {
    // Debug mode: marked here, filled in with where it is scheduled (as Python's call_soon).
    if (this._loop.getDebug()) e._sourceTraceback = "";
    const cbs = this._callbacks;
    if (cbs === null) this._callbacks = e;
    else if (Array.isArray(cbs)) cbs.push(e);
    else this._callbacks = [cbs, e];
  }

  /** Removes every registration of `fn`; returns how many were removed. */
  removeDoneCallback(fn: DoneCallback<T>): number {
    const cbs = entries(this._callbacks);
    // Python compares with ==: `fut.cancel` read twice is one bound method.
    const self = receiverOf(fn);
    const same = (g: unknown) =>
      g === fn ||
      (self !== undefined && (g as { name?: string }).name === fn.name && receiverOf(g) === self);
    const kept = cbs.filter((e) => !(e instanceof DoneEntry && same(e.fn)));
    this._callbacks = kept.length > 1 ? kept : kept.length ? kept[0] : null;
    return cbs.length - kept.length;
  }

  /** Marks the future done with `result`; `InvalidStateError` if done already. */
  setResult(result: T): void {
    if (this._state !== PENDING) {
      throw new InvalidStateError("invalid state");
    }
    this._result = result;
    this._state = FINISHED;
    this._scheduleCallbacks();
  }

  /** Marks the future done with an exception; `InvalidStateError` if done already. */
  setException(exception: unknown): void {
    this._setException(exception, false);
  }

  /**
   * @internal `setException`, told whether the exception was raised: a
   * task's own, which its code threw (Task's `setException` refuses to be
   * called), or one handed to a future by hand.
   */
  _setException(exception: unknown, raised: boolean): void {
    if (this._state !== PENDING) {
      throw new InvalidStateError("invalid state");
    }
    if (typeof exception === "function") {
      exception = new (exception as new () => unknown)();
    }
    if (exception === null || exception === undefined) {
      throw new TypeError("invalid exception object");
    }
    this._exception = exception;
    this._state = FINISHED;
    // A traceback is printed for an exception that was raised: a task's,
    // or one that `await` or result() raised; not for one handed to a future
    // by hand and not raised since, as it mostly never was.
    if (typeof exception === "object") {
      if (raised) _unraised.delete(exception);
      else _unraised.add(exception);
    }
    this._scheduleCallbacks();
    this._logTraceback = true;
  }

  /**
   * The thenable protocol: `await fut` and `fut.then(...)` both land here.
   * The continuation runs from the loop, like a done callback.
   */
  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    const task = taskInScope() as (AwaitingTask & RunningTask) | undefined;
    // A shared executor rather than a closure: every `await` of a future
    // comes here, and a closure and its scope are a third of what it allocates.
    const promise = new Promise<R1 | R2>(captureResolvers);
    const resolve = capturedResolve!;
    const reject = capturedReject!;
    capturedResolve = capturedReject = null;
    const entry = new ThenEntry(
      this as Future<unknown>,
      onFulfilled as ((v: unknown) => unknown) | null | undefined,
      onRejected,
      resolve,
      reject,
      task,
      // currentContext(), without looking the task up a second time.
      running.context ?? (task !== undefined ? task._context : rootContext),
    );
    if (this._state !== PENDING) {
      // Python's `await` of a done future does not yield to the loop.
      suspensions.progress++;
      settleThen(this as Future<unknown>, entry, false);
      return promise;
    }
    suspended();
    // A task's own code awaiting the task (not code outside every task,
    // which counts as the main task's: see `taskInScope`).
    const selfAwait = (task as unknown) === this && taskStorage.getStore() === task;
    if (task !== undefined && (task._loop !== this._loop || selfAwait)) {
      // Python's Task.__step refuses such a future: the RuntimeError is
      // thrown into the task at this await on its loop's next iteration.
      const loop = task._loop as FutureLoop;
      const err = new RuntimeError(
        selfAwait
          ? `Task cannot await on itself: ${task}`
          : `Task ${task} got Future ${this} attached to a different loop`,
      );
      const fail = () => {
        if (typeof onRejected !== "function") return reject(err);
        try {
          resolve(onRejected(err));
        } catch (e) {
          reject(e);
        }
      };
      loop._addHandle(new Handle(fail, null, loop as never, entry._context));
      return promise;
    }
    this.#push(entry);
    // After the push: a pending cancellation may cancel this future now,
    // and the entry must be among the callbacks that cancel() schedules.
    if (task !== undefined && (task as unknown) !== this) task._awaiting(this as Future<unknown>);
    return promise;
  }

  /** `fut.catch(fn)`, as on a Promise. */
  catch<R = never>(onRejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.then(undefined, onRejected);
  }

  /** `fut.finally(fn)`, as on a Promise. */
  finally(onFinally?: (() => void) | null): Promise<T> {
    return Promise.resolve(this as PromiseLike<T>).finally(onFinally);
  }

  /**
   * @internal Sets the result and resumes the code awaiting it right away,
   * from the callback running now (no extra loop iteration): `sleep(0)`.
   */
  _setResultNow(result: T): void {
    if (this._state !== PENDING) return;
    this._result = result;
    this._state = FINISHED;
    const cbs = this._callbacks;
    if (cbs === null) return;
    this._callbacks = null;
    for (const e of entries(cbs)) {
      if (e instanceof ThenEntry) settleThen(this as Future<unknown>, e);
      else this.#schedule(e);
    }
  }

  /**
   * @internal Takes back the `setResult()` that has just scheduled
   * `scheduled` (what `_callbacks` held before it), none of them run yet:
   * their runs are cancelled and the future is pending again, awaited as
   * before. For a queue's put or get that acted at once and is undone for a
   * task made from its promise (`takeBackForTask`): Python's has not run,
   * so the waiter it woke has not been woken, and must not run before the
   * task's first step wakes it again. False, with nothing changed, unless
   * they are queued in a row among the newest ready callbacks.
   */
  _unsetResult(scheduled: Entry | Entry[] | null): boolean {
    if (this._state !== FINISHED || this._exception !== null || this._callbacks !== null) {
      return false;
    }
    const list = entries(scheduled);
    if (list.length !== 0) {
      const ready = (this._loop as { _ready?: RingQueue<unknown> })._ready;
      if (ready === undefined) return false;
      const depth = Math.min(ready.length, UNSET_DEPTH);
      let k = 0;
      while (k < depth && ready.fromEnd(k) !== list[0]) k++;
      if (k === depth || k < list.length - 1) return false;
      for (let i = 0; i < list.length; i++) {
        if (ready.fromEnd(k - i) !== list[i] || list[i]._cancelled) return false;
      }
    }
    const fresh = list.map((e) => {
      e.cancel();
      const copy = e instanceof ThenEntry
        ? new ThenEntry(e.fut, e.onFulfilled, e.onRejected, e.resolve, e.reject, e.task, e._context)
        : new DoneEntry(e.fn, e.fut, e._context);
      if (e._sourceTraceback !== null) copy._sourceTraceback = "";
      return copy;
    });
    this._state = PENDING;
    this._result = undefined;
    this._callbacks = fresh.length === 0 ? null : fresh.length === 1 ? fresh[0] : fresh;
    return true;
  }

  #schedule(entry: ThenEntry | DoneEntry): void {
    // Debug mode: show where it was scheduled (as Python's call_soon does),
    // not where it was registered.
    if (entry._sourceTraceback !== null) entry._sourceTraceback = new Error().stack ?? "";
    this._loop._addHandle(entry);
  }

  /** @internal */
  _scheduleCallbacks(): void {
    const cbs = this._callbacks;
    if (cbs === null) return;
    this._callbacks = null;
    // Python's call_soon refuses them: set_result(), set_exception() and
    // cancel() raise, the future done all the same.
    if (this._loop.isClosed()) throw new RuntimeError("Event loop is closed");
    if (!Array.isArray(cbs)) this.#schedule(cbs);
    else for (const e of cbs) this.#schedule(e);
  }

  /** @internal */
  _makeCancelledError(): CancelledError {
    return _cancelledError(this._cancelMessage);
  }

  /** @internal The words of the repr after the class name. */
  _reprInfo(): string[] {
    const info = [STATE_NAMES[this._state].toLowerCase()];
    if (this._state === FINISHED) {
      if (this._exception !== null) info.push(`exception=${excRepr(this._exception)}`);
      else info.push(`result=${shortRepr(this._result)}`);
    }
    if (this._callbacks !== null) info.push(`cb=[${callbacksRepr(entries(this._callbacks))}]`);
    return info;
  }

  /** `<Future finished result=1>`, as Python prints it. */
  toString(): string {
    return `<${this.constructor.name} ${this._reprInfo().join(" ")}>`;
  }
}

Future.prototype._cancelMessage = undefined;
Future.prototype._unread = null;
Future.prototype._sourceTraceback = null;

/**
 * @internal Future's own `cancel` and `setResult`, unbound: for the
 * library's calls on its hot paths (a task ending, a timer waking a
 * sleep), where reading `fut.setResult` (or `super.cancel`) would bind a
 * copy per future (see below).
 */
export const _futureCancel: Future<unknown>["cancel"] = Future.prototype.cancel;
/** @internal See {@link _futureCancel}. */
export const _futureSetResult: Future<unknown>["setResult"] = Future.prototype.setResult;

/**
 * Makes the method `key` of `proto` a new copy bound by `bind` on each
 * read, named `qualname` in a Handle's repr (by the copy's own name). For futures, which are many and short-lived:
 * a copy kept on each one (as `bindOnRead` keeps, bound_methods.ts) costs a property
 * and a function per future whose `setResult()` is ever called, while a
 * copy that is only called (`fut.setResult(1)`) is never made at all by an
 * optimizing compiler. The price: two reads give two functions, so
 * `removeDoneCallback(fut.cancel)` does not find `addDoneCallback(fut.cancel)`.
 */
function bindOnEachRead(
  proto: object,
  key: string,
  qualname: string,
  bind: (self: never) => (...args: never[]) => unknown,
): void {
  const method = (proto as Record<string, unknown>)[key];
  _boundQualnames.set(bind(proto as never).name, qualname);
  Object.defineProperty(proto, key, {
    configurable: true,
    get(this: object) {
      // Read from a prototype (which has no loop): the method itself.
      return (this as Future<unknown>)._loop === undefined ? method : bind(this as never);
    },
    set(this: object, value: unknown) {
      Object.defineProperty(this, key, { value, writable: true, configurable: true });
    },
  });
}

// Python code passes these as callbacks: the spec's
// `loop.call_soon_threadsafe(fut.cancel)`, and the common
// `loop.call_later(1, fut.set_result, 42)`, port as they are. A subclass's
// own method is bound by the constructor instead (bindOverrides).
// Closures, not `bind()`: JavaScriptCore makes a bound function slowly
// (about 100 ns a `setResult()`). Each closure's name is the key of its
// Python name (see `_boundQualnames`); asked by `receiverOf`, it tells its
// future instead of running.
const { cancel, setResult, setException } = Future.prototype;
bindOnEachRead(
  Future.prototype,
  "cancel",
  "Future.cancel",
  (self: Future<unknown>) =>
    function boundFutureCancel(msg?: string) {
      if (probing) return void (probed = self);
      return cancel.call(self, msg);
    },
);
bindOnEachRead(
  Future.prototype,
  "setResult",
  "Future.set_result",
  (self: Future<unknown>) =>
    function boundFutureSetResult(result: unknown) {
      if (probing) return void (probed = self);
      return setResult.call(self, result);
    },
);
bindOnEachRead(
  Future.prototype,
  "setException",
  "Future.set_exception",
  (self: Future<unknown>) =>
    function boundFutureSetException(exception: unknown) {
      if (probing) return void (probed = self);
      return setException.call(self, exception);
    },
);

registerBound(Future.prototype, {
  cancel: "Future.cancel",
  setResult: "Future.set_result",
  setException: "Future.set_exception",
});

let probing = false;
let probed: unknown = undefined;

/**
 * The future a copy made by {@link bindOnEachRead} is bound to, or
 * undefined for any other function: two reads of `fut.cancel` are two
 * functions, equal as Python's bound methods are (`removeDoneCallback`).
 */
function receiverOf(fn: unknown): unknown {
  if (typeof fn !== "function" || !_boundQualnames.has(fn.name)) return undefined;
  probing = true;
  probed = undefined;
  try {
    (fn as () => void)();
  } finally {
    probing = false;
  }
  return probed;
}

/** One callback as Python's future repr names it: a task's await is `Task.task_wakeup()`. */
function callbackRepr(e: Entry): string {
  if (e instanceof DoneEntry) return formatCallback(e.fn, []);
  return e.task !== undefined ? "Task.task_wakeup()" : "<await>";
}

/** Python's `_format_callbacks`: up to two callbacks, else the first, `<N more>` and the last. */
function callbacksRepr(cbs: Entry[]): string {
  if (cbs.length <= 2) return cbs.map(callbackRepr).join(", ");
  return `${callbackRepr(cbs[0])}, <${cbs.length - 2} more>, ${callbackRepr(cbs[cbs.length - 1])}`;
}

/**
 * Python's repr of an exception: `ValueError('bad')`.
 *
 * @example
 * ```ts
 * excRepr(new RangeError("x")); // "RangeError('x')"
 * ```
 */
export function excRepr(e: unknown): string {
  // pyRepr's: an OSError shows its arguments, not its message
  // (`ConnectionRefusedError(111, 'Connection refused')`), an ExceptionGroup
  // its errors, a class its own name (a user's `class MyError extends Error`).
  return pyRepr(e);
}

/**
 * Whether `x` is a Future (or Task) of this library.
 *
 * @example
 * ```ts
 * isFuture(loop.createFuture()); // true
 * isFuture(Promise.resolve()); // false
 * ```
 */
export function isFuture(x: unknown): x is Future<unknown> {
  return x instanceof Future;
}

/**
 * Python's spelling, `asyncio.isfuture(obj)`, kept as `iscoroutine` is:
 * the same function as {@link isFuture}.
 *
 * @example
 * ```ts
 * asyncio.isfuture(asyncio.createTask(main)); // true
 * asyncio.isfuture(asyncio.Future); // false: the class, not a future
 * ```
 */
export const isfuture: (x: unknown) => x is Future<unknown> = isFuture;

printAsRepr(Future, FutureEntry);
