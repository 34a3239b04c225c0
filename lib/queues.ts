/**
 * Queues between tasks: {@link Queue} (first in, first out),
 * {@link PriorityQueue} (smallest first) and {@link LifoQueue} (last in,
 * first out), with Python's semantics (CPython 3.13's `asyncio.queues`,
 * including `shutdown()`).
 *
 * Blocked getters and putters are served in the order they started
 * waiting, and cancelling one never loses an item or a free slot: a getter
 * cancelled just after `put()` woke it hands the wake-up to the next getter,
 * and the item stays in the queue.
 *
 * @module
 */
import { ValueError } from "./exceptions.ts";
import type { Future } from "./futures.ts";
import { bindMethodOnRead, bindOnRead } from "./bound_methods.ts";
import { lazyMethods, LibraryCall } from "./coroutines.ts";
import { errorArgs, pyAddress, pyRepr, pyTypeName, setPyModule } from "./format.ts";
import { Event } from "./locks.ts";
import { keywords } from "./keywords.ts";
import { LoopBound } from "./mixins.ts";
import { suspensions } from "./running.ts";
import { actedAtOnce, actedBefore, nextActNumber } from "./operations.ts";

/**
 * `getNowait()` on an empty queue.
 *
 * @example
 * ```ts
 * try { q.getNowait(); } catch (e) { if (e instanceof QueueEmpty) {} }
 * ```
 */
export class QueueEmpty extends Error {
  /** The Python class name. */
  override name = "QueueEmpty";
  /** Python's `e.args`: the arguments it was made with, as an array. */
  get args(): unknown[] {
    return errorArgs(this);
  }
}

/**
 * `putNowait()` on a full queue.
 *
 * @example
 * ```ts
 * try { q.putNowait(x); } catch (e) { if (e instanceof QueueFull) {} }
 * ```
 */
export class QueueFull extends Error {
  /** The Python class name. */
  override name = "QueueFull";
  /** Python's `e.args`: the arguments it was made with, as an array. */
  get args(): unknown[] {
    return errorArgs(this);
  }
}

/**
 * A put on a queue that was shut down, or a get on one that was shut down
 * and is empty (beyond the spec: Python 3.13).
 *
 * @example
 * ```ts
 * try { await q.get(); } catch (e) { if (e instanceof QueueShutDown) return; }
 * ```
 */
export class QueueShutDown extends Error {
  /** The Python class name. */
  override name = "QueueShutDown";
  /** Python's `e.args`: the arguments it was made with, as an array. */
  get args(): unknown[] {
    return errorArgs(this);
  }
}

/** Python's name of the constructor in its errors, subclasses included (they inherit `__init__`). */
const INIT = "Queue.__init__";

/**
 * Python's TypeError for arguments after `maxsize`: `Queue(1, 2)`, or
 * `Queue(1, { loop })` (the spec's `loop=`, which Python 3.10 removed),
 * rather than arguments silently ignored. A keyword is reported first, as
 * Python does.
 */
function noMoreArguments(rest: unknown[]): void {
  let n = rest.length;
  while (n > 0 && rest[n - 1] === undefined) n--;
  if (n === 0) return;
  const positional = keywords(INIT, rest[n - 1], []) === null ? n : n - 1;
  if (positional > 0) {
    throw new TypeError(
      `${INIT}() takes from 1 to 2 positional arguments but ${2 + positional} were given`,
    );
  }
}

/**
 * The done waiters (cancelled ones, whose tasks have not run yet) that the
 * last {@link nextToWake} found ahead of the one to wake: `wakeUpNext`
 * drops them. Null, the usual case, when there were none.
 */
let doneAhead: Future<null>[] | null = null;

/** The waiter `wakeUpNext(waiters)` would wake; null if none. Sets {@link doneAhead}. */
function nextToWake(waiters: Set<Future<null>>): Future<null> | null {
  doneAhead = null;
  for (const w of waiters) {
    if (!w.done()) return w;
    (doneAhead ??= []).push(w);
  }
  return null;
}

/**
 * What a get or put that acted at once is given back with when it also woke
 * a waiter (a put, a getter; a get, a putter) or dropped done ones:
 * undoing the act must undo that too, or the waiter would lose its place
 * in line and the queue's repr would count too few waiters.
 */
class ActedAndWoke<T> {
  constructor(
    readonly item: T,
    readonly woken: Future<null> | null,
    /** What the waiter's future had to call when woken (see `Future._unsetResult`). */
    readonly scheduled: Future<null>["_callbacks"],
    /** The done waiters dropped ahead of it (`doneAhead`). */
    readonly ahead: Future<null>[] | null,
  ) {}
}

