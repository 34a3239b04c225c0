/**
 * `Task`: a coroutine scheduled on a loop, and the functions that find tasks
 * (`currentTask`, `allTasks`, `ensureFuture`).
 *
 * A task runs its coroutine inside its own async context
 * (`AsyncLocalStorage`), so in every segment of its native async functions
 * `currentTask()` and context variables see the task, and an `await` on a
 * loop future tells the task what it is suspended on. `cancel()` cancels that
 * future, so the `CancelledError` surfaces at the innermost `await`, as in
 * Python.
 *
 * @module
 */
import { type Context, copyContext } from "./contextvars.ts";
import { Coroutine, driveGenerator, isGenerator, LibraryCall } from "./coroutines.ts";
import { type ExceptionContext, Handle, type ReadyItem } from "./events.ts";
import { _isBaseError, CancelledError, RuntimeError, ValueError } from "./exceptions.ts";
import {
  _cancelledError,
  _cancelMessageArg,
  _futureCancel,
  _futureSetResult,
  type CancelMessage,
  Future,
  type FutureLoop,
  isFuture,
} from "./futures.ts";
import { formatCallback, pyAddress, pyRepr, pyTypeName } from "./format.ts";
import { keywords } from "./keywords.ts";
import { _cancelOperationOf, takeBackForTask } from "./operations.ts";
import { hooks, running, suspended, taskInScope, taskStorage, untilALoopRuns } from "./running.ts";
import { fulfilledValue, NOT_FULFILLED } from "../ffi/promises.ts";
import {
  printTaskStack,
  type StackFrame,
  type StackOptions,
  type StackSource,
  taskStack,
  type TextSink,
} from "./task_stack.ts";
import { formatExceptionOnly, tracebackFrames } from "./log.ts";

/**
 * Anything a task can run (API.md rule 9): a function returning an
 * awaitable (preferred), a lazy `Coroutine`, a generator object yielding
 * futures, or a promise / thenable.
 */
export type CoroutineLike<T> =
  | (() => PromiseLike<T> | T)
  | Coroutine<T>
  | Generator<unknown, T, unknown>
  | PromiseLike<T>;

let taskCounter = 0;

/**
 * The tasks of one loop, for `allTasks()` and the "Task was destroyed but
 * it is pending!" report.
 *
 * A task is held strongly from its creation until it first parks on a loop
 * future (or finishes): until then it is in the ready queue or running, so
 * it is reachable anyway, and most tasks (those that never wait) cost only
 * a link in a list. Once it parks, only the futures it waits on may keep it
 * alive, as in Python: it moves to a set of weak references watched by a
 * FinalizationRegistry, which reports it if it is collected still pending.
 * WeakRef and registration cost microseconds a task in V8, so they are paid
 * only by tasks that really wait.
 */
class LoopTasks {
  /** Sentinel of the strong list (a ring through `_taskPrev`/`_taskNext`). */
  readonly head: TaskLink;
  /** Tasks parked at least once, held weakly. */
  readonly parked = new Set<WeakRef<Task<unknown>>>();
  constructor() {
    const head = { _taskPrev: null, _taskNext: null } as unknown as TaskLink;
    head._taskPrev = head;
    head._taskNext = head;
    this.head = head;
  }
}

interface TaskLink {
  _taskPrev: TaskLink | null;
  _taskNext: TaskLink | null;
}

const tasksByLoop = new WeakMap<object, LoopTasks>();

function loopTasks(loop: object): LoopTasks {
  let s = tasksByLoop.get(loop);
  if (s === undefined) {
    s = new LoopTasks();
    tasksByLoop.set(loop, s);
  }
  return s;
}

function unlink(t: TaskLink): void {
  const prev = t._taskPrev;
  if (prev === null) return;
  const next = t._taskNext!;
  prev._taskNext = next;
  next._taskPrev = prev;
  t._taskPrev = null;
  t._taskNext = null;
}

/**
 * @internal Called by the loop's `close()`: tasks that never parked (never
 * started, or waiting on host promises) are held weakly from now on; then
 * every task still pending is reported, "Task was destroyed but it is
 * pending!", as CPython reports it when the task is freed: at the latest
 * when the interpreter exits, while a JS collector may never collect it.
 */
export function _releaseTasks(loop: object): void {
  const reg = tasksByLoop.get(loop);
  if (reg === undefined) return;
  const head = reg.head;
  while (head._taskNext !== head) {
    const t = head._taskNext as unknown as Task<unknown>;
    unlink(t);
    t._park();
  }
  for (const ref of [...reg.parked]) {
    const t = ref.deref();
    if (t === undefined || t.done() || !t._logDestroyPending) continue;
    t._logDestroyPending = false;
    // The task itself, as Python's report gives it (its repr shows what it
    // waits for); in debug mode where it was made, as Python adds it.
    const context: ExceptionContext = { message: DESTROYED_PENDING, task: t };
    if (t._sourceTraceback) context.source_traceback = t._sourceTraceback;
    t._loop.callExceptionHandler(context);
  }
}

interface DestroyedReport {
  loop: FutureLoop;
  ref: WeakRef<Task<unknown>>;
  /** The task's name and its coroutine's, for the repr: built only if it is ever reported. */
  name: string;
  coro: string;
  /** Set when the task finished or stopped wanting the report. */
  quiet: { done: boolean };
  /** Where the task was made (debug mode), for the report's `source_traceback`. */
  sourceTraceback: string | null;
}

