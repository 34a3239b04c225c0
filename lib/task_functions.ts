/**
 * The task functions of asyncio: `gather`, `wait`, `waitFor`, `shield`,
 * `asCompleted`, `wrapFuture`, `runCoroutineThreadsafe`, and, beyond the
 * spec, Python 3.11+'s `timeout` / `timeoutAt`, `TaskGroup` (with
 * `ExceptionGroup`) and 3.12's `eagerTaskFactory`.
 *
 * Python 3.11's asyncio is the reference for behaviour (`waitFor`'s task,
 * `gather` of done futures, TaskGroup's and `timeout`'s cancellation
 * counting), including the number of loop iterations each step takes, so
 * programs print in the order CPython 3.11 prints. Internal subscriptions use done callbacks, never `then()`: inside a
 * task, `then()` on a Future tells the task that it is awaiting that future,
 * and `task.cancel()` would cancel the wrong thing.
 *
 * @module
 */
import { _getRunningLoop, type AbstractEventLoop, getRunningLoop, type Handle } from "./events.ts";
import {
  _isBaseError,
  CancelledError,
  RuntimeError,
  TimeoutError,
  ValueError,
} from "./exceptions.ts";
import { Coroutine, coroutine, driveGenerator, isGenerator, LibraryCall } from "./coroutines.ts";
import { bindMethodOnRead } from "./bound_methods.ts";
import {
  _cancelOperationOf,
  type CancellablePromise,
  cancelOperation,
  takeBackForTask,
} from "./operations.ts";
import {
  _cancelledError,
  _cancelMessageArg,
  _futureSetResult,
  type CancelMessage,
  DoneEntry,
  Future,
  type FutureLoop,
  isFuture,
} from "./futures.ts";
import { keywords } from "./keywords.ts";
import { getEventLoop } from "./policies.ts";
import {
  _createTaskRenamed,
  _skipTaskNumber,
  bindCancelOnRead,
  type CoroutineLike,
  currentTask,
  ensureFuture,
  runningTask,
  sleep,
  Task,
} from "./tasks.ts";
import { suspensions, taskStorage, untilALoopRuns } from "./running.ts";
import { type Context, currentContext } from "./contextvars.ts";
import { errorArgs, printAsRepr, pyRepr, pyTypeName, shortRepr, withEmptyArg } from "./format.ts";
import { type FutureSource, ThreadsafeFuture } from "./loop_bridge.ts";
import { AssertionError } from "./streams.ts";

// ---------------------------------------------------------------- helpers

/**
 * What a coroutine-like or awaitable resolves to: the result type `gather`
 * gives each of its arguments.
 *
 * @example
 * ```ts
 * type R = ResultOf<() => Promise<number>>; // number
 * ```
 */
export type ResultOf<A> = A extends PromiseLike<infer R> ? R
  : A extends Generator<unknown, infer R, unknown> ? R
  : A extends () => infer R ? (R extends Generator<unknown, infer G, unknown> ? G : Awaited<R>)
  : never;

/** The results of `gather(...aws)`, one per awaitable, in order. */
export type Results<A extends readonly unknown[]> = { -readonly [K in keyof A]: ResultOf<A[K]> };
/** `gather(..., {returnExceptions: true})`: a result or an error per awaitable. */
export type Unknowns<A extends readonly unknown[]> = { -readonly [K in keyof A]: unknown };

function isThenable(x: unknown): x is PromiseLike<unknown> {
  return (typeof x === "object" || typeof x === "function") && x !== null &&
    typeof (x as { then?: unknown }).then === "function";
}

function isCoroutineLike(x: unknown): boolean {
  return typeof x === "function" || x instanceof Coroutine || isGenerator(x) || isThenable(x);
}

/**
 * Python's type name for what `wait()` / `asCompleted()` refuse: a Promise or
 * a lazy Coroutine is the port of a coroutine object (API.md rule 9).
 */
function typeName(x: unknown): string {
  if (x instanceof Coroutine || (isThenable(x) && !isFuture(x))) return "coroutine";
  if (isGenerator(x)) return "generator";
  return pyTypeName(x);
}

/** The running loop, else the policy's current loop (Python's `get_event_loop()`). */
function currentLoop(): AbstractEventLoop {
  return getEventLoop();
}

/**
 * A timeout that is null or a number (a bool is made one by {@link seconds}).
 * A value of another type fails as it does in Python, where its first use is
 * either `loop.time() + timeout` (`op` "+") or `timeout <= 0` (`op` "<="), or
 * Timeout's `when <= loop.time()` (`op` "<= time"). NaN passes, as in
 * Python: its timer runs when the timer heap brings it to the top.
 */
function checkTimeout(
  timeout: unknown,
  what = "timeout",
  op: "+" | "<=" | "<= time" | null = null,
): asserts timeout is number | null | undefined {
  if (timeout === null || timeout === undefined) return;
  if (typeof timeout !== "number" && op === "+") {
    throw new TypeError(
      `unsupported operand type(s) for +: 'float' and '${pyTypeName(timeout)}'`,
    );
  }
  if (typeof timeout !== "number" && op !== null) {
    // "<= time": Timeout's `when <= loop.time()`.
    throw new TypeError(
      `'<=' not supported between instances of '${pyTypeName(timeout)}' and '${
        op === "<=" ? "int" : "float"
      }'`,
    );
  }
  if (typeof timeout !== "number") {
    throw new TypeError(`${what} must be a number or null, got ${pyRepr(timeout)}`);
  }
}

/** A bool as the int Python takes it for (`true` is 1 second); anything else as it is. */
function seconds<T>(x: T): T | number {
  return typeof x === "boolean" ? +x : x;
}

/**
 * Futures for the items of `fs`, in order, on `loop`. A repeated future,
 * coroutine object or promise maps to the same future, as Python's sets and
 * dicts make it; a repeated function is called again, since a function is a
 * coroutine *factory* here (API.md rule 9), not one coroutine.
 */
function futuresOf<T>(
  fs: Iterable<CoroutineLike<T>>,
  loop: AbstractEventLoop | null,
): { futs: Future<T>[]; loop: AbstractEventLoop } {
  const seen = new Map<unknown, Future<T>>();
  // Indexed loops: a loop that runs once per call stays unoptimized, and
  // there for-of makes an iterator result per item (100,000 in a big gather).
  let items = Array.isArray(fs) ? fs as CoroutineLike<T>[] : [...fs];
  const n = items.length;
  // `gather(q.put(x), q.get())`: calls that acted at once are undone, the
  // last first, and redone as their tasks first run (see `takeBackForTask`).
  for (let i = n - 1; i >= 0; i--) {
    const aw = items[i];
    if (!(aw instanceof Promise)) continue;
    const redo = takeBackForTask(aw);
    if (redo === null) continue;
    if (items === fs) items = items.slice();
    for (let j = i; j < n; j++) if (items[j] === aw) items[j] = redo as CoroutineLike<T>;
  }
  const futs = new Array<Future<T>>(n);
  for (let i = 0; i < n; i++) {
    const aw = items[i];
    // A future is its own future: only other awaitables need the map (a
    // gather of 100,000 tasks would otherwise fill it for nothing).
    const plain = typeof aw === "function" || isFuture(aw);
    let fut = plain ? undefined : seen.get(aw);
    if (fut === undefined) {
      fut = ensureFuture(aw, loop ?? undefined);
      loop ??= fut.getLoop() as unknown as AbstractEventLoop;
      // A task made here is the caller's only through us: no "destroyed but
      // pending" warning for it (Python's gather does the same).
      if (fut !== aw && fut instanceof Task) fut._logDestroyPending = false;
      if (!plain) seen.set(aw, fut);
    }
    futs[i] = fut;
  }
  return { futs, loop: loop ?? currentLoop() };
}

/**
 * `fn`, named in Handle and future reprs as Python names its callback
 * there (`cb=[gather.<locals>._done_callback()]`), not by its JS name.
 */
function named<F extends (...args: never[]) => unknown>(qualname: string, fn: F): F {
  return Object.defineProperty(fn, "__qualname__", { value: qualname });
}

function releaseWaiter(waiter: Future<unknown>): void {
  // Unbound: `waiter.setResult` read would bind a copy (see the end of futures.ts).
  if (!waiter.done()) _futureSetResult.call(waiter, null);
}
named("_release_waiter", releaseWaiter);

/**
 * Python's `functools.partial(_release_waiter, waiter)`, a done callback
 * shown as the partial is: `_release_waiter(<Future pendi...ask_wakeup()]>)()`,
 * with the waiter's repr as it is when shown.
 */
function releaseWaiterCallback(waiter: Future<unknown>): () => void {
  return Object.defineProperty(() => releaseWaiter(waiter), "__qualname__", {
    get: () => `_release_waiter(${shortRepr(waiter)})`,
  });
}

/** Cancels `fut` and waits until it is done, without awaiting `fut` itself (so this stays cancellable). */
async function cancelAndWait(fut: Future<unknown>, loop: AbstractEventLoop): Promise<void> {
  const waiter = loop.createFuture<unknown>();
  const cb = releaseWaiterCallback(waiter);
  fut.addDoneCallback(cb);
  try {
    fut.cancel();
    await waiter;
  } finally {
    fut.removeDoneCallback(cb);
  }
}

