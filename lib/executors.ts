/**
 * Executors, Python's `concurrent.futures` as far as asyncio uses it: the
 * {@link Executor} shape, {@link ThreadPoolExecutor} (threads are Workers)
 * and {@link InlineExecutor} (the main thread, for functions that cannot
 * travel).
 *
 * JS closures cannot cross threads, so `ThreadPoolExecutor` sends the
 * function as source text: it may use its arguments, the worker's globals
 * and `await import()` of absolute URLs, but no variable of the scope it
 * was written in (that is a `ReferenceError` from the worker). Arguments
 * and results are structured-cloned (a `SharedArrayBuffer` is shared).
 *
 * @module
 */
import { cpuCount, spawnWorker, type WorkerHandle } from "../ffi/threads.ts";
import { RuntimeError, ValueError } from "./exceptions.ts";
import {
  functionSource,
  type JobMessage,
  type ReplyMessage,
  unpackError,
  WORKER_SOURCE,
} from "./executor_worker.ts";
import { printAsRepr, pyRepr } from "./format.ts";
import { logger } from "./log.ts";
import { rejectCancelled, submission, WorkerPool } from "./worker_pool.ts";
import { running, taskStorage, threadContext } from "./running.ts";
import { Context } from "./contextvars.ts";
import { _isLink } from "./loop_bridge.ts";

/** Options of `shutdown()`. */
export interface ShutdownOptions {
  /** Cancel the jobs that have not started (Python 3.9's `cancel_futures`). Default false. */
  cancelFutures?: boolean;
}

/**
 * What `submit()` returns: a Promise of the result that can also withdraw a
 * job that has not started (Python's `concurrent.futures.Future.cancel()`).
 *
 * @example
 * ```ts
 * const job = pool.submit(() => 1);
 * if (job.cancel()) console.log("withdrawn; the promise rejects with CancelledError");
 * ```
 */
export interface Submission<R> extends Promise<R> {
  /** Withdraws the job if it has not started: then it rejects with `CancelledError` and this is true. */
  cancel(): boolean;
}

/**
 * The ports of the {@link LoopLink}s among `args` (in arrays and plain
 * objects too): a job's message transfers them, so the function can reach
 * the loop from its Worker (`connectLoop(link)`), as a Python thread
 * given the loop calls `run_coroutine_threadsafe` on it.
 */
function linkPorts(args: readonly unknown[]): object[] {
  const ports: object[] = [];
  const todo: unknown[] = [...args];
  const seen = new Set<unknown>();
  for (let budget = 1000; todo.length > 0 && budget > 0; budget--) {
    const v = todo.pop();
    if (typeof v !== "object" || v === null || seen.has(v)) continue;
    seen.add(v);
    if (_isLink(v)) ports.push(v.port);
    else if (Array.isArray(v)) todo.push(...v);
    else if (Object.getPrototypeOf(v) === Object.prototype) todo.push(...Object.values(v));
  }
  return ports;
}

/**
 * Anything `runInExecutor` can use: `submit(fn, ...args)` resolving to
 * `fn(...args)`, and `shutdown(wait)`. If what `submit` returns has a
 * `cancel()` method, cancelling the loop's future calls it.
 *
 * @example
 * ```ts
 * const direct: Executor = {
 *   submit: async (fn, ...args) => await fn(...args),
 *   shutdown: () => {},
 * };
 * await loop.runInExecutor(direct, (a: number) => a + 1, 1);
 * ```
 */
export interface Executor {
  /**
   * Arranges for `fn(...args)` to run; resolves to its awaited result.
   * Typed `unknown` so that any implementation fits (TypeScript cannot
   * prove `Awaited<R>` for a generic `R`); the loop types the result from `fn`.
   */
  submit<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): PromiseLike<unknown>;
  /** No new jobs from now on; `wait` resolves once the running ones have finished. */
  shutdown(wait?: boolean, opts?: ShutdownOptions): PromiseLike<void> | void;
}

/**
 * Whether `x` has the {@link Executor} shape.
 *
 * @example
 * ```ts
 * isExecutor(new ThreadPoolExecutor()); // true
 * isExecutor({}); // false
 * ```
 */
export function isExecutor(x: unknown): x is Executor {
  if (typeof x !== "object" || x === null) return false;
  const e = x as { submit?: unknown; shutdown?: unknown };
  return typeof e.submit === "function" && typeof e.shutdown === "function";
}

// ---------------------------------------------------------------- ThreadPoolExecutor

