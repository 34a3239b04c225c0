/**
 * Python's `selectors` module: wait until file descriptors are ready, over
 * `epoll`, `poll` or `select` called directly through `ffi/`.
 *
 * The semantics follow CPython's `selectors.py`: the same errors with the
 * same messages, the same `SelectorKey` bookkeeping, timeouts in seconds
 * (`null` blocks, `<= 0` polls) rounded up to the next millisecond so a timer
 * never fires early, and `EINTR` retried with the remaining time (PEP 475).
 *
 * `select(0)` runs once per event-loop iteration, so that path allocates
 * only the result array and its `[key, events]` pairs.
 *
 * @example
 * ```ts
 * import { DefaultSelector, EVENT_READ } from "./selectors.ts";
 * const sel = new DefaultSelector();
 * sel.register(fd, EVENT_READ, "my data");
 * for (const [key, events] of sel.select(1.5)) console.log(key.data, events);
 * sel.close();
 * ```
 *
 * @module
 */
import type { Sys } from "../ffi/types.ts";
import { C } from "../ffi/types.ts";
import { ERRNO, sys } from "../ffi/mod.ts";
import { KeyError, osErrorFromErrno, RuntimeError, ValueError } from "./exceptions.ts";
import { objectHead, printAsRepr, pyRepr, setPyModule } from "./format.ts";

export { KeyError };

/**
 * The file is ready to read (or at EOF, or in error).
 *
 * @example
 * ```ts
 * sel.register(fd, EVENT_READ | EVENT_WRITE);
 * ```
 */
export const EVENT_READ = 1;

/**
 * The file is ready to write (or in error).
 *
 * @example
 * ```ts
 * sel.modify(fd, EVENT_WRITE);
 * ```
 */
export const EVENT_WRITE = 2;

/**
 * What can be registered: a file descriptor, or an object with `fileno()`
 * (a socket, a pipe wrapper), as in Python.
 *
 * @example
 * ```ts
 * const f: FileLike = { fileno: () => 0 };
 * ```
 */
export type FileLike = number | { fileno(): number };

/**
 * One registration: Python's `SelectorKey` named tuple. Keys are frozen; a
 * `modify` that changes something returns a new key.
 *
 * @example
 * ```ts
 * const key: SelectorKey<string> = sel.register(fd, EVENT_READ, "x");
 * key.fd; key.events; key.data; // fd, 1, "x"
 * ```
 */
export interface SelectorKey<T = unknown> {
  /** The object given to `register`. */
  readonly fileobj: FileLike;
  /** Its file descriptor. */
  readonly fd: number;
  /** The events waited for: a mask of `EVENT_READ` and `EVENT_WRITE`. */
  readonly events: number;
  /** The data given to `register`/`modify` (`undefined` if none). */
  readonly data: T;
}

/**
 * `struct pollfd` records (8 bytes each: i32 fd, i16 events, i16 revents)
 * that become ready exactly when `select(0)` would return something.
 *
 * @example
 * ```ts
 * const { fds, nfds } = sel.waitSet();
 * await sys().pollAsync(fds, nfds, 1000);
 * ```
 */
export interface WaitSet {
  /** The packed records; only the first `nfds` are meaningful. */
  readonly fds: Uint8Array;
  /** How many records to pass to `poll`. */
  readonly nfds: number;
}

// Copied into module constants so the hot path compares plain numbers.
const { ENOENT, EINTR, EBADF } = ERRNO;

/** The longest timeout `poll`/`epoll_wait` take in one call (an int of ms). */
const MAX_MS = 0x7fffffff;
/** The largest value a C int fd can take. */
const MAX_FD = 0x7fffffff;

const POLLFD_SIZE = 8;

/**
 * Python's `selectors._fileobj_to_fd`: the fd behind `fileobj`.
 * Anything that does not lead to an integer is a `ValueError`, as in Python;
 * a non-integer number too (a Python float is not an int and has no
 * `fileno()`: `Invalid file object: 1.5`).
 */