/** Python's `raise TimeoutError from exc`. */
function timeoutFrom(exc: unknown): TimeoutError {
  const te = new TimeoutError();
  te.cause = exc;
  return te;
}

/** Runs a coroutine-like in the caller's task, as Python's `await coro` does. */
function startInline<T>(aw: CoroutineLike<T> | Future<T>): PromiseLike<T> | T {
  if (typeof aw === "function") {
    const r = aw();
    return isGenerator(r) ? driveGenerator(r as Generator<unknown, T, unknown>) : r;
  }
  if (isGenerator(aw)) return driveGenerator(aw);
  return aw;
}

// ---------------------------------------------------------------- gather

/**
 * Options of {@link gather}, given as its last argument.
 *
 * @example
 * ```ts
 * await asyncio.gather(a, b, { returnExceptions: true });
 * ```
 */
export interface GatherOptions {
  /** Put errors (and `CancelledError`s) in the results instead of raising the first. */
  returnExceptions?: boolean;
}

function isOptions(x: unknown): x is GatherOptions {
  if (typeof x !== "object" || x === null || isThenable(x) || isGenerator(x)) return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/**
 * The future `gather()` returns. Cancelling it cancels the children, and,
 * like `Task.cancel()`, does not mark it cancelled at once: it ends with a
 * `CancelledError` once the children have ended. Named as Python's class,
 * which its repr shows: `<_GatheringFuture finished result=[1, 2]>`.
 */
class _GatheringFuture<T> extends Future<T> {
  /** @internal */
  _cancelRequested = false;

  constructor(readonly _children: Future<unknown>[], loop: FutureLoop) {
    super({ loop });
  }

  override cancel(msg?: CancelMessage): boolean {
    msg = _cancelMessageArg(
      msg,
      (key) => `_GatheringFuture.cancel() got an unexpected keyword argument '${key}'`,
    );
    if (this.done()) return false;
    let ret = false;
    for (const child of this._children) {
      if (child.cancel(msg)) ret = true;
    }
    // Cancelled children make gather raise CancelledError even with
    // returnExceptions: the caller asked for cancellation (bpo-32684).
    if (ret) this._cancelRequested = true;
    return ret;
  }
}
// `loop.callLater(5, gathered.cancel)` ports as is, as for any future.
bindMethodOnRead(_GatheringFuture.prototype, "cancel", "_GatheringFuture.cancel");

/**
 * Runs the awaitables concurrently and resolves to their results, in the
 * order given. Coroutines (functions, lazy coroutines, generators, promises)
 * are wrapped in tasks. A final plain object is the options object.
 *
 * - The first error is raised at once; the other children keep running.
 *   With `{ returnExceptions: true }` errors are results instead.
 * - Cancelling the returned future (or the task awaiting it) cancels every
 *   child that is not done.
 * - A child that is cancelled counts as having raised `CancelledError`;
 *   gather itself is not cancelled, so the other children are not either.
 *
 * The same future or promise given twice runs once and fills both places;
 * the same *function* given twice is called twice.
 *
 * @example
 * ```ts
 * const [a, b] = await asyncio.gather(
 *   () => asyncio.sleep(0.2, "a"),
 *   () => asyncio.sleep(0.1, "b"),
 * ); // ["a", "b"]
 * const r = await asyncio.gather(ok(), fails(), { returnExceptions: true });
 * // [1, ValueError]
 * ```
 */
export function gather<A extends CoroutineLike<unknown>[]>(...aws: A): Future<Results<A>>;
/** `gather(...aws, {returnExceptions: false})`: the results, typed. */
export function gather<A extends CoroutineLike<unknown>[]>(
  ...args: [...A, GatherOptions & { returnExceptions?: false }]
): Future<Results<A>>;
/** `gather(...aws, {returnExceptions: true})`: results or errors. */
export function gather<A extends CoroutineLike<unknown>[]>(
  ...args: [...A, GatherOptions]
): Future<Unknowns<A>>;
export function gather(...args: unknown[]): Future<unknown[]> {
  let returnExceptions = false;
  if (args.length && isOptions(args[args.length - 1])) {
    // A misspelt key (`return_exceptions`) is Python's TypeError, not ignored.
    const kw = keywords("gather", args.pop(), ["returnExceptions"]) as GatherOptions;
    returnExceptions = !!kw.returnExceptions;
  }
  if (args.length === 0) {
    const outer = currentLoop().createFuture<unknown[]>();
    outer.setResult([]);
    return outer;
  }
  const { futs: children, loop } = futuresOf(args as CoroutineLike<unknown>[], null);
  let nfuts = 0;
  let nfinished = 0;
  let outer: _GatheringFuture<unknown[]> | null = null;

  const onChildDone = named("gather.<locals>._done_callback", (fut: Future<unknown>): void => {
    nfinished++;
    if (outer === null || outer.done()) {
      // Too late to matter; only mark the error as seen.
      if (!fut.cancelled()) fut.exception();
      return;
    }
    if (!returnExceptions) {
      if (fut.cancelled()) {
        outer.setException(fut._makeCancelledError());
        return;
      }
      const exc = fut.exception();
      if (exc !== null) {
        outer.setException(exc);
        return;
      }
    }
    if (nfinished === nfuts) {
      const n = children.length;
      const results = new Array<unknown>(n);
      for (let i = 0; i < n; i++) {
        const f = children[i];
        // Python 3.11 makes it with `''` when there is no message: its repr
        // is `CancelledError('')`, not `CancelledError()`.
        if (f.cancelled()) results[i] = withEmptyArg(new CancelledError(f._cancelMessage ?? ""));
        else {
          const exc = f.exception();
          results[i] = exc !== null ? exc : f.result();
        }
      }
      if (outer._cancelRequested) outer.setException(fut._makeCancelledError());
      else outer.setResult(results);
    }
  });

  // Each distinct child counts once. A pending child seen before ends with
  // our callback (added just now, nothing ran since), so no Set of 100,000
  // children is needed; done children are rare and go through one.
  let doneSeen: Set<Future<unknown>> | null = null;
  // Python copies the context for each done callback; this one sets no
  // context variable, so they can all share the caller's.
  const ctx = currentContext();
  for (let i = 0; i < children.length; i++) {
    const fut = children[i];
    if (fut.done()) {
      doneSeen ??= new Set();
      if (doneSeen.has(fut)) continue;
      doneSeen.add(fut);
      // Done already: the callback is scheduled, as Python 3.11 does, so a
      // gather of done futures is done on the next iteration, not at once.
      fut._addDoneEntry(onChildDone, ctx);
    } else {
      const cbs = fut._callbacks;
      const last = Array.isArray(cbs) ? cbs[cbs.length - 1] : cbs;
      if (last instanceof DoneEntry && last.fn === onChildDone) continue;
      fut._addDoneEntry(onChildDone, ctx);
    }
    nfuts++;
  }
  outer = new _GatheringFuture<unknown[]>(children, loop as unknown as FutureLoop);
  return outer;
}

// ---------------------------------------------------------------- wait

/**
 * `wait()` returns when any future finishes or is cancelled.
 *
 * @example
 * ```ts
 * await asyncio.wait(tasks, { returnWhen: asyncio.FIRST_COMPLETED });
 * ```
 */
export const FIRST_COMPLETED = "FIRST_COMPLETED";
/**
 * `wait()` returns when any future ends with an error, or all are done.
 *
 * @example
 * ```ts
 * await asyncio.wait(tasks, { returnWhen: asyncio.FIRST_EXCEPTION });
 * ```
 */
export const FIRST_EXCEPTION = "FIRST_EXCEPTION";
/**
 * `wait()` returns when all futures are done (the default).
 *
 * @example
 * ```ts
 * await asyncio.wait(tasks, { returnWhen: asyncio.ALL_COMPLETED });
 * ```
 */
export const ALL_COMPLETED = "ALL_COMPLETED";

/**
 * Options of {@link wait}.
 *
 * @example
 * ```ts
 * await asyncio.wait(tasks, { timeout: 5, returnWhen: asyncio.FIRST_COMPLETED });
 * ```
 */
export interface WaitOptions {
  /** Seconds to wait at most (default: no limit). Not an error when it passes. */
  timeout?: number | null;
  /** `FIRST_COMPLETED`, `FIRST_EXCEPTION` or `ALL_COMPLETED` (default). */
  returnWhen?: typeof FIRST_COMPLETED | typeof FIRST_EXCEPTION | typeof ALL_COMPLETED;
}

/**
 * Waits for the futures and tasks of `fs` until `returnWhen` is met or
 * `timeout` seconds pass, and resolves to `[done, pending]`, two Sets.
 * It never cancels anything and never raises `TimeoutError`. Functions and
 * Promises in `fs` are wrapped in tasks (then the Sets hold those tasks);
 * a lazy `Coroutine`, a generator or a library coroutine's call
 * (`q.get()`, `lock.acquire()`) is a `TypeError`, as Python 3.11 refuses
 * coroutine objects. An empty `fs` is a `ValueError`.
 *
 * @example
 * ```ts
 * const tasks = [asyncio.createTask(a), asyncio.createTask(b)];
 * const [done, pending] = await asyncio.wait(tasks, {
 *   returnWhen: asyncio.FIRST_COMPLETED,
 *   timeout: 5,
 * });
 * for (const t of pending) t.cancel();
 * ```
 */
export async function wait<T>(
  fs: Iterable<CoroutineLike<T>>,
  opts: WaitOptions = {},
): Promise<[Set<Future<T>>, Set<Future<T>>]> {
  // A misspelt key (`return_when`) is Python's TypeError, not ignored.
  keywords("wait", opts, ["timeout", "returnWhen"]);
  if (isFuture(fs) || isThenable(fs) || isGenerator(fs)) {
    throw new TypeError(`expect a list of futures, not ${typeName(fs)}`);
  }
  if (typeof (fs as { [Symbol.iterator]?: unknown })?.[Symbol.iterator] !== "function") {
    // Python's `set(fs)`.
    throw new TypeError(`'${typeName(fs)}' object is not iterable`);
  }
  const items = [...fs];
  if (items.length === 0) throw new ValueError("Set of Tasks/Futures is empty.");
  // `wait([q.get()])` with an item there, `wait([lock.acquire()])` on a free
  // lock: the call acted at once, but it is a coroutine object in Python,
  // refused below before it ever ran. Undone (the last first), so no item
  // or lock is lost to the refusal.
  let acted = false;
  for (let i = items.length - 1; i >= 0; i--) {
    const f = items[i];
    if (f instanceof Promise && takeBackForTask(f) !== null) acted = true;
  }
  // Only an omitted option is the default: null is Python's None, a bad value.
  const returnWhen = opts.returnWhen === undefined ? ALL_COMPLETED : opts.returnWhen;
  if (
    returnWhen !== FIRST_COMPLETED && returnWhen !== FIRST_EXCEPTION && returnWhen !== ALL_COMPLETED
  ) {
    throw new ValueError(`Invalid return_when value: ${returnWhen === null ? "None" : returnWhen}`);
  }
  // Python 3.11 refuses coroutine objects (the lazy `Coroutine`, a generator);
  // a function or a running Promise is still wrapped in a task.
  if (acted || items.some((f) => f instanceof Coroutine || isGenerator(f))) {
    throw new TypeError("Passing coroutines is forbidden, use tasks explicitly.");
  }
  const timeout = seconds(opts.timeout);
  checkTimeout(timeout, "timeout", "+");
  const { futs, loop } = futuresOf(items, currentLoop());
  const all = new Set(futs);

  const waiter = loop.createFuture<unknown>();
  const timeoutHandle = timeout != null ? loop.callLater(timeout, releaseWaiter, waiter) : null;
  let counter = all.size;
  const onCompletion = named("_wait.<locals>._on_completion", (f: Future<T>): void => {
    counter--;
    if (
      counter <= 0 || returnWhen === FIRST_COMPLETED ||
      (returnWhen === FIRST_EXCEPTION && !f.cancelled() && f.exception() !== null)
    ) {
      timeoutHandle?.cancel();
      releaseWaiter(waiter);
    }
  });
  for (const f of all) f.addDoneCallback(onCompletion);
  try {
    await waiter;
  } finally {
    timeoutHandle?.cancel();
    for (const f of all) f.removeDoneCallback(onCompletion);
  }
  const done = new Set<Future<T>>();
  const pending = new Set<Future<T>>();
  for (const f of all) (f.done() ? done : pending).add(f);
  return [done, pending];
}

// ---------------------------------------------------------------- waitFor

/**
 * Waits for `aw` for at most `timeout` seconds (`null`: no limit) and
 * resolves to its result. On timeout the awaitable is cancelled, waited for
 * until it has really finished, and `TimeoutError` is raised (its `cause` is
 * the `CancelledError`). If the awaitable swallows the cancellation and
 * returns a value, that value is returned. If `waitFor` itself is
 * cancelled, the awaitable is cancelled too. Wrap it in `shield()` to keep
 * it running after a timeout.
 *
 * As in Python 3.11, with a limit the awaitable runs as a task of its own
 * (`ensureFuture`); without one (`null`) a coroutine runs inside the calling
 * task. Called outside any task (from a plain callback, or before the loop
 * runs), `waitFor` runs itself in a new task.
 *
 * @example
 * ```ts
 * try {
 *   await asyncio.waitFor(() => asyncio.sleep(3600), 1.0);
 * } catch (e) {
 *   if (e instanceof asyncio.TimeoutError) console.log("timeout!");
 * }
 * ```
 */
export function waitFor<T>(
  aw: CoroutineLike<T> | Future<T>,
  timeout: number | null | { timeout: number | null },
): Promise<T> {
  const kw = keywords("wait_for", timeout, ["timeout"]);
  if (kw !== null) timeout = (kw.timeout as number | null | undefined) ?? null;
  // A native promise runs in the caller's task already: waited for there,
  // at once, where the timeout can reach its awaits (see waitForNow).
  if (aw instanceof Promise) return forwardCanceller(aw, waitForNow(aw, timeout as number | null));
  // Else lazy, as Python's coroutine is: `createTask(asyncio.waitFor(c, 1))`,
  // `gather(waitFor(a, 1), waitFor(b, 1))` and a TaskGroup's
  // `tg.createTask(waitFor(c, 1))` run it in the task made for it, so that
  // cancelling that task (a failing sibling, a cancelled gather) cancels the
  // awaitable too; awaited in place, it starts at the `await`.
  return new LibraryCall<T>("wait_for", null, waitForNow, 2, aw, timeout) as unknown as Promise<T>;
}

/**
 * `createTask(waitFor(reader.readLine(), 5))`: the read started in the
 * caller, so the task made from waitFor's promise could not reach it, and
 * cancelling that task left the read parked (the next read failed with
 * "called while another coroutine is already waiting"). Python's task
 * cancels the wait_for coroutine and so the read inside it: `result`
 * carries the canceller of `aw` (one of the loop's own operations), if any.
 */
function forwardCanceller<T>(aw: Promise<T>, result: Promise<T>): Promise<T> {
  const op = (aw as Partial<CancellablePromise<T>>)[cancelOperation];
  if (op === undefined) return result;
  (result as CancellablePromise<T>)[cancelOperation] = {
    cancelOperation: (_p: Promise<unknown>, msg?: string) => op.cancelOperation(aw, msg),
  };
  return result;
}

async function waitForNow<T>(
  aw: CoroutineLike<T> | Future<T>,
  timeout: number | null,
): Promise<T> {
  try {
    timeout = seconds(timeout);
    checkTimeout(timeout, "timeout", "<=");
  } catch (e) {
    // `waitFor(reader.readLine(), "1")`: Python's coroutine never starts,
    // but this read (or queue get) started in the call: stop or undo it, or
    // it would stay parked and the next read fail as "already waiting".
    if (aw instanceof Promise) {
      if (cancelOperation in aw) _cancelOperationOf(aw, undefined);
      else takeBackForTask(aw);
    }
    throw e;
  }
  if (!isCoroutineLike(aw)) {
    throw new TypeError(`An asyncio.Future, a coroutine or an awaitable is required`);
  }
  if (runningTask() === null) {
    // Called before any loop runs (`asyncio.run(asyncio.waitFor(main(), 5))`
    // calls waitFor first): start when a loop runs, as Python's coroutine,
    // not started yet, would, rather than on the policy's loop (gone, or
    // refused after an earlier `run`). Still an error if no loop starts.
    if (_getRunningLoop() === null) {
      if (await untilALoopRuns()) return await waitForNow(aw, timeout);
      throw new RuntimeError("no running event loop");
    }
    return await ensureFuture(() => waitForNow(aw, timeout));
  }
  // No limit: awaited in place, as Python 3.11's `return await fut`.
  if (timeout == null) return await startInline(aw);
  const loop = getRunningLoop();
  if (isFuture(aw) && aw.getLoop() !== loop) {
    // Python's ensure_future(fut, loop=loop).
    throw new ValueError(
      "The future belongs to a different loop than the one specified as the loop argument",
    );
  }
  if (aw instanceof Promise) {
    // `waitFor(q.get(), 1)` with an item there: the get is undone and made
    // into a task below, as Python's wait_for makes one for its coroutine.
    const redo = takeBackForTask(aw);
    if (redo !== null) aw = redo as CoroutineLike<T>;
  }
  if (aw instanceof Promise) {
    // A native promise already runs in this task (`waitFor(q.get(), 1)`):
    // a task of its own could not stop it, and its queue getter or lock
    // waiter would live on and take the next item or the lock. Awaited in
    // place, the timeout cancels this task's await, which reaches that
    // code's innermost await (rule 11). Python makes a task for it: its
    // number is used up all the same, so later task names stay Python's.
    _skipTaskNumber();
    if (timeout > 0) return await inPlaceAsTask(aw, timeout, loop);
    // No time at all: Python's coroutine is cancelled before it starts, so
    // whatever the promise does, it is a TimeoutError (the promise's own
    // awaits are cancelled first, as above).
    let exc: unknown;
    try {
      await new Timeout(loop.time()).run(() => aw);
    } catch (e) {
      if (e instanceof TimeoutError || e instanceof CancelledError) throw e;
      exc = e;
    }
    throw timeoutFrom(exc ?? new CancelledError());
  }
  if (timeout <= 0) {
    // Python's special case: no time at all, so a coroutine never starts.
    const fut = ensureFuture(aw);
    if (fut.done()) return fut.result();
    await cancelAndWait(fut as Future<unknown>, loop);
    return resultOrTimeout(fut);
  }
  // Python 3.11's algorithm: the awaitable runs as a task of its own (it
  // takes a task name, and its code sees that task as the current one),
  // watched through a waiter that the timer or its completion releases.
  const waiter = loop.createFuture<unknown>();
  const timeoutHandle = loop.callLater(timeout, releaseWaiter, waiter);
  const onDone = releaseWaiterCallback(waiter);
  const fut = ensureFuture(aw);
  fut.addDoneCallback(onDone);
  try {
    try {
      await waiter;
    } catch (e) {
      if (!(e instanceof CancelledError)) throw e;
      // waitFor itself was cancelled: so is the awaitable, unless it is done.
      if (fut.done()) return fut.result();
      fut.removeDoneCallback(onDone);
      await cancelAndWait(fut as Future<unknown>, loop);
      throw e;
    }
    if (fut.done()) return fut.result();
    fut.removeDoneCallback(onDone);
    // Timed out: the awaitable must not run on after waitFor returns.
    await cancelAndWait(fut as Future<unknown>, loop);
    return resultOrTimeout(fut);
  } finally {
    timeoutHandle.cancel();
  }
}

/**
 * `waitFor(promise, timeout)`: the promise awaited in place, then the loop
 * iterations that Python's caller spends after the task its `wait_for` made
 * for the coroutine has ended, so that it resumes when and where (in the
 * ready queue) Python's does: one for that task's done callback to release
 * the waiter, one for the waiter to wake the caller; one more when the
 * promise settled in the step that called `waitFor` (Python's task first
 * runs an iteration later), or when it ended by a timeout or by a cancel of
 * this task (Python's caller wakes first and then cancels its task). Cancelled
 * during those iterations, it ends as it would have, as 3.11's `wait_for`
 * returns the result of an awaitable already done.
 */
async function inPlaceAsTask<T>(
  aw: Promise<T>,
  timeout: number,
  loop: AbstractEventLoop,
): Promise<T> {
  const task = runningTask()!;
  const start = suspensions.count;
  const cancels = task.cancelling();
  let ok = true;
  let value: unknown;
  let hops = 2;
  try {
    value = await new Timeout(loop.time() + timeout).run(() => aw);
  } catch (e) {
    ok = false;
    value = e;
    if (e instanceof TimeoutError || (e instanceof CancelledError && task.cancelling() > cancels)) {
      hops = 3;
    }
  }
  if (task.cancelling() > cancels && !(!ok && value instanceof CancelledError)) {
    // This task was cancelled from outside meanwhile, and the cancel reached
    // the promise's own awaits (it runs in place), which swallowed it or
    // made it another error. Python's cancel reached wait_for's own await:
    // it cancels the awaitable's task, waits for it and raises
    // CancelledError whatever that task did; so does this, with the cancel's
    // message, rather than let the task run on as if never cancelled.
    ok = false;
    value = _cancelledError(task._lastCancelMessage);
    hops = 3;
  }
  if (suspensions.count === start) hops = 3;
  try {
    for (let i = 0; i < hops; i++) await sleep(0);
  } catch (e) {
    if (!(e instanceof CancelledError)) throw e;
  }
  if (ok) return value as T;
  throw value;
}

/**
 * Whether the caller runs while a loop does, but in no task and in none of
 * the loop's callbacks: the rest of `main` after its first `await` when
 * `asyncio.run(main())` got main's promise (main was called before the
 * loop existed, so its code is not its task's). Python's code is in a task
 * there, so `timeout()` and `TaskGroup` give the block a task of its own, as
 * `waitFor` does, rather than fail; from a plain callback they still fail.
 */
function outsideTasks(): boolean {
  if (runningTask() !== null) return false;
  const loop = _getRunningLoop() as { _currentHandle?: unknown } | null;
  return loop !== null && loop._currentHandle === null;
}

/**
 * No loop runs yet: `asyncio.run(main())` calls main before its loop
 * exists, and a main that opens with `async with asyncio.TaskGroup()` or
 * `asyncio.timeout()` gets there first, where Python's coroutine would
 * start inside main's task. Then {@link untilMainRuns} waits, as `sleep()` does.
 */
function beforeAnyLoop(): boolean {
  return runningTask() === null && _getRunningLoop() === null;
}

/** Waits for the next loop to run; the code then goes on as its main task's. Still an error if none starts. */
async function untilMainRuns(): Promise<void> {
  if (!(await untilALoopRuns())) throw new RuntimeError("no running event loop");
}

/** The result of a future cancelled on timeout: a swallowed cancellation gives its value. */
function resultOrTimeout<T>(fut: Future<T>): T {
  try {
    return fut.result();
  } catch (e) {
    if (e instanceof CancelledError) throw timeoutFrom(e);
    throw e;
  }
}

// ---------------------------------------------------------------- shield

/**
 * Protects `aw` from cancellation: cancelling the caller (or the returned
 * future) does not cancel the inner task, which runs on. The caller still
 * gets `CancelledError`. If the inner task is cancelled by other means,
 * the shield is cancelled too. Keep a reference to the inner task.
 *
 * @example
 * ```ts
 * const task = asyncio.createTask(something);
 * try {
 *   await asyncio.shield(task);
 * } catch (e) {
 *   if (!(e instanceof asyncio.CancelledError)) throw e;
 *   // we were cancelled; `task` runs on
 * }
 * ```
 */
export function shield<T>(aw: CoroutineLike<T> | Future<T>): Future<T> {
  // Python 3.11's shield takes no keywords (its `loop=` went in 3.10).
  if (arguments.length > 1) keywords("shield", arguments[1], []);
  const inner = ensureFuture(aw);
  if (inner.done()) return inner;
  const outer = (inner.getLoop() as unknown as AbstractEventLoop).createFuture<T>();
  const onInnerDone = named("shield.<locals>._inner_done_callback", (f: Future<T>): void => {
    if (outer.cancelled()) {
      if (!f.cancelled()) f.exception(); // seen: it has nobody to report to
      return;
    }
    if (f.cancelled()) {
      outer.cancel();
      return;
    }
    const exc = f.exception();
    if (exc !== null) outer.setException(exc);
    else outer.setResult(f.result());
  });
  const onOuterDone = named("shield.<locals>._outer_done_callback", (): void => {
    if (!inner.done()) inner.removeDoneCallback(onInnerDone);
  });
  inner.addDoneCallback(onInnerDone);
  outer.addDoneCallback(onOuterDone);
  return outer;
}

// ---------------------------------------------------------------- asCompleted

/**
 * Options of {@link asCompleted}.
 *
 * @example
 * ```ts
 * for (const next of asyncio.asCompleted(tasks, { timeout: 10 })) await next;
 * ```
 */
export interface AsCompletedOptions {
  /** Seconds until the remaining awaitables raise `TimeoutError` (default: no limit). */
  timeout?: number | null;
}

/**
 * What {@link asCompleted} returns: iterate it to get, in completion order,
 * lazy coroutines that resolve to each result (`for...of`), or the results
 * themselves (`for await...of`). Both ways share one count: together they
 * hand out as many outcomes as there are awaitables.
 *
 * @example
 * ```ts
 * const it = asyncio.asCompleted([() => asyncio.sleep(0.2, "b"), () => asyncio.sleep(0.1, "a")]);
 * for await (const r of it) console.log(r); // "a", then "b"
 * ```
 */
export class AsCompleted<T> implements Iterable<Coroutine<T>>, AsyncIterable<T> {
  #fs: Iterable<CoroutineLike<T>> | null;
  #timeout: number | null;
  #loop: AbstractEventLoop | null = null;
  /** Finished futures, in order; null is a timeout marker. */
  #done: Array<Future<T> | null> = [];
  #getters: Future<unknown>[] = [];
  #todo = new Set<Future<T>>();
  #left = 0;
  #timeoutHandle: Handle | null = null;
  // Named as Python's are: `<coroutine object as_completed.<locals>._wait_for_one at 0x...>`.
  #nextResult = coroutine(
    Object.defineProperty(
      async (): Promise<T> => (await this.#nextDone()).fut.result(),
      "name",
      { value: "as_completed.<locals>._wait_for_one" },
    ),
  );

  /** @internal Use {@link asCompleted}. */
  constructor(fs: Iterable<CoroutineLike<T>>, timeout: number | null) {
    this.#fs = fs;
    this.#timeout = timeout;
  }

  /**
   * Starts at the first step of either iteration, as Python 3.11's
   * `as_completed`, a generator, does: only then are `fs` checked and
   * wrapped in tasks, and the timeout counted. Once; after an error there
   * is nothing to iterate.
   */
  #start(): void {
    const fs = this.#fs;
    if (fs === null) return;
    this.#fs = null;
    if (isThenable(fs) || isGenerator(fs)) {
      throw new TypeError(`expect an iterable of futures, not ${typeName(fs)}`);
    }
    if (typeof (fs as { [Symbol.iterator]?: unknown })?.[Symbol.iterator] !== "function") {
      // Python's `set(fs)`.
      throw new TypeError(`'${typeName(fs)}' object is not iterable`);
    }
    const loop = currentLoop();
    const { futs } = futuresOf(fs, loop);
    this.#loop = loop;
    this.#todo = new Set(futs);
    for (const f of this.#todo) f.addDoneCallback(this.#onCompletion);
    const timeout = this.#timeout;
    if (this.#todo.size && timeout !== null) {
      checkTimeout(timeout, "timeout", "+");
      this.#timeoutHandle = loop.callLater(timeout, this.#onTimeout);
    }
    this.#left = this.#todo.size;
  }

  /** Lazy coroutines, each resolving to the result of the next future to finish (or raising its error). */
  *[Symbol.iterator](): Iterator<Coroutine<T>> {
    this.#start();
    while (this.#left > 0) {
      this.#left--;
      yield this.#nextResult();
    }
  }

  /**
   * The results as they come (an error is raised by the loop). Python 3.13
   * yields the futures instead; TypeScript types a `for await` variable as
   * what the value resolves to, so here it is the result itself.
   */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: async (): Promise<IteratorResult<T>> => {
        this.#start();
        if (this.#left <= 0) return { done: true, value: undefined };
        this.#left--;
        return { done: false, value: (await this.#nextDone()).fut.result() };
      },
    };
  }

  #onCompletion = named("as_completed.<locals>._on_completion", (f: Future<T>): void => {
    if (!this.#todo.size) return; // the timeout came first
    this.#todo.delete(f);
    this.#put(f);
    if (!this.#todo.size) this.#timeoutHandle?.cancel();
  });

  #onTimeout = named("as_completed.<locals>._on_timeout", (): void => {
    for (const f of this.#todo) {
      f.removeDoneCallback(this.#onCompletion);
      this.#put(null);
    }
    this.#todo.clear();
  });

  #put(f: Future<T> | null): void {
    this.#done.push(f);
    while (this.#getters.length) {
      const g = this.#getters.shift()!;
      if (!g.done()) {
        g.setResult(null);
        break;
      }
    }
  }

  /**
   * Python's `Queue.get()`: waits for the next finished future. Boxed,
   * because a promise resolved with a future would adopt its result.
   */
  async #nextDone(): Promise<{ fut: Future<T> }> {
    while (this.#done.length === 0) {
      // Started: #left was above zero.
      const getter = this.#loop!.createFuture<unknown>();
      this.#getters.push(getter);
      try {
        await getter;
      } catch (e) {
        getter.cancel();
        const i = this.#getters.indexOf(getter);
        if (i >= 0) this.#getters.splice(i, 1);
        throw e;
      }
    }
    const fut = this.#done.shift()!;
    if (fut === null) throw new TimeoutError();
    return { fut };
  }
}