/** Wakes the first waiter not woken yet; every waiter passed is dropped. */
function wakeUpNext(waiters: Set<Future<null>>): void {
  for (const w of waiters) {
    waiters.delete(w);
    if (!w.done()) {
      w.setResult(null);
      return;
    }
  }
}

/**
 * A first-in, first-out queue for producer and consumer tasks. With
 * `maxsize > 0`, `put()` waits while `maxsize` items are queued; with the
 * default 0 it is unbounded. `taskDone()` and `join()` let a producer wait
 * until every item has been processed.
 *
 * @example
 * ```ts
 * const q = new Queue<string>(10);
 * asyncio.createTask(async () => {
 *   for (;;) {
 *     const job = await q.get();
 *     console.log("working on", job);
 *     q.taskDone();
 *   }
 * });
 * await q.put("a");
 * await q.put("b");
 * await q.join(); // both processed
 * ```
 */
export class Queue<T = unknown> extends LoopBound {
  #maxsize: number;
  // Sets: FIFO order, and removal of a cancelled waiter in O(1).
  #getters = new Set<Future<null>>();
  #putters = new Set<Future<null>>();
  #unfinished = 0;
  #finished = new Event();
  #isShutdown = false;
  // The FIFO store: items from #head on; the consumed front is cut off in
  // bulk so that a get is O(1) amortized.
  #items: T[] = [];
  #head = 0;
  // Items put back by undone gets (see `_undoGet`) that still lead the
  // queue, next first, with the numbers of the gets that had taken them.
  // `undoneAt`: the number the next act had when the get was undone.
  #ungot: { item: T; seq: number; undoneAt: number }[] | null = null;
  // Waiters woken by an act that was undone, and the places kept for them.
  #kept: Map<Future<null>, Future<null>> | null = null;

  /** A queue holding at most `maxsize` items (`<= 0`: no limit; also `{ maxsize }`). */
  constructor(maxsize: number | { maxsize?: number } = 0, ...rest: []) {
    super();
    const kw = keywords(INIT, maxsize, ["maxsize"]);
    if (kw !== null) maxsize = (kw.maxsize as number | undefined) ?? 0;
    noMoreArguments(rest);
    if (typeof maxsize !== "number") {
      throw new TypeError(`maxsize must be a number, got ${pyRepr(maxsize)}`);
    }
    this.#maxsize = maxsize;
    this.#finished.set();
  }

  /** The most items it holds (`<= 0`: no limit). */
  get maxsize(): number {
    return this.#maxsize;
  }

  /** How many items are queued. */
  qsize(): number {
    return this._size();
  }

  /** Whether no item is queued. */
  empty(): boolean {
    return this._size() === 0;
  }

  /** Whether `maxsize` items are queued (never, for an unbounded queue). */
  full(): boolean {
    return this.#maxsize > 0 && this._size() >= this.#maxsize;
  }

  /**
   * Adds `item`, waiting for a free slot while the queue is full.
   * `QueueShutDown` if the queue is (or, while waiting, gets) shut down.
   */
  put(item: T): Promise<void> {
    if (!this.full()) return this._putNow(item);
    // It must wait: a lazy call, run when awaited or when its task first
    // runs, as Python's coroutine (see `LibraryCall`).
    return new LibraryCall("Queue.put", this, this._putNow, 1, item, null);
  }

