/**
 * `BaseSelectorEventLoop`: the event loop over a selector (epoll by default).
 *
 * Waiting without freezing the host: when nothing is ready, the loop first
 * polls without blocking; if still nothing, it hands the selector's wait set
 * to `sys().pollAsync`, which blocks off the main thread, and returns to the
 * host. A callback scheduled meanwhile from a host callback (a timer, a
 * socket, a Worker message, a settled host promise) wakes the loop at once
 * from JS and ends the off-thread poll through the loop's eventfd.
 *
 * With `{ exclusive: true }` the loop blocks in the selector on the main
 * thread instead: the lowest latency, but host timers, host I/O and host
 * promises do not run while it waits.
 *
 * @module
 */
import { C, sys } from "../ffi/mod.ts";
import { BaseEventLoop } from "./base_events.ts";
import { bindMethodOnRead } from "./bound_methods.ts";
import { type Callback, Handle, type ReadyItem } from "./events.ts";
import { check, RuntimeError } from "./exceptions.ts";
import { pyRepr } from "./format.ts";
import { logger } from "./log.ts";
import {
  type BaseSelector,
  DefaultSelector,
  EpollSelector,
  EVENT_READ,
  EVENT_WRITE,
  type FileLike,
  fileobjToFd,
  type SelectorKey,
} from "./selectors.ts";

/**
 * Each key's data: the fd's reader (a Handle, or a transport that reads by
 * itself), or null when only a writer watches it, and for the loop's own
 * eventfd. Writers, which wait only while a write buffer drains, are in a
 * Map of the loop's: an idle connection pays for one key and nothing more.
 */
type Watchers = ReadyItem | null;

/** What the loop keeps of a transport that holds an fd. */
interface OpenTransport {
  _loopClosed(): void;
  isClosing(): boolean;
}

/** Options of {@link SelectorEventLoop}. */
export interface SelectorEventLoopOptions {
  /**
   * Block in the selector on the main thread when idle. Fastest wake-up,
   * but the host (its timers, I/O and promises) is frozen while the loop
   * waits. Default false.
   */
  exclusive?: boolean;
}

/** Cancels a reader that was replaced or removed, so that a queued run of it is skipped. */
function cancelReader(reader: ReadyItem): void {
  if (reader instanceof Handle) reader.cancel();
  else reader._cancelled = true;
}

const EIGHT_BYTES = new Uint8Array(8);
const ONE = new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0]);

/**
 * The loop whose off-thread poll is in flight. The runtimes run one such
 * poll at a time per process (ffi's `pollAsync`), and a second loop can be
 * waiting meanwhile: one that `asyncio.run()` drives inside a function an
 * executor runs on the main thread in a thread's stead (`toThread`). That
 * one waits beside it (see `#waitBeside`), as two threads' loops would
 * each wait; a second `pollAsync` would fail at once, and the loop that
 * made it would spin and starve the other.
 */
let offThreadPoller: BaseSelectorEventLoop | null = null;

/** How often a loop waiting beside another loop's poll looks at its fds, in ms. */
const BESIDE_STEP_MS = 1;

/**
 * The event loop over a selector, without the Unix-only parts (signals,
 * subprocesses), which `SelectorEventLoop` in `unix_events.ts` adds.
 *
 * @example
 * ```ts
 * const loop = new asyncio.SelectorEventLoop(new asyncio.PollSelector());
 * loop.callSoon(() => { console.log("Hello World"); loop.stop(); });
 * await loop.runForever();
 * loop.close();
 * ```
 */