/**
 * Runs the awaitables of `fs` concurrently and hands back their outcomes in
 * the order they finish. Plain iteration gives awaitables (lazy coroutines)
 * that resolve to the next result or raise the next error, as in Python;
 * `for await` gives the results directly and raises at the first error
 * (Python 3.13's `async for` gives the finished futures; see
 * {@link AsCompleted}). When `timeout` seconds pass first, the rest raise
 * `TimeoutError`. Nothing is ever cancelled. Coroutines are wrapped in tasks.
 * As Python 3.11's `as_completed`, a generator, it starts at the first step
 * of the iteration: only then is `fs` checked (a bad one raises there) and
 * wrapped, and the timeout counted from then.
 *
 * @example
 * ```ts
 * for (const next of asyncio.asCompleted(tasks, { timeout: 10 })) {
 *   const result = await next; // may raise
 * }
 * for await (const result of asyncio.asCompleted([() => fetchA(), () => fetchB()])) {
 *   console.log("first come:", result);
 * }
 * ```
 */
export function asCompleted<T>(
  fs: Iterable<CoroutineLike<T>>,
  opts: AsCompletedOptions = {},
): AsCompleted<T> {
  // A misspelt (or removed, as `loop`) keyword is Python's TypeError, not ignored.
  keywords("as_completed", opts, ["timeout"]);
  return new AsCompleted<T>(fs, seconds(opts.timeout) ?? null);
}

