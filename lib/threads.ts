/**
 * The loop's executor methods, as functions of the loop (CPython's
 * base_events.py: `run_in_executor`, `set_default_executor`,
 * `shutdown_default_executor` and the default executor's part of
 * `close()`), and `toThread` (CPython's asyncio/threads.py).
 *
 * Each loop's default executor is a {@link ThreadPoolExecutor} made on first
 * use; the state lives here, in a WeakMap keyed by the loop, so the loop
 * classes only delegate. Through these functions, a function that cannot
 * run in a worker (it uses its module's scope, or is native or bound) runs
 * on the main thread instead, as Python's threads share their module.
 *
 * @module
 */
import { type AbstractEventLoop, getRunningLoop } from "./events.ts";
import { type Coroutine, coroutine, iscoroutine, iscoroutinefunction } from "./coroutines.ts";
import { type Context, copyContext } from "./contextvars.ts";
import { AttributeError, RuntimeError } from "./exceptions.ts";
import {
  _turn,
  type Executor,
  InlineExecutor,
  isExecutor,
  type Submission,
  ThreadPoolExecutor,
} from "./executors.ts";
import { _onWithdrawn, _withdrawn, rejectCancelled, submission } from "./worker_pool.ts";
import { _fromWorker } from "./executor_worker.ts";
import { _isLink } from "./loop_bridge.ts";
import { changedParams, outerNames } from "./free_names.ts";
import { ProcessPoolExecutor } from "./process_pool.ts";
import { pyRepr, pyTypeName } from "./format.ts";
import type { Future } from "./futures.ts";
import { logger } from "./log.ts";
import { taskStorage, threadContext, threadNames } from "./running.ts";

/** Seconds `run()` and `Runner.close()` give the default executor to finish (CPython 3.12's THREAD_JOIN_TIMEOUT). */
export const THREAD_JOIN_TIMEOUT = 300;

interface LoopExecutors {
  executor: Executor | null;
  shutdownCalled: boolean;
}

const perLoop = new WeakMap<AbstractEventLoop, LoopExecutors>();

function stateOf(loop: AbstractEventLoop): LoopExecutors {
  let st = perLoop.get(loop);
  if (st === undefined) perLoop.set(loop, st = { executor: null, shutdownCalled: false });
  return st;
}

const AsyncGeneratorFunction = Object.getPrototypeOf(async function* () {});
const GeneratorFunction = Object.getPrototypeOf(function* () {});

/**
 * Python's debug check `_check_callback`: a coroutine, or a coroutine
 * function (async, async generator, or wrapped by `coroutine()`; a plain
 * generator function is no coroutine function since Python 3.8).
 */
function isCoroutineLike(f: unknown): boolean {
  if (iscoroutine(f)) return true;
  const proto = typeof f === "function" ? Object.getPrototypeOf(f) : null;
  return proto === AsyncGeneratorFunction ||
    (iscoroutinefunction(f) && proto !== GeneratorFunction);
}

/**
 * Runs `func(...args)` in `executor` (the loop's default
 * `ThreadPoolExecutor` when `null`) and returns a Future of the loop for its
 * result. Cancelling the Future withdraws the job if it has not started.
 * `TypeError` for a non-function, and in debug mode for an async function
 * (Python's "coroutines cannot be used with run_in_executor()"; outside
 * debug mode the pool awaits it); `RuntimeError` when the loop is closed or
 * the default executor was shut down. The lead wires it as
 * `loop.runInExecutor(executor, func, ...args)`.
 *
 * @example
 * ```ts
 * const loop = asyncio.getRunningLoop();
 * const n = await runInExecutor(loop, null, (s: string) => s.length, "abc"); // 3
 * ```
 */
export function runInExecutor<A extends unknown[], R>(
  loop: AbstractEventLoop,
  executor: Executor | null | undefined,
  func: (...args: A) => R,
  ...args: A
): Future<Awaited<R>> {
  return submitTo(loop, executor, func, args, loop.getDebug());
}

