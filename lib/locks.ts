/**
 * Synchronization primitives for tasks: {@link Lock}, {@link Event},
 * {@link Condition}, {@link Semaphore}, {@link BoundedSemaphore} and
 * {@link Barrier}, with Python's semantics (CPython 3.11's `asyncio.locks`).
 *
 * - Waiters are woken in the order they started waiting (FIFO), and a task
 *   that arrives while others wait queues behind them even if the primitive
 *   happens to be free at that instant.
 * - A lock or semaphore waiter cancelled just after it was chosen to wake
 *   up passes its turn (the lock, the permit) on to the next waiter instead
 *   of losing it. A `Condition` waiter does not pass a notification on:
 *   Python 3.11 drops it (3.12 wakes another waiter instead).
 * - A primitive needs no loop to be made; it binds to the running loop the
 *   first time a task has to wait on it, and using it from another loop then
 *   is a `RuntimeError`.
 *
 * Python's `async with lock:` has two TypeScript forms (API.md rule 14) on
 * `Lock`, `Condition` and the semaphores:
 *
 * ```ts
 * // the scoped callback: the lock is released however fn ends
 * await lock.withLock(async () => { ... });
 * // explicit resource management: released at the end of the block
 * {
 *   await using _ = await lock.acquired();
 *   ...
 * }
 * ```
 *
 * @module
 */
import { AttributeError, CancelledError, RuntimeError, ValueError } from "./exceptions.ts";
import type { Future } from "./futures.ts";
import { bindOnRead } from "./bound_methods.ts";
import { lazyMethods, LibraryCall } from "./coroutines.ts";
import { objectHead, pyRepr, pyTypeName, setPyModule } from "./format.ts";
import { keywords } from "./keywords.ts";
import { LoopBound } from "./mixins.ts";
import { actedAtOnce } from "./operations.ts";
import { suspensions } from "./running.ts";

/** What the scoped forms need: something acquired and released. */
interface Acquirable {
  acquire(): Promise<true>;
  release(): void;
}

async function runHolding<T>(prim: Acquirable, fn: () => Promise<T> | T): Promise<T> {
  await prim.acquire();
  try {
    return await fn();
  } finally {
    prim.release();
  }
}

async function hold(prim: Acquirable): Promise<AsyncDisposable> {
  await prim.acquire();
  let held = true;
  return {
    // Releases at once, not a microtask later, as Python's __aexit__ does;
    // idempotent, so disposing twice cannot release someone else's hold.
    [Symbol.asyncDispose]: () => {
      if (held) {
        held = false;
        try {
          prim.release();
        } catch (e) {
          return Promise.reject(e);
        }
      }
      return Promise.resolve();
    },
  };
}

function firstOf<T>(set: Set<T>): T | undefined {
  for (const x of set) return x;
  return undefined;
}

/**
 * A count that Python compares with an int first: a non-number fails that
 * `<`. A bool is an int there (`Semaphore(True)`), kept as given for the repr.
 */
function checkNumber(value: unknown): asserts value is number {
  if (typeof value !== "number" && typeof value !== "boolean") {
    throw new TypeError(
      `'<' not supported between instances of '${pyTypeName(value)}' and 'int'`,
    );
  }
}

/**
 * Python's `TypeError` for arguments past a constructor's own, which `rest`
 * holds after `used` positional ones (counting `self`, as Python does). A
 * trailing plain object is keywords: the spec still shows `Lock(loop=None)`,
 * which Python 3.10 removed, so `new Lock({ loop })` fails as it does there.
 */
function noMoreArguments(fn: string, takes: string, used: number, rest: unknown[]): void {
  let n = rest.length;
  while (n > 0 && rest[n - 1] === undefined) n--;
  if (n === 0) return;
  // As in Python, an unexpected keyword is reported before a surplus of positionals.
  const positional = keywords(fn, rest[n - 1], []) === null ? n : n - 1;
  if (positional > 0) {
    throw new TypeError(`${fn}() takes ${takes} but ${used + positional} were given`);
  }
}