// ---------------------------------------------------------------- wrapFuture

/**
 * A Promise (or any thenable) as a Future on `loop` (default: the running
 * loop, else the current one), settled when the promise settles. A Future
 * is returned as it is. Cancelling the Future does not stop the promise's
 * operation (JS promises cannot be cancelled; pass an `AbortSignal` to the
 * operation for that), except for the library's cancellable results, as
 * Python's `wrap_future` of a `concurrent.futures.Future`: cancelling the
 * Future cancels a `ThreadsafeFuture` (and its task) or withdraws an
 * executor's job that has not started, and a `ThreadsafeFuture` that is
 * cancelled cancels the Future. Anything else is Python's `AssertionError`.
 *
 * @example
 * ```ts
 * const fut = asyncio.wrapFuture(fetch("http://localhost:8000/"));
 * fut.addDoneCallback((f) => console.log("status", f.result().status));
 * ```
 */
export function wrapFuture<T>(
  promise: PromiseLike<T> | Future<T>,
  opts: { loop?: AbstractEventLoop } = {},
): Future<T> {
  keywords("wrap_future", opts, ["loop"]);
  if (isFuture(promise)) return promise as Future<T>;
  if (promise instanceof Coroutine) return ensureFuture(promise, opts.loop);
  if (!isThenable(promise)) {
    // Python asserts the type, in these words.
    throw new AssertionError(`concurrent.futures.Future is expected, got ${pyRepr(promise)}`);
  }
  const loop = opts.loop ?? currentLoop();
  const fut = loop.createFuture<T>();
  // A ThreadsafeFuture or an executor's Submission: Python's _chain_future.
  const source = promise as { cancel?: unknown; cancelled?: unknown };
  if (typeof source.cancel === "function") {
    const callCheckCancel = (f: Future<T>) => {
      if (f.cancelled()) (source.cancel as () => unknown).call(promise);
    };
    // Named as Python's callback shows in the future's repr.
    Object.defineProperty(callCheckCancel, "__qualname__", {
      value: "_chain_future.<locals>._call_check_cancel",
    });
    fut.addDoneCallback(callCheckCancel);
  }
  // Subscribed outside any task's context, so no task mistakes it for its own await.
  taskStorage.exit(() =>
    promise.then(
      (v) => {
        if (!fut.done()) fut.setResult(v);
      },
      (e) => {
        if (fut.done()) return;
        if (typeof source.cancelled === "function" && source.cancelled() === true) fut.cancel();
        else fut.setException(e ?? new Error(`promise rejected with ${e}`));
      },
    )
  );
  return fut;
}