function submitTo<A extends unknown[], R>(
  loop: AbstractEventLoop,
  executor: Executor | null | undefined,
  func: (...args: A) => R,
  args: A,
  refuseAsync: boolean,
  context: Context | null = null,
): Future<Awaited<R>> {
  if (loop.isClosed()) throw new RuntimeError("Event loop is closed");
  if (refuseAsync && isCoroutineLike(func)) {
    throw new TypeError("coroutines cannot be used with run_in_executor()");
  }
  if (typeof func !== "function" && refuseAsync) {
    // Python's debug-mode `_check_callback`.
    throw new TypeError(
      `a callable object was expected by run_in_executor(), got ${pyRepr(func)}`,
    );
  }
  if (executor === null || executor === undefined) {
    const st = stateOf(loop);
    if (st.shutdownCalled) throw new RuntimeError("Executor shutdown has been called");
    // Python's: `ThreadPoolExecutor(thread_name_prefix='asyncio')`.
    executor = st.executor ??= new ThreadPoolExecutor({ threadNamePrefix: "asyncio" });
  } else if (typeof (executor as { submit?: unknown }).submit !== "function") {
    // Python's AttributeError from `executor.submit` (a TypeError subclass, as JS reports a
    // missing method).
    throw new AttributeError(`'${pyTypeName(executor)}' object has no attribute 'submit'`);
  }
  if (typeof func !== "function") {
    // Outside debug mode Python calls it in the worker: the future fails.
    const fut = loop.createFuture<Awaited<R>>();
    fut.setException(new TypeError(`'${pyTypeName(func)}' object is not callable`));
    return fut;
  }
  const work = executor instanceof ThreadPoolExecutor
    ? travelOrStay(executor, func, args, context)
    : executor.submit(func, ...args);
  return chain(loop, work as PromiseLike<Awaited<R>>);
}

/** Runs what cannot go to a worker; made on first need. */
let stayHere: InlineExecutor | null = null;

/** Whether each function submitted so far seems to use its module's scope. */
const usesModule = new WeakMap<object, boolean>();

/** Whether `func`'s text names something of its module (see {@link outerNames}). */
function usesModuleScope(func: (...args: never[]) => unknown): boolean {
  let r = usesModule.get(func);
  if (r === undefined) {
    const src = Function.prototype.toString.call(func);
    r = !/\{\s*\[native code\]\s*\}\s*$/.test(src) && outerNames(src).length > 0;
    usesModule.set(func, r);
  }
  return r;
}

/** Prototypes of objects a structured clone gives back as they were, contents and all. */
const CLONED_WHOLE = new Set<unknown>([
  Date.prototype,
  RegExp.prototype,
  ArrayBuffer.prototype,
  Boolean.prototype,
  Number.prototype,
  String.prototype,
  Error.prototype,
  RangeError.prototype,
  TypeError.prototype,
  ReferenceError.prototype,
  SyntaxError.prototype,
  EvalError.prototype,
  URIError.prototype,
]);

/** Past this many values looked at, arguments are taken to travel (a big array of numbers). */
const ARG_WALK_LIMIT = 10_000;

/**
 * Whether a Worker would get `args` as the function sees them here: plain
 * objects, arrays, Maps, Sets and the built-in values a structured clone
 * keeps (no functions). An instance of a class (a user's `Order`, a library error) arrives
 * as a plain object without its methods or class, where a Python thread
 * gets the object itself: such a job runs on the main thread instead.
 */
function argsTravel(args: readonly unknown[]): boolean {
  const todo: object[] = [];
  const seen = new Set<object>();
  let budget = ARG_WALK_LIMIT;
  // A function or symbol cannot be cloned at all.
  let unclonable = false;
  const look = (x: unknown) => {
    budget--;
    if (typeof x === "function" || typeof x === "symbol") unclonable = true;
    else if (typeof x === "object" && x !== null && !seen.has(x)) {
      seen.add(x);
      todo.push(x);
    }
  };
  for (const a of args) look(a);
  while (todo.length > 0 && budget > 0 && !unclonable) {
    const v = todo.pop()!;
    const proto = Object.getPrototypeOf(v);
    // A LoopLink travels: the executor transfers its port to the Worker.
    if (_isLink(v)) continue;
    if (proto === Array.prototype) {
      const a = v as unknown[];
      for (let i = 0; i < a.length && budget > 0; i++) look(a[i]);
    } else if (proto === Object.prototype || proto === null) {
      for (const k in v) {
        if (budget <= 0) break;
        look((v as Record<string, unknown>)[k]);
      }
    } else if (proto === Map.prototype) {
      for (const [k, x] of v as Map<unknown, unknown>) {
        if (budget <= 0) break;
        look(k);
        look(x);
      }
    } else if (proto === Set.prototype) {
      for (const x of v as Set<unknown>) {
        if (budget <= 0) break;
        look(x);
      }
    } else if (!CLONED_WHOLE.has(proto) && !ArrayBuffer.isView(v) && !isSharedBuffer(v)) {
      return false;
    }
  }
  return !unclonable;
}