/** Options of {@link ThreadPoolExecutor}. */
export interface ThreadPoolExecutorOptions {
  /** At most this many workers (default: `min(32, cpus + 4)`, as in Python 3.8+). */
  maxWorkers?: number;
  /**
   * Runs first in every new worker, with `initargs` (a self-contained
   * function, as jobs are). If it throws, the pool is broken
   * ({@link BrokenThreadPool}), as in Python.
   */
  initializer?: ((...args: never[]) => unknown) | null;
  /** The initializer's arguments (structured-cloned). */
  initargs?: unknown[];
  /**
   * Python's `thread_name_prefix` (default: `ThreadPoolExecutor-N`): the
   * name of a thread is the prefix, `_` and its number. It shows in
   * messages of a function that runs on the main thread in a thread's
   * stead (see threads.ts); a Worker has no thread name to show it in.
   */
  threadNamePrefix?: string;
}

/**
 * The error of every job of a {@link ThreadPoolExecutor} whose initializer
 * failed, and of `submit()` after that (Python's
 * `concurrent.futures.thread.BrokenThreadPool`).
 *
 * @example
 * ```ts
 * const pool = new ThreadPoolExecutor({ initializer: () => { throw new Error("no"); } });
 * try { await pool.submit(() => 1); } catch (e) { console.log(e instanceof BrokenThreadPool); }
 * ```
 */
export class BrokenThreadPool extends RuntimeError {
  /** "BrokenThreadPool". */
  override name = "BrokenThreadPool";
}

/**
 * @internal A job that only takes its turn in a pool's queue, for a function
 * that then runs on the main thread (see threads.ts): it resolves to null as
 * soon as the pool has room, and starts no worker.
 */
export function _turn(): null {
  return null;
}

/** Python's counter of the pools made without a `threadNamePrefix`. */
let unnamedPools = 0;

interface Job {
  id: number;
  /** A {@link _turn}: nothing to send to a worker. */
  turn: boolean;
  src: string;
  args: unknown[];
  promise: Submission<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

interface Slot {
  handle: WorkerHandle;
  job: Job | null;
  /** The id of its initializer's reply while that is awaited, else 0. */
  initId: number;
}

/**
 * A pool of Workers running functions off the main thread, so CPU-bound
 * work does not block the loop. Workers are made lazily, one per
 * concurrent job, up to `maxWorkers`, and reused; an idle worker never
 * keeps the process alive, a busy one does.
 *
 * The function travels as source text (no closures; see the module doc),
 * may be sync or async, and its arguments and result are structured-cloned.
 * An exception in the worker rejects with an error of the same name,
 * message and stack (`RangeError`s are `RangeError`s again).
 *
 * @example
 * ```ts
 * await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
 * const n = await pool.submit((limit: number) => {
 *   let count = 0;
 *   for (let i = 2; i < limit; i++) {
 *     let prime = true;
 *     for (let d = 2; d * d <= i; d++) if (i % d === 0) { prime = false; break; }
 *     if (prime) count++;
 *   }
 *   return count;
 * }, 1_000_000);
 * ```
 */
export class ThreadPoolExecutor implements Executor {
  /** The most workers this pool runs at once. */
  readonly maxWorkers: number;
  #pool: WorkerPool<Slot, Job>;
  #nextId = 1;
  #terminations: Promise<void>[] = [];
  #initializer: { src: string; args: unknown[] } | null = null;
  #broken: string | null = null;
  /** Jobs that run on the main thread after their turn here (see `_hold`). */
  #staying = new Set<PromiseLike<unknown>>();
  /** Python's `_thread_name_prefix`. */
  #namePrefix: string;
  /** Which thread numbers the jobs running on the main thread hold (see `_threadName`). */
  #namesHeld: boolean[] = [];
  /** The contexts of those threads, by number (see `_threadName`). */
  #threadContexts: Context[] = [];

  /**
   * A pool; no worker starts until the first `submit`. `ValueError` if
   * `maxWorkers` < 1; `TypeError` if `initializer` is not a function.
   */
  constructor(opts: ThreadPoolExecutorOptions = {}) {
    const n = opts.maxWorkers ?? Math.min(32, cpuCount() + 4);
    if (!Number.isInteger(n) || n <= 0) throw new ValueError("max_workers must be greater than 0");
    this.maxWorkers = n;
    // Python counts only the pools that are not given a prefix.
    this.#namePrefix = opts.threadNamePrefix || `ThreadPoolExecutor-${unnamedPools++}`;
    const init = opts.initializer;
    if (init !== undefined && init !== null) {
      if (typeof init !== "function") throw new TypeError("initializer must be a callable");
      const args = [...(opts.initargs ?? [])];
      structuredClone(args); // unclonable initargs fail here, not in every worker
      this.#initializer = { src: functionSource(init, "ThreadPoolExecutor"), args };
    }
    this.#pool = new WorkerPool<Slot, Job>({
      maxWorkers: n,
      spawn: () => this.#spawn(),
      dispatch: (slot, job) => this.#dispatch(slot, job),
      // After shutdown an idle worker is terminated at once.
      release: (slot) => this.#retire(slot),
      // Finished when the last worker's thread is gone.
      gone: () => Promise.all(this.#terminations.splice(0)).then(() => {}),
      accepting: () => this.#broken === null,
      withoutWorker: (job) => {
        if (job.turn) job.resolve(null);
        return job.turn;
      },
    });
  }