// ---------------------------------------------------------------- runCoroutineThreadsafe

/**
 * Schedules `coro` on `loop` from outside it, and returns Python's
 * `concurrent.futures.Future` of its result: a {@link ThreadsafeFuture}
 * with `result(timeout)`, `exception()`, `done()`, `cancelled()`,
 * `cancel()` (which cancels the task too) and `addDoneCallback(cb)`; it is
 * a thenable, so `await` it, or `wrapFuture` it, to wait without blocking.
 * The loop and its caller share one thread here, so `result()` of a
 * pending future cannot wait for it: with a timeout it is a `TimeoutError`
 * at once, without one a `RuntimeError` (Python would wait for ever).
 * Use it from host callbacks (timers, I/O events, a Worker's messages) or
 * from another loop's tasks; it goes through `loop.callSoonThreadsafe`,
 * which wakes the loop. (A Worker calls into a loop through a `LoopBridge`.)
 *
 * @example
 * ```ts
 * setTimeout(async () => {
 *   const v = await asyncio.runCoroutineThreadsafe(() => asyncio.sleep(1, 3), loop);
 *   console.log(v); // 3
 * }, 0);
 * ```
 */
export function runCoroutineThreadsafe<T>(
  coro: CoroutineLike<T>,
  loopOrOptions: AbstractEventLoop | { loop: AbstractEventLoop },
): ThreadsafeFuture<T> {
  // Python's `run_coroutine_threadsafe(coro, loop=loop)` is `{ loop }`
  // (API.md rule 3); a loop is a class instance, never a plain object.
  const kw = keywords("run_coroutine_threadsafe", loopOrOptions, ["loop"]);
  const loop = (kw !== null ? kw.loop : loopOrOptions) as AbstractEventLoop | undefined;
  if (loop === undefined) {
    throw new TypeError(
      "run_coroutine_threadsafe() missing 1 required positional argument: 'loop'",
    );
  }
  if (!isCoroutineLike(coro) || isFuture(coro)) {
    throw new TypeError("A coroutine object is required");
  }
  let task: Future<T> | null = null;
  const source: FutureSource = {
    // Queued after the callback below, so the task exists by then (Python's _chain_future).
    _cancel: () => {
      try {
        loop.callSoonThreadsafe(() => task?.cancel());
      } catch {
        // The loop is closed: there is no task left to cancel.
      }
    },
    _waitFor: (f, timeout) => {
      if (!f.done() && timeout === null) {
        throw new RuntimeError("result() would block the loop's own thread for ever; await it");
      }
    },
  };
  const fut = new ThreadsafeFuture<T>(source, 0);
  loop.callSoonThreadsafe(() => {
    try {
      task = ensureFuture(coro, loop);
    } catch (e) {
      fut._setException(e);
      throw e; // also to the loop's exception handler, as Python does
    }
    task.addDoneCallback((t) => {
      if (t.cancelled()) fut._setCancelled();
      else if (t.exception() !== null) fut._setException(t.exception());
      else fut._setResult(t.result());
    });
  });
  return fut;
}