// ---------------------------------------------------------------------------

/**
 * A mutual-exclusion lock. Not owned by a task: any code may release it.
 * `acquire()` waits while it is locked; `release()` lets exactly one waiter,
 * the longest waiting, proceed.
 *
 * @example
 * ```ts
 * const lock = new Lock();
 * await lock.withLock(async () => {
 *   // only one task at a time runs here
 * });
 * // or
 * await lock.acquire();
 * try { ... } finally { lock.release(); }
 * ```
 */
export class Lock extends LoopBound {
  #locked = false;
  // A Set keeps insertion order (FIFO) and removes any waiter in O(1).
  #waiters = new Set<Future<boolean>>();

  /** An unlocked lock. It takes no arguments (Python's removed `loop=` is a `TypeError`). */
  constructor(...rest: []) {
    super();
    noMoreArguments("Lock.__init__", "1 positional argument", 1, rest);
  }

  /** Waits until the lock is free, then takes it; resolves to `true`. */
  acquire(): Promise<true> {
    if (this.#free()) return this.#take();
    // It must wait: a lazy call, run when awaited or when its task first
    // runs, as Python's coroutine (see `LibraryCall`).
    return new LibraryCall("Lock.acquire", this, this._acquireNow, 0, null, null);
  }

  /** @internal What `acquire()` does when it runs. */
  _acquireNow(): Promise<true> {
    if (this.#free()) return this.#take();
    return this.#acquireSlow();
  }

  #free(): boolean {
    return !this.#locked && (this.#waiters.size === 0 || this.#allWaitersCancelled());
  }

  #take(): Promise<true> {
    // Taken without waiting: as in Python, the task's step goes on. A task
    // made from this promise right after gives it back (`actedAtOnce`).
    this.#locked = true;
    suspensions.progress++;
    return actedAtOnce(Promise.resolve(true as const), this, takeBackLock, null);
  }

