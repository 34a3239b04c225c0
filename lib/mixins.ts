/**
 * `LoopBound`: the base of the synchronization primitives and queues, which
 * are made without a loop and bind to the running loop the first time they
 * need one (Python 3.10's `mixins._LoopBoundMixin`).
 *
 * @module
 */
import { bindOverrides } from "./bound_methods.ts";
import { type AbstractEventLoop, getRunningLoop } from "./events.ts";
import { RuntimeError } from "./exceptions.ts";
import { printAsRepr, PY_REPR } from "./format.ts";

/**
 * An object that belongs to the first event loop it waits on. Creating one
 * needs no loop, so a lock or queue can be made at module level; using it
 * from a second loop is a `RuntimeError`, since its waiters are futures of
 * the first.
 *
 * @example
 * ```ts
 * class Gate extends LoopBound {
 *   wait(): Promise<unknown> {
 *     return this._getLoop().createFuture();
 *   }
 * }
 * ```
 */
export class LoopBound {
  #loop: AbstractEventLoop | null = null;

  /** Binds a subclass's overrides of the bound methods (`ev.set`), as Python's bound methods are. */
  constructor() {
    bindOverrides(this);
  }

  /**
   * @internal The running loop, binding this object to it on first use.
   * Called only when a waiter future is needed: uses that never wait do not
   * bind, as in Python.
   */
  protected _getLoop(): AbstractEventLoop {
    const loop = getRunningLoop();
    if (this.#loop === null) this.#loop = loop;
    else if (this.#loop !== loop) {
      throw new RuntimeError(`${this._repr()} is bound to a different event loop`);
    }
    return loop;
  }

  /**
   * @internal Python's `repr(self)`, which the error above prints: the
   * same as `String(this)` except for queues, whose `str()` lacks the address.
   */
  protected _repr(): string {
    return String(this);
  }

  /** @internal Python's `repr(self)` for {@link pyRepr}: a queue in a future's result. */
  [PY_REPR](): string {
    return this._repr();
  }
}

printAsRepr(LoopBound);
