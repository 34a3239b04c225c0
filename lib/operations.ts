/**
 * Loop operations whose promise a task can cancel.
 *
 * `createTask(lock.acquire())`, `waitFor(q.get(), 1)` or
 * `createTask(loop.sockRecv(sock, 100))` make a task around a promise that
 * started outside it. Python's task would throw the `CancelledError` into
 * the coroutine; a JS task cannot reach into a promise, so such a promise
 * carries a cancel function under {@link cancelOperation} that the task
 * calls. Without it the operation would run on, detached: take the lock,
 * the next item or the next datagram for nobody.
 *
 * Internal: shared by the task and the operations (locks, queues, socket
 * methods).
 *
 * @module
 */
import type { Future } from "./futures.ts";
import { CancelledError } from "./exceptions.ts";

/**
 * @internal The key of the cancel function on the promise of one of the
 * loop's own operations. The function returns true when the promise will
 * now settle by itself (with the `CancelledError`, or its result if it was
 * already done): the task then ends with it, as Python's task ends when its
 * coroutine does. Otherwise the task ends on the next loop iteration.
 */
export const cancelOperation: unique symbol = Symbol("cancelOperation");

/** A promise with the cancel function of {@link cancelOperation}. */
export type CancellablePromise<T> = Promise<T> & {
  [cancelOperation]: (msg?: string) => boolean | void;
};

/**
 * `p`, with `cancel` as the function a task made from it calls.
 *
 * @example
 * ```ts
 * return cancellable(readSoon(fd), (msg) => watcher.cancel(msg));
 * ```
 */
export function cancellable<T>(
  p: Promise<T>,
  cancel: (msg?: string) => boolean | void,
): CancellablePromise<T> {
  const cancelAndQuiet = (msg?: string): boolean | void => {
    // A task cancelled before its first step never subscribes: the
    // operation's CancelledError is nobody's unhandled rejection.
    p.catch(() => {});
    return cancel(msg);
  };
  return Object.assign(p, { [cancelOperation]: cancelAndQuiet });
}

/**
 * Where a waiting operation (a lock's `acquire()`, a queue's `get()`) is
 * parked, for its cancel function: the waiter future, and whether a task
 * made from its promise was cancelled since.
 */
export interface Wait {
  /** The waiter future it is parked on now, or null between waits. */
  fut: Future<unknown> | null;
  /** Set when a task made from the call's promise was cancelled. */
  cancelled: boolean;
  /** The cancel message. */
  msg: string | undefined;
}

/** A fresh {@link Wait}. */
export function newWait(): Wait {
  return { fut: null, cancelled: false, msg: undefined };
}

/**
 * `p`, the promise of an operation parked through `wait`, cancellable by a
 * task made from it. Not woken yet, the wait throws at once; already woken
 * (a release or a put picked it), it throws when it resumes: see
 * {@link throwIfCancelled}, which the operation calls after each wait.
 *
 * @example
 * ```ts
 * const wait = newWait();
 * return cancellableWait(this.#acquireSlow(wait), wait);
 * ```
 */
export function cancellableWait<T>(p: Promise<T>, wait: Wait): CancellablePromise<T> {
  return cancellable(p, (msg) => {
    wait.cancelled = true;
    wait.msg = msg;
    wait.fut?.cancel(msg);
    return true;
  });
}

/**
 * Throws the `CancelledError` of a task cancelled while `wait` was parked
 * but already woken: Python's coroutine gets it at that `await`.
 *
 * @example
 * ```ts
 * await fut;
 * throwIfCancelled(wait);
 * ```
 */
export function throwIfCancelled(wait: Wait | undefined): void {
  if (wait?.cancelled) throw new CancelledError(wait.msg ?? "");
}