  /** @internal Gives back the lock a call just took, for its task to take (`takeBackForTask`). */
  _giveBack(): boolean {
    if (!this.#locked) return false;
    this.#locked = false;
    return true;
  }

  async #acquireSlow(): Promise<true> {
    const fut = this._getLoop().createFuture<boolean>();
    this.#waiters.add(fut);
    try {
      await fut;
    } catch (e) {
      this.#waiters.delete(fut);
      // release() may have picked us just as the cancellation arrived: the
      // lock is free and nobody else was told, so hand the turn on.
      if (!this.#locked) this.#wakeUpFirst();
      throw e;
    }
    this.#waiters.delete(fut);
    this.#locked = true;
    return true;
  }

  /** Frees the lock; a `RuntimeError` if it is not locked. */
  release(): void {
    if (!this.#locked) throw new RuntimeError("Lock is not acquired.");
    this.#locked = false;
    this.#wakeUpFirst();
  }

  /** Whether the lock is held. */
  locked(): boolean {
    return this.#locked;
  }

  /**
   * Runs `fn` holding the lock (Python's `async with lock:`); the lock is
   * released however `fn` ends.
   *
   * @example
   * ```ts
   * const n = await lock.withLock(() => counter++);
   * ```
   */
  withLock<T>(fn: () => Promise<T> | T): Promise<T> {
    return runHolding(this, fn);
  }

  /**
   * Takes the lock and returns a handle that releases it when disposed, for
   * `await using`.
   *
   * @example
   * ```ts
   * {
   *   await using _ = await lock.acquired();
   *   // locked until the end of the block
   * }
   * ```
   */
  acquired(): Promise<AsyncDisposable> {
    return hold(this);
  }

  #allWaitersCancelled(): boolean {
    // A cancelled waiter may still be queued until its task runs; it does
    // not count, but a woken one (done, not cancelled) has the next turn.
    for (const w of this.#waiters) if (!w.cancelled()) return false;
    return true;
  }

  #wakeUpFirst(): void {
    // Only the head: if it is done already it was woken, or it was cancelled
    // and will call this again when its task runs.
    const first = firstOf(this.#waiters);
    if (first !== undefined && !first.done()) first.setResult(true);
  }

  /** `<asyncio.locks.Lock object at 0x7f... [locked, waiters:2]>`, Python's repr. */
  override toString(): string {
    let extra = this.#locked ? "locked" : "unlocked";
    if (this.#waiters.size) extra += `, waiters:${this.#waiters.size}`;
    return `<${objectHead(this)} [${extra}]>`;
  }
}

// ---------------------------------------------------------------------------

/**
 * A flag that tasks can wait for. `set()` wakes every waiter; while it is
 * set, `wait()` returns at once.
 *
 * @example
 * ```ts
 * const ready = new Event();
 * asyncio.createTask(async () => {
 *   await ready.wait();
 *   console.log("go");
 * });
 * ready.set();
 * ```
 */
export class Event extends LoopBound {
  #value = false;
  #waiters = new Set<Future<boolean>>();

  /**
   * A clear flag. Its methods are bound (see the end of this module), so
   * `loop.callLater(1, event.set)` works as in Python. It takes no
   * arguments (`loop=` is a `TypeError`).
   */
  constructor(...rest: []) {
    super();
    noMoreArguments("Event.__init__", "1 positional argument", 1, rest);
  }

  /** Whether the flag is set. */
  isSet(): boolean {
    return this.#value;
  }

  /** Sets the flag and wakes all waiters. */
  set(): void {
    if (this.#value) return;
    this.#value = true;
    for (const w of this.#waiters) if (!w.done()) w.setResult(true);
  }

  /** Resets the flag; later `wait()` calls block until the next `set()`. */
  clear(): void {
    this.#value = false;
  }

  /** Waits until the flag is set; resolves to `true`. */
  wait(): Promise<true> {
    if (this.#value) return this.#seen();
    // It must wait: a lazy call, as `Lock.acquire`.
    return new LibraryCall("Event.wait", this, this._waitNow, 0, null, null);
  }

  /** @internal What `wait()` does when it runs. */
  _waitNow(): Promise<true> {
    if (this.#value) return this.#seen();
    return this.#wait();
  }

  #seen(): Promise<true> {
    suspensions.progress++;
    return actedAtOnce(Promise.resolve(true as const), this, takeBackEvent, null);
  }

  async #wait(): Promise<true> {
    const fut = this._getLoop().createFuture<boolean>();
    this.#waiters.add(fut);
    try {
      await fut;
      return true;
    } finally {
      this.#waiters.delete(fut);
    }
  }

  /** `<asyncio.locks.Event object at 0x7f... [set]>`, Python's repr. */
  override toString(): string {
    let extra = this.#value ? "set" : "unset";
    if (this.#waiters.size) extra += `, waiters:${this.#waiters.size}`;
    return `<${objectHead(this)} [${extra}]>`;
  }
}

// ---------------------------------------------------------------------------

/**
 * What a {@link Condition} can be made on: a {@link Lock}, or anything with
 * its three methods (Python 3.11 takes any such object, a `Semaphore` say).
 */
type ConditionLock = Pick<Lock, "locked" | "acquire" | "release">;

/**
 * A condition variable: tasks holding its lock wait until another task
 * notifies them. `wait()` releases the lock while waiting and takes it back
 * before returning, even when cancelled.
 *
 * @example
 * ```ts
 * const cond = new Condition();
 * const items: number[] = [];
 * // consumer
 * await cond.withLock(async () => {
 *   await cond.waitFor(() => items.length > 0);
 *   console.log(items.shift());
 * });
 * // producer
 * await cond.withLock(() => {
 *   items.push(1);
 *   cond.notify();
 * });
 * ```
 */
export class Condition extends LoopBound {
  #lock: ConditionLock;
  #waiters = new Set<Future<boolean>>();

  /**
   * A condition on `lock`, or on a new `Lock` when none is given (also
   * `{ lock }`, as Python's `Condition(lock=...)`). As in Python 3.11, any
   * object with a lock's `locked()`, `acquire()` and `release()` will do;
   * one without them is a `TypeError` with Python's AttributeError text.
   */
  constructor(lock?: ConditionLock | null | { lock?: ConditionLock | null }, ...rest: []) {
    super();
    noMoreArguments("Condition.__init__", "from 1 to 2 positional arguments", 2, rest);
    // An object with locked() is a lock, even a plain one, not keywords.
    const kw = typeof (lock as Partial<ConditionLock> | null | undefined)?.locked === "function"
      ? null
      : keywords("Condition.__init__", lock, ["lock"]);
    if (kw !== null) lock = kw.lock as ConditionLock | null | undefined;
    if (lock === undefined || lock === null) lock = new Lock();
    else if (!(lock instanceof Lock)) {
      // Python reads the three methods off the lock, in this order.
      for (const name of ["locked", "acquire", "release"] as const) {
        if (typeof (lock as ConditionLock)[name] !== "function") {
          throw new AttributeError(`'${pyTypeName(lock)}' object has no attribute '${name}'`);
        }
      }
    }
    this.#lock = lock as ConditionLock;
  }

  /** Takes the underlying lock; resolves to `true`. */
  acquire(): Promise<true> {
    return this.#lock.acquire();
  }

  /** Releases the underlying lock; a `RuntimeError` if it is not locked. */
  release(): void {
    this.#lock.release();
  }

  /** Whether the underlying lock is held. */
  locked(): boolean {
    return this.#lock.locked();
  }

  /**
   * Runs `fn` holding the underlying lock (Python's `async with cond:`).
   *
   * @example
   * ```ts
   * await cond.withLock(() => cond.notifyAll());
   * ```
   */
  withLock<T>(fn: () => Promise<T> | T): Promise<T> {
    return runHolding(this, fn);
  }

  /**
   * Takes the underlying lock and returns a handle that releases it when
   * disposed, for `await using`.
   *
   * @example
   * ```ts
   * {
   *   await using _ = await cond.acquired();
   *   await cond.wait();
   * }
   * ```
   */
  acquired(): Promise<AsyncDisposable> {
    return hold(this);
  }

  /**
   * Releases the lock, waits to be notified, takes the lock back; resolves
   * to `true`. The caller must hold the lock (else `RuntimeError`), and
   * holds it again when this returns or throws.
   *
   * As in Python 3.11, a waiter cancelled after `notify()` chose it does not
   * pass the notification on, and one cancelled while taking the lock back
   * throws a new `CancelledError` without the cancel message.
   */
  wait(): Promise<true> {
    return this.#wait();
  }

  async #wait(): Promise<true> {
    if (!this.locked()) throw new RuntimeError("cannot wait on un-acquired lock");
    this.release();
    let failed = false;
    let error: unknown;
    try {
      const fut = this._getLoop().createFuture<boolean>();
      this.#waiters.add(fut);
      try {
        await fut;
      } finally {
        this.#waiters.delete(fut);
      }
    } catch (e) {
      failed = true;
      error = e;
    }
    // The caller will release the lock on the way out, cancelled or not, so
    // it must hold it again: keep trying through further cancellations.
    let cancelled = false;
    for (;;) {
      try {
        await this.acquire();
        break;
      } catch (e) {
        if (!(e instanceof CancelledError)) throw e;
        cancelled = true;
      }
    }
    if (cancelled) throw new CancelledError();
    if (failed) throw error;
    return true;
  }

  /**
   * Waits until `predicate()` is truthy, checking it first and after each
   * wake-up; resolves to its last value. The caller must hold the lock.
   * Also `waitFor({ predicate })`, Python's `wait_for(predicate=...)`.
   */
  waitFor<T>(predicate: (() => T) | { predicate: () => T }): Promise<T> {
    return this.#waitFor(predicate);
  }

  async #waitFor<T>(predicate: (() => T) | { predicate: () => T }): Promise<T> {
    const kw = keywords("Condition.wait_for", predicate, ["predicate"]);
    if (kw !== null) predicate = kw.predicate as () => T;
    if (predicate === undefined) {
      throw new TypeError(
        "Condition.wait_for() missing 1 required positional argument: 'predicate'",
      );
    }
    if (typeof predicate !== "function") {
      throw new TypeError(`'${pyTypeName(predicate)}' object is not callable`);
    }
    let result = predicate();
    while (!result) {
      await this.#wait();
      result = predicate();
    }
    return result;
  }

  /**
   * Wakes up to `n` waiters, oldest first (also `notify({ n })`, Python's
   * `notify(n=2)`). The caller must hold the lock (else `RuntimeError`); the
   * woken tasks run once it is released.
   */
  notify(n: number | { n?: number } = 1): void {
    // Python binds the arguments first: a misspelt keyword is a TypeError
    // even without the lock.
    const kw = keywords("Condition.notify", n, ["n"]);
    if (kw !== null) n = (kw.n as number | undefined) ?? 1;
    if (!this.locked()) throw new RuntimeError("cannot notify on un-acquired lock");
    this.#notify(n as number);
  }

  /** Wakes every waiter. The caller must hold the lock. */
  notifyAll(): void {
    this.notify(this.#waiters.size);
  }

  #notify(n: number): void {
    let woken = 0;
    for (const w of this.#waiters) {
      // Python compares `idx >= n` once there is a waiter: a non-number
      // fails there (JS would coerce it) and a bool counts as 0 or 1.
      if (typeof n !== "number" && typeof n !== "boolean") {
        throw new TypeError(`'>=' not supported between instances of 'int' and '${pyTypeName(n)}'`);
      }
      if (woken >= n) break;
      if (!w.done()) {
        woken++;
        w.setResult(false);
      }
    }
  }

  /** `<asyncio.locks.Condition object at 0x7f... [unlocked, waiters:1]>`, Python's repr. */
  override toString(): string {
    let extra = this.locked() ? "locked" : "unlocked";
    if (this.#waiters.size) extra += `, waiters:${this.#waiters.size}`;
    return `<${objectHead(this)} [${extra}]>`;
  }
}

// ---------------------------------------------------------------------------

/** A semaphore's `value`, positional or `{ value }`; 1 when left out. */
function keywordValue(cls: string, value: number | { value?: number }): number {
  const kw = keywords(`${cls}.__init__`, value, ["value"]);
  return kw === null ? value as number : (kw.value as number | undefined) ?? 1;
}

/**
 * A counter of permits: `acquire()` takes one, waiting while none is left;
 * `release()` gives one back. `value` (default 1) is the initial count; a
 * negative one is a `ValueError`.
 *
 * @example
 * ```ts
 * const slots = new Semaphore(3);
 * await slots.withLock(async () => {
 *   // at most three tasks here at once
 * });
 * ```
 */
export class Semaphore extends LoopBound {
  /** @internal The permits left. */
  _value: number;
  #waiters = new Set<Future<boolean>>();

  /** A semaphore with `value` permits (default 1; also `{ value }`). */
  constructor(value: number | { value?: number } = 1, ...rest: []) {
    super();
    noMoreArguments("Semaphore.__init__", "from 1 to 2 positional arguments", 2, rest);
    value = keywordValue(new.target.name, value);
    checkNumber(value);
    if (!(value >= 0)) throw new ValueError("Semaphore initial value must be >= 0");
    this._value = value;
  }

  /**
   * Whether `acquire()` would wait: no permit is left, or other tasks are
   * queued for one (they go first).
   */
  locked(): boolean {
    if (Number(this._value) === 0) return true;
    for (const w of this.#waiters) if (!w.cancelled()) return true;
    return false;
  }

  /** Takes a permit, waiting in line for one if needed; resolves to `true`. */
  acquire(): Promise<true> {
    if (!this.locked()) return this.#take();
    // It must wait: a lazy call, as `Lock.acquire`.
    return new LibraryCall("Semaphore.acquire", this, this._acquireNow, 0, null, null);
  }

  /** @internal What `acquire()` does when it runs. */
  _acquireNow(): Promise<true> {
    if (!this.locked()) return this.#take();
    return this.#acquireSlow();
  }

  #take(): Promise<true> {
    this._value--;
    suspensions.progress++;
    return actedAtOnce(Promise.resolve(true as const), this, takeBackSemaphore, null);
  }

  async #acquireSlow(): Promise<true> {
    const fut = this._getLoop().createFuture<boolean>();
    this.#waiters.add(fut);
    try {
      await fut;
    } catch (e) {
      this.#waiters.delete(fut);
      // release() counted its permit as ours when it woke us; we are not
      // taking it, so put it back and hand it on.
      if (fut.done() && !fut.cancelled()) {
        this._value++;
        this.#wakeUpNext();
      }
      throw e;
    }
    this.#waiters.delete(fut);
    // Tasks that came while we were queued waited behind us even if a
    // permit was free: wake the next one (it wakes the one after, as
    // Python 3.11 does, one per step).
    if (this._value > 0) this.#wakeUpNext();
    return true;
  }

  /** Gives a permit back, waking the longest waiter if there is one. */
  release(): void {
    this._value++;
    this.#wakeUpNext();
  }

  /**
   * Runs `fn` holding a permit (Python's `async with sem:`).
   *
   * @example
   * ```ts
   * await sem.withLock(() => fetch(url));
   * ```
   */
  withLock<T>(fn: () => Promise<T> | T): Promise<T> {
    return runHolding(this, fn);
  }

  /**
   * Takes a permit and returns a handle that gives it back when disposed,
   * for `await using`.
   *
   * @example
   * ```ts
   * {
   *   await using _ = await sem.acquired();
   *   // holding one permit until the end of the block
   * }
   * ```
   */
  acquired(): Promise<AsyncDisposable> {
    return hold(this);
  }

  /** Wakes the first waiter not yet woken, giving it a permit; whether there was one. */
  #wakeUpNext(): boolean {
    for (const w of this.#waiters) {
      if (!w.done()) {
        this._value--;
        w.setResult(true);
        return true;
      }
    }
    return false;
  }

  /** `<asyncio.locks.Semaphore object at 0x7f... [unlocked, value:2]>`, Python's repr. */
  override toString(): string {
    // Python's repr of the count: `value:inf`, `value:1e-05`, `value:True`.
    let extra = this.locked() ? "locked" : `unlocked, value:${pyRepr(this._value)}`;
    if (this.#waiters.size) extra += `, waiters:${this.#waiters.size}`;
    return `<${objectHead(this)} [${extra}]>`;
  }
}

/**
 * A {@link Semaphore} that refuses to grow past its initial value: one
 * `release()` too many is a `ValueError`, which catches release bugs.
 *
 * @example
 * ```ts
 * const sem = new BoundedSemaphore(1);
 * await sem.acquire();
 * sem.release();
 * sem.release(); // ValueError: BoundedSemaphore released too many times
 * ```
 */
export class BoundedSemaphore extends Semaphore {
  #bound: number;

  /** A bounded semaphore with `value` permits (default 1; also `{ value }`). */
  constructor(value: number | { value?: number } = 1, ...rest: []) {
    noMoreArguments("BoundedSemaphore.__init__", "from 1 to 2 positional arguments", 2, rest);
    super(value);
    this.#bound = this._value;
  }

  /** Gives a permit back; a `ValueError` if all permits are already back. */
  override release(): void {
    if (this._value >= this.#bound) {
      throw new ValueError("BoundedSemaphore released too many times");
    }
    super.release();
  }
}

// ---------------------------------------------------------------------------

/**
 * A {@link Barrier} was aborted or reset while a task waited on it, or was
 * broken when a task came to it. A `RuntimeError`, as in Python.
 *
 * @example
 * ```ts
 * try { await barrier.wait(); } catch (e) { if (e instanceof BrokenBarrierError) {} }
 * ```
 */
export class BrokenBarrierError extends RuntimeError {
  /** The Python class name. */
  override name = "BrokenBarrierError";
}

type BarrierState = "filling" | "draining" | "resetting" | "broken";

/**
 * A barrier for a fixed number of tasks (beyond the spec: Python 3.11).
 * Each `wait()` blocks until `parties` tasks are waiting, then all proceed
 * together; each gets its arrival index, `0` to `parties - 1`. The barrier
 * can then be used again.
 *
 * @example
 * ```ts
 * const barrier = new Barrier(3);
 * for (let i = 0; i < 3; i++) {
 *   asyncio.createTask(async () => {
 *     const index = await barrier.wait();
 *     console.log("through", index);
 *   });
 * }
 * ```
 */
export class Barrier extends LoopBound {
  // Every state change is announced with notifyAll() on this condition.
  #cond = new Condition();
  #parties: number;
  #state: BarrierState = "filling";
  #count = 0;

  /** A barrier for `parties` tasks (also `{ parties }`); `ValueError` unless `parties >= 1`. */
  constructor(parties: number | { parties: number }, ...rest: []) {
    super();
    noMoreArguments("Barrier.__init__", "2 positional arguments", 2, rest);
    const kw = keywords("Barrier.__init__", parties, ["parties"]);
    if (kw !== null) parties = kw.parties as number;
    // Python's `Barrier()` has no default: not a comparison with None.
    if (parties === undefined) {
      throw new TypeError("Barrier.__init__() missing 1 required positional argument: 'parties'");
    }
    checkNumber(parties);
    if (!(parties >= 1)) throw new ValueError("parties must be > 0");
    this.#parties = parties;
  }

  /**
   * Waits until `parties` tasks wait; resolves to this task's arrival
   * index. `BrokenBarrierError` if the barrier is or becomes broken, or is
   * reset while waiting.
   */
  wait(): Promise<number> {
    return this.#cond.withLock(async () => {
      await this.#block();
      const index = this.#count++;
      try {
        if (index + 1 === Number(this.#parties)) this.#release();
        else await this.#wait();
        return index;
      } finally {
        this.#count--;
        this.#exit();
      }
    });
  }

  /**
   * Puts the barrier back to empty; tasks waiting on it get
   * `BrokenBarrierError`. A broken barrier becomes usable again.
   */
  reset(): Promise<void> {
    return this.#cond.withLock(() => {
      if (this.#count > 0) this.#state = "resetting";
      else this.#state = "filling";
      this.#cond.notifyAll();
    });
  }

  /**
   * Breaks the barrier: waiting tasks and later `wait()` calls get
   * `BrokenBarrierError`, until `reset()`.
   */
  abort(): Promise<void> {
    return this.#cond.withLock(() => {
      this.#state = "broken";
      this.#cond.notifyAll();
    });
  }

  /** How many tasks must wait for the barrier to open. */
  get parties(): number {
    return this.#parties;
  }

  /** How many tasks are waiting for it to open (0 while it drains). */
  get nWaiting(): number {
    return this.#state === "filling" ? this.#count : 0;
  }

  /** Whether it is broken: `abort()` was called and no `reset()` since. */
  get broken(): boolean {
    return this.#state === "broken";
  }

  async #block(): Promise<void> {
    // Tasks of the previous round may still be leaving: arrivals wait for
    // them, so that an index always belongs to one round.
    await this.#cond.waitFor(() => this.#state !== "draining" && this.#state !== "resetting");
    if (this.#state === "broken") throw new BrokenBarrierError("Barrier aborted");
  }

  #release(): void {
    this.#state = "draining";
    this.#cond.notifyAll();
  }