export function fileobjToFd(fileobj: FileLike): number {
  let fd: unknown;
  if (typeof fileobj === "number") {
    if (!Number.isInteger(fileobj)) {
      throw new ValueError(`Invalid file object: ${pyRepr(fileobj)}`);
    }
    fd = fileobj;
  } else {
    const fileno =
      fileobj !== null && (typeof fileobj === "object" || typeof fileobj === "function")
        ? (fileobj as { fileno?: unknown }).fileno
        : undefined;
    if (typeof fileno !== "function") {
      throw new ValueError(`Invalid file object: ${pyRepr(fileobj)}`);
    }
    try {
      fd = fileno.call(fileobj);
    } catch (e) {
      // Python catches AttributeError/TypeError/ValueError from fileno(): a
      // closed file says "I/O operation on closed file" that way.
      if (e instanceof TypeError || e instanceof RangeError) {
        throw new ValueError(`Invalid file object: ${pyRepr(fileobj)}`);
      }
      throw e;
    }
    if (typeof fd !== "number" || !Number.isInteger(fd)) {
      throw new ValueError(`Invalid file object: ${pyRepr(fileobj)}`);
    }
  }
  const n = fd as number;
  if (n < 0 || n > MAX_FD) throw new ValueError(`Invalid file descriptor: ${n}`);
  return n;
}

/** Python's check in `register`: a non-empty subset of READ|WRITE. */
function checkEvents(events: number): void {
  if (
    typeof events !== "number" || !Number.isInteger(events) || events === 0 ||
    (events & ~(EVENT_READ | EVENT_WRITE)) !== 0 || events < 0
  ) {
    throw new ValueError(`Invalid events: ${pyRepr(events)}`);
  }
}

/**
 * Seconds to the millisecond int that `poll`/`epoll_wait` take: -1 blocks,
 * 0 polls, otherwise rounded up so the wait is never shorter than asked.
 * The result can exceed {@link MAX_MS}; {@link waitMs} splits such waits.
 */
function timeoutToMs(timeout: number | null | undefined): number {
  if (timeout == null) return -1;
  if (typeof timeout !== "number") {
    throw new TypeError(`timeout must be a number or null, not ${pyRepr(timeout)}`);
  }
  if (timeout <= 0) return 0;
  if (timeout !== timeout) throw new ValueError("Invalid value NaN (not a number)");
  if (timeout === Infinity) return -1;
  return Math.ceil(timeout * 1e3);
}

/**
 * Calls `call(ms)` until it returns something other than EINTR, re-waiting
 * for what is left of the timeout (PEP 475), and splitting waits longer than
 * an int of milliseconds. Returns the syscall's result (count or -errno).
 */
function waitMs(s: Sys, ms: number, call: (ms: number) => number): number {
  // Only a bounded wait needs the clock; the per-iteration poll (ms 0) and
  // the unbounded wait skip it.
  const deadline = ms > 0 ? s.monotonic() + ms / 1e3 : 0;
  let wait = ms > MAX_MS ? MAX_MS : ms;
  for (;;) {
    const r = call(wait);
    if (r > 0) return r;
    if (r === 0) {
      if (wait === ms) return 0; // the whole timeout has passed
    } else if (r !== -EINTR) {
      return r;
    }
    // Interrupted, or a split wait ended: wait again for what is left.
    if (ms === 0) return 0;
    if (ms > 0) {
      const left = Math.ceil((deadline - s.monotonic()) * 1e3);
      if (left <= 0) return 0;
      wait = left > MAX_MS ? MAX_MS : left;
      ms = left;
    }
  }
}

/** Python's readiness mapping for poll-like results: an error or hang-up is both. */
function pollLikeEvents(revents: number, inBit: number, outBit: number, wanted: number): number {
  let events = 0;
  // Anything but "readable" (writable, error, hang-up) wakes a writer, and
  // anything but "writable" wakes a reader, so both see the error on their
  // next read or write.
  if (revents & ~inBit) events |= EVENT_WRITE;
  if (revents & ~outBit) events |= EVENT_READ;
  return events & wanted;
}

/**
 * A map from fds to values (a selector's keys), as the `ReadonlyMap` that
 * `getMap()` returns: an array indexed by fd, since fds are small and
 * dense. Each entry costs a slot of 8 bytes, where a `Map` takes about 40
 * (its entries and buckets) and, as it grows, drops tables of megabytes for
 * a server with many connections. It iterates in fd order.
 */
class FdMap<V> implements ReadonlyMap<number, V> {
  /**
   * @internal The values by fd. A plain field, so that deep equality (and
   * printing) sees the contents, as they see a Map's.
   */
  _slots: (V | undefined)[] = [];
  #size = 0;

  /** How many fds have a value. */
  get size(): number {
    return this.#size;
  }

  /** The value of `fd`, if any. */
  get(fd: number): V | undefined {
    return this._slots[fd];
  }

  /** Whether `fd` has a value. */
  has(fd: number): boolean {
    return this._slots[fd] !== undefined;
  }

