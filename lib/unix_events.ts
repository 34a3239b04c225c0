/**
 * `SelectorEventLoop`, the loop of this library: the selector loop plus the
 * Unix parts, signal handlers first (subprocesses come later).
 *
 * @module
 */
import { listenSignal, NSIG, SIGNALS } from "../ffi/signals.ts";
import { BaseSelectorEventLoop } from "./selector_events.ts";
import { type Callback, Handle } from "./events.ts";
import { RuntimeError, ValueError } from "./exceptions.ts";
import { pyRepr } from "./format.ts";
import { iscoroutinefunction } from "./coroutines.ts";

/**
 * The event loop over a selector (`EpollSelector` by default, or the
 * `PollSelector` / `SelectSelector` passed in), with signal handling.
 *
 * @example
 * ```ts
 * const loop = new asyncio.SelectorEventLoop();
 * loop.addSignalHandler(asyncio.SIGTERM, () => loop.stop());
 * await loop.runForever();
 * loop.close();
 * ```
 */
export class SelectorEventLoop extends BaseSelectorEventLoop {
  #signalHandlers = new Map<number, { handle: Handle; unlisten: () => void }>();

  /**
   * Calls `callback(...args)` from the loop whenever signal `sig` arrives,
   * instead of its default action. Replaces an earlier handler for `sig`.
   */
  addSignalHandler(sig: number, callback: Callback, ...args: unknown[]): void {
    if (iscoroutinefunction(callback)) {
      throw new TypeError("coroutines cannot be used with add_signal_handler()");
    }
    checkSignal(sig);
    if (this._closed) throw new RuntimeError("Event loop is closed");
    if (typeof callback !== "function") {
      throw new TypeError(
        `a callable object was expected by add_signal_handler(), got ${pyRepr(callback)}`,
      );
    }
    const handle = new Handle(callback, args.length ? args : null, this, null);
    const old = this.#signalHandlers.get(sig);
    let unlisten: () => void;
    try {
      unlisten = listenSignal(sig, () => this.#handleSignal(sig));
    } catch {
      throw new RuntimeError(`sig ${sig} cannot be caught`);
    }
    if (old !== undefined) old.unlisten();
    this.#signalHandlers.set(sig, { handle, unlisten });
  }

  /** Removes the handler for `sig`; true if there was one. The default action returns. */
  removeSignalHandler(sig: number): boolean {
    checkSignal(sig);
    const entry = this.#signalHandlers.get(sig);
    if (entry === undefined) return false;
    this.#signalHandlers.delete(sig);
    entry.unlisten();
    return true;
  }

  #handleSignal(sig: number): void {
    const entry = this.#signalHandlers.get(sig);
    if (entry === undefined || this._closed) return;
    if (entry.handle.cancelled()) {
      this.removeSignalHandler(sig);
      return;
    }
    // Delivered by a host callback: schedule it as callSoonThreadsafe would,
    // waking the loop if it waits. The same handle runs once per signal.
    this._addHandle(entry.handle);
  }

  /** Closes the loop and removes its signal handlers. */
  override close(): void {
    super.close();
    for (const sig of [...this.#signalHandlers.keys()]) this.removeSignalHandler(sig);
  }
}

function checkSignal(sig: unknown): void {
  if (typeof sig !== "number" || !Number.isInteger(sig)) {
    throw new TypeError(`sig must be an int, not ${pyRepr(sig)}`);
  }
  if (sig < 1 || sig >= NSIG) throw new ValueError(`invalid signal number ${sig}`);
}

/** Signal numbers by name, like Python's `signal.SIGTERM`. @example `loop.addSignalHandler(signals.SIGINT, stop)` */
export const signals: Readonly<Record<string, number>> = SIGNALS;
