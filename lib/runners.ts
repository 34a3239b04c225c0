/**
 * `run()` and `Runner`: start a loop, run one coroutine to completion, then
 * cancel what is left and close the loop.
 *
 * @module
 */
import type { AbstractEventLoop } from "./events.ts";
import { _getRunningLoop } from "./events.ts";
import {
  _isBaseError,
  CancelledError,
  KeyboardInterrupt,
  RuntimeError,
  ValueError,
} from "./exceptions.ts";
import { inThread } from "./running.ts";

/** The signal methods of `SelectorEventLoop`, seen from here without importing it. */
interface SignalLoop {
  addSignalHandler(sig: number, cb: () => void): void;
  removeSignalHandler(sig: number): boolean;
  hasSignalHandler(sig: number): boolean;
  /** Removes run()'s SIGINT handler if it is still the one installed. */
  _removeRunnerHandler?(sig: number): void;
}

const SIGINT = 2;
/**
 * Marks run()'s SIGINT handler (`RUNNER_SIGINT` of unix_events.ts): Python's
 * Runner installs it with `signal.signal()`, so `loop.removeSignalHandler(SIGINT)`
 * neither sees nor removes it there.
 */
const RUNNER_SIGINT = Symbol.for("asyncio.runnerSigint");
import { _dropRefused, Coroutine, isGenerator } from "./coroutines.ts";
import { objectHead, printAsRepr, pyRepr, pyTypeName, setPyModule } from "./format.ts";
import { _adoptableLoop, newEventLoop, setEventLoop } from "./policies.ts";
import { _standForOutsideCode, allTasks, type CoroutineLike, Task } from "./tasks.ts";
import { _reportUnread, type Future, isFuture } from "./futures.ts";
import { THREAD_JOIN_TIMEOUT } from "./threads.ts";
import { type Context, copyContext } from "./contextvars.ts";
import { keywords } from "./keywords.ts";

/** What run() takes for a coroutine (API.md rule 9); a Future or Task is none, as in Python. */
function isCoroutineLike(x: unknown): boolean {
  if (isFuture(x)) return false;
  return typeof x === "function" || x instanceof Coroutine || isGenerator(x) ||
    (typeof x === "object" && x !== null && typeof (x as { then?: unknown }).then === "function");
}

/** Options of {@link run} and {@link Runner}. */
export interface RunOptions {
  /** Turn the loop's debug mode on or off (default, or null: leave it as the environment says). */
  debug?: boolean | null;
  /** Makes the loop (default: `newEventLoop()`). */
  loopFactory?: () => AbstractEventLoop;
}

/** The keys of {@link RunOptions}: another one is Python's TypeError. */
const RUN_OPTIONS = ["debug", "loopFactory"];

/**
 * CPython frees the main coroutine's frame, and with it the futures only
 * its locals held, in the main task's last step: the loop still running,
 * the task's done callbacks (the one that stops the loop) not scheduled
 * yet. The futures whose exception is unread are reported at that point
 * here too, so a handler may use the loop (`loop.createTask(shutdown())`,
 * whose first step runs before the loop stops). Only this task's method
 * is wrapped, off every other future's path.
 */
function reportUnreadWhenDone(task: unknown, loop: AbstractEventLoop): void {
  const t = task as { _scheduleCallbacks?: () => void };
  const schedule = t._scheduleCallbacks;
  if (typeof schedule !== "function") return;
  t._scheduleCallbacks = function (this: unknown) {
    try {
      _reportUnread(loop, { keepScheduled: true });
    } catch (e) {
      // A handler's SystemExit or KeyboardInterrupt: out of run() from a
      // callback, the task's completion left whole.
      loop.callSoon(() => {
        throw e;
      });
    }
    schedule.call(this);
  };
}

/**
 * Runs a coroutine on a loop of its own (beyond the spec: Python 3.11's
 * `asyncio.Runner`). Several `run()` calls share the loop; `close()`
 * cancels what is left and closes it. `await using` closes it too.
 *
 * @example
 * ```ts
 * await using runner = new asyncio.Runner();
 * console.log(await runner.run(async () => 1));
 * console.log(await runner.run(async () => 2));
 * ```
 */
export class Runner {
  #loop: AbstractEventLoop | null = null;
  #opts: RunOptions;
  #state: "initialized" | "closed" | "new" = "new";
  /** What `run()` runs in without a `context` option (Python's `_context`, copied at first use). */
  #context: Context | null = null;

