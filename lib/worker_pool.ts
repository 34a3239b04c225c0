/**
 * The bookkeeping that `ThreadPoolExecutor` (Workers) and
 * `ProcessPoolExecutor` (child processes) share: a queue of jobs, the
 * workers and which of them are idle, starting workers up to a cap, and a
 * shutdown that lets queued jobs finish (or cancels them) and resolves once
 * every worker is gone. What a worker is, and how a job reaches it, stays in
 * each executor (the {@link PoolHooks}).
 *
 * @module
 */
import { CancelledError } from "./exceptions.ts";
import type { Submission } from "./executors.ts";

/** A submitted job: its promise and how to settle it. */
export interface PoolJob {
  /** What `submit` returned. */
  promise: Submission<unknown>;
  /** Settles the job with the function's result. */
  resolve: (v: unknown) => void;
  /** Settles the job with an error. */
  reject: (e: unknown) => void;
}

/**
 * A pending {@link Submission} and its settle functions.
 *
 * @example
 * ```ts
 * const s = submission<number>();
 * s.resolve(1);
 * console.log(await s.promise); // 1
 * ```
 */
export function submission<R = unknown>(): {
  promise: Submission<R>;
  resolve: (v: R) => void;
  reject: (e: unknown) => void;
} {
  let resolve!: (v: R) => void;
  let reject!: (e: unknown) => void;
  const p = new Promise<R>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise: Object.assign(p, { cancel: () => false }), resolve, reject };
}

/**
 * Rejects a withdrawn job with `CancelledError`, without an unhandled-rejection
 * report: cancelling was deliberate.
 *
 * @example
 * ```ts
 * const s = submission();
 * rejectCancelled(s.promise, s.reject);
 * ```
 */
export function rejectCancelled(promise: Promise<unknown>, reject: (e: unknown) => void): void {
  promise.catch(() => {});
  const e = new CancelledError();
  _withdrawn.add(e);
  reject(e);
  const hooks = withdrawHooks.get(promise);
  withdrawHooks.delete(promise);
  for (const hook of hooks ?? []) hook();
}

const withdrawHooks = new WeakMap<object, Array<() => void>>();

/**
 * @internal Calls `hook` as soon as {@link rejectCancelled} withdraws
 * `promise`, before any reaction to the rejection: Python's cancelled
 * `concurrent.futures.Future` runs its done callbacks at once, so the
 * loop's future of a job that `shutdown(cancelFutures)` withdraws is
 * cancelled in the loop's next iteration.
 */
export function _onWithdrawn(promise: object, hook: () => void): void {
  const hooks = withdrawHooks.get(promise);
  if (hooks === undefined) withdrawHooks.set(promise, [hook]);
  else hooks.push(hook);
}

/**
 * @internal The errors {@link rejectCancelled} rejected withdrawn jobs
 * with: the loop's future of such a job is cancelled, as Python's
 * `_copy_future_state` cancels it for a cancelled `concurrent.futures.Future`,
 * rather than failed with the error.
 */
export const _withdrawn: WeakSet<object> = new WeakSet();

/** What an executor tells its {@link WorkerPool}. */
export interface PoolHooks<S, J> {
  /** The most workers at once. */
  readonly maxWorkers: number;
  /** Starts a worker (it is added to `slots` by the pool); may throw. */
  spawn(): S;
  /** Hands `job` to the idle worker `slot`. */
  dispatch(slot: S, job: J): void;
  /** After shutdown, with nothing queued: lets the idle worker `slot` go. */
  release(slot: S): void;
  /** Whether jobs may start (false once the pool is broken). Default: true. */
  accepting?(): boolean;
  /** Workers still leaving that `slots` does not hold. Default: none. */
  leaving?(): number;
  /** Resolves once the workers already gone are fully gone (threads ended). */
  gone?(): Promise<void>;
  /**
   * Starts `job` itself and returns true if it needs no worker (a function
   * that runs on the main thread only takes its turn here): then no worker
   * is started for it. Asked only while the pool has room. Default: none.
   */
  withoutWorker?(job: J): boolean;
}