  /** Sets the value of `fd` (never undefined). */
  set(fd: number, value: V): this {
    const slots = this._slots;
    if (slots[fd] === undefined) this.#size++;
    slots[fd] = value;
    return this;
  }

  /** Removes `fd`; whether it had a value. */
  delete(fd: number): boolean {
    const slots = this._slots;
    if (slots[fd] === undefined) return false;
    slots[fd] = undefined;
    this.#size--;
    if (fd === slots.length - 1) {
      let n = fd;
      while (n > 0 && slots[n - 1] === undefined) n--;
      slots.length = n;
    }
    return true;
  }

  /** Removes every fd. */
  clear(): void {
    this._slots = [];
    this.#size = 0;
  }

  /** `[fd, value]` pairs, in fd order. */
  *entries(): MapIterator<[number, V]> {
    const slots = this._slots;
    for (let fd = 0; fd < slots.length; fd++) {
      const v = slots[fd];
      if (v !== undefined) yield [fd, v];
    }
  }

  /** The fds, in order. */
  *keys(): MapIterator<number> {
    for (const [fd] of this.entries()) yield fd;
  }

  /** The values, in fd order. */
  *values(): MapIterator<V> {
    for (const [, v] of this.entries()) yield v;
  }

  /** As {@link entries}. */
  [Symbol.iterator](): MapIterator<[number, V]> {
    return this.entries();
  }

  /** Calls `callback(value, fd, map)` for each fd, in order. */
  forEach(
    callback: (value: V, fd: number, map: ReadonlyMap<number, V>) => void,
    thisArg?: unknown,
  ): void {
    for (const [fd, v] of this.entries()) callback.call(thisArg, v, fd, this);
  }

  /** `[object Map]`, as the Map it stands for. */
  get [Symbol.toStringTag](): string {
    return "Map";
  }
}

/**
 * Python's `selectors.BaseSelector` with the shared bookkeeping of
 * `_BaseSelectorImpl`: the fd-to-key map and its errors. Subclasses keep the
 * kernel's view in step through the `add`/`change`/`remove` hooks.
 *
 * @example
 * ```ts
 * function drain(sel: BaseSelector) {
 *   for (const [key, ev] of sel.select(0)) if (ev & EVENT_READ) read(key.fd);
 * }
 * ```
 */
export abstract class BaseSelector<T = unknown> implements Disposable {
  /**
   * fd -> key; cleared by `close()`. An array indexed by fd behind a Map's
   * interface; not part of the documented API.
   *
   * @ignore
   */
  protected readonly fdToKey: FdMap<SelectorKey<T>> = new FdMap();
  /** Set by `close()`: `getMap()` then returns null, as Python's returns None. */
  protected closed = false;

  /** Starts watching `fd` in the kernel structure. Throws to refuse it. */
  protected abstract add(fd: number, events: number): void;
  /** Changes the watched events of a registered `fd`. */
  protected abstract change(fd: number, oldEvents: number, events: number): void;
  /** Stops watching `fd` (which may be closed already). */
  protected abstract remove(fd: number, events: number): void;

  /**
   * Python's `_fileobj_lookup`: the fd of `fileobj`, or, when it no longer
   * has a valid one (a closed socket's `fileno()` is -1), the fd it was
   * registered with, so a closed file can still be unregistered.
   */
  protected lookup(fileobj: FileLike): number {
    try {
      return fileobjToFd(fileobj);
    } catch (e) {
      if (e instanceof ValueError) {
        for (const key of this.fdToKey.values()) {
          if (key.fileobj === fileobj) return key.fd;
        }
      }
      throw e;
    }
  }

  /**
   * Starts watching `fileobj` for `events` (`EVENT_READ | EVENT_WRITE`).
   * Throws `ValueError` for a bad mask or file, `KeyError` if it is already
   * registered, and the `OSError` of the kernel if it refuses the fd (then
   * nothing stays registered).
   *
   * @example
   * ```ts
   * const key = sel.register(sock, EVENT_READ, handler);
   * ```
   */
  register(fileobj: FileLike, events: number, data?: T): SelectorKey<T> {
    checkEvents(events);
    const fd = this.lookup(fileobj);
    if (this.fdToKey.has(fd)) {
      throw new KeyError(`${pyRepr(fileobj)} (FD ${fd}) is already registered`);
    }
    // The kernel first: if it refuses the fd, nothing is recorded.
    this.add(fd, events);
    const key: SelectorKey<T> = Object.freeze({ fileobj, fd, events, data: data as T });
    this.fdToKey.set(fd, key);
    return key;
  }