  async #wait(): Promise<void> {
    await this.#cond.waitFor(() => this.#state !== "filling");
    if (this.#state === "broken" || this.#state === "resetting") {
      throw new BrokenBarrierError("Abort or reset of barrier");
    }
  }

  #exit(): void {
    if (this.#count !== 0) return;
    if (this.#state === "resetting" || this.#state === "draining") this.#state = "filling";
    this.#cond.notifyAll();
  }

  /** `<asyncio.locks.Barrier object at 0x7f... [filling, waiters:1/3]>`, Python's repr. */
  override toString(): string {
    let extra = this.#state;
    if (!this.broken) extra += `, waiters:${this.nWaiting}/${pyRepr(this.#parties)}`;
    return `<${objectHead(this)} [${extra}]>`;
  }
}

// Python's bound methods: `loop.callSoon(lock.release)`,
// `loop.callLater(1, sem.release)`, `loop.callSoon(event.set)` and
// `createTask(event.wait)` port as they are, and show as
// `<Handle Lock.release()>`. A Condition's acquire, release and locked are
// its lock's own methods in Python, so they are named as the Lock's.
// The coroutine methods that always wait run when awaited or when their
// task first runs, as Python's coroutines do (see `LibraryCall`); `acquire`
// and `wait` are lazy when they must wait.
lazyMethods(Condition.prototype, { wait: "Condition.wait", waitFor: "Condition.wait_for" });
lazyMethods(Barrier.prototype, {
  wait: "Barrier.wait",
  reset: "Barrier.reset",
  abort: "Barrier.abort",
});
// A call that acted at once, made into a task right after
// (`createTask(lock.acquire())` on a free lock), is undone and redone when
// the task first runs (see `actedAtOnce`).
function takeBackLock(lock: Lock): PromiseLike<unknown> | null {
  if (!lock._giveBack()) return null;
  return new LibraryCall("Lock.acquire", lock, lock._acquireNow, 0, null, null);
}
function takeBackSemaphore(sem: Semaphore): PromiseLike<unknown> {
  sem._value++;
  return new LibraryCall("Semaphore.acquire", sem, sem._acquireNow, 0, null, null);
}
function takeBackEvent(ev: Event): PromiseLike<unknown> {
  return new LibraryCall("Event.wait", ev, ev._waitNow, 0, null, null);
}
bindOnRead(Lock.prototype, ["acquire", "release", "locked"]);
bindOnRead(Event.prototype, ["set", "clear", "isSet", "wait"], { isSet: "Event.is_set" });
bindOnRead(
  Condition.prototype,
  ["acquire", "release", "locked", "wait", "waitFor", "notify", "notifyAll"],
  {
    acquire: "Lock.acquire",
    release: "Lock.release",
    locked: "Lock.locked",
    waitFor: "Condition.wait_for",
    notifyAll: "Condition.notify_all",
  },
);
bindOnRead(Semaphore.prototype, ["acquire", "release", "locked"]);
bindOnRead(BoundedSemaphore.prototype, ["release"]);
bindOnRead(Barrier.prototype, ["wait", "reset", "abort"]);

setPyModule("asyncio.locks", Lock, Event, Condition, Semaphore, BoundedSemaphore, Barrier);
// Named so in a traceback's last line: `asyncio.exceptions.BrokenBarrierError`.
setPyModule("asyncio.exceptions", BrokenBarrierError);