function isSharedBuffer(v: object): boolean {
  return typeof SharedArrayBuffer === "function" && v instanceof SharedArrayBuffer;
}

/** The parameters each function submitted so far seems to change in place. */
const changesParams = new WeakMap<object, Set<number>>();

/**
 * Whether `func`'s text changes in place one of `args` that is an object
 * (`results.push(x)`, `counts[word] = n`, see {@link changedParams}): a
 * Python thread changes the caller's list or dict itself, where a Worker
 * would change its copy and the caller would never see it. Such a job runs
 * on the main thread, given the objects themselves.
 */
function changesArgs(func: (...args: never[]) => unknown, args: readonly unknown[]): boolean {
  let changed = changesParams.get(func);
  if (changed === undefined) {
    changed = changedParams(Function.prototype.toString.call(func));
    changesParams.set(func, changed);
  }
  for (const i of changed) {
    const a = args[i];
    if (typeof a !== "object" || a === null || isSharedBuffer(a)) continue;
    // A view of shared memory is shared with the Worker already.
    if (ArrayBuffer.isView(a) && isSharedBuffer(a.buffer)) continue;
    return true;
  }
  return false;
}

/**
 * Whether `e` is the structured clone's refusal of a job's arguments (a
 * loop, an Event, a callback, a Future): raised by `postMessage` before the
 * worker saw the job, so the function has not run. A Python thread gets
 * such objects themselves, so the job runs on the main thread instead.
 */
function isCloneError(e: unknown): boolean {
  return typeof e === "object" && e !== null && (e as { name?: unknown }).name === "DataCloneError";
}

/**
 * Submits `func` to the worker pool; a function that cannot run there runs
 * on the main thread instead (an {@link InlineExecutor}): a native or bound
 * function has no source to send, and one that uses its module's scope (a
 * closure, an import, a helper function) would not find it there. A Python
 * thread shares the module with its caller, so ported code expects it to
 * work; the price is that such a function blocks the loop while it runs.
 * Such a function is told by its text ({@link outerNames}): it first takes
 * its turn in the pool's queue (where cancelling withdraws it, as a Python
 * job), then runs here. One the text does not give away fails in the
 * worker with a `ReferenceError` and then runs here, so what it did in the
 * worker before that happened twice. One whose arguments would not arrive
 * as they are (instances of classes, see {@link argsTravel}) or cannot be
 * cloned at all (the loop, an Event, a Future, a callback) runs here too,
 * given them as they are, as a Python thread is; and so does one that
 * changes an argument in place ({@link changesArgs}), so that the caller
 * sees the change.
 */