  /**
   * Stops watching `fileobj` and returns its key. Works after the fd was
   * closed. Throws `KeyError` if it is not registered.
   *
   * @example
   * ```ts
   * sel.unregister(sock);
   * sock.close();
   * ```
   */
  unregister(fileobj: FileLike): SelectorKey<T> {
    const fd = this.lookup(fileobj);
    const key = this.fdToKey.get(fd);
    if (key === undefined) throw new KeyError(`${pyRepr(fileobj)} is not registered`);
    this.fdToKey.delete(fd);
    this.remove(fd, key.events);
    return key;
  }

  /**
   * Changes the events and data of a registered `fileobj`; omitted `data`
   * becomes `undefined`, as Python's becomes None. Returns the (new) key.
   * If the kernel refuses the change the registration is dropped.
   *
   * @example
   * ```ts
   * sel.modify(sock, EVENT_READ | EVENT_WRITE, handler);
   * ```
   */
  modify(fileobj: FileLike, events: number, data?: T): SelectorKey<T> {
    const fd = this.lookup(fileobj);
    const key = this.fdToKey.get(fd);
    if (key === undefined) throw new KeyError(`${pyRepr(fileobj)} is not registered`);
    checkEvents(events);
    const eventsChanged = events !== key.events;
    if (eventsChanged) {
      try {
        this.change(fd, key.events, events);
      } catch (e) {
        // As CPython: a registration the kernel no longer accepts is gone.
        this.fdToKey.delete(fd);
        throw e;
      }
    }
    if (!eventsChanged && Object.is(data, key.data)) return key;
    const next: SelectorKey<T> = Object.freeze({
      fileobj: key.fileobj,
      fd,
      events,
      data: data as T,
    });
    this.fdToKey.set(fd, next);
    return next;
  }

  /**
   * Waits until some registered file is ready or `timeout` seconds pass
   * (`null`/omitted: no limit; `<= 0`: just look). Returns `[key, events]`
   * for each ready file, `events` being the ready subset of `key.events`;
   * `[]` on timeout.
   *
   * @example
   * ```ts
   * for (const [key, ev] of sel.select(0.5)) {
   *   if (ev & EVENT_READ) onReadable(key);
   * }
   * ```
   */
  abstract select(timeout?: number | null): Array<[SelectorKey<T>, number]>;

  /**
   * `pollfd` records that are ready exactly when `select(0)` would return
   * something, for the event loop to wait on off the main thread with
   * `sys().pollAsync(fds, nfds, ms)` before it calls `select(0)`. The buffer
   * is the selector's own and is only valid until the next register,
   * unregister or modify.
   *
   * @example
   * ```ts
   * const { fds, nfds } = sel.waitSet();
   * if (await sys().pollAsync(fds, nfds, 100) > 0) handle(sel.select(0));
   * ```
   */
  abstract waitSet(): WaitSet;

  /**
   * Releases the selector's kernel resources and forgets all keys. Calling
   * it again does nothing.
   *
   * @example
   * ```ts
   * sel.close();
   * sel.getMap(); // null
   * ```
   */
  close(): void {
    this.closed = true;
    this.fdToKey.clear();
  }

  /**
   * The key of a registered `fileobj`. Throws `KeyError` if it is not
   * registered, `RuntimeError` after `close()`.
   *
   * @example
   * ```ts
   * const handler = sel.getKey(sock).data;
   * ```
   */
  getKey(fileobj: FileLike): SelectorKey<T> {
    if (this.closed) throw new RuntimeError("Selector is closed");
    const key = this.fdToKey.get(this.lookup(fileobj));
    if (key === undefined) throw new KeyError(`${pyRepr(fileobj)} is not registered`);
    return key;
  }

  /**
   * A live read-only view fd -> key of the registrations, or `null` after
   * `close()` (Python's `get_map()` returns None then).
   *
   * @example
   * ```ts
   * const watched = sel.getMap()?.size ?? 0;
   * ```
   */
  getMap(): ReadonlyMap<number, SelectorKey<T>> | null {
    return this.closed ? null : this.fdToKey;
  }

  /**
   * `using sel = new DefaultSelector()` closes it at the end of the block,
   * like Python's `with`.
   *
   * @example
   * ```ts
   * { using sel = new PollSelector(); sel.register(fd, EVENT_READ); }
   * ```
   */
  [Symbol.dispose](): void {
    this.close();
  }