const DESTROYED_PENDING = "Task was destroyed but it is pending!";

/** "Task was destroyed but it is pending!", as Python's `Task.__del__` says it. */
const destroyedRegistry = new FinalizationRegistry<DestroyedReport>((r) => {
  loopTasks(r.loop).parked.delete(r.ref);
  if (r.quiet.done) return;
  const context: ExceptionContext = {
    message: DESTROYED_PENDING,
    task: { toString: () => `<Task pending name=${pyRepr(r.name)} coro=<${r.coro}()>>` },
  };
  if (r.sourceTraceback) context.source_traceback = r.sourceTraceback;
  r.loop.callExceptionHandler(context);
});

/** The report flags of tasks that have not parked: not yet shared with anyone. */
const LOUD = { done: false };
const QUIET = { done: true };

/** What every `async function*` inherits from. */
const AsyncGeneratorFunctionProto = Object.getPrototypeOf(async function* () {});

/**
 * Python's `str(name)` of a task name (`set_name(42)`, `name=("worker", 1)`):
 * null is None, booleans are True and False, an error its message, an array a
 * ported tuple (API.md rule 6) and a plain object a dict, printed as Python
 * prints them; JS's String() would give `worker,1` and `[object Object]`.
 */
function nameStr(name: unknown): string {
  if (typeof name === "string") return name;
  if (Array.isArray(name)) {
    const items = name.map((x) => pyRepr(x, 1));
    return items.length === 1 ? `(${items[0]},)` : `(${items.join(", ")})`;
  }
  if (name == null || typeof name === "boolean" || typeof name === "number") return pyRepr(name);
  // An exception's str() is its message, without JS's `ValueError: ` head.
  if (name instanceof Error) return name.message;
  const proto = typeof name === "object" ? Object.getPrototypeOf(name) : undefined;
  return proto === Object.prototype || proto === null ? pyRepr(name) : String(name);
}

/**
 * Python's TypeErrors for the keyword-only `get_stack(*, limit)` and
 * `print_stack(*, limit, file)` (C methods, in their words): the options
 * object holds only `allowed`; anything else was a positional argument.
 */
function stackKeywords(fn: string, opts: unknown, allowed: readonly string[]): void {
  if (opts === undefined || opts === null) return;
  const proto = typeof opts === "object" ? Object.getPrototypeOf(opts) : undefined;
  if (proto !== Object.prototype && proto !== null) {
    throw new TypeError(`${fn}() takes no positional arguments`);
  }
  const keys = Object.keys(opts as object);
  if (keys.length > allowed.length) {
    const n = allowed.length;
    throw new TypeError(
      `${fn}() takes at most ${n} keyword argument${n === 1 ? "" : "s"} (${keys.length} given)`,
    );
  }
  for (const key of keys) {
    if (allowed.includes(key)) continue;
    const snake = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    throw new TypeError(`'${snake}' is an invalid keyword argument for ${fn}()`);
  }
}

function isThenable(x: unknown): x is PromiseLike<unknown> {
  return (typeof x === "object" || typeof x === "function") && x !== null &&
    typeof (x as { then?: unknown }).then === "function";
}

/**
 * An anonymous arrow that only calls a plain function: `() => fail("x")`,
 * `async () => await fail("x")`; group 1 is its name. A method call
 * (`() => q.put(x)`) is not matched: Python would name its class.
 */