  /** A runner; the loop is made on first use. */
  constructor(opts: RunOptions = {}) {
    keywords("Runner.__init__", opts, RUN_OPTIONS);
    this.#opts = opts;
  }

  #lazyInit(adopt = false): AbstractEventLoop {
    if (this.#state === "closed") throw new RuntimeError("Runner is closed");
    if (this.#loop === null) {
      const factory: unknown = this.#opts.loopFactory;
      if (factory && typeof factory !== "function") {
        throw new TypeError(`'${pyTypeName(factory)}' object is not callable`);
      }
      const loop = this.#opts.loopFactory
        ? this.#opts.loopFactory()
        : (adopt ? _adoptableLoop() : null) ?? newEventLoop();
      if (!this.#opts.loopFactory) setEventLoop(loop);
      // `debug: null` is Python's debug=None: leave it as the environment says.
      if (this.#opts.debug != null) loop.setDebug(this.#opts.debug);
      this.#loop = loop;
      // One context for every run(): what one sets, the next sees, as in Python.
      this.#context = copyContext();
      this.#state = "initialized";
    }
    return this.#loop;
  }

  /** The runner's loop (made now if needed). */
  getLoop(): AbstractEventLoop {
    return this.#lazyInit();
  }

  /**
   * Runs `coro` to completion on the runner's loop; resolves to its result.
   * The task runs in `context`, by default the runner's own context, which
   * every run() shares.
   */
  async run<T>(coro: CoroutineLike<T>, opts: { context?: Context } = {}): Promise<T> {
    keywords("Runner.run", opts, ["context"]);
    if (!isCoroutineLike(coro)) {
      throw new ValueError(`a coroutine was expected, got ${pyRepr(coro)}`);
    }
    if (_getRunningLoop() !== null) {
      _dropRefused(coro);
      throw new RuntimeError("Runner.run() cannot be called from a running event loop");
    }
    if (this.#state === "closed") _dropRefused(coro); // #lazyInit() refuses it
    // A promise is a coroutine already started: what its first segment
    // scheduled (`gather` before the first `await`) may wait on a loop that
    // getEventLoop() made for it; run that one (see `_adoptableLoop`).
    const loop = this.#lazyInit(coro instanceof Promise);
    const task = loop.createTask<T>(coro, { context: opts.context ?? this.#context! });
    reportUnreadWhenDone(task, loop);
    _standForOutsideCode(task);
    // Python's Runner: the first Ctrl+C cancels the main task (its finally
    // blocks run) and run() then raises KeyboardInterrupt; another one
    // raises KeyboardInterrupt out of the loop at once, as Python's handler
    // raises it wherever the main thread is (the loop's cleanup still runs).
    const sigLoop = loop as Partial<SignalLoop>;
    let interrupts = 0;
    let installed = false;
    // Python's Runner installs it in the main thread only: not in a Worker,
    // nor in a function an executor runs here in a thread's stead.
    if (
      !inThread() && typeof sigLoop.addSignalHandler === "function" &&
      !sigLoop.hasSignalHandler!(SIGINT)
    ) {
      const onSigint = () => {
        interrupts++;
        if (interrupts === 1 && !task.done()) {
          task.cancel();
          return;
        }
        throw new KeyboardInterrupt();
      };
      Object.defineProperty(onSigint, RUNNER_SIGINT, { value: true });
      sigLoop.addSignalHandler(SIGINT, onSigint);
      installed = true;
    }
    // runUntilComplete(task), with Python's _run_until_complete_cb: a
    // KeyboardInterrupt or SystemExit of the task has left runForever()
    // already, so its done callback, still queued, must not stop the
    // loop's next run (the cleanup's).
    const stop = (f: Future<T>) => {
      if (!f.cancelled() && _isBaseError(f.exception())) return;
      loop.stop();
    };
    // Named as Python's, which the main task's repr shows: `cb=[_run_until_complete_cb()]`.
    Object.defineProperty(stop, "__qualname__", { value: "_run_until_complete_cb" });
    task.addDoneCallback(stop);
    try {
      try {
        await loop.runForever();
      } finally {
        task.removeDoneCallback(stop);
      }
      if (!task.done()) throw new RuntimeError("Event loop stopped before Future completed.");
      return task.result();
    } catch (e) {
      if (e instanceof CancelledError && interrupts > 0 && task.uncancel() === 0) {
        throw new KeyboardInterrupt();
      }
      // The task's own KeyboardInterrupt or SystemExit: the `stop` callback
      // still queued reads it in the cleanup, in Python; read here, before
      // the unread report below.
      if (_isBaseError(e) && task.done() && !task.cancelled()) task.exception();
      throw e;
    } finally {
      // Its own handler only, as Python's Runner: one added since replaced it.
      if (installed && sigLoop._removeRunnerHandler) sigLoop._removeRunnerHandler(SIGINT);
      else if (installed) sigLoop.removeSignalHandler!(SIGINT);
      // Where CPython frees the main coroutine's frame, and with it the
      // futures only its locals held: those with an unread exception are
      // reported now (a JS collector may never report them). A task still
      // pending (another task's KeyboardInterrupt left the loop) keeps its
      // frame until the cleanup cancels it.
      if (task.done()) _reportUnread(loop, { keepScheduled: true });
    }
  }

  /**
   * Cancels the tasks left, closes the loop. Idempotent. On a runner that
   * never made its loop it does nothing, as in Python: the runner can still
   * be used.
   */
  async close(): Promise<void> {
    if (this.#state !== "initialized") return;
    const loop = this.#loop!;
    try {
      await cancelAllTasks(loop);
      // Given as functions, each starts in its task's first step, as
      // Python's coroutines do: called here, their first segment (the
      // aclose() tasks, say) would run an iteration early, ahead of what
      // the tasks left by the cancellation do meanwhile.
      await loop.runUntilComplete(() => loop.shutdownAsyncgens());
      await loop.runUntilComplete(() => loop.shutdownDefaultExecutor(THREAD_JOIN_TIMEOUT));
    } finally {
      _reportUnread(loop);
      if (!this.#opts.loopFactory) setEventLoop(null);
      loop.close();
      this.#loop = null;
      this.#state = "closed";
    }
  }

  /**
   * `await using` support: closes the runner as the block ends. JS reads
   * this property where the block starts (the `await using` declaration):
   * the runner makes its loop then, and sets it as the current one, as
   * Python's `with Runner() as runner:` does on entry (`__enter__`); a
   * closed runner is a `RuntimeError` there.
   */
  get [Symbol.asyncDispose](): () => Promise<void> {
    if (this.#state !== "initialized") this.#lazyInit();
    return () => this.close();
  }

  /** Python's default repr: `<asyncio.runners.Runner object at 0x7f...>`. */
  toString(): string {
    return `<${objectHead(this)}>`;
  }
}

setPyModule("asyncio.runners", Runner);
printAsRepr(Runner);

async function cancelAllTasks(loop: AbstractEventLoop): Promise<void> {
  const toCancel = allTasks(loop);
  if (toCancel.size === 0) return;
  for (const t of toCancel) t.cancel();
  const all = loop.createFuture<void>();
  let left = toCancel.size;
  const one = () => {
    if (--left === 0 && !all.done()) all.setResult(undefined);
  };
  // Python gathers them: a task that shows itself while it is cancelled
  // shows that gather's callback.
  Object.defineProperty(one, "__qualname__", { value: "gather.<locals>._done_callback" });
  for (const t of toCancel) t.addDoneCallback(one);
  await loop.runUntilComplete(all as Future<void>);
  for (const t of toCancel) {
    if (t.cancelled()) continue;
    const exc = t.exception();
    if (exc !== null) {
      loop.callExceptionHandler({
        message: "unhandled exception during asyncio.run() shutdown",
        exception: exc,
        task: t,
      });
    }
  }
}

/**
 * Runs `main` on a new loop and returns its result; at the end cancels the
 * tasks left, shuts down async generators and closes the loop. A
 * `RuntimeError` when called from a running loop.
 *
 * @example
 * ```ts
 * import * as asyncio from "./mod.ts";
 * await asyncio.run(async () => {
 *   await asyncio.sleep(1);
 *   console.log("hello");
 * });
 * ```
 */
export async function run<T>(
  main: CoroutineLike<T>,
  opts: { debug?: boolean | null } = {},
): Promise<T> {
  // A misspelt key is Python's TypeError, raised before anything else.
  keywords("run", opts, ["debug"]);
  if (_getRunningLoop() !== null) {
    _dropRefused(main);
    throw new RuntimeError("asyncio.run() cannot be called from a running event loop");
  }
  const runner = new Runner({ debug: opts.debug });
  try {
    // Python's run() enters its Runner (making the loop) before Runner.run()
    // refuses what is not a coroutine: the close below then runs its two
    // shutdown steps as tasks, which use up two Task-N numbers, as in 3.11.
    if (!isCoroutineLike(main)) runner.getLoop();
    return await runner.run(main);
  } finally {
    await runner.close();
  }
}

export type { Task };