  /** @internal What `put(item)` does when it runs. */
  _putNow(item: T): Promise<void> {
    if (!this.full()) {
      // Room already: as in Python, the task's step goes on.
      suspensions.progress++;
      let woken: Future<null> | null = null;
      let ahead: Future<null>[] | null = null;
      if (this.#getters.size !== 0) {
        woken = nextToWake(this.#getters);
        ahead = doneAhead;
      }
      const scheduled = woken === null ? null : woken._callbacks;
      try {
        this.putNowait(item);
      } catch (e) {
        return Promise.reject(e);
      }
      return actedAtOnce(
        Promise.resolve(),
        this,
        takeBackPut,
        woken === null && ahead === null ? item : new ActedAndWoke(item, woken, scheduled, ahead),
      );
    }
    return this.#putSlow(item);
  }

  async #putSlow(item: T): Promise<void> {
    let putter: Future<null> | undefined;
    while (this.full()) {
      if (this.#isShutdown) throw new QueueShutDown();
      // Woken by a get that was then undone: back in our place (`#unwake`).
      const kept = putter === undefined ? undefined : this.#keptPlace(putter, true);
      if (kept !== undefined) putter = kept;
      else {
        putter = this._getLoop().createFuture<null>();
        this.#putters.add(putter);
      }
      try {
        await putter;
      } catch (e) {
        this.#keptPlace(putter, false);
        putter.cancel();
        this.#putters.delete(putter);
        // A get freed a slot and picked us to fill it; we will not, so
        // pass the turn to the next putter.
        if (!this.full() && !putter.cancelled()) wakeUpNext(this.#putters);
        throw e;
      }
    }
    if (putter !== undefined) this.#keptPlace(putter, false);
    this.putNowait(item);
  }

  /**
   * Adds `item` now: `QueueFull` if there is no free slot, `QueueShutDown`
   * if the queue was shut down.
   */
  putNowait(item: T): void {
    if (this.#isShutdown) throw new QueueShutDown();
    if (this.full()) throw new QueueFull();
    this._put(item);
    this.#unfinished++;
    this.#finished.clear();
    wakeUpNext(this.#getters);
  }

  /**
   * Removes and returns the next item, waiting while the queue is empty.
   * `QueueShutDown` once the queue is shut down and empty.
   */
  get(): Promise<T> {
    if (!this.empty()) return this._getNow();
    // It must wait: a lazy call, as `put`.
    return new LibraryCall("Queue.get", this, this._getNow, 0, null, null);
  }

  /** @internal What `get()` does when it runs. */
  _getNow(): Promise<T> {
    if (!this.empty()) {
      // An item already: as in Python, the task's step goes on.
      suspensions.progress++;
      let woken: Future<null> | null = null;
      let ahead: Future<null>[] | null = null;
      if (this.#putters.size !== 0) {
        woken = nextToWake(this.#putters);
        ahead = doneAhead;
      }
      const scheduled = woken === null ? null : woken._callbacks;
      let item: T;
      try {
        item = this.getNowait();
      } catch (e) {
        return Promise.reject(e);
      }
      return actedAtOnce(
        Promise.resolve(item),
        this,
        takeBackGet,
        woken === null && ahead === null ? item : new ActedAndWoke(item, woken, scheduled, ahead),
      );
    }
    return this.#getSlow();
  }

  async #getSlow(): Promise<T> {
    let getter: Future<null> | undefined;
    while (this.empty()) {
      if (this.#isShutdown) throw new QueueShutDown();
      // Woken by a put that was then undone: back in our place (`#unwake`).
      const kept = getter === undefined ? undefined : this.#keptPlace(getter, true);
      if (kept !== undefined) getter = kept;
      else {
        getter = this._getLoop().createFuture<null>();
        this.#getters.add(getter);
      }
      try {
        await getter;
      } catch (e) {
        this.#keptPlace(getter, false);
        getter.cancel();
        this.#getters.delete(getter);
        // A put picked us for its item; we will not take it, so the next
        // getter must, or it would sit in the queue with getters waiting.
        if (!this.empty() && !getter.cancelled()) wakeUpNext(this.#getters);
        throw e;
      }
    }
    if (getter !== undefined) this.#keptPlace(getter, false);
    return this.getNowait();
  }

  /**
   * An act undone after it woke a waiter of `waiters` (a put, a getter; a
   * get, a putter): Python's put or get has not run yet, so that waiter has
   * not been woken. Its wake-up is taken back ({@link Future._unsetResult})
   * and it is first in line again, behind the done waiters the act dropped,
   * as in Python's deque. Where the wake-up cannot be taken back, a new
   * future takes its place in line, and the waiter goes back to waiting on
   * that one ({@link #keptPlace}) instead of queueing again at the end.
   */
  #unwake(waiters: Set<Future<null>>, acted: ActedAndWoke<T>): void {
    const woken = acted.woken;
    let head: Future<null> | null = null;
    if (woken === null || woken._unsetResult(acted.scheduled)) head = woken;
    else if (woken.done() && !woken.cancelled()) {
      head = this._getLoop().createFuture<null>();
      (this.#kept ??= new Map()).set(woken, head);
    }
    const ahead = acted.ahead;
    if (head === null && ahead === null) return;
    const behind = [...waiters];
    waiters.clear();
    for (const w of ahead ?? []) waiters.add(w);
    if (head !== null) waiters.add(head);
    for (const w of behind) waiters.add(w);
  }

  /**
   * The place kept for the waiter woken through `woken` ({@link #unwake}),
   * if any: handed over when `take`, else given up (the waiter is done
   * waiting: it takes the item there, or was cancelled and passes the turn
   * on as any woken waiter does).
   */
  #keptPlace(woken: Future<null>, take: boolean): Future<null> | undefined {
    const place = this.#kept?.get(woken);
    if (place === undefined) return undefined;
    this.#kept!.delete(woken);
    if (take) return place;
    const waiters = this.#getters.has(place) ? this.#getters : this.#putters;
    waiters.delete(place);
    place.cancel();
    return undefined;
  }

  /**
   * Removes and returns the next item now: `QueueEmpty` if there is none,
   * `QueueShutDown` if the queue is also shut down.
   */
  getNowait(): T {
    if (this.empty()) {
      if (this.#isShutdown) throw new QueueShutDown();
      throw new QueueEmpty();
    }
    const item = this._get();
    // The first record of an undone get (`#ungetPosition`) led the queue:
    // this get took its item, so the record goes now. Left for the identity
    // check there, a queue refilled with equal values (numbers, strings)
    // would match stale records and misplace the next undone get's item.
    if (this.#ungot !== null) this.#tookFront(item);
    wakeUpNext(this.#putters);
    return item;
  }

  /** Drops the record of `item`, which a get has just taken from the front. */
  #tookFront(item: T): void {
    const recs = this.#ungot!;
    if (recs.length > 0 && recs[0].item === item) recs.shift();
    else recs.length = 0;
    if (recs.length === 0) this.#ungot = null;
  }

  /**
   * Marks one item taken with `get()` as processed. When every item put has
   * been marked, `join()` returns. `ValueError` if called more times than
   * items were put.
   */
  taskDone(): void {
    if (this.#unfinished <= 0) throw new ValueError("task_done() called too many times");
    this.#unfinished--;
    if (this.#unfinished === 0) this.#finished.set();
  }

  /** Waits until every item put has been marked with `taskDone()`. */
  async join(): Promise<void> {
    if (this.#unfinished > 0) await this.#finished.wait();
  }

  /**
   * Shuts the queue down (beyond the spec: Python 3.13). Puts fail with
   * `QueueShutDown` from now on, and gets once the queue is empty; blocked
   * callers are woken to see it. With `immediate`, the items left are
   * dropped (and count as done for `join()`), so gets fail at once.
   */
  shutdown(immediate = false): void {
    this.#isShutdown = true;
    if (immediate) {
      this.#ungot = null;
      while (!this.empty()) {
        this._get();
        if (this.#unfinished > 0) this.#unfinished--;
      }
      if (this.#unfinished === 0) this.#finished.set();
    }
    // Woken getters and putters loop back, see the shutdown and throw.
    for (const waiters of [this.#getters, this.#putters]) {
      for (const w of waiters) if (!w.done()) w.setResult(null);
      waiters.clear();
    }
  }

  /** @internal Stores an item; override with `_get`, `_size`, `_contents` to change the order. */
  protected _put(item: T): void {
    this.#items.push(item);
  }

  /** @internal Takes out the next item; the queue is not empty. */
  protected _get(): T {
    const item = this.#items[this.#head];
    this.#items[this.#head++] = undefined as T; // let it be collected
    if (this.#head * 2 >= this.#items.length) {
      this.#items.splice(0, this.#head);
      this.#head = 0;
    }
    return item;
  }

  /**
   * @internal Puts back an item `_get` has taken out, as the `at`-th next
   * (0: the very next).
   */
  protected _unget(item: T, at: number): void {
    if (at > 0) this.#items.splice(this.#head + at, 0, item);
    else if (this.#head > 0) this.#items[--this.#head] = item;
    else this.#items.unshift(item);
  }

  /** @internal The `k`-th next item `_get` would take out (for `_undoGet`). */
  protected _peek(k: number): T | undefined {
    return this.#items[this.#head + k];
  }

  /** @internal Takes out an item `_put` has just stored; false if it is not where `_put` left it. */
  protected _unput(item: T): boolean {
    const items = this.#items;
    if (items.length <= this.#head || items[items.length - 1] !== item) return false;
    items.pop();
    return true;
  }

  /**
   * @internal Undoes a `get()` that took `item` at once, for a task made
   * from its promise (`takeBackForTask`); false where a subclass stores
   * items its own way.
   */
  _undoGet(item: T, seq: number, acted: ActedAndWoke<T> | null): boolean {
    if (!BUILTIN_GETS.has(this._get)) return false;
    this._unget(item, this.#ungetPosition(item, seq));
    if (acted !== null) this.#unwake(this.#putters, acted);
    return true;
  }

  /**
   * Where an undone get's item goes back: behind the items of the undone
   * gets that took theirs before it did and were undone after, which still
   * lead the queue; before the others. Python's tasks made from
   * `[q.get() for _ in range(3)]` get the first three items in the order
   * the tasks were made; so must ours, each undone in turn. A get that
   * acted after those before it were undone took the front item: it goes
   * back there.
   */
  #ungetPosition(item: T, seq: number): number {
    const recs = this.#ungot ??= [];
    // Gets remove the records they take (`#tookFront`); past a record that
    // is not where it was put (a LIFO put went on top), the queue has moved
    // on: forget the rest.
    for (let k = 0; k < recs.length; k++) {
      if (this._peek(k) !== recs[k].item) {
        recs.length = k;
        break;
      }
    }
    let at = 0;
    while (
      at < recs.length && actedBefore(recs[at].seq, seq) && actedBefore(seq, recs[at].undoneAt)
    ) at++;
    recs.splice(at, 0, { item, seq, undoneAt: nextActNumber() });
    return at;
  }

  /** @internal Undoes a `put(item)` that stored it at once, as {@link _undoGet}. */
  _undoPut(item: T, acted: ActedAndWoke<T> | null): boolean {
    if (!BUILTIN_GETS.has(this._get) || !this._unput(item)) return false;
    if (--this.#unfinished === 0) this.#finished.set();
    if (acted !== null) this.#unwake(this.#getters, acted);
    return true;
  }

  /** @internal How many items are stored. */
  protected _size(): number {
    return this.#items.length - this.#head;
  }

  /** @internal The stored items, in storage order, for the repr. */
  protected _contents(): T[] {
    return this.#items.slice(this.#head);
  }

  /** `<Queue maxsize=0 _queue=[1, 2] tasks=2>`, as Python's `str()` prints it. */
  override toString(): string {
    return `<${this.constructor.name} ${this.#format()}>`;
  }

  /** @internal `<Queue at 0x7f... maxsize=0>`: Python's `repr()`, for errors. */
  protected override _repr(): string {
    return `<${this.constructor.name} at ${pyAddress(this)} ${this.#format()}>`;
  }

  /** The state part of the repr, as Python's `Queue._format()`. */
  #format(): string {
    let s = `maxsize=${pyRepr(this.#maxsize)}`;
    if (this._size()) s += ` _queue=[${this._contents().map(itemRepr).join(", ")}]`;
    if (this.#getters.size) s += ` _getters[${this.#getters.size}]`;
    if (this.#putters.size) s += ` _putters[${this.#putters.size}]`;
    if (this.#unfinished) s += ` tasks=${this.#unfinished}`;
    if (this.#isShutdown) s += " shutdown";
    return s;
  }
}

/**
 * An item in a queue's repr. A queued array is a ported tuple (API.md rule
 * 6): `q.put((url, depth))`, `(priority, job)` entries. Python prints
 * `_queue=[(1, 'a')]`, so an item that is an array is shown as a tuple; the
 * values inside it print as `pyRepr` prints them.
 */
function itemRepr(item: unknown): string {
  if (!Array.isArray(item)) return pyRepr(item);
  if (item.length === 1) return `(${pyRepr(item[0], 1)},)`;
  return `(${item.map((x) => pyRepr(x, 1)).join(", ")})`;
}

// ---------------------------------------------------------------------------

/**
 * Options of {@link PriorityQueue}.
 *
 * @example
 * ```ts
 * const opts: PriorityQueueOptions<Job> = { compare: (a, b) => a.deadline - b.deadline };
 * const q = new PriorityQueue<Job>(opts);
 * ```
 */
export interface PriorityQueueOptions<T> {
  /**
   * Orders items like `Array.prototype.sort`'s comparator: negative when
   * `a` comes out first. Default: Python's `<` on numbers, strings, bytes
   * (`Uint8Array`), and arrays compared element by element as tuples.
   */
  compare?: (a: T, b: T) => number;
  /** The most items it holds, as the positional `maxsize` (0, the default: no limit). */
  maxsize?: number;
}

/** Python's type name of a queue item: arrays stand for tuples here, bytes are `Uint8Array`s. */
function itemTypeName(v: unknown): string {
  if (v instanceof Uint8Array) return "bytes";
  return Array.isArray(v) ? "tuple" : pyTypeName(v);
}

/** An object literal: what a Python dict is ported to. */
function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Python's `==` on the values `pyCompare` orders: dicts compare by content. */
function pyEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isNumeric(a) && isNumeric(b)) return a == b;
  if (a instanceof Uint8Array && b instanceof Uint8Array) return compareBytes(a, b) === 0;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => pyEquals(x, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length &&
      ka.every((k) => Object.hasOwn(b, k) && pyEquals(a[k], b[k]));
  }
  return false;
}

function isNumeric(v: unknown): v is number | bigint | boolean {
  return typeof v === "number" || typeof v === "bigint" || typeof v === "boolean";
}

/** Strings by code point, as Python compares them (JS `<` uses UTF-16 units). */
function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a.charCodeAt(i) !== b.charCodeAt(i)) return a.codePointAt(i)! - b.codePointAt(i)!;
  }
  return a.length - b.length;
}

/** Bytes as Python orders them: byte by byte, then the shorter first. */
function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/**
 * Python's ordering of the values a priority queue usually holds; a
 * `TypeError` for values Python could not order either.
 */
function pyCompare(a: unknown, b: unknown): number {
  // No shortcut for `a === b`: Python's `None < None` is a TypeError too.
  if (isNumeric(a) && isNumeric(b)) return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === "string" && typeof b === "string") return compareStrings(a, b);
  // `(priority, payload)` entries with data payloads (API.md rule 5): a tie
  // on the priority compares the bytes, as Python does.
  if (a instanceof Uint8Array && b instanceof Uint8Array) return compareBytes(a, b);
  if (Array.isArray(a) && Array.isArray(b)) {
    // Like tuples: the first differing element decides, else the length.
    const n = Math.min(a.length, b.length);
    // Python's tuple comparison asks `==` first and orders only the first
    // unequal pair: equal dicts in `[priority, data]` entries need no `<`.
    for (let i = 0; i < n; i++) {
      if (pyEquals(a[i], b[i])) continue;
      const c = pyCompare(a[i], b[i]);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  }
  throw new TypeError(
    `'<' not supported between instances of '${itemTypeName(a)}' and '${itemTypeName(b)}'`,
  );
}

/** How many gets a priority queue keeps to undo (`PriorityQueue.#popped`). */
const JOURNAL = 8;

/**
 * A queue that hands out the smallest item first: by default as Python
 * orders values (numbers, strings, and arrays element by element, so
 * `[priority, data]` entries work as Python's tuples do), or by the
 * `compare` option. A binary heap that orders equal items as Python's
 * `heapq` does.
 *
 * @example
 * ```ts
 * const q = new PriorityQueue<[number, string]>();
 * q.putNowait([2, "later"]);
 * q.putNowait([1, "first"]);
 * q.getNowait(); // [1, "first"]
 *
 * const byDeadline = new PriorityQueue<{ deadline: number }>({
 *   compare: (a, b) => a.deadline - b.deadline,
 * });
 * ```
 */
export class PriorityQueue<T = unknown> extends Queue<T> {
  #heap: T[] = [];
  #compare: (a: T, b: T) => number;
  // The gets since the heap last changed otherwise (a journal, oldest
  // first, at most JOURNAL): the item each took and where the heap's last
  // item then settled (-1: none was left). Enough to undo them exactly
  // (`_unget`), so that `str(queue)` shows the heap `heapq` would have where
  // Python's gets had not run yet. An undone get with gets after it still
  // in the journal waits for them (`#undone`); its item is back in the heap
  // once they are undone too, or at the next use of the heap.
  #popped: T[] = [];
  #poppedAt: number[] = [];
  #undone = 0; // a bit per get in the journal
  #journal = 0;
  #waitingUndos = 0;

  /** `new PriorityQueue(maxsize?, {compare})`, or `new PriorityQueue({compare})`. */
  constructor(maxsize?: number, opts?: PriorityQueueOptions<T>);
  /** A priority queue: `maxsize` (0: unbounded) and an optional comparator. */
  constructor(opts: PriorityQueueOptions<T>);
  constructor(
    maxsizeOrOpts: number | PriorityQueueOptions<T> = 0,
    opts?: PriorityQueueOptions<T>,
    ...rest: []
  ) {
    const kw = keywords(INIT, maxsizeOrOpts, ["maxsize", "compare"]);
    super(kw !== null ? (kw.maxsize as number | undefined) ?? 0 : maxsizeOrOpts as number);
    // The options object may follow `maxsize`; anything else there is one
    // positional argument too many, as in Python.
    const extra = opts !== undefined && keywords(INIT, opts, ["maxsize", "compare"]) === null;
    noMoreArguments(extra ? [opts, ...rest] : rest);
    const o = kw !== null ? kw as PriorityQueueOptions<T> : opts;
    const compare = o?.compare ?? pyCompare;
    if (typeof compare !== "function") {
      throw new TypeError(`compare must be a function, got ${pyRepr(compare)}`);
    }
    this.#compare = compare;
  }

  #less(a: T, b: T): boolean {
    return this.#compare(a, b) < 0;
  }

  /** @internal */
  protected override _put(item: T): void {
    if (this.#journal !== 0) this.#forgetGets();
    const heap = this.#heap;
    heap.push(item);
    this.#siftTowardRoot(0, heap.length - 1);
  }

  /** @internal */
  protected override _get(): T {
    if (this.#journal === JOURNAL || this.#waitingUndos !== 0) this.#forgetGets();
    const heap = this.#heap;
    const last = heap.pop() as T;
    let at = -1;
    let top: T = last;
    if (heap.length !== 0) {
      top = heap[0];
      heap[0] = last;
      try {
        at = this.#siftFromRoot();
      } catch (e) {
        // Left as a failed comparison left it: the gets before cannot be
        // undone along their paths any more.
        this.#forgetGets();
        throw e;
      }
    }
    const j = this.#journal++;
    this.#popped[j] = top;
    this.#poppedAt[j] = at;
    return top;
  }

  /**
   * Empties the journal of gets: the items of undone gets still waiting are
   * put back as new items (the heap's order may then differ from `heapq`'s).
   */
  #forgetGets(): void {
    const n = this.#journal;
    const undone = this.#undone;
    this.#journal = this.#undone = this.#waitingUndos = 0;
    for (let j = 0; j < n; j++) {
      const item = this.#popped[j];
      this.#popped[j] = undefined as T; // let it be collected
      if ((undone & (1 << j)) !== 0) this._put(item);
    }
  }

  /**
   * Undoes the last get in the journal exactly: `heappop` moved the path
   * from the root to where the last item settled up one level; moved back
   * down, with the item on top and the last item at the end again, it is
   * the heap before the get.
   */
  #unpop(): void {
    const j = --this.#journal;
    this.#undone &= ~(1 << j);
    const item = this.#popped[j];
    this.#popped[j] = undefined as T;
    const heap = this.#heap;
    let pos = this.#poppedAt[j];
    if (pos < 0) {
      heap.push(item);
      return;
    }
    const last = heap[pos];
    while (pos > 0) {
      const parent = (pos - 1) >> 1;
      heap[pos] = heap[parent];
      pos = parent;
    }
    heap[0] = item;
    heap.push(last);
  }

  /**
   * @internal Its place is its priority's: `at` does not matter. A get in
   * the journal is undone exactly, the last first (`#unpop`); an item no
   * get there took is put back as a new one.
   */
  protected override _unget(item: T, _at: number): void {
    let j = this.#journal - 1;
    while (j >= 0 && ((this.#undone & (1 << j)) !== 0 || this.#popped[j] !== item)) j--;
    if (j < 0) return this._put(item);
    // Gets after it are undone first (`gather(q.get(), q.get())` undoes
    // them in the order they ran): it waits for them.
    this.#undone |= 1 << j;
    this.#waitingUndos++;
    while (this.#journal !== 0 && (this.#undone & (1 << (this.#journal - 1))) !== 0) {
      this.#waitingUndos--;
      this.#unpop();
    }
  }

  /** @internal */
  protected override _peek(k: number): T | undefined {
    return this.#heap[k];
  }

  /** @internal */
  protected override _unput(item: T): boolean {
    if (this.#journal !== 0) this.#forgetGets();
    const heap = this.#heap;
    // `_put` left it on the path from the last leaf up, the items it passed
    // one level down: moved back up, the heap is `heapq`'s before the put.
    const path: number[] = [];
    for (let pos = heap.length - 1; pos >= 0; pos = pos === 0 ? -1 : (pos - 1) >> 1) {
      path.push(pos);
      if (heap[pos] !== item) continue;
      for (let k = path.length - 1; k > 0; k--) heap[path[k]] = heap[path[k - 1]];
      heap.pop();
      // Other acts since (undone inexactly) may have moved things: then the
      // heap is rebuilt.
      if (!this.#heapAround(path)) this.#rebuild();
      return true;
    }
    const i = heap.lastIndexOf(item);
    if (i < 0) return false;
    heap.splice(i, 1);
    this.#rebuild();
    return true;
  }

  /** Rare (a put made into a task at once, then other acts): the heap is simply rebuilt. */
  #rebuild(): void {
    for (const x of this.#heap.splice(0)) this._put(x);
  }

  /** Whether the items at `path` are in heap order with their parents and children. */
  #heapAround(path: number[]): boolean {
    const heap = this.#heap;
    try {
      for (const pos of path) {
        if (pos >= heap.length) continue;
        if (pos > 0 && this.#less(heap[pos], heap[(pos - 1) >> 1])) return false;
        for (const c of [2 * pos + 1, 2 * pos + 2]) {
          if (c < heap.length && this.#less(heap[c], heap[pos])) return false;
        }
      }
    } catch {
      return false;
    }
    return true;
  }

  /** @internal */
  protected override _size(): number {
    // Items of undone gets that wait (see `#undone`) count: back in now.
    if (this.#waitingUndos !== 0) this.#forgetGets();
    return this.#heap.length;
  }

  /** @internal */
  protected override _contents(): T[] {
    if (this.#waitingUndos !== 0) this.#forgetGets();
    return this.#heap.slice();
  }

  /** Moves the item at `pos` up until its parent is not larger (stopping at `top`); where it stops. */
  #siftTowardRoot(top: number, pos: number): number {
    const heap = this.#heap;
    const item = heap[pos];
    try {
      while (pos > top) {
        const parent = (pos - 1) >> 1;
        if (!this.#less(item, heap[parent])) break;
        heap[pos] = heap[parent];
        pos = parent;
      }
    } finally {
      // Also when a comparison throws (Python's TypeError for `(1, {})`
      // against `(1, {})`): the item fills the hole, so the heap holds every
      // entry where `heapq`'s swaps leave them and `str(queue)` and later
      // gets show what CPython's do.
      heap[pos] = item;
    }
    return pos;
  }

  /**
   * Restores the heap after the root was replaced. The hole is first walked
   * down to a leaf along the smaller children, then the item climbs back:
   * fewer comparisons than stopping early, and the same order of equal
   * items as `heapq`, so programs ported from Python see the same results.
   * Returns where the item settled.
   */
  #siftFromRoot(): number {
    const heap = this.#heap;
    const end = heap.length;
    const item = heap[0];
    let pos = 0;
    let child = 1;
    try {
      while (child < end) {
        const right = child + 1;
        if (right < end && !this.#less(heap[child], heap[right])) child = right;
        heap[pos] = heap[child];
        pos = child;
        child = 2 * pos + 1;
      }
    } finally {
      // A comparison that throws leaves the item in the hole, where
      // `heapq`'s swaps would have taken it (see `#siftTowardRoot`).
      heap[pos] = item;
    }
    return this.#siftTowardRoot(0, pos);
  }
}

/**
 * A queue that hands out the most recently added item first (a stack).
 *
 * @example
 * ```ts
 * const q = new LifoQueue<number>();
 * q.putNowait(1);
 * q.putNowait(2);
 * q.getNowait(); // 2
 * ```
 */
export class LifoQueue<T = unknown> extends Queue<T> {
  #stack: T[] = [];

  /** @internal */
  protected override _put(item: T): void {
    this.#stack.push(item);
  }

  /** @internal */
  protected override _get(): T {
    return this.#stack.pop()!;
  }

  /** @internal */
  protected override _unget(item: T, at: number): void {
    this.#stack.splice(this.#stack.length - at, 0, item);
  }

  /** @internal */
  protected override _peek(k: number): T | undefined {
    return this.#stack[this.#stack.length - 1 - k];
  }

  /** @internal */
  protected override _unput(item: T): boolean {
    const stack = this.#stack;
    if (stack[stack.length - 1] !== item || stack.length === 0) return false;
    stack.pop();
    return true;
  }

  /** @internal */
  protected override _size(): number {
    return this.#stack.length;
  }

  /** @internal */
  protected override _contents(): T[] {
    return this.#stack.slice();
  }
}

// Python passes these as callbacks, as bound methods:
// `loop.call_soon_threadsafe(q.put_nowait, item)`, `add_signal_handler(SIGINT,
// q.put_nowait, None)`. Bound on read, they port as they are, and show in a
// Handle as Python names them (a subclass's too): `<Handle Queue.put_nowait(1)>`.
bindMethodOnRead(Queue.prototype, "putNowait", "Queue.put_nowait");
bindMethodOnRead(Queue.prototype, "getNowait", "Queue.get_nowait");
bindMethodOnRead(Queue.prototype, "taskDone", "Queue.task_done");
// And the coroutine methods, as `createTask(event.wait)` and
// `createTask(lock.acquire)` are: `createTask(q.get)`, `wait([q.join])`.
// join always waits: it runs when awaited or when its task first runs, as
// Python's coroutine does (see `LibraryCall`); get and put are lazy when
// they must wait. A call that acted at once, made into a task right after
// (`createTask(q.get())` with an item there), is undone and redone when the
// task first runs (see `actedAtOnce`).
lazyMethods(Queue.prototype, { join: "Queue.join" });
const BUILTIN_GETS: ReadonlySet<unknown> = new Set(
  [Queue, PriorityQueue, LifoQueue].map((c) => (c.prototype as unknown as { _get: unknown })._get),
);
function takeBackGet(q: Queue<unknown>, value: unknown, seq: number): PromiseLike<unknown> | null {
  const acted = value instanceof ActedAndWoke ? value : null;
  return q._undoGet(acted !== null ? acted.item : value, seq, acted)
    ? new LibraryCall("Queue.get", q, q._getNow, 0, null, null)
    : null;
}
function takeBackPut(q: Queue<unknown>, value: unknown): PromiseLike<unknown> | null {
  const acted = value instanceof ActedAndWoke ? value : null;
  const item = acted !== null ? acted.item : value;
  return q._undoPut(item, acted) ? new LibraryCall("Queue.put", q, q._putNow, 1, item, null) : null;
}
bindOnRead(Queue.prototype, ["get", "put", "join"]);

// Named so in a traceback's last line: `asyncio.queues.QueueEmpty`.
setPyModule("asyncio.queues", QueueEmpty, QueueFull, QueueShutDown);
