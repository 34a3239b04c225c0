/**
 * Loop operations whose promise a task is made from.
 *
 * `createTask(loop.sockRecv(sock, 100))` makes a task around a promise that
 * started outside it. Python's task would throw the `CancelledError` into
 * the coroutine; a JS task cannot reach into a promise, so such a promise
 * carries a cancel function under {@link cancelOperation} that the task
 * calls. Without it the operation would run on, detached: take the next
 * datagram for nobody. Locks and queues need none: a call of theirs that
 * must wait is lazy and runs inside its task, and one that acted at once is
 * given back to the task's first step ({@link actedAtOnce}).
 *
 * Internal: shared by the task and the operations (locks, queues, socket
 * methods).
 *
 * @module
 */

/**
 * @internal The key, on the promise of one of the loop's own operations,
 * of its {@link Canceller}.
 */
export const cancelOperation: unique symbol = Symbol("cancelOperation");

/** What cancels an operation whose promise a task was made from. */
export interface Canceller {
  /**
   * Cancels the operation of `promise`. True when the promise will now
   * settle by itself (with the `CancelledError`, or its result if it was
   * already done): the task then ends with it, as Python's task ends when
   * its coroutine does. Otherwise the task ends on the next loop iteration.
   */
  cancelOperation(promise: Promise<unknown>, msg?: string): boolean;
}

/** A promise that carries its operation's {@link Canceller}. */
export type CancellablePromise<T> = Promise<T> & { [cancelOperation]: Canceller };

/**
 * @internal What a task does when cancelled: cancels the operation of
 * `coro` if it is one; whether the task should wait for it to end.
 */
export function _cancelOperationOf(coro: unknown, msg: string | undefined): boolean {
  const op = (coro as Partial<CancellablePromise<unknown>>)[cancelOperation];
  if (op === undefined) return false;
  // A task cancelled before its first step never subscribes: the
  // operation's CancelledError is nobody's unhandled rejection.
  (coro as Promise<unknown>).catch(ignore);
  return op.cancelOperation(coro as Promise<unknown>, msg);
}

function ignore(): void {}

/**
 * `p`, with `cancel` as what a task made from it calls to cancel it (the
 * task ends on the next loop iteration).
 *
 * @example
 * ```ts
 * return cancellable(readSoon(fd), (msg) => watcher.cancel(msg));
 * ```
 */
export function cancellable<T>(
  p: Promise<T>,
  cancel: (msg?: string) => void,
): CancellablePromise<T> {
  const c = p as CancellablePromise<T>;
  c[cancelOperation] = {
    cancelOperation(_p: Promise<unknown>, msg?: string): boolean {
      cancel(msg);
      return false;
    },
  };
  return c;
}

/**
 * @internal Undoes a call that acted at once for a task made from its
 * promise, and gives the lazy call that redoes it when the task first
 * runs; null when the state has moved on and it cannot be undone. `seq`
 * numbers the act among all acts (see {@link actedBefore}), so that items
 * several gets took go back in the order they were taken, whatever the
 * order their tasks are made in.
 */
export type TakeBack = (owner: never, value: unknown, seq: number) => PromiseLike<unknown> | null;

/** Acts are numbered modulo 2^30 (small integers for V8, never a heap number). */
const SEQ_MASK = 0x3fffffff;

/**
 * @internal Whether the act numbered `a` came before the one numbered `b`
 * (both among the last few, so the numbers' wrap-around cannot mislead).
 */
export function actedBefore(a: number, b: number): boolean {
  return a !== b && ((b - a) & SEQ_MASK) < 0x20000000;
}

/** The last few calls that acted at once (a ring): a task is made from one right after the call. */
const RECENT = 8;
const recentPromise: (Promise<unknown> | null)[] = new Array(RECENT).fill(null);
const recentOwner: unknown[] = new Array(RECENT).fill(null);
const recentTakeBack: (TakeBack | null)[] = new Array(RECENT).fill(null);
const recentValue: unknown[] = new Array(RECENT).fill(null);
/** The number of the next act; its slot in the ring is its low bits. */
let recentNext = 0;

/**
 * @internal The number the next act will have: an act numbered `a` came
 * before now when `actedBefore(a, nextActNumber())`.
 */
export function nextActNumber(): number {
  return recentNext;
}

/**
 * @internal Notes that the call whose promise is `p` acted at once (a free
 * lock taken, an item got), so that a task made from `p` can hand the act
 * back to its first step, where Python's coroutine would act
 * ({@link takeBackForTask}). Awaiting a lazy object instead would cost V8
 * and JavaScriptCore five times what these calls cost; this costs a fresh
 * promise and four stores.
 *
 * @example
 * ```ts
 * return actedAtOnce(Promise.resolve(true), this, takeBackLock, null);
 * ```
 */
export function actedAtOnce<T>(
  p: Promise<T>,
  owner: object,
  takeBack: TakeBack,
  value: unknown,
): Promise<T> {
  const n = recentNext;
  recentNext = (n + 1) & SEQ_MASK;
  const i = n & (RECENT - 1);
  recentPromise[i] = p;
  recentOwner[i] = owner;
  recentTakeBack[i] = takeBack;
  recentValue[i] = value;
  return p;
}

/**
 * @internal For a task made from `p`: if `p` is the promise of a call that
 * acted at once, undoes the act and returns the lazy call that redoes it
 * when the task first runs (as `createTask(lock.acquire())` acts in
 * Python); else null.
 */
export function takeBackForTask(p: Promise<unknown>): PromiseLike<unknown> | null {
  for (let i = 0; i < RECENT; i++) {
    if (recentPromise[i] !== p) continue;
    const takeBack = recentTakeBack[i]!;
    const owner = recentOwner[i];
    const value = recentValue[i];
    recentPromise[i] =
      recentOwner[i] =
      recentTakeBack[i] =
      recentValue[i] =
        null;
    // The slot was last written by the latest act whose low bits are i.
    const last = recentNext - 1;
    const seq = (last - ((last - i) & (RECENT - 1))) & SEQ_MASK;
    return takeBack(owner as never, value, seq);
  }
  return null;
}