export class BaseSelectorEventLoop extends BaseEventLoop {
  /** @internal */
  _selector: BaseSelector<Watchers>;
  #wakeFd: number;
  #exclusive: boolean;
  /** The off-thread poll in flight, if any. */
  #inflight: Promise<number> | null = null;
  /** The eventfd was written to end the in-flight poll; drain it when that poll returns. */
  #kicked = false;
  /** Resolves the loop's current wait. */
  #wake: (() => void) | null = null;
  /**
   * The selector when it is exactly an `EpollSelector` (not a subclass that
   * may override `select`): then each iteration's poll reads the kernel's
   * records in place instead of building `select()`'s arrays.
   */
  #epoll: EpollSelector<Watchers> | null;
  /** fd -> the writer callback, for each fd watched for writing. */
  #writers = new Map<number, Handle>();
  /**
   * @internal The transports of this loop that still hold an fd. Those left
   * open when the loop closes have their fd closed then, with no callback:
   * Python's garbage collector closes an abandoned transport sooner or
   * later, and JS has nothing that would. Socket and datagram transports
   * are keyed by their fd, which makes this Python's `_transports` too:
   * `addReader` and the rest refuse such an fd while its transport is not
   * closing (the transports themselves call `_addReader` and the rest,
   * which do not check). Pipe transports, which Python does not guard, are
   * keyed by themselves. One map, not two: an idle connection pays for one
   * entry (a second map cost 30-70 bytes a connection).
   */
  readonly _openTransports: Map<number | OpenTransport, OpenTransport> = new Map();