// ---------------------------------------------------------------- timeout

type TimeoutState = "created" | "active" | "expiring" | "expired" | "finished";

/**
 * Python's `repr(round(when, 3))`: correctly rounded, ties to even
 * (`Math.round(when * 1000) / 1000` rounds 0.0045, just below the tie, up
 * to 0.005), and a float stays one when it rounds to a whole number
 * (`0.00025` gives `0.0`). A whole `when` prints as the int it most likely
 * was (`timeout_at(10)`: `10`).
 */
function whenRepr(when: number): string {
  // toFixed() rounds the exact binary value, as Python does; only an exact
  // tie (0.0625) goes away from zero, where Python's goes to the even digit.
  const tie = /^(-?\d+\.\d\d[02468])50*$/.exec(when.toFixed(100));
  const r = Number(tie !== null ? tie[1] : when.toFixed(3));
  if (Number.isInteger(when) || !Number.isInteger(r)) return pyRepr(r);
  return Object.is(r, -0) ? "-0.0" : `${r}.0`;
}

/**
 * A deadline for a block of code (Python 3.11's `asyncio.Timeout`). Made by
 * {@link timeout} and {@link timeoutAt}, which also run the block; you
 * rarely make one yourself. When the deadline passes, the task running the
 * block is cancelled, and the `CancelledError` leaving the block becomes a
 * `TimeoutError`.
 *
 * @example
 * ```ts
 * await asyncio.timeout(10, async (cm) => {
 *   cm.reschedule(asyncio.getRunningLoop().time() + 20); // more time
 *   await work();
 * });
 * ```
 */
export class Timeout {
  #state: TimeoutState = "created";
  #when: number | null;
  #handle: Handle | null = null;
  #task: Task<unknown> | null = null;
  #cancelling = 0;

  /** A timeout due at loop time `when` (null: never). It starts when {@link run} enters it. */
  constructor(when: number | null) {
    when = seconds(when);
    checkTimeout(when, "when", "<= time");
    this.#when = when ?? null;
  }

  /** The deadline, in loop time, or null. */
  when(): number | null {
    return this.#when;
  }