function travelOrStay<A extends unknown[], R>(
  pool: ThreadPoolExecutor,
  func: (...args: A) => R,
  args: A,
  context: Context | null,
): Submission<unknown> {
  // toThread's function sees the caller's context variables, as Python's does.
  // threadContext keeps it current after an async function's awaits. The
  // thread it stands for is named as the pool's (`asyncio_0`) while it runs.
  const here = (...a: A): R => {
    const thread = pool._threadName();
    let r: R;
    try {
      if (context === null) {
        // The thread's own context, as it was left by its previous job.
        const ctx = thread.context;
        threadNames.set(ctx, thread.name);
        r = ctx.run(() => threadContext.run(ctx, func, ...a));
      } else {
        threadNames.set(context, thread.name);
        r = context.run(() => threadContext.run(context, func, ...a));
      }
    } catch (e) {
      thread.release();
      throw e;
    }
    const settled = Promise.resolve(r);
    settled.then(thread.release, thread.release);
    // A thenable is read once: a lazy `coroutine(fn)` coroutine read again
    // by the executor would start a second time ("coroutine is being
    // awaited already").
    return typeof (r as { then?: unknown } | null)?.then === "function" ? settled as R : r;
  };
  const stay = () => (stayHere ??= new InlineExecutor()).submit(here, ...args);
  const local = usesModuleScope(func) || !argsTravel(args) || changesArgs(func, args);
  let first: Submission<unknown>;
  try {
    first = local ? pool.submit(_turn) : pool.submit(func, ...args);
  } catch (e) {
    if (e instanceof TypeError && /native or bound/.test(e.message)) {
      const job = stay();
      pool._hold(job);
      return job;
    }
    throw e;
  }
  const s = submission<unknown>();
  pool._hold(s.promise);
  // Withdrawn from the pool's queue: withdrawn here at once, too.
  _onWithdrawn(first, () => rejectCancelled(s.promise, s.reject));
  let current = first;
  const runHere = () => {
    current = stay();
    current.then(s.resolve, s.reject);
  };
  first.then(
    (v) => local ? runHere() : s.resolve(v),
    (e) => !local && (e instanceof ReferenceError || isCloneError(e)) ? runHere() : s.reject(e),
  );
  s.promise.cancel = () => current.cancel();
  return s.promise;
}

/** Python's wrap_future for an executor's result: settled on the loop, cancel passed back. */
function chain<T>(loop: AbstractEventLoop, work: PromiseLike<T>): Future<T> {
  const fut = loop.createFuture<T>();
  const cancel = (work as { cancel?: unknown }).cancel;
  const callCheckCancel = (f: Future<T>) => {
    if (f.cancelled() && typeof cancel === "function") cancel.call(work);
  };
  // Named as Python's callback shows in the future's repr (`cb=[...]`).
  Object.defineProperty(callCheckCancel, "__qualname__", {
    value: "_chain_future.<locals>._call_check_cancel",
  });
  fut.addDoneCallback(callCheckCancel);
  // The result may land while the loop waits: callSoonThreadsafe wakes it.
  const settle = (set: () => void) => {
    if (loop.isClosed()) return;
    loop.callSoonThreadsafe(() => {
      if (!fut.done()) set();
    });
  };
  // A job withdrawn before it started (shutdown's cancelFutures) cancels the
  // future in the loop's next iteration, as Python's done callback does.
  _onWithdrawn(work, () => settle(() => void fut.cancel()));
  // Outside any task's async context, so no task takes this then() for its own await.
  taskStorage.exit(() =>
    work.then(
      (v) => settle(() => fut.setResult(v)),
      (e) =>
        settle(() => {
          // A job withdrawn before it started (shutdown's cancelFutures)
          // cancels the future, as Python's _copy_future_state does.
          if (typeof e === "object" && e !== null && _withdrawn.has(e)) return void fut.cancel();
          // Raised by the job: its report shows a traceback, as Python's
          // does for an exception a worker thread raised; but not the frames
          // of a Worker's eval'd copy of the function, which name no file.
          const raised = !(typeof e === "object" && e !== null && _fromWorker.has(e));
          fut._setException(e ?? new Error(`the executor job failed with ${e}`), raised);
        }),
    )
  );
  return fut;
}

/**
 * Makes `executor` the loop's default for `runInExecutor(null, …)` and
 * `toThread`. Python 3.11+ accepts only a `ThreadPoolExecutor`; here any
 * object with `submit()` and `shutdown()` is accepted (an
 * {@link InlineExecutor}, your own); a `ProcessPoolExecutor` (as in
 * Python) or anything else is a `TypeError`. The previous default is not
 * shut down, as in Python.
 *
 * @example
 * ```ts
 * setDefaultExecutor(loop, new ThreadPoolExecutor({ maxWorkers: 2 }));
 * ```
 */
export function setDefaultExecutor(loop: AbstractEventLoop, executor: Executor): void {
  // Python 3.11's message, word for word (any Executor shape is accepted
  // here, but not a process pool, which Python refuses too).
  if (!isExecutor(executor) || executor instanceof ProcessPoolExecutor) {
    throw new TypeError("executor must be ThreadPoolExecutor instance");
  }
  stateOf(loop).executor = executor;
}