  /** A loop over `selector` (default: a new `EpollSelector`). */
  constructor(selector?: BaseSelector<unknown> | null, opts?: SelectorEventLoopOptions) {
    super();
    this._selector = (selector ?? new DefaultSelector()) as BaseSelector<Watchers>;
    // Python logs this for every selector loop, debug mode or not.
    logger.debug(`Using selector: ${this._selector.constructor.name}`);
    this.#exclusive = !!opts?.exclusive;
    this.#epoll = Object.getPrototypeOf(this._selector) === EpollSelector.prototype
      ? this._selector as EpollSelector<Watchers>
      : null;
    const s = sys();
    // This loop's waits go off the main thread: the first one must not wait
    // for that to start up.
    if (!this.#exclusive) void s.prepareAsync();
    this.#wakeFd = check(s.eventfd(0, C.EFD_CLOEXEC | C.EFD_NONBLOCK));
    try {
      this._selector.register(this.#wakeFd, EVENT_READ, null);
    } catch (e) {
      s.close(this.#wakeFd);
      throw e;
    }
  }

  // -- I/O hooks -------------------------------------------------------------

  /** @internal */
  protected override _hasIo(): boolean {
    return this._selector.getMap()!.size > 1;
  }

  /** @internal */
  protected override _pollIo(): number {
    return this.#pollNow();
  }

  /** Polls without blocking and queues the ready callbacks; how many fds (the eventfd aside) were ready. */
  #pollNow(ms = 0): number {
    const ep = this.#epoll;
    if (ep === null) return this.#processEvents(this._selector.select(0));
    const n = ep._pollNow(ms);
    if (n === 0) return 0;
    const map = ep.getMap()!;
    let found = 0;
    for (let i = 0; i < n; i++) {
      const fd = ep._readyFd(i);
      const key = map.get(fd);
      if (key === undefined) continue;
      if (fd === this.#wakeFd) {
        this.#drainWakeFd();
        continue;
      }
      found++;
      this.#dispatch(key, ep._readyEvents(i));
    }
    return found;
  }

  #drainWakeFd(): void {
    // While the off-thread poll it ended is still returning, the eventfd
    // must stay readable (draining it now could put that poll back to
    // sleep); #pollReturned drains it.
    if (this.#inflight === null && !this.#kicked) sys().read(this.#wakeFd, EIGHT_BYTES);
  }

  /** @internal */
  protected override _waitIo(timeout: number | null): Promise<void> | void {
    if (this.#exclusive) {
      if (this.#epoll === null) this.#processEvents(this._selector.select(timeout));
      else this.#pollNow(timeout === null ? -1 : Math.ceil(timeout * 1000));
      return;
    }
    // An async wait costs microseconds; a ready fd is found for far less.
    if (this.#pollNow() > 0) return;
    return this.#waitAsync(timeout);
  }

  async #waitAsync(timeout: number | null): Promise<void> {
    // A poll ended by a wake-up may still be returning; wait for it so that
    // only one is ever in flight.
    if (this.#inflight !== null) {
      // Task code ran meanwhile and may have scheduled a timer (with
      // _waiting false, so nobody woke us): back to the driver, which
      // computes the timeout afresh.
      await this.#inflight;
      return;
    }
    if (this._ready.length || this._stopping || this._closed) return;
    if (offThreadPoller !== null && offThreadPoller !== this) return this.#waitBeside(timeout);
    const ms = timeout === null ? -1 : Math.ceil(timeout * 1000);
    const { fds, nfds } = this._selector.waitSet();
    const woken = new Promise<void>((resolve) => (this.#wake = resolve));
    this._waiting = true;
    offThreadPoller = this;
    const inflight = sys().pollAsync(fds, nfds, ms);
    this.#inflight = inflight;
    inflight.then(() => this.#pollReturned(inflight), () => this.#pollReturned(inflight));
    await woken;
    this._waiting = false;
    this.#pollNow();
  }

  /**
   * Waits while another loop's poll is off the main thread: up to a
   * millisecond (less if a timer is due sooner) on a host timer, then polls
   * without blocking and goes back to the driver, which waits again. Ends
   * early when woken (`callSoonThreadsafe`, `stop()`), as an off-thread
   * poll does.
   */
  async #waitBeside(timeout: number | null): Promise<void> {
    const ms = timeout === null ? BESIDE_STEP_MS : Math.min(BESIDE_STEP_MS, timeout * 1000);
    const woken = new Promise<void>((resolve) => (this.#wake = resolve));
    this._waiting = true;
    const timer = setTimeout(() => this.#resolveWait(), ms);
    await woken;
    clearTimeout(timer);
    this._waiting = false;
    this.#pollNow();
  }

  #pollReturned(p: Promise<number>): void {
    if (this.#inflight === p) this.#inflight = null;
    if (offThreadPoller === this) offThreadPoller = null;
    if (this.#kicked) {
      sys().read(this.#wakeFd, EIGHT_BYTES);
      this.#kicked = false;
    }
    if (this._closed) this.#closeFds();
    this.#resolveWait();
  }

  #resolveWait(): void {
    const wake = this.#wake;
    if (wake !== null) {
      this.#wake = null;
      wake();
    }
  }

  /** @internal */
  protected override _wakeUp(): void {
    if (this.#inflight !== null && !this.#kicked) {
      this.#kicked = true;
      sys().write(this.#wakeFd, ONE);
    }
    this.#resolveWait();
  }

  /** Queues the callbacks of ready fds; returns how many fds (the eventfd aside) were ready. */
  /** @internal */
  protected override _quiesce(): Promise<void> | void {
    const inflight = this.#inflight;
    if (inflight === null) return;
    this._wakeUp();
    return inflight.then(() => {}, () => {});
  }

  #processEvents(events: Array<[SelectorKey<Watchers>, number]>): number {
    let n = events.length;
    for (let i = 0; i < events.length; i++) {
      const [key, mask] = events[i];
      if (key.fd === this.#wakeFd) {
        this.#drainWakeFd();
        n--;
        continue;
      }
      this.#dispatch(key, mask);
    }
    return n;
  }

  /** Queues the reader and/or writer of a ready fd (`mask`: its ready `EVENT_*`). */
  #dispatch(key: SelectorKey<Watchers>, mask: number): void {
    const reader = key.data;
    if (mask & EVENT_READ && reader !== null) {
      if (reader._cancelled) this._removeReader(key.fd);
      else this._ready.push(reader);
    }
    if (mask & EVENT_WRITE && key.events & EVENT_WRITE) {
      const writer = this.#writers.get(key.fd);
      if (writer !== undefined) {
        if (writer._cancelled) this._removeWriter(key.fd);
        else this._ready.push(writer);
      }
    }
  }

  // -- fd watching -----------------------------------------------------------

  #checkOpen(): void {
    if (this._closed) throw new RuntimeError("Event loop is closed");
  }

  /** Makes `reader` the reader of fd `n`, cancelling the one it replaces. */
  #setReader(n: number, reader: ReadyItem): void {
    this.#checkOpen();
    const key = this._selector.getMap()!.get(n);
    if (key === undefined) {
      this._selector.register(n, EVENT_READ, reader);
    } else {
      const old = key.data;
      this._selector.modify(n, key.events | EVENT_READ, reader);
      if (old !== null) cancelReader(old);
    }
    // A poll or select wait set is a copy: make the wait pick up the new fd.
    if (this._waiting) this._wakeUp();
  }

  /**
   * Calls `callback(...args)` whenever `fd` is readable; replaces an earlier
   * reader. Returns null, as Python's returns None (a port may print it).
   * The callback is not checked here, as in Python (in debug mode too): one
   * that is not callable fails when it is called, through the exception
   * handler.
   */
  override addReader(fd: FileLike, callback: Callback, ...args: unknown[]): null {
    this.#checkOpen();
    const n = fileobjToFd(fd);
    this.#ensureFdNoTransport(fd, n);
    this.#setReader(n, new Handle(callback, args.length ? args : null, this, null));
    return null;
  }

  /** @internal `addReader` for a transport's own fd: Python's `_add_reader`. */
  _addReader(fd: number, callback: Callback, ...args: unknown[]): null {
    this.#checkOpen();
    this.#setReader(fileobjToFd(fd), new Handle(callback, args.length ? args : null, this, null));
    return null;
  }

  /**
   * Python's `_ensure_fd_no_transport`: a `RuntimeError` for the fd of a
   * transport that is not closing, whose reads and writes the loop's
   * callbacks for it would steal or stop.
   */
  #ensureFdNoTransport(fd: FileLike, n: number): void {
    const transport = this._openTransports.get(n);
    if (transport !== undefined && !transport.isClosing()) {
      throw new RuntimeError(`File descriptor ${pyRepr(fd)} is used by transport ${transport}`);
    }
  }

  /**
   * @internal Makes `reader` itself the reader of fd `n`: the loop queues
   * and runs it (`reader._run()`) when `n` is readable, with no Handle and
   * no closure per fd (a socket transport's reads). As `addReader` it
   * replaces an earlier reader, and `removeReader(n)` (or a reader added
   * later) sets `reader._cancelled`, so a queued run is skipped; once
   * cancelled, the reader is not added again this way.
   */
  _addSelfReader(n: number, reader: ReadyItem): void {
    this.#setReader(n, reader);
  }

  /** Stops watching `fd` for reading; true if it was watched. */
  override removeReader(fd: FileLike): boolean {
    if (this._closed) return false;
    const n = fileobjToFd(fd);
    this.#ensureFdNoTransport(fd, n);
    return this._removeReader(n);
  }

  /** @internal `removeReader` for a transport's own fd: Python's `_remove_reader`. */
  _removeReader(fd: number): boolean {
    if (this._closed) return false;
    const n = fileobjToFd(fd);
    const key = this._selector.getMap()!.get(n);
    if (key === undefined || n === this.#wakeFd) return false;
    const reader = key.data;
    if (reader === null) return false;
    const mask = key.events & ~EVENT_READ;
    if (mask === 0) this._selector.unregister(n);
    else this._selector.modify(n, mask, null);
    cancelReader(reader);
    return true;
  }

  /**
   * Calls `callback(...args)` whenever `fd` is writable; replaces an earlier
   * writer. Returns null, as Python's returns None.
   */
  override addWriter(fd: FileLike, callback: Callback, ...args: unknown[]): null {
    this.#checkOpen();
    this.#ensureFdNoTransport(fd, fileobjToFd(fd));
    return this._addWriter(fileobjToFd(fd), callback, ...args);
  }

  /** @internal `addWriter` for a transport's own fd: Python's `_add_writer`. */
  _addWriter(fd: number, callback: Callback, ...args: unknown[]): null {
    this.#checkOpen();
    const n = fileobjToFd(fd);
    const handle = new Handle(callback, args.length ? args : null, this, null);
    const key = this._selector.getMap()!.get(n);
    if (key === undefined) {
      this._selector.register(n, EVENT_WRITE, null);
    } else if (!(key.events & EVENT_WRITE)) {
      this._selector.modify(n, key.events | EVENT_WRITE, key.data);
    }
    const old = this.#writers.get(n);
    this.#writers.set(n, handle);
    old?.cancel();
    if (this._waiting) this._wakeUp();
    return null;
  }

  /** Stops watching `fd` for writing; true if it was watched. */
  override removeWriter(fd: FileLike): boolean {
    if (this._closed) return false;
    const n = fileobjToFd(fd);
    this.#ensureFdNoTransport(fd, n);
    return this._removeWriter(n);
  }

  /** @internal `removeWriter` for a transport's own fd: Python's `_remove_writer`. */
  _removeWriter(fd: number): boolean {
    if (this._closed) return false;
    const n = fileobjToFd(fd);
    const key = this._selector.getMap()!.get(n);
    if (key === undefined || !(key.events & EVENT_WRITE)) return false;
    const mask = key.events & ~EVENT_WRITE;
    if (mask === 0) this._selector.unregister(n);
    else this._selector.modify(n, mask, key.data);
    const handle = this.#writers.get(n);
    if (handle === undefined) return false;
    this.#writers.delete(n);
    handle.cancel();
    return true;
  }

  // -- closing ---------------------------------------------------------------

  /**
   * Closes the loop and its selector, and the fds of its transports still
   * open. Idempotent; a `RuntimeError` while running. The fds it does not
   * own (added with `addReader`) stay open.
   */
  override close(): void {
    if (this.isRunning()) throw new RuntimeError("Cannot close a running event loop");
    if (this._closed) return;
    super.close();
    for (const t of this._openTransports.values()) t._loopClosed();
    this._openTransports.clear();
    if (this.#inflight !== null) {
      // The off-thread poll still watches our fds: end it, close when it returns.
      this._wakeUp();
      return;
    }
    this.#closeFds();
  }

  #closeFds(): void {
    this.#writers.clear();
    if (this.#wakeFd < 0) return;
    this._selector.close();
    sys().close(this.#wakeFd);
    this.#wakeFd = -1;
  }

  /** `await using loop = new SelectorEventLoop()` closes it at the end of the scope. */
  [Symbol.dispose](): void {
    this.close();
  }
}

// Python passes a loop's bound methods as callbacks:
// `loop.call_later(1, loop.remove_reader, sock)`. Bound on read, they port
// as they are, and show in a Handle as Python names them:
// `<Handle BaseSelectorEventLoop.remove_reader(7)>`.
bindMethodOnRead(BaseSelectorEventLoop.prototype, "addReader", "BaseSelectorEventLoop.add_reader");
bindMethodOnRead(
  BaseSelectorEventLoop.prototype,
  "removeReader",
  "BaseSelectorEventLoop.remove_reader",
);
bindMethodOnRead(BaseSelectorEventLoop.prototype, "addWriter", "BaseSelectorEventLoop.add_writer");
bindMethodOnRead(
  BaseSelectorEventLoop.prototype,
  "removeWriter",
  "BaseSelectorEventLoop.remove_writer",
);

/**
 * Python's repr of a selector transport: `<_SelectorSocketTransport fd=7
 * read=polling write=<idle, bufsize=0>>`, `closing` first once it is, and
 * only `closed fd=7` once its socket is closed; whether each direction is
 * polled is read from the loop's selector, as Python does.
 *
 * @example
 * ```ts
 * transportRepr("_SelectorSocketTransport", loop, 7, false, false, 0);
 * ```
 */
export function transportRepr(
  name: string,
  loop: BaseSelectorEventLoop,
  fd: number,
  closed: boolean,
  closing: boolean,
  bufsize: number,
): string {
  const info = [name];
  if (closed) info.push("closed");
  else if (closing) info.push("closing");
  info.push(`fd=${fd}`);
  // Python drops its loop once the connection is lost: no more polling state.
  if (!closed && !loop.isClosed()) {
    const events = loop._selector.getMap()?.get(fd)?.events ?? 0;
    info.push(`read=${events & EVENT_READ ? "polling" : "idle"}`);
    info.push(`write=<${events & EVENT_WRITE ? "polling" : "idle"}, bufsize=${bufsize}>`);
  }
  return `<${info.join(" ")}>`;
}