  /**
   * Runs `fn(...args)` in a worker; resolves to its result. `TypeError` for
   * a non-function or one without source (native, bound); `RuntimeError`
   * after `shutdown()`.
   */
  submit<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): Submission<Awaited<R>> {
    if (this.#broken !== null) throw new BrokenThreadPool(this.#broken);
    if (this.#pool.isShutdown) {
      throw new RuntimeError("cannot schedule new futures after shutdown");
    }
    const turn = fn === _turn;
    const src = turn ? "" : functionSource(fn);
    const s = submission<unknown>();
    this.#pool.enqueue({ id: this.#nextId++, turn, src, args, ...s });
    return s.promise as Submission<Awaited<R>>;
  }

  /**
   * Stops taking jobs. Queued jobs still run unless `cancelFutures` (then
   * they reject with `CancelledError`); workers are terminated once idle.
   * With `wait` (default), resolves when every worker is gone.
   */
  shutdown(wait = true, opts: ShutdownOptions = {}): Promise<void> {
    const down = this.#pool.shutdown(wait, opts.cancelFutures === true);
    return wait ? down.then(() => this.#staysSettled()) : down;
  }

  /**
   * @internal Counts `job` among this pool's jobs until it settles, so that
   * `shutdown(true)` waits for it: a job `runInExecutor` runs on the main
   * thread in a thread's stead (see threads.ts) leaves the pool before it
   * runs, where a Python pool's shutdown joins the thread that runs it
   * (`asyncio.run()` then still reports its failure).
   */
  _hold(job: PromiseLike<unknown>): void {
    this.#staying.add(job);
    const drop = () => void this.#staying.delete(job);
    job.then(drop, drop);
  }

  /**
   * @internal The name of the thread a job that runs on the main thread in
   * a thread's stead counts as running in (`asyncio_0`): the lowest number
   * no such running job holds, as Python's pool reuses an idle thread;
   * `release` frees it when the job ends. `context` is that thread's own
   * context, kept from job to job: what a function sets there is seen by
   * the next job of the same thread, as in a Python thread.
   */
  _threadName(): { name: string; context: Context; release: () => void } {
    let i = this.#namesHeld.indexOf(false);
    if (i < 0) i = this.#namesHeld.length;
    this.#namesHeld[i] = true;
    const context = this.#threadContexts[i] ??= new Context();
    return {
      name: `${this.#namePrefix}_${i}`,
      context,
      release: () => void (this.#namesHeld[i] = false),
    };
  }

  async #staysSettled(): Promise<void> {
    while (this.#staying.size > 0) await Promise.allSettled([...this.#staying]);
  }

  /** `await using pool = new ThreadPoolExecutor()` shuts it down, waiting. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown(true);
  }

  /** `<ThreadPoolExecutor maxWorkers=4 workers=1 queued=0>` */
  toString(): string {
    const state = this.#pool.isShutdown ? " shutdown" : "";
    return `<ThreadPoolExecutor maxWorkers=${this.maxWorkers} workers=${this.#pool.slots.size} ` +
      `queued=${this.#pool.queue.length}${state}>`;
  }

  #spawn(): Slot {
    const handle = spawnWorker(WORKER_SOURCE);
    handle.unref();
    const slot: Slot = { handle, job: null, initId: 0 };
    if (this.#initializer !== null) {
      // Sent first; the worker answers it before the job that follows it.
      slot.initId = this.#nextId++;
      const msg: JobMessage = { id: slot.initId, ...this.#initializer };
      handle.postMessage(msg);
    }
    handle.onMessage((m) => this.#onReply(slot, m as ReplyMessage));
    handle.onError((e) => this.#onCrash(slot, e));
    return slot;
  }

  #dispatch(slot: Slot, job: Job): void {
    const msg: JobMessage = { id: job.id, src: job.src, args: job.args };
    try {
      // A LoopLink among the arguments goes to the Worker: its port is transferred.
      slot.handle.postMessage(msg, linkPorts(job.args));
    } catch (e) {
      // An argument that cannot be cloned (a function, a symbol, a host object).
      job.reject(e);
      this.#pool.idle.push(slot);
      return;
    }
    job.args = [];
    slot.job = job;
    slot.handle.ref();
  }

  #onReply(slot: Slot, m: ReplyMessage): void {
    if (slot.initId !== 0 && typeof m === "object" && m !== null && m.id === slot.initId) {
      slot.initId = 0;
      if (!m.ok) {
        logger.error("Exception in initializer:", unpackError(m.error));
        this.#breakPool();
      }
      return;
    }
    const job = slot.job;
    // Worker code can reach its parentPort and post anything: only our reply counts.
    if (job === null || typeof m !== "object" || m === null || m.id !== job.id) return;
    slot.job = null;
    slot.handle.unref();
    this.#pool.idle.push(slot);
    if (m.ok) job.resolve(m.value);
    else job.reject(unpackError(m.error));
    this.#pool.pump();
  }

  #onCrash(slot: Slot, e: Error): void {
    this.#retire(slot);
    const job = slot.job;
    slot.job = null;
    if (job !== null) job.reject(e);
    else logger.error("Exception in a ThreadPoolExecutor worker", e);
    this.#pool.pump();
  }

  #retire(slot: Slot): void {
    this.#pool.forget(slot);
    this.#terminations.push(slot.handle.terminate());
  }

  /** Python's `_initializer_failed`: every job not done fails, and so does `submit()`. */
  #breakPool(): void {
    const reason = "A thread initializer failed, the thread pool is not usable anymore";
    this.#broken = reason;
    for (const job of this.#pool.queue.splice(0)) job.reject(new BrokenThreadPool(reason));
    for (const slot of [...this.#pool.slots]) {
      const job = slot.job;
      slot.job = null;
      if (job !== null) job.reject(new BrokenThreadPool(reason));
      this.#retire(slot);
    }
  }
}

// ---------------------------------------------------------------- InlineExecutor

/**
 * Runs each function on the main thread, on a later macrotask, with its
 * arguments as they are: for functions that cannot travel to a worker
 * (closures, native or bound functions, unclonable arguments). The
 * trade-off: while the function runs, the loop and everything else on the
 * main thread wait, so only short or async (I/O-bound) functions belong
 * here. The function runs outside any task and in an empty context, as
 * it would in a new thread.
 *
 * @example
 * ```ts
 * const counter = { n: 0 };
 * const inline = new InlineExecutor();
 * await loop.runInExecutor(inline, () => ++counter.n); // a closure: fine here
 * ```
 */
export class InlineExecutor implements Executor {
  #pending = new Set<() => boolean>();
  #running = 0;
  #shutdown = false;
  #idleWaiters: Array<() => void> = [];

  /**
   * Runs `fn(...args)` on a later macrotask; resolves to its awaited
   * result. `TypeError` for a non-function; `RuntimeError` after `shutdown()`.
   */
  submit<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): Submission<Awaited<R>> {
    if (this.#shutdown) throw new RuntimeError("cannot schedule new futures after shutdown");
    if (typeof fn !== "function") {
      throw new TypeError(`a callable object was expected by submit(), got ${pyRepr(fn)}`);
    }
    const s = submission<Awaited<R>>();
    const start = async () => {
      this.#pending.delete(cancel);
      this.#running++;
      try {
        // A Python thread starts with an empty context: the function sees
        // no value set by the submitting code (nor at the module's top level).
        // Nor a running loop (see `running.thread`), while it runs to its
        // first await.
        let r: R;
        running.thread++;
        try {
          // Kept current after the function's awaits, too (threadContext).
          const ctx = new Context();
          r = ctx.run(() => threadContext.run(ctx, fn, ...args));
        } finally {
          running.thread--;
        }
        s.resolve(await r);
      } catch (e) {
        s.reject(e);
      } finally {
        this.#running--;
        this.#checkIdle();
      }
    };
    // Outside the submitting task's async context, as a thread would be.
    const timer = taskStorage.exit(() => setTimeout(start, 0));
    const cancel = () => {
      if (!this.#pending.delete(cancel)) return false;
      clearTimeout(timer);
      rejectCancelled(s.promise, s.reject);
      this.#checkIdle();
      return true;
    };
    this.#pending.add(cancel);
    s.promise.cancel = cancel;
    return s.promise;
  }

  /** No new jobs; `cancelFutures` withdraws those not started; `wait` resolves when all have finished. */
  shutdown(wait = true, opts: ShutdownOptions = {}): Promise<void> {
    this.#shutdown = true;
    if (opts.cancelFutures) { for (const cancel of [...this.#pending]) cancel(); }
    if (!wait || this.#isIdle()) return Promise.resolve();
    return new Promise<void>((r) => this.#idleWaiters.push(r));
  }

  /** `await using` shuts it down, waiting. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown(true);
  }

  #isIdle(): boolean {
    return this.#running === 0 && this.#pending.size === 0;
  }

  #checkIdle(): void {
    if (!this.#isIdle()) return;
    for (const r of this.#idleWaiters.splice(0)) r();
  }
}

printAsRepr(ThreadPoolExecutor);