  /** Moves the deadline to loop time `when` (null: none). Only while the block runs. */
  reschedule(when: number | null): void {
    if (this.#state !== "active") {
      if (this.#state === "created") throw new RuntimeError("Timeout has not been entered");
      throw new RuntimeError(`Cannot change state of ${this.#state} Timeout`);
    }
    when = seconds(when);
    checkTimeout(when, "when", "<= time");
    this.#when = when ?? null;
    this.#handle?.cancel();
    this.#handle = null;
    if (when == null) return;
    const loop = getRunningLoop();
    this.#handle = when <= loop.time()
      ? loop.callSoon(this.#onTimeout)
      : loop.callAt(when, this.#onTimeout);
  }

  /** Whether the deadline passed while the block ran. */
  expired(): boolean {
    return this.#state === "expiring" || this.#state === "expired";
  }

  /** `<Timeout [active] when=12.345>`, as Python prints it. */
  toString(): string {
    let info = "";
    if (this.#state === "active") {
      info = ` when=${this.#when === null ? "None" : whenRepr(this.#when)}`;
    }
    return `<Timeout [${this.#state}]${info}>`;
  }

  /**
   * Runs `fn(this)` under the deadline (Python's `async with`): resolves to
   * its result, or raises `TimeoutError` if the deadline cut it short. Must
   * be called from inside a task; a Timeout runs one block only.
   */
  async run<R>(fn: (cm: Timeout) => R | PromiseLike<R>): Promise<Awaited<R>> {
    if (typeof fn !== "function") throw new TypeError(`a function is required, got ${pyRepr(fn)}`);
    if (this.#state === "created" && beforeAnyLoop()) await untilMainRuns();
    if (this.#state === "created" && outsideTasks()) return await ensureFuture(() => this.run(fn));
    this.#enter();
    let result: Awaited<R>;
    try {
      result = await fn(this);
    } catch (e) {
      this.#exit(e);
      throw e;
    }
    this.#exit(undefined);
    return result;
  }

  #enter(): void {
    if (this.#state !== "created") throw new RuntimeError("Timeout has already been entered");
    const task = currentTask();
    if (task === null) throw new RuntimeError("Timeout should be used inside a task");
    this.#state = "active";
    this.#task = task;
    this.#cancelling = task.cancelling();
    this.reschedule(this.#when);
  }

  /** Leaving the block: a CancelledError we caused becomes TimeoutError. */
  #exit(exc: unknown): void {
    this.#handle?.cancel();
    this.#handle = null;
    if (this.#state === "expiring") {
      this.#state = "expired";
      // Only if no one else asked to cancel the task meanwhile (requests
      // standing from before the block do not count, as since CPython
      // 3.11.3): then the cancellation is ours to turn into a timeout.
      const task = this.#task!;
      if (task.uncancel() <= this.#cancelling) {
        if (exc instanceof CancelledError) {
          // A host API given the task's signal (`fetch`) rejects with its
          // reason, a CancelledError, before the task has delivered ours:
          // that was our cancellation, so it must not hit the next await.
          task._mustCancel = false;
          throw timeoutFrom(exc);
        }
        // The block was awaiting a host promise, which our cancel() cannot
        // interrupt (README), and ended without another await: the
        // cancellation is still pending. Python's would have interrupted
        // that await and left the block as TimeoutError; so does this one,
        // late, rather than hitting the caller's next await.
        if (task._mustCancel) {
          task._mustCancel = false;
          throw timeoutFrom(task._makeCancelledError());
        }
      }
    } else if (this.#state === "active") {
      this.#state = "finished";
    }
  }

  #onTimeout = named("Timeout._on_timeout", (): void => {
    this.#task!.cancel();
    this.#state = "expiring";
    this.#handle = null;
  });
}
// `loop.callLater(1, cm.reschedule, when)` ports as is: Python passes the
// bound method to move or disarm a deadline from a callback.
bindMethodOnRead(Timeout.prototype, "reschedule", "Timeout.reschedule");

/**
 * Runs `fn` with a deadline `delay` seconds from now (null: none); Python
 * 3.11's `async with asyncio.timeout(delay) as cm:` as a scoped callback
 * (API.md rule 14). When the deadline passes, the current task is cancelled
 * and the `CancelledError` that leaves `fn` becomes `TimeoutError`.
 * Resolves to what `fn` returns. Must run inside a task.
 *
 * @example
 * ```ts
 * try {
 *   await asyncio.timeout(1.5, async (cm) => {
 *     await longRunningTask();
 *   });
 * } catch (e) {
 *   if (e instanceof asyncio.TimeoutError) console.log("too slow");
 * }
 * ```
 */
export async function timeout<R>(
  delay: number | null,
  fn: (cm: Timeout) => R | PromiseLike<R>,
): Promise<Awaited<R>> {
  delay = seconds(delay);
  checkTimeout(delay, "delay", "+");
  if (beforeAnyLoop()) await untilMainRuns();
  const loop = getRunningLoop();
  return await new Timeout(delay == null ? null : loop.time() + delay).run(fn);
}

/**
 * Like {@link timeout}, with the deadline as an absolute loop time
 * (`loop.time()` clock; null: none).
 *
 * @example
 * ```ts
 * const loop = asyncio.getRunningLoop();
 * await asyncio.timeoutAt(loop.time() + 10, async () => {
 *   await longRunningTask();
 * });
 * ```
 */
export async function timeoutAt<R>(
  when: number | null,
  fn: (cm: Timeout) => R | PromiseLike<R>,
): Promise<Awaited<R>> {
  return await new Timeout(when).run(fn);
}

// ---------------------------------------------------------------- TaskGroup

/**
 * An error class, whatever its constructor takes.
 *
 * @example
 * ```ts
 * const cls: ErrorClass = RangeError;
 * ```
 */
export type ErrorClass = abstract new (...args: never[]) => unknown;

/**
 * What `ExceptionGroup.split()` and `subgroup()` match errors with: an error
 * class, an array of classes (Python's tuple), or a predicate.
 *
 * @example
 * ```ts
 * const cond: ErrorCondition = [TypeError, RangeError];
 * ```
 */
export type ErrorCondition =
  | ErrorClass
  | ReadonlyArray<ErrorClass>
  | ((e: unknown) => boolean);

/** `condition` as a test; Python's `TypeError` for anything else. */
function errorMatcher(condition: ErrorCondition): (e: unknown) => boolean {
  const isClass = (c: unknown): c is new () => unknown =>
    typeof c === "function" && (c === Error || c.prototype instanceof Error);
  if (isClass(condition)) return (e) => e instanceof condition;
  if (Array.isArray(condition) && condition.every(isClass)) {
    return (e) => condition.some((c) => e instanceof c);
  }
  if (typeof condition === "function") return condition as (e: unknown) => boolean;
  throw new TypeError("expected a function, exception type or tuple of exception types");
}

/**
 * Python's `ExceptionGroup`: several errors raised together, as a JS
 * `AggregateError` (`errors`), with Python's `exceptions` alias. `message`
 * is the message given; Python's `str()` adds " (N sub-exceptions)".
 *
 * @example
 * ```ts
 * try {
 *   await new asyncio.TaskGroup().run(async (tg) => { ... });
 * } catch (e) {
 *   if (e instanceof asyncio.ExceptionGroup) {
 *     for (const err of e.exceptions) console.log(err);
 *   }
 * }
 * ```
 */
export class ExceptionGroup extends AggregateError {
  /** The Python class name. */
  override name = "ExceptionGroup";
  /** Python's `e.args`: the arguments it was made with, as an array. */
  get args(): unknown[] {
    return errorArgs(this);
  }

  /** `new ExceptionGroup(message, exceptions)`, Python's argument order; `exceptions` must not be empty. */
  constructor(message: string, exceptions: readonly unknown[]) {
    if (typeof message !== "string") {
      // CPython 3.11's own words (its argument parser says "None", not "NoneType").
      const got = message == null ? "None" : pyTypeName(message);
      throw new TypeError(`BaseExceptionGroup.__new__() argument 1 must be str, not ${got}`);
    }
    if (!Array.isArray(exceptions)) {
      throw new TypeError("second argument (exceptions) must be a sequence");
    }
    if (exceptions.length === 0) {
      throw new ValueError("second argument (exceptions) must be a non-empty sequence");
    }
    // Python's BaseExceptions (Ctrl+C, exit, cancellation) belong to a
    // BaseExceptionGroup, which this library has no use for: refused, as there.
    if (exceptions.some((e) => _isBaseError(e) || e instanceof CancelledError)) {
      throw new TypeError("Cannot nest BaseExceptions in an ExceptionGroup");
    }
    super([...exceptions], message);
  }

  /** The errors, in the order they happened (Python's name for `errors`). */
  get exceptions(): unknown[] {
    return this.errors;
  }

  /**
   * The errors that match `condition` (an error class, an array of them, or
   * a predicate), in a group of this shape; nested groups are filtered in
   * turn. This group itself when it matches as a whole, null when nothing
   * does. Python's
   * `except* ValueError as eg:` is `eg = e.subgroup(ValueError)`.
   *
   * @example
   * ```ts
   * const values = eg.subgroup(asyncio.ValueError);
   * ```
   */
  subgroup(condition: ErrorCondition): ExceptionGroup | null {
    return this.split(condition)[0];
  }

  /**
   * `[match, rest]`: the errors that match `condition` and those that do
   * not, each a group of this shape or null (Python's `eg.split()`). The
   * form of `except*`: handle `match`, rethrow `rest` if there is one.
   *
   * @example
   * ```ts
   * const [match, rest] = eg.split(asyncio.ValueError);
   * if (match) console.log("ValueErrors:", match.exceptions.length);
   * if (rest) throw rest;
   * ```
   */
  split(condition: ErrorCondition): [ExceptionGroup | null, ExceptionGroup | null] {
    const matches = errorMatcher(condition);
    if (matches(this)) return [this, null];
    const match: unknown[] = [];
    const rest: unknown[] = [];
    for (const e of this.errors) {
      if (e instanceof ExceptionGroup) {
        const [m, r] = e.split(condition);
        if (m !== null) match.push(m);
        if (r !== null) rest.push(r);
      } else if (matches(e)) match.push(e);
      else rest.push(e);
    }
    return [this.#part(match), this.#part(rest)];
  }

  /** A group with this one's message around `exceptions` (Python's `derive`). */
  derive(exceptions: readonly unknown[]): ExceptionGroup {
    return new ExceptionGroup(this.message, exceptions);
  }

  /** One side of a split: null when empty, else a new group (even with every error, as in CPython). */
  #part(errors: unknown[]): ExceptionGroup | null {
    if (errors.length === 0) return null;
    const g = this.derive(errors);
    // Python copies the cause and context onto each part.
    if (this.cause !== undefined) g.cause = this.cause;
    return g;
  }

  /**
   * `ExceptionGroup: msg (2 sub-exceptions)`: the name, then what Python's
   * `str()` gives, which counts the errors (`message` stays the bare text,
   * as Python's `eg.message` does).
   */
  override toString(): string {
    const n = this.errors.length;
    return `${this.name}: ${this.message} (${n} sub-exception${n === 1 ? "" : "s"})`;
  }
}

/**
 * A group of tasks that end together (Python 3.11's `TaskGroup`), in the
 * scoped form of API.md rule 14: `run(body)` is `async with tg:`.
 *
 * `run(body)` calls `body(tg)` in the current task; `tg.createTask()` starts
 * children. `run` resolves to the body's result once every child has
 * finished. If a child fails (an error other than `CancelledError`), the
 * other children and the body are cancelled, and once all have finished,
 * `run` raises an {@link ExceptionGroup} with every error (the body's own
 * error last, if it failed too). The `CancelledError` that this sends into
 * the body is absorbed. A TaskGroup is used once.
 *
 * @example
 * ```ts
 * await new asyncio.TaskGroup().run(async (tg) => {
 *   tg.createTask(() => fetchOne(1));
 *   tg.createTask(() => fetchOne(2));
 * });
 * console.log("both tasks have completed now");
 * ```
 */
export class TaskGroup {
  #entered = false;
  #exiting = false;
  #aborting = false;
  #loop: AbstractEventLoop | null = null;
  #parentTask: Task<unknown> | null = null;
  #parentCancelRequested = false;
  #tasks = new Set<Future<unknown>>();
  #errors: unknown[] = [];
  #onCompletedFut: Future<unknown> | null = null;
  /** A KeyboardInterrupt or SystemExit of the body or a child: raised as is, not grouped (Python's `_base_error`). */
  #baseError: unknown = null;

  /**
   * Runs `body(this)` as the group's block, then waits for every child;
   * resolves to the body's result. Must be called from inside a task.
   */
  async run<R>(body: (tg: TaskGroup) => R | PromiseLike<R>): Promise<Awaited<R>> {
    if (typeof body !== "function") {
      throw new TypeError(`a function is required, got ${pyRepr(body)}`);
    }
    if (!this.#entered && beforeAnyLoop()) await untilMainRuns();
    if (!this.#entered && outsideTasks()) return await ensureFuture(() => this.run(body));
    this.#enter();
    let result: Awaited<R>;
    try {
      result = await body(this);
    } catch (e) {
      await this.#exit(e, true);
      throw e; // #exit raised if it had to; otherwise the error goes on as is
    }
    await this.#exit(undefined, false);
    return result;
  }

  /**
   * Starts `coro` as a task of the group and returns it (like
   * `asyncio.createTask`), in `context` if given (Python 3.11's `context=`).
   * Only while the group is running.
   */
  createTask<T>(coro: CoroutineLike<T>, opts: { name?: string; context?: Context } = {}): Task<T> {
    keywords("TaskGroup.create_task", opts, ["name", "context"]);
    if (!this.#entered) throw new RuntimeError(`TaskGroup ${this} has not been entered`);
    if (this.#exiting && this.#tasks.size === 0) {
      throw new RuntimeError(`TaskGroup ${this} is finished`);
    }
    if (this.#aborting) throw new RuntimeError(`TaskGroup ${this} is shutting down`);
    // As Python: the name and the context go on to loop.createTask only when given.
    const taskOpts: { name?: string; context?: Context } = {};
    if (opts.name != null) taskOpts.name = opts.name;
    if (opts.context != null) taskOpts.context = opts.context;
    const task = _createTaskRenamed<T>(
      this.#loop!,
      coro,
      opts.name != null || opts.context != null ? taskOpts : undefined,
    );
    // An eager task may be done already: account for it now.
    if (task.done()) {
      this.#onTaskDone(task as Future<unknown>);
    } else {
      this.#tasks.add(task as Future<unknown>);
      (task as Future<unknown>).addDoneCallback(this.#onTaskDone);
    }
    return task;
  }

  /** `<TaskGroup tasks=2 entered>`, as Python prints it. */
  toString(): string {
    let info = "";
    if (this.#tasks.size) info += ` tasks=${this.#tasks.size}`;
    if (this.#errors.length) info += ` errors=${this.#errors.length}`;
    if (this.#aborting) info += " cancelling";
    else if (this.#entered) info += " entered";
    return `<TaskGroup${info}>`;
  }

  #enter(): void {
    if (this.#entered) throw new RuntimeError(`TaskGroup ${this} has already been entered`);
    this.#loop ??= getRunningLoop();
    this.#parentTask = currentTask(this.#loop);
    if (this.#parentTask === null) {
      throw new RuntimeError(`TaskGroup ${this} cannot determine the parent task`);
    }
    this.#entered = true;
  }

  /**
   * Python 3.11's `__aexit__`. Its cancellation counting is kept as it is
   * there: the parent's own cancellation is taken back (`uncancel()`) only
   * if it was requested before the block ended, so a child failing while
   * the group waits for the others leaves `cancelling()` one higher (fixed
   * in 3.12; 3.11 programs see it).
   */
  async #exit(exc: unknown, failed: boolean): Promise<void> {
    this.#exiting = true;
    const parent = this.#parentTask!;
    if (failed && _isBaseError(exc) && this.#baseError === null) {
      this.#baseError = exc;
    }
    let propagateCancel: unknown = failed && exc instanceof CancelledError ? exc : null;
    if (this.#parentCancelRequested) {
      // We cancelled the parent ourselves: take it back; if that was the
      // only request, the CancelledError of the body was ours and is absorbed.
      if (parent.uncancel() === 0) {
        propagateCancel = null;
        // A body awaiting a host promise, which our cancel() cannot
        // interrupt (README), that then ended without another await leaves
        // our request pending. Python's would have ended the body; drop it
        // rather than let it hit the parent's next await after the group.
        parent._mustCancel = false;
      }
    }
    // The body failed or is being cancelled: stop the children.
    if (failed && !this.#aborting) this.#abort();

    // A loop, because the wait may be cancelled many times: by our own
    // cancellation of the parent, or from outside.
    while (this.#tasks.size) {
      this.#onCompletedFut ??= this.#loop!.createFuture<unknown>();
      try {
        await this.#onCompletedFut;
      } catch (e) {
        if (!(e instanceof CancelledError)) throw e;
        if (!this.#aborting) {
          // The parent is being cancelled from outside while the children run.
          propagateCancel = e;
          this.#abort();
        }
      }
      this.#onCompletedFut = null;
    }

    if (this.#baseError !== null) throw this.#baseError;
    // Errors have priority over a CancelledError.
    if (propagateCancel !== null && this.#errors.length === 0) throw propagateCancel;
    if (failed && !(exc instanceof CancelledError)) this.#errors.push(exc);
    if (this.#errors.length) {
      const errors = this.#errors;
      this.#errors = [];
      throw new ExceptionGroup("unhandled errors in a TaskGroup", errors);
    }
  }

  #abort(): void {
    this.#aborting = true;
    for (const t of this.#tasks) if (!t.done()) t.cancel();
  }

  #onTaskDone = named("TaskGroup._on_task_done", (task: Future<unknown>): void => {
    this.#tasks.delete(task);
    if (this.#onCompletedFut !== null && this.#tasks.size === 0 && !this.#onCompletedFut.done()) {
      this.#onCompletedFut.setResult(true);
    }
    if (task.cancelled()) return;
    const exc = task.exception();
    if (exc === null) return;
    this.#errors.push(exc);
    if (_isBaseError(exc) && this.#baseError === null) this.#baseError = exc;
    const parent = this.#parentTask!;
    if (parent.done()) {
      this.#loop!.callExceptionHandler({
        message: `Task ${task} has errored out but its parent task ${parent} is already completed`,
        exception: exc,
        task,
      });
      return;
    }
    if (!this.#aborting && !this.#parentCancelRequested) {
      // Interrupt the body (whatever it awaits) and the siblings; `#exit`
      // takes the parent's cancellation back.
      this.#abort();
      this.#parentCancelRequested = true;
      parent.cancel();
    }
  });
}

// ---------------------------------------------------------------- eagerTaskFactory

/** Starts a coroutine-like now, in the caller's stack: Task's first step. */
function startCoroutine(coro: unknown): unknown {
  if (typeof coro === "function") {
    const r = (coro as () => unknown)();
    return isGenerator(r) ? driveGenerator(r) : r;
  }
  if (coro instanceof Coroutine) return coro._start();
  if (isGenerator(coro)) return driveGenerator(coro);
  return coro;
}

/**
 * The options {@link eagerTaskFactory} takes from `createTask` (`context`
 * and `signal` once the loop passes them on).
 *
 * @example
 * ```ts
 * asyncio.eagerTaskFactory(loop, () => work(), { name: "worker" });
 * ```
 */
export interface EagerTaskOptions {
  /** The task's name. */
  name?: string;
  /** The context the task runs in (default: a copy of the current one). */
  context?: Context;
  /** Aborting it cancels the task. */
  signal?: AbortSignal;
}

/** What an {@link EagerTask} shares with the step that adopts its coroutine. */
interface EagerStart {
  task: EagerTask<unknown> | null;
  /** The coroutine ran eagerly (else the first step starts it, as usual). */
  ran: boolean;
  threw: boolean;
  value: unknown;
  /** The first step has adopted the coroutine. */
  adopted: boolean;
  /** A cancellation that came before the adoption. */
  cancelPending: boolean;
}

/**
 * A task whose coroutine starts at once, inside the constructor, and runs
 * until its first suspension (Python 3.12's `eager_start=True`).
 *
 * Done from outside `Task`: the task still takes its scheduled first step,
 * where it adopts the running coroutine, so a coroutine that ends without
 * suspending makes a task that is done one loop iteration later, not at
 * once (JS cannot see synchronously that an async function has returned).
 * A cancellation before that step is held back and delivered at the
 * coroutine's next await, since `Task` would otherwise end the task without
 * letting the (already started) coroutine see it.
 */
class EagerTask<T> extends Task<T> {
  // Not a private field: a signal aborted already cancels the task inside
  // `super()`, before private fields exist, and `cancel()` reads this.
  declare _eagerStart: EagerStart | undefined;
  #original: CoroutineLike<T>;

  constructor(coro: CoroutineLike<T>, opts: { loop: AbstractEventLoop } & EagerTaskOptions) {
    if (!isCoroutineLike(coro) || isFuture(coro)) {
      throw new TypeError(`a coroutine was expected, got ${pyRepr(coro)}`);
    }
    const start: EagerStart = {
      task: null,
      ran: false,
      threw: false,
      value: undefined,
      adopted: false,
      cancelPending: false,
    };
    const adopt = () => EagerTask.#adopt(start, coro);
    Object.defineProperty(adopt, "name", { value: typeof coro === "function" ? coro.name : "" });
    super(adopt as () => PromiseLike<T>, {
      loop: opts.loop as unknown as FutureLoop,
      name: opts.name,
      context: opts.context,
      signal: opts.signal,
    });
    start.task = this as EagerTask<unknown>;
    this._eagerStart = start;
    this.#original = coro;
    if (!opts.loop.isRunning()) return; // Python starts eagerly only on a running loop
    // Cancelled in `super()` by a signal aborted already: the coroutine never
    // starts, as a lazy task's does not.
    if (this._mustCancel) return;
    start.ran = true;
    try {
      start.value = this._context.run(() => taskStorage.run(this, startCoroutine, coro));
    } catch (e) {
      start.threw = true;
      start.value = e;
    }
    // The first step adopts it and sees a rejection; no unhandled-rejection noise meanwhile.
    if (start.value instanceof Promise) start.value.catch(() => {});
  }

  /** The first step: hand the running coroutine (or start it now) to the Task machinery. */
  static #adopt(start: EagerStart, coro: unknown): unknown {
    start.adopted = true;
    const task = start.task!;
    if (start.cancelPending) {
      start.cancelPending = false;
      const waiter = task._futWaiter;
      if (!(waiter !== null && !waiter.done() && waiter.cancel(task._cancelMessage))) {
        task._mustCancel = true;
      }
    }
    if (!start.ran) return startCoroutine(coro);
    if (start.threw) throw start.value;
    return start.value;
  }

  override cancel(msg?: CancelMessage): boolean {
    const ret = super.cancel(msg);
    const start = this._eagerStart;
    // No start yet: cancelled inside `super()` (see `_eagerStart`).
    if (ret && start !== undefined && start.ran && !start.adopted && this._mustCancel) {
      this._mustCancel = false;
      start.cancelPending = true;
    }
    return ret;
  }

  override getCoro(): CoroutineLike<T> {
    return this.#original;
  }
}
bindCancelOnRead(EagerTask);

/**
 * A task factory that starts each task's coroutine at once, in
 * `createTask()`, running it up to its first `await` of something not yet
 * done (Python 3.12's `asyncio.eager_task_factory`). Install it with
 * `loop.setTaskFactory(asyncio.eagerTaskFactory)`. On a loop that is not
 * running, tasks start as usual.
 *
 * Difference from Python: a coroutine that finishes without suspending
 * makes a task that is done one loop iteration later, not at once.
 *
 * @example
 * ```ts
 * await asyncio.run(async () => {
 *   asyncio.getRunningLoop().setTaskFactory(asyncio.eagerTaskFactory);
 *   asyncio.createTask(async () => console.log("runs before createTask returns"));
 * });
 * ```
 */
export function eagerTaskFactory(
  loop: AbstractEventLoop,
  coro: unknown,
  opts?: EagerTaskOptions,
): Task<unknown> {
  return new EagerTask(coro as CoroutineLike<unknown>, { ...opts, loop });
}
// Handed the task's name by `createTask` (3.12's way), unlike a 3.11 factory.
Object.defineProperty(eagerTaskFactory, "_takesName", { value: true });

printAsRepr(Timeout, TaskGroup);