/**
 * Shuts the default executor down and waits for its jobs (Python 3.9);
 * after it, `runInExecutor(null, …)` is a `RuntimeError`. With `timeout`
 * (seconds), stops waiting after that long, logs a warning and shuts it
 * down without waiting. Waits on a host timer, not on the loop, so it also
 * works while the loop is not running. The lead wires it as
 * `loop.shutdownDefaultExecutor(timeout?)`.
 *
 * @example
 * ```ts
 * await loop.runUntilComplete(shutdownDefaultExecutor(loop, 300));
 * ```
 */
export async function shutdownDefaultExecutor(
  loop: AbstractEventLoop,
  timeout: number | null = null,
): Promise<void> {
  const st = stateOf(loop);
  st.shutdownCalled = true;
  const executor = st.executor;
  if (executor === null) return;
  const done = Promise.resolve(executor.shutdown(true)).then(() => true);
  if (timeout === null || timeout === undefined) {
    await done;
    return;
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<false>((r) => {
    timer = setTimeout(() => r(false), Math.max(0, timeout) * 1000);
  });
  let finished: boolean;
  try {
    finished = await Promise.race([done, expired]);
  } finally {
    clearTimeout(timer);
  }
  if (!finished) {
    // Python's RuntimeWarning, word for word.
    logger.warning(
      `The executor did not finishing joining its threads within ${timeout} seconds.`,
    );
    await executor.shutdown(false);
  }
}

/**
 * The default executor's part of `loop.close()` (Python's): no more
 * `runInExecutor(null, …)`, and the default executor is shut down without
 * waiting (its running jobs finish on their own). The lead calls it from
 * `BaseEventLoop.close()`.
 *
 * @example
 * ```ts
 * closeDefaultExecutor(loop);
 * ```
 */
export function closeDefaultExecutor(loop: AbstractEventLoop): void {
  const st = perLoop.get(loop);
  if (st === undefined) return;
  st.shutdownCalled = true;
  const executor = st.executor;
  st.executor = null;
  if (executor === null) return;
  Promise.resolve(executor.shutdown(false)).catch((e) => {
    logger.error("Exception in the default executor's shutdown", e);
  });
}

/**
 * Runs `func(...args)` in the running loop's default executor (Python
 * 3.9's `asyncio.to_thread`): awaiting it does not block the loop. As in
 * Python, it returns a lazy coroutine: the job starts when it is awaited or
 * made a task (`createTask(toThread(f))`, `gather`, `waitFor` take it), in
 * the running loop (`RuntimeError` then when none is running), and
 * cancelling the task that awaits it withdraws the job if it has not
 * started. The function travels to a worker as source text: one that uses
 * its module's scope (a closure, an import, a context variable) runs on
 * the main thread instead, in a copy of the caller's context (as Python's
 * thread does), blocking the loop while it runs.
 *
 * @example
 * ```ts
 * await asyncio.run(async () => {
 *   const sum = await asyncio.toThread((n: number) => {
 *     let s = 0;
 *     for (let i = 0; i < n; i++) s += i;
 *     return s;
 *   }, 1e8);
 * });
 * ```
 */
export function toThread<A extends unknown[], R>(
  func: (...args: A) => R,
  ...args: A
): Coroutine<Awaited<R>> {
  if (func === undefined) {
    throw new TypeError("to_thread() missing 1 required positional argument: 'func'");
  }
  return toThreadCoroutine(func as (...a: unknown[]) => unknown, ...args) as Coroutine<
    Awaited<R>
  >;
}

/**
 * The body of {@link toThread}, named as Python's coroutine is. It awaits
 * the executor's Future inside the awaiting task, so cancelling the task
 * cancels that Future (and withdraws the job), as in Python.
 */
const toThreadCoroutine = coroutine(
  async function to_thread(func: (...a: unknown[]) => unknown, ...args: unknown[]) {
    // Python passes a functools.partial, which its debug check does not take
    // for a coroutine function: so async functions are accepted here in debug mode too.
    return await submitTo(getRunningLoop(), null, func, args, false, copyContext());
  },
);