const ARROW_CALL = /^(?:async\s*)?\(\s*\)\s*=>\s*(?:await\s+)?([\w$]+)\s*\(/;

function coroName(coro: unknown): string {
  if (typeof coro === "function") {
    // A library method bound on read (`createTask(q.get)`, `lock.acquire`)
    // carries Python's qualified name: `coro=<Queue.get()>`, not `bound get`.
    const qualname = (coro as { __qualname__?: string }).__qualname__;
    if (qualname !== undefined || coro.name) return qualname ?? coro.name;
    // `createTask(() => fail("x"))` ports `create_task(fail("x"))` (API.md
    // rule 9), whose repr names the coroutine, `coro=<fail()>`: Python has
    // no anonymous coroutines, so `<lambda>` is left for other arrows.
    return ARROW_CALL.exec(Function.prototype.toString.call(coro))?.[1] ?? "<lambda>";
  }
  if (coro instanceof Coroutine) return coro.name;
  if (isGenerator(coro)) return "generator";
  // A user's awaitable object (not a promise, which is already a running
  // coroutine): Python's ensure_future wraps it in `_wrap_awaitable()`.
  if (isThenable(coro) && !(coro instanceof Promise)) return "_wrap_awaitable";
  return coro?.constructor?.name ?? "awaitable";
}

/**
 * A coroutine running on the loop; a {@link Future} of its result.
 *
 * @example
 * ```ts
 * const task = asyncio.createTask(async () => {
 *   await asyncio.sleep(0.1);
 *   return 42;
 * }, { name: "answer" });
 * console.log(await task); // 42
 * ```
 */
export class Task<T = unknown> extends Future<T> {
  /** @internal */
  readonly _coro: CoroutineLike<T>;
  /** @internal The task's context (PEP 567), copied when it was made. */
  readonly _context: Context;
  /** @internal The name, or the number of the default `Task-N` name, made into a string when asked. */
  _name: string | number;
  /** @internal The future the coroutine is parked on. */
  _futWaiter: Future<unknown> | null = null;
  // The fields below default on the prototype (see the end of this module):
  // most tasks never set them, and each own field is 8 bytes more to
  // allocate and to copy in every GC of a hundred thousand live tasks.
  /** @internal */
  declare _mustCancel: boolean;
  /** @internal */
  declare _numCancels: number;
  /** @internal The coroutine's CancelledError, until a reader takes it. */
  declare _cancelledExc: CancelledError | null;
  /** @internal Made when `signal` is first read. */
  declare _abort: AbortController | null;
  /**
   * @internal The message of the latest `cancel()` request, however it was
   * delivered (`_cancelMessage` is only kept for one not delivered yet).
   */
  declare _lastCancelMessage: string | undefined;
  /** @internal Set once the task has parked (see {@link LoopTasks}). */
  declare _ref: WeakRef<Task<unknown>> | null;
  /** @internal Shared with the registry once parked; until then one of two shared flags. */
  declare _quiet: { done: boolean };
  /** @internal Stops following the `signal` option. */
  declare _unlisten: (() => void) | null;
  /** @internal Log "Task was destroyed but it is pending!" for this one. */
  get _logDestroyPending(): boolean {
    return !this._quiet.done;
  }
  set _logDestroyPending(v: boolean) {
    if (this._quiet === QUIET || this._quiet === LOUD) this._quiet = v ? LOUD : QUIET;
    else this._quiet.done = !v;
  }
  /** @internal As a ready-queue entry (its first step): on the prototype. */
  declare _cancelled: boolean;
  /** @internal As a ready-queue entry: true, on the prototype. */
  declare readonly _wakes: boolean;
  /** @internal As a ready-queue entry: the task itself, a prototype getter. */
  declare readonly _wakeOwner: object | null;
  /** @internal The strong list of {@link LoopTasks}. */
  _taskPrev: TaskLink | null = null;
  /** @internal */
  _taskNext: TaskLink | null = null;

  /**
   * Schedules `coro` on `loop` (default: the running loop, else
   * `getEventLoop()`). Prefer `asyncio.createTask` or `loop.createTask`.
   */
  constructor(
    coro: CoroutineLike<T>,
    opts?: { loop?: FutureLoop; name?: string; context?: Context; signal?: AbortSignal },
  ) {
    const loop = opts?.loop ?? (hooks.getEventLoop!() as FutureLoop);
    super(opts?.loop !== undefined ? opts : { loop });
    if (
      typeof coro !== "function" && !(coro instanceof Coroutine) && !isGenerator(coro) &&
      !isThenable(coro)
    ) {
      this._logDestroyPending = false;
      throw new TypeError(`a coroutine was expected, got ${pyRepr(coro)}`);
    }
    if (isFuture(coro)) {
      this._logDestroyPending = false;
      throw new TypeError(`a coroutine was expected, got ${coro}`);
    }
    // `createTask(agen)` ports Python's `create_task(agen())` (rule 9) with
    // an async generator function: refused here, as Python refuses it.
    if (typeof coro === "function" && Object.getPrototypeOf(coro) === AsyncGeneratorFunctionProto) {
      this._logDestroyPending = false;
      throw new TypeError(
        `a coroutine was expected, got <async_generator object ${coro.name} at ${pyAddress(coro)}>`,
      );
    }
    if (coro instanceof Promise) {
      // `createTask(lock.acquire())` on a free lock: the lock was taken at
      // the call; Python's coroutine takes it when its task first runs.
      const redo = takeBackForTask(coro);
      if (redo !== null) coro = redo as CoroutineLike<T>;
    }
    this._coro = coro;
    // A promise, already running, may reject before the task's first step
    // subscribes to it (`ensureFuture(main())` with a main that throws at
    // once): handled now, or the runtime ends the program for an unhandled
    // rejection; the task still gets the rejection when it runs.
    if (coro instanceof Promise) coro.then(undefined, ignoreRejection);
    taskStorage.prepare(this as Task<unknown>);
    this._context = opts?.context ?? copyContext();
    // `name: null` is Python's `name=None`: numbered as with no name.
    this._name = opts?.name != null ? nameStr(opts.name) : ++taskCounter;
    // The task is itself its first step in the ready queue (no Handle each);
    // debug mode keeps the Handle, whose repr slow-callback warnings print.
    loop._addHandle(
      loop.getDebug() ? new TaskStart(this as Task<unknown>, loop, this._context) : this,
    );
    // Last in the list: the newest task.
    const head = loopTasks(loop).head;
    const last = head._taskPrev!;
    this._taskPrev = last;
    this._taskNext = head;
    last._taskNext = this;
    head._taskPrev = this;
    const signal = opts?.signal;
    if (signal !== undefined) this.#follow(signal);
  }

  /** An aborted signal cancels the task, with the abort reason as message. */
  #follow(signal: AbortSignal): void {
    const onAbort = () => {
      const r = signal.reason;
      // `abort()` with no reason gives the runtime's own AbortError, whose
      // text differs between runtimes: no message, as Python's `cancel()`.
      this.cancel(
        r === undefined || isDefaultAbortReason(r)
          ? undefined
          : r instanceof Error
          ? r.message
          : String(r),
      );
    };
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener("abort", onAbort, { once: true });
    this._unlisten = () => signal.removeEventListener("abort", onAbort);
  }

  /**
   * @internal The first step, when the task itself is the ready-queue entry
   * (a `ReadyItem`, as `TaskStart` is in debug mode): runs {@link _start} in
   * the task's context.
   */
  _run(): void {
    const prev = running.context;
    running.context = this._context;
    try {
      this._start();
    } catch (exc) {
      this._loop.callExceptionHandler({
        message: `Exception in callback <Handle ${formatCallback(startTask, [this])}>`,
        exception: exc,
        handle: this,
      });
    } finally {
      running.context = prev;
    }
  }

  /** @internal The first step: start the coroutine inside the task's async context. */
  _start(): void {
    if (this._state !== 0) return;
    if (this._mustCancel) {
      // Cancelled before it ever ran: like Python, the body never starts.
      this._mustCancel = false;
      this.#finish(false, this._makeCancelledError());
      return;
    }
    let r: unknown;
    try {
      r = taskStorage.run(this as Task<unknown>, runCoro, this as Task<unknown>);
    } catch (e) {
      this.#finish(false, e);
      return;
    }
    if (r !== STARTED) this.#finish(true, r);
  }

  /** @internal The coroutine settled (see {@link runCoro}). */
  _settled(ok: boolean, value: unknown): void {
    // A foreign awaitable's task may have been cancelled without it (below).
    if (this._state !== 0) return;
    this.#finish(ok, value);
  }

  /**
   * A task that wraps a foreign promise or thenable has no code of its own
   * to throw the CancelledError into: cancelled, it ends on the next loop
   * iteration, and the foreign operation runs on, detached (rule 11). A task
   * not started yet ends in `_start` instead, as any other.
   */
  #cancelForeign(): void {
    if (this._state !== 0 || !this._mustCancel) return;
    this._mustCancel = false;
    this.#finish(false, _cancelledError(this._cancelMessage));
  }

  #finish(ok: boolean, value: unknown): void {
    suspended();
    this._futWaiter = null;
    if (running.outside === this) running.outside = null;
    if (this._ref !== null) {
      this._quiet.done = true;
      loopTasks(this._loop).parked.delete(this._ref);
    } else {
      this._quiet = QUIET;
      unlink(this);
    }
    if (this._unlisten !== null) {
      this._unlisten();
      this._unlisten = null;
    }
    if (this._state !== 0) return;
    if (ok) {
      // Future's own methods, called unbound (`super.setResult` would bind a
      // copy per task: see the end of futures.ts).
      if (this._mustCancel) {
        this._mustCancel = false;
        _futureCancel.call(this, this._cancelMessage);
      } else {
        _futureSetResult.call(this, value);
      }
    } else if (value instanceof CancelledError) {
      // Python's Task.__step: the coroutine's own CancelledError is kept for
      // the first reader (`await task`, `result()`, ...), which gets that very
      // object; the task itself is cancelled with no message, so later
      // readers get a bare CancelledError, as in CPython.
      this._cancelledExc = value;
      _futureCancel.call(this);
    } else {
      this._setException(value, true);
      if (_isBaseError(value)) raiseOutOfLoop(this._loop, value);
    }
  }

  /** @internal The coroutine's CancelledError, handed to the first reader once (Python's `_cancelled_exc`). */
  override _makeCancelledError(): CancelledError {
    const exc = this._cancelledExc;
    if (exc === null) return super._makeCancelledError();
    this._cancelledExc = null;
    return exc;
  }

  /** @internal Called by `Future.then` when this task's code awaits `fut`. */
  _awaiting(fut: Future<unknown>): void {
    this._futWaiter = fut;
    if (this._ref === null) {
      unlink(this);
      this._park();
    }
    if (this._mustCancel && fut.cancel(this._cancelMessage)) this._mustCancel = false;
  }

  /**
   * @internal From now on held weakly and reported if collected pending
   * (see {@link LoopTasks}). Once per task; the task is out of the strong list.
   */
  _park(): void {
    if (this._ref !== null || this._state !== 0) return;
    const ref = new WeakRef(this as Task<unknown>);
    this._ref = ref;
    loopTasks(this._loop).parked.add(ref);
    this._quiet = { done: this._quiet === QUIET };
    destroyedRegistry.register(this, {
      loop: this._loop,
      ref,
      name: this.getName(),
      coro: coroName(this._coro),
      quiet: this._quiet,
      sourceTraceback: this._sourceTraceback,
    });
  }

  /**
   * Requests cancellation: the coroutine gets a `CancelledError` at the
   * `await` it is suspended in. False if the task is done. `msg` (or
   * `{ msg }`, Python's keyword form) is carried into the `CancelledError`.
   */
  override cancel(msg?: CancelMessage): boolean {
    msg = _cancelMessageArg(msg);
    this._logTraceback = false;
    if (this.done()) return false;
    this._numCancels++;
    this._lastCancelMessage = msg;
    this._abort?.abort(_cancelledError(msg));
    const waiter = this._futWaiter;
    if (waiter !== null && waiter.cancel(msg)) return true;
    this._mustCancel = true;
    this._cancelMessage = msg;
    const coro = this._coro;
    if (typeof coro !== "function" && !(coro instanceof Coroutine) && !isGenerator(coro)) {
      // One of the loop's own operations that ends by itself once cancelled
      // (a lock's acquire, a queue's get): the task ends with it, as
      // Python's ends with its coroutine. Any other promise runs on,
      // detached, and the task ends on the next iteration.
      if (!_cancelOperationOf(coro, msg)) {
        this._loop._addHandle(new Handle(() => this.#cancelForeign(), null, this._loop));
      }
    }
    return true;
  }

  /** How many cancellation requests are pending (beyond the spec: Python 3.11). */
  cancelling(): number {
    return this._numCancels;
  }

  /**
   * Takes back one cancellation request; returns the count left (Python
   * 3.11). As in 3.11 (and 3.12), a cancellation not delivered yet stays
   * pending: the count is all it changes.
   */
  uncancel(): number {
    if (this._numCancels > 0) {
      // Every request taken back (a `timeout()` that expired, say): the
      // task goes on, so `signal` is a live one again for the host calls it
      // makes next; whoever kept the old one saw it aborted.
      if (--this._numCancels === 0 && this._abort?.signal.aborted) this._abort = null;
    }
    return this._numCancels;
  }

  /**
   * An `AbortSignal` aborted when the task is cancelled (its reason is the
   * `CancelledError`), for host APIs such as `fetch`.
   */
  get signal(): AbortSignal {
    if (this._abort === null) {
      this._abort = new AbortController();
      if (this._numCancels > 0 || this._mustCancel || this.cancelled()) {
        // The message of the cancel() that aborted it, delivered or not.
        this._abort.abort(_cancelledError(this._lastCancelMessage ?? this._cancelMessage));
      }
    }
    return this._abort.signal;
  }

  /** The task's name. */
  getName(): string {
    const n = this._name;
    return typeof n === "number" ? (this._name = `Task-${n}`) : n;
  }

  /** Renames the task; a name that is not a string is made one as Python's str() would. */
  setName(name: unknown): void {
    this._name = nameStr(name);
  }

  /** The coroutine the task runs, as it was given. */
  getCoro(): CoroutineLike<T> {
    return this._coro;
  }

  /**
   * Python's `get_stack()`, as far as JavaScript can see: one frame (its
   * coroutine's) while the task is pending, its exception's frames once it
   * failed (oldest first), none otherwise.
   *
   * @example
   * ```ts
   * console.log(task.getStack().length); // 1 while it runs
   * ```
   */
  getStack(opts?: StackOptions): StackFrame[] {
    stackKeywords("get_stack", opts, ["limit"]);
    return taskStack(this.#stackSource(), opts);
  }

  /**
   * Python's `print_stack()`: "Stack for <Task ...>", "Traceback for ..."
   * or "No stack for ...", the frames, and the exception, written to
   * `file` (default stderr).
   *
   * @example
   * ```ts
   * task.printStack({ file: { write: (s: string) => process.stdout.write(s) } });
   * ```
   */
  printStack(opts?: StackOptions & { file?: TextSink | null }): void {
    stackKeywords("print_stack", opts, ["limit", "file"]);
    printTaskStack(this.#stackSource(), opts);
  }

  #stackSource(): StackSource & { toString(): string } {
    return {
      done: () => this.done(),
      // Read without marking it retrieved, as Python reads `task._exception`.
      failure: () => this.done() && !this.cancelled() ? this._exception : null,
      coroName: () => coroName(this._coro),
      traceback: tracebackFrames,
      exceptionLine: formatExceptionOnly,
      toString: () => String(this),
    };
  }

  /** The task's context. */
  getContext(): Context {
    return this._context;
  }

  /** Tasks cannot be resolved from outside. */
  override setResult(_result: T): never {
    throw new RuntimeError("Task does not support set_result operation");
  }

  /** Tasks cannot be resolved from outside. */
  override setException(_exception: unknown): never {
    throw new RuntimeError("Task does not support set_exception operation");
  }

  /** @internal */
  override _reprInfo(): string[] {
    const info = super._reprInfo();
    // Python 3.11.7 (not 3.11.0's `_must_cancel`): any cancel request still
    // counted, even one already passed to the future the task waits on.
    if (this._numCancels > 0 && !this.done()) info[0] = "cancelling";
    info.splice(1, 0, `name=${pyRepr(this.getName())}`, `coro=<${coroName(this._coro)}()>`);
    // Before the callbacks, as Python places it.
    if (this._futWaiter !== null && !this.done()) info.splice(3, 0, `wait_for=${this._futWaiter}`);
    return info;
  }
}

/**
 * Python's `Task.__step` on a KeyboardInterrupt or SystemExit: the task
 * keeps the exception and the step raises it out of `runForever()` at once.
 * The step ended in a microtask here, so the loop is made to raise it by an
 * entry put at the front of its ready queue: nothing else queued runs first,
 * and what was queued (the task's done callbacks too) stays for the loop's
 * next run, as in Python.
 */
function raiseOutOfLoop(loop: FutureLoop, exc: unknown): void {
  const entry: ReadyItem = {
    _cancelled: false,
    _wakes: false,
    _wakeOwner: null,
    _sourceTraceback: null,
    _run() {
      throw exc;
    },
  };
  const first = (loop as { _addHandleFirst?: (h: ReadyItem) => void })._addHandleFirst;
  if (first !== undefined) first.call(loop, entry);
  else loop._addHandle(entry);
}

/** The rejection handler that only marks a promise handled (see the Task constructor). */
function ignoreRejection(): void {}

let defaultAbortMessage: string | undefined;

/**
 * Whether `r` is the reason a signal gets from `abort()` with none: the
 * runtime's own `AbortError`, with the runtime's own text.
 */
function isDefaultAbortReason(r: unknown): boolean {
  if (typeof DOMException === "undefined" || !(r instanceof DOMException)) return false;
  if (r.name !== "AbortError") return false;
  if (defaultAbortMessage === undefined) {
    const c = new AbortController();
    c.abort();
    defaultAbortMessage = (c.signal.reason as DOMException).message;
  }
  return r.message === defaultAbortMessage;
}

/** A shared function rather than a closure per task: tasks are made by the hundred thousand. */
function startTask(task: Task<unknown>): void {
  task._start();
}

/** What {@link runCoro} returns when the coroutine goes on asynchronously. */
const STARTED = Symbol("started");

/**
 * Runs inside the task's async context: starts the coroutine and, if it
 * returned a promise, subscribes to it from there, so that the shared
 * handlers below find the task with `getStore()` (two closures and their
 * scope per task otherwise, with 100,000 tasks alive at once in a gather).
 */
function runCoro(task: Task<unknown>): unknown {
  const p = invoke(task._coro);
  if (!isThenable(p)) return p;
  // A coroutine that never awaited ends in this first step, as in Python,
  // where the runtime can read a fulfilled promise at once (Bun): no
  // reaction and microtask for it (Bun's 100k gather: 23 -> 18 ms).
  if (fulfilledValue !== null && p instanceof Promise) {
    const v = fulfilledValue(p);
    if (v !== NOT_FULFILLED) return v;
  }
  Promise.resolve(p).then(coroResolved, coroRejected);
  return STARTED;
}

function coroResolved(value: unknown): void {
  (taskStorage.getStore() as Task<unknown>)._settled(true, value);
}

function coroRejected(error: unknown): void {
  (taskStorage.getStore() as Task<unknown>)._settled(false, error);
}

// What the loop reads of a ready-queue entry, on every task's prototype, so
// that a task can be its own first step without a field each: never
// cancelled as an entry (a cancelled task ends in `_start`), and it resumes
// this task's code.
Object.defineProperties(Task.prototype, {
  _mustCancel: { value: false, writable: true },
  _cancelledExc: { value: null, writable: true },
  _numCancels: { value: 0, writable: true },
  _abort: { value: null, writable: true },
  _lastCancelMessage: { value: undefined, writable: true },
  _ref: { value: null, writable: true },
  _quiet: { value: LOUD, writable: true },
  _unlisten: { value: null, writable: true },
  _cancelled: { value: false, writable: true },
  _wakes: { value: true },
  _wakeOwner: {
    get(this: Task<unknown>) {
      return this;
    },
  },
});

/**
 * @internal Makes `cls`'s `cancel`, read as a value, bound to its task, so
 * Python's `loop.call_later(5, task.cancel)` ports as is. Bound on first
 * read (a task that is never cancelled pays nothing); a subclass's own
 * `cancel` is bound by the Future constructor instead (bindOverrides), and
 * its `super.cancel()` gets this class's.
 */
export function bindCancelOnRead(cls: { prototype: Task<unknown> }): void {
  const cancel = cls.prototype.cancel;
  const field = Symbol("boundCancel");
  Object.defineProperty(cls.prototype, "cancel", {
    configurable: true,
    get(this: Task<unknown> & { [field]?: Task<unknown>["cancel"] }) {
      // Named as Python's Handle shows it: `<Handle Task.cancel()>`.
      return this[field] ??= Object.defineProperty(cancel.bind(this), "__qualname__", {
        value: "Task.cancel",
      });
    },
  });
}
bindCancelOnRead(Task);

/** A task's first step in debug mode: a handle that needs no argument array. */
class TaskStart extends Handle {
  constructor(readonly task: Task<unknown>, loop: FutureLoop, ctx: Context) {
    super(startTask, null, loop, ctx);
    this._wakes = true;
    this._wakeOwner = task;
  }

  /** Runs the task's first step, as the task does when it is its own entry. */
  override _run(): void {
    this.task._run();
  }

  override _reprInfo(): string[] {
    return [formatCallback(startTask, [this.task])];
  }

  /** `<Handle startTask(<Task ...>)>`, as the handle it stands for. */
  override toString(): string {
    return `<Handle ${this._reprInfo().join(" ")}>`;
  }
}

function invoke(coro: unknown): unknown {
  if (typeof coro === "function") {
    const r = (coro as () => unknown)();
    if (isGenerator(r)) return driveGenerator(r);
    // Adopt a returned future or thenable here, inside the task's async
    // context, so the task knows what it is waiting on.
    if (isThenable(r)) return r instanceof Promise ? r : Promise.resolve(r);
    // An async generator is no awaitable: `createTask(() => agen())` ports
    // Python's `create_task(agen())`, a TypeError there too, not a result.
    if ((r as { [Symbol.toStringTag]?: unknown })?.[Symbol.toStringTag] === "AsyncGenerator") {
      throw new TypeError(`a coroutine was expected, got ${pyRepr(r)}`);
    }
    return r;
  }
  if (coro instanceof Coroutine) return coro._startInTask();
  if (isGenerator(coro)) return driveGenerator(coro);
  return Promise.resolve(coro);
}

/**
 * @internal `task` is the one that `asyncio.run(main())` or
 * `loop.runUntilComplete(main())` made for main's promise: until it is
 * done, code outside every task counts as its own, as `main` would run
 * inside it in Python (see `taskInScope`). So `currentTask()`, a timeout,
 * `waitFor` and the task's cancellation reach main's code after its first
 * `await`.
 */
export function _standForOutsideCode(task: Task<unknown>): void {
  const coro = task._coro;
  if (typeof coro === "function" || coro instanceof Coroutine || isGenerator(coro)) return;
  running.outside = task;
}

/**
 * The task whose code is running, or null. Without `loop`, a
 * `RuntimeError` when no loop is running, as in Python.
 *
 * @example
 * ```ts
 * await asyncio.run(async () => console.log(asyncio.currentTask()?.getName()));
 * ```
 */
export function currentTask(loop?: object | null): Task<unknown> | null {
  // Python's `current_task(loop=loop)` comes as `{ loop }` (API.md rule 3);
  // `None`, given or as the keyword, is the running loop.
  const l = loopArg("current_task", loop);
  if (l === undefined) requireRunningLoop();
  return runningTask(l);
}

/**
 * The loop of `current_task(loop)` or `all_tasks(loop)`: a loop, or the
 * keyword form `{ loop }` (a loop is a class instance, never a plain
 * object); undefined for Python's `None`, the running loop.
 */
function loopArg(fn: string, loop: object | null | undefined): object | undefined {
  const kw = keywords(fn, loop, ["loop"]);
  return (kw !== null ? kw.loop as object | null | undefined : loop) ?? undefined;
}

function requireRunningLoop(): object {
  const loop = hooks.getRunningLoop!();
  if (loop === null) throw new RuntimeError("no running event loop");
  return loop;
}

/** @internal `currentTask()` that answers null rather than throw when no loop runs. */
export function runningTask(loop?: object): Task<unknown> | null {
  const t = taskInScope();
  if (!(t instanceof Task) || t.done()) return null;
  if (loop !== undefined && t._loop !== loop) return null;
  if (running.loop !== null && running.loop !== t._loop) return null;
  return t as Task<unknown>;
}

/**
 * The tasks of `loop` (default: the running loop; a `RuntimeError` when
 * none runs) that are not done.
 *
 * @example
 * ```ts
 * console.log(asyncio.allTasks().size);
 * ```
 */
export function allTasks(loop?: object | null): Set<Task<unknown>> {
  const l = loopArg("all_tasks", loop) ?? requireRunningLoop();
  const out = new Set<Task<unknown>>();
  const reg = tasksByLoop.get(l);
  if (reg === undefined) return out;
  for (let t = reg.head._taskNext!; t !== reg.head; t = t._taskNext!) {
    const task = t as unknown as Task<unknown>;
    if (!task.done()) out.add(task);
  }
  for (const ref of reg.parked) {
    const t = ref.deref();
    if (t !== undefined && !t.done()) out.add(t);
  }
  return out;
}

/** @internal The options of `createTask` (Python's `name=` and `context=`, and an `AbortSignal`). */
export const TASK_KEYWORDS: readonly string[] = ["name", "context", "signal"];

/** The keyword arguments of Python's `ensure_future`. */
const ENSURE_FUTURE_KEYWORDS = ["loop"];

/**
 * Python's `ensure_future`: a Future is returned as is; a coroutine or any
 * awaitable is wrapped in a Task on `loop`. Python's keyword-only `loop=`
 * comes as the options object `{ loop }`; the loop itself is taken too.
 *
 * @example
 * ```ts
 * const fut = asyncio.ensureFuture(fetch("http://localhost:8000/"));
 * const task = asyncio.ensureFuture(() => main(), { loop });
 * ```
 */
export function ensureFuture<T>(
  x: CoroutineLike<T> | Future<T>,
  loopOrOptions?: object | { loop?: object | null },
): Future<T> {
  // A plain object is the options object (a misspelt key is Python's
  // TypeError); a loop is a class instance.
  keywords("ensure_future", loopOrOptions, ENSURE_FUTURE_KEYWORDS);
  const proto = loopOrOptions == null ? undefined : Object.getPrototypeOf(loopOrOptions);
  const loop = proto === Object.prototype || proto === null
    ? (loopOrOptions as { loop?: object | null }).loop ?? undefined
    : loopOrOptions ?? undefined;
  if (isFuture(x)) {
    if (loop !== undefined && x._loop !== loop) {
      throw new ValueError(
        "The future belongs to a different loop than the one specified as the loop argument",
      );
    }
    return x as Future<T>;
  }
  if (
    typeof x === "function" || x instanceof Coroutine || isGenerator(x) || isThenable(x)
  ) {
    const l = (loop ?? hooks.getEventLoop!()) as { createTask(c: unknown): Task<T> };
    return l.createTask(x);
  }
  throw new TypeError("An asyncio.Future, a coroutine or an awaitable is required");
}

interface SleepLoop {
  createFuture<T>(): Future<T>;
  callLater(delay: number, cb: (...a: never[]) => unknown, ...args: unknown[]): { cancel(): void };
  _addHandle(h: Handle): void;
}

function setResultUnlessCancelled<T>(fut: Future<T>, result: T): void {
  // Unbound: `fut.setResult` read would bind a copy (see the end of futures.ts).
  if (!fut.cancelled()) _futureSetResult.call(fut, result);
}

/**
 * Waits `delay` seconds, then resolves to `result` (default `null`, Python's
 * `None`). `sleep(0)` gives the other tasks exactly one loop iteration, as
 * in Python.
 *
 * @example
 * ```ts
 * await asyncio.sleep(0.5); // null
 * const v = await asyncio.sleep(0.1, "done"); // "done"
 * ```
 */
export function sleep(delay: number): Promise<void>;
/** Waits `delay` seconds, then resolves to `result`. */
export function sleep<T>(delay: number, result: T): Promise<T>;
export function sleep<T>(delay: number, result?: T): Promise<T> {
  // Lazy, as Python's coroutine is: `createTask(asyncio.sleep(1))` starts
  // its timer when the task first runs.
  return new LibraryCall<T>("sleep", null, sleepNow, arguments.length, delay, result);
}

async function sleepNow<T>(delay: number, result: T = null as T): Promise<T> {
  if (typeof delay !== "number") {
    // Python's sleep first compares `delay <= 0`, where a bool is an int.
    // NaN passes, as in Python: its timer runs as CPython's NaN timer does.
    if (typeof delay !== "boolean") {
      throw new TypeError(
        `'<=' not supported between instances of '${pyTypeName(delay)}' and 'int'`,
      );
    }
    delay = +delay;
  }
  const loop = hooks.getRunningLoop!() as SleepLoop | null;
  if (loop === null) {
    // Called before its loop runs (`loop.runUntilComplete(main())` calls
    // main first): sleep from when the loop starts, as Python's coroutine,
    // not started yet, would. Still an error if no loop starts.
    if (await untilALoopRuns()) return await sleepNow(delay, result);
    throw new RuntimeError("no running event loop");
  }
  const fut = loop.createFuture<T>();
  if (delay <= 0) {
    const h = new Handle(() => fut._setResultNow(result as T), null, loop as unknown as FutureLoop);
    h._wakes = true;
    h._wakeOwner = taskInScope() ?? null;
    loop._addHandle(h);
    // Python's sleep(0) is a bare yield, with no future to cancel: a cancel()
    // now sets _mustCancel and the handle above delivers it, in its own slot
    // of the ready queue (not at the back, as a cancelled future's would).
    // One requested before this yield is delivered there too, with the
    // message of the latest cancel() by then (a later `cancel()` with none
    // replaces it, as in Python's Task.__step), not cancelled into `fut` now.
    const task = taskInScope() as { _futWaiter: unknown; _mustCancel: boolean } | undefined;
    const pending = task !== undefined && task._mustCancel;
    if (pending) task._mustCancel = false;
    const resumed = fut.then();
    if (task !== undefined && task._futWaiter === fut) task._futWaiter = null;
    if (pending) task._mustCancel = true;
    return await resumed;
  }
  const h = loop.callLater(delay, setResultUnlessCancelled, fut, result);
  try {
    return await fut;
  } finally {
    h.cancel();
  }
}

// A generator-based coroutine's bare `yield` (coroutines.ts).
hooks.sleep0 = () => sleep(0);

/**
 * Schedules `coro` as a Task on the running loop (a `RuntimeError` when no
 * loop runs).
 *
 * @example
 * ```ts
 * const t = asyncio.createTask(async () => 1, { name: "one" });
 * ```
 */
export function createTask<T>(
  coro: CoroutineLike<T>,
  opts?: { name?: string; context?: Context; signal?: AbortSignal },
): Task<T> {
  if (opts !== undefined) keywords("create_task", opts, TASK_KEYWORDS);
  const loop = hooks.getRunningLoop!() as {
    createTask<U>(
      c: unknown,
      o?: { name?: string; context?: Context; signal?: AbortSignal },
    ): Task<U>;
  } | null;
  if (loop === null) throw new RuntimeError("no running event loop");
  return _createTaskRenamed(loop, coro, opts);
}

// Passed as callbacks (`loop.call_later(1, asyncio.create_task, coro())`),
// they show in a Handle's repr by Python's names.
Object.defineProperty(ensureFuture, "__qualname__", { value: "ensure_future" });
Object.defineProperty(createTask, "__qualname__", { value: "create_task" });

/**
 * @internal `loop.createTask(coro, opts)` as Python 3.11's `asyncio.create_task`
 * and `TaskGroup.create_task` make a named task: unnamed, then renamed, so
 * it uses up a `Task-N` number and the next unnamed task is numbered after
 * it. Once: a task factory (ported from Python, it ignores the name) may
 * have used one up already by making an unnamed Task. The name itself is
 * passed on, so an eager task's first step already runs under it.
 */
export function _createTaskRenamed<T>(
  loop: { createTask<U>(c: unknown, o?: { name?: string }): Task<U> },
  coro: unknown,
  opts?: { name?: string },
): Task<T> {
  const before = taskCounter;
  const task = loop.createTask<T>(coro, opts);
  if (opts?.name != null && taskCounter === before) ++taskCounter;
  return task;
}

/**
 * @internal Uses up a `Task-N` number, as Python 3.11's `asyncio.create_task`
 * and `TaskGroup.create_task` do when given a name: they make the task
 * unnamed, then rename it, so the next unnamed task is numbered after it.
 */
export function _skipTaskNumber(): void {
  ++taskCounter;
}