/**
 * The job queue and worker slots of a pool executor.
 *
 * @example
 * ```ts
 * const pool = new WorkerPool<Worker, Job>({ maxWorkers: 2, spawn, dispatch, release });
 * pool.enqueue(job);
 * await pool.shutdown(true, false);
 * ```
 */
export class WorkerPool<S, J extends PoolJob> {
  /** Jobs not started yet, oldest first. */
  readonly queue: J[] = [];
  /** Every worker that is running (busy or idle). */
  readonly slots: Set<S> = new Set();
  /** The idle ones; the last one idle is used first. */
  readonly idle: S[] = [];
  /** No new jobs are taken. */
  isShutdown = false;
  #hooks: PoolHooks<S, J>;
  #finished: Promise<void> | null = null;
  #markFinished: (() => void) | null = null;

  /** A pool with no workers yet. */
  constructor(hooks: PoolHooks<S, J>) {
    this.#hooks = hooks;
  }

  /** Queues `job`, makes it withdrawable while queued, and starts what can start. */
  enqueue(job: J): void {
    job.promise.cancel = () => {
      const i = this.queue.indexOf(job);
      if (i < 0) return false;
      this.queue.splice(i, 1);
      rejectCancelled(job.promise, job.reject);
      this.maybeFinish();
      return true;
    };
    this.queue.push(job);
    this.pump();
  }

  /**
   * Stops taking jobs; with `cancelFutures` the queued ones reject with
   * `CancelledError`. Resolves (when `wait`) once every worker is gone.
   */
  shutdown(wait: boolean, cancelFutures: boolean): Promise<void> {
    this.isShutdown = true;
    if (cancelFutures) {
      for (const job of this.queue.splice(0)) rejectCancelled(job.promise, job.reject);
    }
    this.#finished ??= new Promise<void>((r) => (this.#markFinished = r));
    this.maybeFinish();
    return wait ? this.#finished : Promise.resolve();
  }

  /**
   * Python's `_adjust_thread_count`: each queued job goes to an idle worker,
   * else to a new one while under the cap. A worker that cannot be started
   * fails the job only when there is no worker at all (nothing would run it).
   */
  pump(): void {
    const h = this.#hooks;
    while (this.queue.length > 0 && (h.accepting?.() ?? true)) {
      const room = this.idle.length > 0 || this.slots.size < h.maxWorkers;
      if (room && h.withoutWorker !== undefined && h.withoutWorker(this.queue[0])) {
        this.queue.shift();
        continue;
      }
      let slot = this.idle.pop();
      if (slot === undefined) {
        if (this.slots.size >= h.maxWorkers) break;
        try {
          slot = h.spawn();
        } catch (e) {
          if (this.slots.size === 0) this.queue.shift()!.reject(e);
          else break;
          continue;
        }
        this.slots.add(slot);
      }
      h.dispatch(slot, this.queue.shift()!);
    }
    this.maybeFinish();
  }

  /** Forgets `slot` (it died or was retired): no longer running, no longer idle. */
  forget(slot: S): void {
    this.slots.delete(slot);
    const i = this.idle.indexOf(slot);
    if (i >= 0) this.idle.splice(i, 1);
  }

  /**
   * After shutdown, once nothing is queued: idle workers are let go, and the
   * shutdown resolves when the last worker is gone.
   */
  maybeFinish(): void {
    if (!this.isShutdown || this.queue.length > 0) return;
    const h = this.#hooks;
    for (const slot of this.idle.splice(0)) h.release(slot);
    if (this.slots.size > 0 || (h.leaving?.() ?? 0) > 0 || this.#markFinished === null) return;
    const mark = this.#markFinished;
    this.#markFinished = null;
    const gone = h.gone?.() ?? Promise.resolve();
    gone.then(() => mark(), () => mark());
  }
}