  /** `<selectors.EpollSelector object at 0x7f...>`, as Python prints a selector. */
  toString(): string {
    return `<${objectHead(this)}>`;
  }
}

/**
 * A selector over Linux `epoll`: O(ready) per `select`, the default.
 *
 * The epoll fd is created close-on-exec in the constructor and closed once by
 * `close()`; every operation after that throws `ValueError` ("I/O operation
 * on closed epoll object"), as Python's `select.epoll` does.
 *
 * @example
 * ```ts
 * const sel = new EpollSelector();
 * sel.register(fd, EVENT_READ);
 * const ready = sel.select(0);
 * sel.close();
 * ```
 */
export class EpollSelector<T = unknown> extends BaseSelector<T> {
  #sys: Sys;
  #epfd: number;
  /** `struct epoll_event`s for `epoll_wait`, one per registered fd (grown on demand). */
  #buf: Uint8Array;
  #u32: Uint32Array;
  #i32: Int32Array;
  /** Capacity of #buf in events. */
  #cap = 0;
  /** The event size and data offset in 32-bit words (12/4 on x86_64, 16/8 on aarch64). */
  #stride: number;
  #dataWord: number;
  /** One pollfd: the epoll fd, POLLIN; it is readable when any registered fd is ready. */
  #wait: WaitSet;
  /** Bound once so select() does not allocate a closure per call. */
  #rawWait: (ms: number) => number;

  /** Creates the epoll instance; throws the `OSError` if the kernel refuses. */
  constructor() {
    super();
    const s = sys();
    this.#sys = s;
    const size = s.epollEventSize, off = s.epollDataOffset;
    if (size % 4 !== 0 || off % 4 !== 0) {
      // Every Linux ABI in use has 4-aligned layouts; word views depend on it.
      throw new RuntimeError(`unsupported struct epoll_event layout (${size}, ${off})`);
    }
    this.#stride = size / 4;
    this.#dataWord = off / 4;
    this.#buf = new Uint8Array(0);
    this.#u32 = new Uint32Array(0);
    this.#i32 = new Int32Array(0);
    this.#grow(16);
    const fd = s.epollCreate1(C.EPOLL_CLOEXEC);
    if (fd < 0) throw osErrorFromErrno(-fd);
    this.#epfd = fd;
    const rec = new Uint8Array(POLLFD_SIZE);
    new Int32Array(rec.buffer, 0, 1)[0] = fd;
    new Int16Array(rec.buffer, 4, 1)[0] = C.POLLIN;
    this.#wait = { fds: rec, nfds: 1 };
    this.#rawWait = (ms) => s.epollWait(this.#epfd, this.#buf, this.#cap, ms);
  }

  /** The epoll file descriptor (-1 once closed), like Python's `fileno()`. */
  fileno(): number {
    return this.#epfd;
  }

  #grow(min: number): void {
    let cap = this.#cap || 16;
    while (cap < min) cap *= 2;
    if (cap === this.#cap) return;
    const buf = new Uint8Array(cap * this.#stride * 4);
    this.#buf = buf;
    this.#u32 = new Uint32Array(buf.buffer);
    this.#i32 = new Int32Array(buf.buffer);
    this.#cap = cap;
  }

  #checkOpen(): void {
    if (this.#epfd < 0) throw new ValueError("I/O operation on closed epoll object");
  }

  /** @internal Tells the kernel about a new registration. */
  protected add(fd: number, events: number): void {
    this.#checkOpen();
    const r = this.#sys.epollCtl(this.#epfd, C.EPOLL_CTL_ADD, fd, toEpoll(events));
    if (r < 0) throw osErrorFromErrno(-r);
    // Room for every registered fd, so one epoll_wait reports them all.
    if (this.fdToKey.size + 1 > this.#cap) this.#grow(this.fdToKey.size + 1);
  }

  /** @internal Tells the kernel about changed events. */
  protected change(fd: number, _old: number, events: number): void {
    this.#checkOpen();
    const r = this.#sys.epollCtl(this.#epfd, C.EPOLL_CTL_MOD, fd, toEpoll(events));
    if (r < 0) throw osErrorFromErrno(-r);
  }

  /** @internal Tells the kernel a registration is gone. */
  protected remove(fd: number, _events: number): void {
    if (this.#epfd < 0) return;
    const r = this.#sys.epollCtl(this.#epfd, C.EPOLL_CTL_DEL, fd, 0);
    // A closed fd has already left the epoll set (EBADF), or was replaced by
    // an unrelated file with the same number (ENOENT): the key goes anyway.
    if (r < 0 && r !== -EBADF && r !== -ENOENT) throw osErrorFromErrno(-r);
  }

  /** Waits up to `timeout` seconds (null: no limit; <= 0: poll) and returns the ready keys with their events. */
  select(timeout?: number | null): Array<[SelectorKey<T>, number]> {
    this.#checkOpen();
    const ms = timeoutToMs(timeout);
    const n = waitMs(this.#sys, ms, this.#rawWait);
    if (n < 0) throw osErrorFromErrno(-n);
    const ready: Array<[SelectorKey<T>, number]> = [];
    const u32 = this.#u32, i32 = this.#i32, stride = this.#stride, dw = this.#dataWord;
    for (let i = 0, w = 0; i < n; i++, w += stride) {
      const key = this.fdToKey.get(i32[w + dw]);
      if (key !== undefined) {
        ready.push([key, pollLikeEvents(u32[w], C.EPOLLIN, C.EPOLLOUT, key.events)]);
      }
    }
    return ready;
  }

  /**
   * @internal The event loop's per-iteration poll, without `select()`'s
   * result array: one `epoll_wait(…, ms)` (0 polls, -1 blocks; larger
   * waits are cut to an int of ms), the ready records left in the
   * selector's buffer for {@link _readyFd} and {@link _readyEvents}. Returns
   * how many; an interrupted wait returns 0 (the caller's loop waits again).
   */
  _pollNow(ms = 0): number {
    if (this.#epfd < 0) throw new ValueError("I/O operation on closed epoll object");
    const n = this.#sys.epollWait(this.#epfd, this.#buf, this.#cap, ms > MAX_MS ? MAX_MS : ms);
    if (n >= 0) return n;
    if (n === -EINTR) return 0;
    throw osErrorFromErrno(-n);
  }

  /** @internal The fd of ready record `i` of the last {@link _pollNow}. */
  _readyFd(i: number): number {
    return this.#i32[i * this.#stride + this.#dataWord];
  }

  /**
   * @internal The ready `EVENT_*` mask of record `i` of the last
   * {@link _pollNow}, before masking with the key's events (as `select()`
   * maps them: an error or hang-up is both).
   */
  _readyEvents(i: number): number {
    const ev = this.#u32[i * this.#stride];
    return (ev & ~C.EPOLLIN ? EVENT_WRITE : 0) | (ev & ~C.EPOLLOUT ? EVENT_READ : 0);
  }

  /** The pollfd records an off-thread wait watches for this selector. */
  waitSet(): WaitSet {
    this.#checkOpen();
    return this.#wait;
  }

  /** Releases the selector's resources; idempotent. */
  override close(): void {
    const fd = this.#epfd;
    if (fd >= 0) {
      // Marked closed before the call: close() is never retried on Linux, so
      // a second close() must not close a reused fd number.
      this.#epfd = -1;
      this.#sys.close(fd);
    }
    super.close();
  }
}

function toEpoll(events: number): number {
  return (events & EVENT_READ ? C.EPOLLIN : 0) | (events & EVENT_WRITE ? C.EPOLLOUT : 0);
}

function toPoll(events: number): number {
  return (events & EVENT_READ ? C.POLLIN : 0) | (events & EVENT_WRITE ? C.POLLOUT : 0);
}

/**
 * A selector over `poll(2)`, with a packed `pollfd` array kept in step with
 * the registrations (O(1) register and unregister, O(n) select).
 *
 * @example
 * ```ts
 * const sel = new PollSelector();
 * sel.register(fd, EVENT_WRITE);
 * sel.select(0.1);
 * sel.close();
 * ```
 */
export class PollSelector<T = unknown> extends BaseSelector<T> {
  #sys: Sys;
  #buf: Uint8Array;
  #i32: Int32Array;
  #i16: Int16Array;
  #n = 0;
  /** fd -> record index, for swap-removal. */
  #slot = new Map<number, number>();
  #rawWait: (ms: number) => number;

  /** Makes an empty poll set. */
  constructor() {
    super();
    const s = sys();
    this.#sys = s;
    this.#buf = new Uint8Array(16 * POLLFD_SIZE);
    this.#i32 = new Int32Array(this.#buf.buffer);
    this.#i16 = new Int16Array(this.#buf.buffer);
    this.#rawWait = (ms) => s.poll(this.#buf, this.#n, ms);
  }

  /** @internal Tells the kernel about a new registration. */
  protected add(fd: number, events: number): void {
    const i = this.#n;
    if ((i + 1) * POLLFD_SIZE > this.#buf.length) {
      const buf = new Uint8Array(this.#buf.length * 2);
      buf.set(this.#buf);
      this.#buf = buf;
      this.#i32 = new Int32Array(buf.buffer);
      this.#i16 = new Int16Array(buf.buffer);
    }
    this.#i32[i * 2] = fd;
    this.#i16[i * 4 + 2] = toPoll(events);
    this.#i16[i * 4 + 3] = 0;
    this.#slot.set(fd, i);
    this.#n = i + 1;
  }

  /** @internal Tells the kernel about changed events. */
  protected change(fd: number, _old: number, events: number): void {
    const i = this.#slot.get(fd)!;
    this.#i16[i * 4 + 2] = toPoll(events);
  }

  /** @internal Tells the kernel a registration is gone. */
  protected remove(fd: number, _events: number): void {
    const i = this.#slot.get(fd);
    if (i === undefined) return;
    this.#slot.delete(fd);
    const last = --this.#n;
    if (i !== last) {
      // Move the last record into the hole so the array stays packed.
      const movedFd = this.#i32[last * 2];
      this.#i32[i * 2] = movedFd;
      this.#i16[i * 4 + 2] = this.#i16[last * 4 + 2];
      this.#i16[i * 4 + 3] = 0;
      this.#slot.set(movedFd, i);
    }
  }

  /** Waits up to `timeout` seconds (null: no limit; <= 0: poll) and returns the ready keys with their events. */
  select(timeout?: number | null): Array<[SelectorKey<T>, number]> {
    const ms = timeoutToMs(timeout);
    const n = waitMs(this.#sys, ms, this.#rawWait);
    if (n < 0) throw osErrorFromErrno(-n);
    const ready: Array<[SelectorKey<T>, number]> = [];
    const i32 = this.#i32, i16 = this.#i16;
    // poll() counts the records with non-zero revents: stop after that many.
    for (let i = 0, found = 0; found < n && i < this.#n; i++) {
      const revents = i16[i * 4 + 3] & 0xffff;
      if (revents === 0) continue;
      found++;
      const key = this.fdToKey.get(i32[i * 2]);
      if (key !== undefined) {
        ready.push([key, pollLikeEvents(revents, C.POLLIN, C.POLLOUT, key.events)]);
      }
    }
    return ready;
  }

  /** The pollfd records an off-thread wait watches for this selector. */
  waitSet(): WaitSet {
    return { fds: this.#buf, nfds: this.#n };
  }

  /** Releases the selector's resources; idempotent. */
  override close(): void {
    // Python's poll object stays usable after close(); only the keys go.
    this.#n = 0;
    this.#slot.clear();
    super.close();
  }
}

/**
 * A selector over `select(2)`: portable and fine for a few fds, but limited
 * to fds below 1024 (`FD_SETSIZE`).
 *
 * @example
 * ```ts
 * const sel = new SelectSelector();
 * sel.register(0, EVENT_READ);
 * sel.select(1);
 * sel.close();
 * ```
 */
export class SelectSelector<T = unknown> extends BaseSelector<T> {
  #sys: Sys;
  // The registered sets, kept up to date, and the working copies select()
  // overwrites; all 128-byte fd_sets made once. Byte fd>>3, bit fd&7 is the
  // layout of fd_set's array of longs on little-endian Linux.
  #readers = new Uint8Array(128);
  #writers = new Uint8Array(128);
  #r = new Uint8Array(128);
  #w = new Uint8Array(128);
  #maxFd = -1;
  /** pollfd records for waitSet(), rebuilt when the registrations change. */
  #pollBuf = new Uint8Array(16 * POLLFD_SIZE);
  #pollDirty = true;
  #pollWait: WaitSet = { fds: this.#pollBuf, nfds: 0 };

  /** Makes an empty selector. */
  constructor() {
    super();
    this.#sys = sys();
  }

  /** @internal Tells the kernel about a new registration. */
  protected add(fd: number, events: number): void {
    if (fd >= C.FD_SETSIZE) throw new ValueError("filedescriptor out of range in select()");
    this.#set(fd, events);
    if (fd > this.#maxFd) this.#maxFd = fd;
  }

  /** @internal Tells the kernel about changed events. */
  protected change(fd: number, old: number, events: number): void {
    this.#clear(fd, old);
    this.#set(fd, events);
  }

  /** @internal Tells the kernel a registration is gone. */
  protected remove(fd: number, events: number): void {
    this.#clear(fd, events);
    if (fd === this.#maxFd) {
      let m = -1;
      for (const f of this.fdToKey.keys()) if (f > m) m = f;
      this.#maxFd = m;
    }
  }

  #set(fd: number, events: number): void {
    const b = fd >> 3, bit = 1 << (fd & 7);
    if (events & EVENT_READ) this.#readers[b] |= bit;
    if (events & EVENT_WRITE) this.#writers[b] |= bit;
    this.#pollDirty = true;
  }

  #clear(fd: number, events: number): void {
    const b = fd >> 3, bit = ~(1 << (fd & 7));
    if (events & EVENT_READ) this.#readers[b] &= bit;
    if (events & EVENT_WRITE) this.#writers[b] &= bit;
    this.#pollDirty = true;
  }

  /** Waits up to `timeout` seconds (null: no limit; <= 0: poll) and returns the ready keys with their events. */
  select(timeout?: number | null): Array<[SelectorKey<T>, number]> {
    let secs: number | null;
    if (timeout == null || timeout === Infinity) secs = null;
    else if (typeof timeout !== "number") {
      throw new TypeError(`timeout must be a number or null, not ${pyRepr(timeout)}`);
    } else if (timeout !== timeout) throw new ValueError("Invalid value NaN (not a number)");
    else secs = timeout > 0 ? timeout : 0;
    const s = this.#sys, nfds = this.#maxFd + 1, bytes = (nfds + 7) >> 3;
    const r = this.#r, w = this.#w;
    const deadline = secs !== null && secs > 0 ? s.monotonic() + secs : 0;
    let n: number;
    for (;;) {
      // select() overwrites its sets: start each call from the registered ones.
      r.set(this.#readers);
      w.set(this.#writers);
      n = s.select(nfds, r, w, null, secs);
      if (n !== -EINTR) break;
      // PEP 475: retry with what is left; an interrupted poll found nothing.
      if (secs === 0) return [];
      if (secs !== null) {
        secs = deadline - s.monotonic();
        if (secs <= 0) return [];
      }
    }
    if (n < 0) throw osErrorFromErrno(-n);
    const ready: Array<[SelectorKey<T>, number]> = [];
    if (n === 0) return ready;
    for (let b = 0; b < bytes; b++) {
      const rb = r[b], wb = w[b];
      if ((rb | wb) === 0) continue;
      for (let bit = 0; bit < 8; bit++) {
        const m = 1 << bit;
        if (((rb | wb) & m) === 0) continue;
        const key = this.fdToKey.get(b * 8 + bit);
        if (key === undefined) continue;
        const events = (rb & m ? EVENT_READ : 0) | (wb & m ? EVENT_WRITE : 0);
        ready.push([key, events & key.events]);
      }
    }
    return ready;
  }

  /** The pollfd records an off-thread wait watches for this selector. */
  waitSet(): WaitSet {
    if (this.#pollDirty) {
      const need = this.fdToKey.size * POLLFD_SIZE;
      if (need > this.#pollBuf.length) {
        let len = this.#pollBuf.length;
        while (len < need) len *= 2;
        this.#pollBuf = new Uint8Array(len);
      }
      const i32 = new Int32Array(this.#pollBuf.buffer);
      const i16 = new Int16Array(this.#pollBuf.buffer);
      let i = 0;
      for (const key of this.fdToKey.values()) {
        i32[i * 2] = key.fd;
        i16[i * 4 + 2] = toPoll(key.events);
        i16[i * 4 + 3] = 0;
        i++;
      }
      this.#pollWait = { fds: this.#pollBuf, nfds: i };
      this.#pollDirty = false;
    }
    return this.#pollWait;
  }

  /** Releases the selector's resources; idempotent. */
  override close(): void {
    this.#readers.fill(0);
    this.#writers.fill(0);
    this.#maxFd = -1;
    this.#pollDirty = true;
    super.close();
  }
}

/**
 * The best selector on this platform: epoll on Linux.
 *
 * @example
 * ```ts
 * const sel = new DefaultSelector();
 * ```
 */
export const DefaultSelector: typeof EpollSelector = EpollSelector;
/** The instance type of {@link DefaultSelector}. */
export type DefaultSelector<T = unknown> = EpollSelector<T>;

// Python's module of the selectors, for their reprs; print() shows those.
setPyModule("selectors", EpollSelector, PollSelector, SelectSelector);
printAsRepr(BaseSelector);
