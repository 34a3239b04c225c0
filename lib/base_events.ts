/**
 * `BaseEventLoop`: everything of the loop that is not I/O. The ready queue,
 * the timer heap, the run driver, error handling and debug mode. Subclasses
 * (`SelectorEventLoop`) supply the I/O hooks.
 *
 * How a run goes (see ARCHITECTURE.md): each iteration polls for I/O without
 * blocking when callbacks are ready, moves due timers to the ready queue and
 * runs the batch that was ready when the iteration began. A callback that
 * resumes JS code (it settles a native promise an `await` is parked on) is
 * followed by a short microtask drain, so that code runs to its next
 * suspension before the next callback, as a Python task step would. The host
 * gets a macrotask turn at least every few milliseconds of busy running and
 * whenever the loop has nothing to do; then the loop waits for its fds and
 * timers off the main thread.
 *
 * @module
 */
import { setImmediate } from "node:timers";
import process from "node:process";
import { sys } from "../ffi/mod.ts";
import {
  _getRunningLoop,
  AbstractEventLoop,
  type Callback,
  type ExceptionContext,
  type ExceptionHandler,
  Handle,
  type ReadyItem,
  type TaskFactory,
  type TaskOptions,
  TimerHandle,
} from "./events.ts";
import { _isBaseError, KeyboardInterrupt, RuntimeError } from "./exceptions.ts";
import {
  _exceptionContext,
  _markUnraisedArgument,
  _reportedOutsideExcept,
  _unraised,
  formatStack,
  logger,
} from "./log.ts";
import { listenSignal, SIGNALS } from "../ffi/signals.ts";
import { printAsRepr, pyRepr, pyTypeName } from "./format.ts";
import { inThread, loopStarted, running, suspensions, taskStorage } from "./running.ts";
import { RingQueue } from "./ring.ts";
import { takeContextOption } from "./contextvars.ts";
import {
  _dropRefused,
  _markCoroutineFunctions,
  iscoroutine,
  iscoroutinefunction,
  lazyMethods,
} from "./coroutines.ts";
import type { Executor } from "./executors.ts";
import * as executors from "./threads.ts";
import { _reportUnread, Future, type FutureLoop, isFuture } from "./futures.ts";
import {
  _releaseTasks,
  _standForOutsideCode,
  type CoroutineLike,
  ensureFuture,
  Task,
  TASK_KEYWORDS,
} from "./tasks.ts";
import { keywords } from "./keywords.ts";

/** Python's cap on one selector wait: a day. */
const MAXIMUM_SELECT_TIMEOUT = 24 * 3600;
/** Rebuild the timer heap when this many timers are scheduled and ... */
const MIN_SCHEDULED_TIMER_HANDLES = 100;
/** ... more than this fraction of them are cancelled. */
const MIN_CANCELLED_TIMER_HANDLES_FRACTION = 0.5;
/** Busy milliseconds between two host turns. */
const HOST_SLICE_MS = 4;
/**
 * Upper bound of microtask rounds after a callback that resumed JS code,
 * counted from the last non-suspending await of a loop object (see
 * `suspensions.progress`). Resumed code that reaches its next loop await in
 * fewer rounds (a few per nested async function) ends the drain early;
 * code still going after them (a long chain of plain async calls, or an
 * await of a host promise) is waited for with one host macrotask.
 */
const MAX_DRAIN_ROUNDS = 16;

/** A settled promise: awaiting it takes one microtask round. */
const SETTLED: Promise<void> = Promise.resolve();

const AsyncFunction = Object.getPrototypeOf(async function () {});
const AsyncGeneratorFunction = Object.getPrototypeOf(async function* () {});

/** Converts `performance.now()` to CLOCK_MONOTONIC seconds, like Python's `time.monotonic()`. */
let clockOffset: number | null = null;
function monotonic(): number {
  if (clockOffset === null) clockOffset = sys().monotonic() - performance.now() / 1000;
  return performance.now() / 1000 + clockOffset;
}

/** Python's default SIGINT handler, run as a callback of the loop. */
function raiseKeyboardInterrupt(): never {
  throw new KeyboardInterrupt();
}

/** `method` bound to `self`, with the `__qualname__` that `formatCallback` prints for it. */
function boundAs<F extends (...args: never[]) => unknown>(
  method: F,
  self: object,
  qualname: string,
): F {
  const bound = method.bind(self) as F;
  Object.defineProperty(bound, "__qualname__", { value: qualname });
  // A bound async method keeps what `iscoroutinefunction` says of the
  // method (`run_until_complete` is a plain def in Python).
  _markCoroutineFunctions(iscoroutinefunction(method), [bound]);
  return bound;
}

function yieldToHost(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * Resolves at the next suspension, or once the microtasks have run out
 * (the code went on to await a host promise): then a host macrotask runs.
 */
function untilSuspended(): Promise<void> {
  return new Promise<void>((resolve) => {
    suspensions.wake = resolve;
    // Unconditional: another loop's drain may have taken the slot since.
    setImmediate(() => {
      if (suspensions.wake === resolve) suspensions.wake = null;
      resolve();
    });
  });
}

function envDebug(): boolean {
  const env = process.env;
  return !!(env.ASYNCIO_DEBUG || env.PYTHONASYNCIODEBUG);
}

/** Loops not closed yet, for {@link reportAtExit}. */
const unclosedLoops = new Set<WeakRef<BaseEventLoop>>();
let exitHooked = false;

/**
 * At exit, a loop left open (not running) reports what Python reports when
 * the interpreter frees it at shutdown: exceptions never retrieved, then
 * tasks destroyed while pending. A JS runtime frees nothing at exit, so
 * nothing else would.
 */
function reportAtExit(): void {
  for (const ref of unclosedLoops) {
    const loop = ref.deref();
    if (loop === undefined || loop._closed || loop.isRunning()) continue;
    _reportUnread(loop);
    _releaseTasks(loop);
  }
}

/** Tracks `loop` until it is closed; returns what `close()` untracks. */
function trackUnclosed(loop: BaseEventLoop): WeakRef<BaseEventLoop> {
  if (!exitHooked) {
    exitHooked = true;
    process.on("exit", reportAtExit);
  }
  // Loops collected without a close() leave a dead reference: swept now and then.
  if (unclosedLoops.size >= 64 && (unclosedLoops.size & 63) === 0) {
    for (const r of unclosedLoops) if (r.deref() === undefined) unclosedLoops.delete(r);
  }
  const ref = new WeakRef(loop);
  unclosedLoops.add(ref);
  return ref;
}

/**
 * Debug mode's check that a callback is callable. Outside debug mode Python
 * 3.11 takes any object: calling it fails when its turn comes, reported by
 * the exception handler (`Exception in callback 5()`), as `Handle._run` does.
 */
function checkCallable(callback: unknown, method: string): void {
  if (typeof callback !== "function") {
    throw new TypeError(`a callable object was expected by ${method}(), got ${pyRepr(callback)}`);
  }
}

/**
 * Debug mode also refuses async functions, whose promise the loop would drop
 * (Python's check). As in Python, coroutines come first: a coroutine object
 * (a lazy `Coroutine`, a promise) and a `coroutine(fn)` function are refused
 * by that name, not as "not callable".
 */
function checkCallback(callback: unknown, method: string): void {
  if (iscoroutine(callback) || iscoroutinefunction(callback)) {
    throw new TypeError(`coroutines cannot be used with ${method}()`);
  }
  checkCallable(callback, method);
  const proto = Object.getPrototypeOf(callback);
  if (proto === AsyncFunction || proto === AsyncGeneratorFunction) {
    throw new TypeError(`coroutines cannot be used with ${method}()`);
  }
}

/**
 * What `createTask` hands a task factory: Python 3.11 calls it as
 * `factory(loop, coro)`, or `factory(loop, coro, context=ctx)` when a context
 * was given, and names the task afterwards, so a factory that forwards its
 * keywords (`Task(coro, loop=loop, **kwargs)`) makes an unnamed `Task-N`
 * first. 3.12's eager factory (marked `_takesName`) is handed the name, as
 * 3.12 does: its first step runs at once, under it.
 */
function factoryOptions(
  factory: TaskFactory,
  opts: TaskOptions | undefined,
): TaskOptions | undefined {
  if (opts?.name == null || (factory as { _takesName?: boolean })._takesName === true) return opts;
  let rest: TaskOptions | undefined;
  if (opts.context != null) (rest ??= {}).context = opts.context;
  if (opts.signal !== undefined) (rest ??= {}).signal = opts.signal;
  return rest;
}

// The timer heap is Python's heapq, step for step, ordered by `_when` alone
// (TimerHandle.__lt__): timers due at the same instant then run in the order
// CPython runs them, which is not the order they were scheduled in.

/** `heapq._siftdown`: moves `heap[pos]` up toward `start` while it is less than its parent. */
function siftDown(heap: TimerHandle[], start: number, pos: number): void {
  const item = heap[pos];
  while (pos > start) {
    const parent = (pos - 1) >> 1;
    const p = heap[parent];
    if (!(item._when < p._when)) break;
    heap[pos] = p;
    pos = parent;
  }
  heap[pos] = item;
}

/** `heapq._siftup`: moves the smaller child up until `heap[pos]` reaches a leaf, then sifts it back. */
function siftUp(heap: TimerHandle[], pos: number): void {
  const end = heap.length;
  const start = pos;
  const item = heap[pos];
  let child = 2 * pos + 1;
  while (child < end) {
    const right = child + 1;
    if (right < end && !(heap[child]._when < heap[right]._when)) child = right;
    heap[pos] = heap[child];
    pos = child;
    child = 2 * pos + 1;
  }
  heap[pos] = item;
  siftDown(heap, start, pos);
}

function heapPush(heap: TimerHandle[], h: TimerHandle): void {
  heap.push(h);
  siftDown(heap, 0, heap.length - 1);
}

function heapPop(heap: TimerHandle[]): TimerHandle {
  const last = heap.pop()!;
  if (heap.length === 0) return last;
  const top = heap[0];
  heap[0] = last;
  siftUp(heap, 0);
  return top;
}

function heapify(heap: TimerHandle[]): void {
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftUp(heap, i);
}

// -- async generators --------------------------------------------------------
// Python's loop hears of every async generator first iterated while it runs
// (`sys.set_asyncgen_hooks`), so that `shutdown_asyncgens()` (called by
// `asyncio.run()` on its way out) can `aclose()` the ones left suspended at a
// `yield`: their `finally` blocks run before `run()` returns. JS has no such
// hook: %AsyncGeneratorPrototype%.next is wrapped instead, once, when the
// first loop is made. The cost is one property read per `next()`, and a
// WeakRef per generator first iterated inside a loop (about 2 µs; Python's
// hook costs it a call and a WeakSet entry too), so that one abandoned
// mid-way is not kept alive until the loop shuts down.

/**
 * On a generator whose `next()` was called: null when no loop was running
 * then (untracked); else the promise of its last `next()`, `return()` or
 * `throw()` while the generator runs (Python's `ag_running`), and SETTLED
 * once that has settled, FINISHED once the generator has finished.
 */
const LAST_NEXT = Symbol("asyncio.lastNext");
/** LAST_NEXT of a generator that returned, threw or was closed: settled too. */
const FINISHED: Promise<void> = Promise.resolve();
type TrackedAsyncgen = AsyncGenerator & { [LAST_NEXT]?: Promise<unknown> | null };
let asyncgenHookInstalled = false;

function installAsyncgenHook(): void {
  if (asyncgenHookInstalled) return;
  asyncgenHookInstalled = true;
  const proto = Object.getPrototypeOf(async function* () {}).prototype;
  // Python refuses to resume a generator that is running (between an
  // `anext()` and its `yield`): two tasks sharing one in `async for`, the
  // second gets `RuntimeError: anext(): asynchronous generator is already
  // running`, where JS would queue its `next()` behind the first. Tracked
  // generators (the loop's) refuse it as Python's do.
  const wrap = (key: "next" | "return" | "throw", pyName: string) => {
    const orig = proto[key] as (this: AsyncGenerator, value?: unknown) => Promise<unknown>;
    const wrapper = {
      [key](this: TrackedAsyncgen, value?: unknown): Promise<unknown> {
        if (typeof this !== "object" || this === null) return orig.call(this, value);
        let last = this[LAST_NEXT];
        if (last === undefined) {
          if (key !== "next") return orig.call(this, value);
          // Python's `asend(v)` of a generator not started yet refuses `v`
          // (JS would drop it): checked once, at the first `next()`, and
          // only while a loop runs, so code foreign to asyncio is left alone.
          if (value !== undefined && value !== null && running.loops.length > 0) {
            return Promise.reject(
              new TypeError("can't send non-None value to a just-started async generator"),
            );
          }
          last = asyncgenFirstIter(this);
        }
        if (last === null) return orig.call(this, value);
        if (last === FINISHED) {
          // Python's `athrow()` of a finished generator returns None where
          // JS's `throw()` rejects with the error.
          if (key === "throw") return Promise.resolve({ value: undefined, done: true });
        } else if (last !== SETTLED) {
          return Promise.reject(
            new RuntimeError(`${pyName}(): asynchronous generator is already running`),
          );
        }
        const p = orig.call(this, value);
        this[LAST_NEXT] = p;
        // Registered before the caller's await: the generator is not
        // running any more by the time the caller resumes. One function for
        // both outcomes: a rejection (never `{done: false}`) finishes it too.
        const settle = (r: unknown) => {
          this[LAST_NEXT] = (r as IteratorResult<unknown> | null)?.done === false
            ? SETTLED
            : FINISHED;
        };
        p.then(settle, settle);
        // Python's `aclose()` of a generator that yields again (from its
        // `finally`) raises, where JS's `return()` hands the value over and
        // leaves it suspended at that yield (as Python leaves it too).
        if (key === "return") return p.then(ignoredGeneratorExit);
        return p;
      },
    };
    Object.defineProperty(proto, key, {
      value: wrapper[key],
      writable: true,
      configurable: true,
      enumerable: false,
    });
  };
  wrap("next", "anext");
  wrap("return", "aclose");
  wrap("throw", "athrow");
}

/** A tracked generator's `return()` result: Python's `aclose()` error if it yielded again. */
function ignoredGeneratorExit(r: unknown): unknown {
  if ((r as IteratorResult<unknown> | null)?.done === false) {
    throw new RuntimeError("async generator ignored GeneratorExit");
  }
  return r;
}

/** Python's `_asyncgen_firstiter_hook`: the running loop, if any, tracks `gen`. */
function asyncgenFirstIter(gen: TrackedAsyncgen): Promise<unknown> | null {
  // Python's hooks are the thread's: with one loop running, it is that one
  // (and asking the task's async context costs more than the rest).
  const loops = running.loops;
  const loop = loops.length === 1 ? loops[0] : _getRunningLoop();
  if (!(loop instanceof BaseEventLoop) || loop._closed) return gen[LAST_NEXT] = null;
  loop._trackAsyncgen(gen);
  return gen[LAST_NEXT] = SETTLED;
}

/** Whether `p` has settled: its reaction, if it has, runs before this await resumes. */
async function isSettled(p: Promise<unknown>): Promise<boolean> {
  let settled = false;
  const mark = () => {
    settled = true;
  };
  p.then(mark, mark);
  await SETTLED;
  return settled;
}

/** Python's `agen.aclose()`, with its two errors. */
async function acloseAsyncgen(gen: TrackedAsyncgen): Promise<void> {
  const last = gen[LAST_NEXT];
  if (last && !(await isSettled(last))) {
    throw new RuntimeError("aclose(): asynchronous generator is already running");
  }
  const r = await gen.return(undefined);
  if (!r.done) throw new RuntimeError("async generator ignored GeneratorExit");
}

/**
 * The loop machinery that does not touch I/O. Not for direct use: make a
 * `SelectorEventLoop` (or call `newEventLoop()`).
 *
 * @example
 * ```ts
 * const loop = asyncio.newEventLoop();
 * loop.callSoon(() => loop.stop());
 * await loop.runForever();
 * loop.close();
 * ```
 */
export abstract class BaseEventLoop extends AbstractEventLoop {
  /** @internal Callbacks ready to run, FIFO. */
  _ready: RingQueue<ReadyItem> = new RingQueue<ReadyItem>(1024);
  /**
   * @internal Run once the loop is about to block (nothing ready): where
   * CPython hears from a helper thread only then, as its child watcher's
   * thread gets the GIL once the loop waits in select().
   */
  _whenIdle: Array<() => void> = [];
  /** @internal Runs (and forgets) the `_whenIdle` callbacks. */
  _runWhenIdle(): void {
    const idle = this._whenIdle;
    this._whenIdle = [];
    for (const cb of idle) cb();
  }
  /** @internal How many of `_ready` belong to the batch being run (the rest came later). */
  #batchLeft = 0;
  /** Debug mode: the first step that resumed code since the last drain, and when it started. */
  #timedStep: ReadyItem | null = null;
  #timedStart = 0;
  /** Whose code the step that ended the last `#runBatch()` resumed. */
  #woken: object | null = null;
  /**
   * A task whose wake-up, in this batch, resumed no code up to a
   * suspension (a `Promise.all` element's): its further wake-ups in a row
   * share one drain. Wake-ups that do resume code are drained one by one:
   * they may be separate chains of one task (`gather(w(1), w(2))` of
   * promises, which Python runs as tasks), each of which must run to its
   * suspension before the next starts, as Python's task steps do.
   */
  #idleOwner: object | null = null;
  /** @internal The timer heap: heapq order, by `_when` alone, as in Python. */
  _scheduled: TimerHandle[] = [];
  #timerCancelledCount = 0;
  /** @internal */
  _stopping = false;
  /** @internal */
  _closed = false;
  #running = false;
  /** Ends the current run's KeyboardInterrupt listener (see `#listenSigint`). */
  #unlistenSigint: (() => void) | null = null;
  #debug: boolean;
  /** What `setDebug()` was given when not a boolean (`0`, `"yes"`): Python's getDebug() returns it. */
  #debugGiven: { value: unknown } | null = null;
  #exceptionHandler: ExceptionHandler | null = null;
  #taskFactory: TaskFactory | null = null;
  /** @internal The handle whose callback is running. */
  _currentHandle: ReadyItem | null = null;
  /**
   * @internal True while the loop waits for I/O off the main thread; then a
   * callback scheduled from a host callback must wake it.
   */
  _waiting = false;
  /** @internal Clock resolution: timers due within it run now. */
  _clockResolution = 1e-9;
  /** Async generators first iterated while this loop ran (Python's `_asyncgens` WeakSet). */
  #asyncgens: Set<WeakRef<AsyncGenerator>> | null = null;
  /** Size at which `#asyncgens` is next swept of collected generators. */
  #asyncgensSweepAt = 64;
  /** This loop among those not closed yet (see `reportAtExit`). */
  #unclosedRef: WeakRef<BaseEventLoop>;

  constructor() {
    super();
    this.#debug = envDebug();
    this.#unclosedRef = trackUnclosed(this);
    installAsyncgenHook();
    // Python passes bound methods as callbacks (`call_later(1, loop.stop)`,
    // `add_signal_handler(SIGINT, loop.stop)`); a JS method passed alone
    // loses its object, and an unbound stop() would never stop the loop.
    // Bound here, so the most derived override is the one bound.
    // Named as Python's bound methods print in a handle's repr:
    // `<Handle BaseEventLoop.stop()>`, not `bound stop()`.
    this.stop = boundAs(this.stop, this, "BaseEventLoop.stop");
    this.close = boundAs(this.close, this, "_UnixSelectorEventLoop.close");
    // Scheduling through the loop from a callback is as common:
    // `call_soon_threadsafe(loop.create_task, coro())`,
    // `call_later(1, loop.create_task, coro())`, `call_soon(loop.call_later, ...)`.
    // Own properties, so a call costs a load, not a getter (hot path).
    this.callSoon = boundAs(this.callSoon, this, "BaseEventLoop.call_soon");
    this.callLater = boundAs(this.callLater, this, "BaseEventLoop.call_later");
    this.callAt = boundAs(this.callAt, this, "BaseEventLoop.call_at");
    this.callSoonThreadsafe = boundAs(
      this.callSoonThreadsafe,
      this,
      "BaseEventLoop.call_soon_threadsafe",
    );
    this.createTask = boundAs(this.createTask, this, "BaseEventLoop.create_task");
    // And the run methods (`Thread(target=loop.run_forever)`); passed to
    // the running loop itself they fail as Python's do ("This event loop
    // is already running", reported by the exception handler).
    this.runForever = boundAs(this.runForever, this, "BaseEventLoop.run_forever");
    this.runUntilComplete = boundAs(
      this.runUntilComplete,
      this,
      "BaseEventLoop.run_until_complete",
    );
  }

  // -- I/O hooks for subclasses --------------------------------------------

  /** @internal Polls I/O without blocking; queues the ready callbacks; returns how many fds were ready. */
  protected abstract _pollIo(): number;
  /** @internal Whether any fd other than the loop's own is watched. */
  protected abstract _hasIo(): boolean;
  /**
   * @internal Waits up to `timeout` seconds (null: no limit) for I/O and
   * queues the ready callbacks. Ends early when {@link _wakeUp} is called.
   */
  protected abstract _waitIo(timeout: number | null): Promise<void> | void;
  /** @internal Ends a wait in progress (a callback arrived from outside). */
  protected abstract _wakeUp(): void;
  /** @internal Ends any off-thread wait; resolves once it has returned. */
  protected abstract _quiesce(): Promise<void> | void;

  // -- running -------------------------------------------------------------

  /** Runs until `stop()` is called. Resolves when the loop stops. */
  override async runForever(): Promise<void> {
    this.#checkClosed();
    this.#checkRunning();
    this.#running = true;
    running.loops.push(this);
    loopStarted();
    this.#unlistenSigint = this.#listenSigint();
    try {
      await this.#drive();
    } finally {
      this.#unlistenSigint?.();
      this.#unlistenSigint = null;
      // An off-thread poll ended by a wake-up may still be returning: let it,
      // so that no FFI call outlives the run and close() can close at once.
      const settling = this._quiesce();
      if (settling !== undefined) await settling;
      this._stopping = false;
      this.#running = false;
      // A KeyboardInterrupt out of a callback left the batch mid-way.
      this._currentHandle = null;
      this.#timedStep = null;
      const i = running.loops.indexOf(this);
      if (i >= 0) running.loops.splice(i, 1);
      if (running.loop === this) running.loop = null;
    }
  }

  /**
   * Python's default SIGINT handler raises KeyboardInterrupt in the main
   * thread, out of `run_forever()`: while this loop runs, with no handler of
   * its own for SIGINT (`addSignalHandler`, `run()`'s) and no host listener,
   * SIGINT makes the loop raise it rather than end the process. Not in a
   * loop that another thread runs in Python: a Worker's, or one run by a
   * function an executor runs here in a thread's stead.
   */
  #listenSigint(): (() => void) | null {
    if (inThread() || process.listenerCount?.("SIGINT") > 0) return null;
    const own = (this as { hasSignalHandler?: (sig: number) => boolean }).hasSignalHandler;
    if (own === undefined || own.call(this, SIGNALS.SIGINT)) return null;
    return listenSignal(SIGNALS.SIGINT, () => {
      if (!this._closed) this.callSoonThreadsafe(raiseKeyboardInterrupt);
    });
  }

  /**
   * @internal The loop's own SIGINT handler was added or removed while it
   * runs: SIGINT goes to the handler added, and with none left raises
   * KeyboardInterrupt again, as Python's `remove_signal_handler(SIGINT)`
   * restores `signal.default_int_handler`.
   */
  _sigintHandlerChanged(): void {
    if (!this.#running) return;
    this.#unlistenSigint?.();
    this.#unlistenSigint = this.#listenSigint();
  }

  async #drive(): Promise<void> {
    let lastHostTurn = performance.now();
    let iterations = 0;
    // Whose code the last step resumed. Out here, not in the loop below, so
    // that it is cleared before a wait: a suspended async function keeps
    // its stale locals, which would keep an ended task from being collected.
    let woken: object | null = null;
    for (;;) {
      running.loop = this;
      let timeout = this.#selectTimeout();
      if (timeout !== 0 && this._whenIdle.length) {
        this._runWhenIdle();
        timeout = this.#selectTimeout();
      }
      if (timeout !== 0) {
        running.loop = null;
        // Nothing of the last batch is needed now: a task that ended there
        // can be collected while the loop waits (futures.ts reports an
        // exception nobody read once its future is collected).
        this.#woken = this.#idleOwner = woken = null;
        const waiting = this._waitIo(timeout);
        if (waiting !== undefined) {
          await waiting;
          lastHostTurn = performance.now();
        }
        running.loop = this;
      } else if (this._hasIo()) {
        // Every iteration, as CPython's and uvloop's loops do: I/O that is
        // ready runs in the same iteration as there, between the same
        // callbacks (a poll every few iterations saved a syscall each time
        // but moved reads later than CPython's, which ported code could see).
        // With no fd watched there is nothing to poll for.
        this._pollIo();
      }
      if (this._scheduled.length) this.#collectTimers();
      this.#batchLeft = this._ready.length;
      this.#idleOwner = null;
      while (this.#runBatch()) {
        // A step that ended its task (a coroutine that returned or threw
        // without awaiting, a task cancelled before it started) left no code
        // to run; the rounds below would wait for a suspension that already
        // happened, all MAX_DRAIN_ROUNDS of them.
        woken = this.#woken;
        if (woken instanceof Future && woken._state !== 0) {
          if (this.#timedStep !== null) this.#reportStep();
          continue;
        }
        // A callback resumed JS code: let it run to its next suspension
        // (bounded: it may be waiting for a host promise instead).
        const start = suspensions.count;
        const progress = suspensions.progress;
        running.context = null;
        running.loop = null;
        for (let i = 0; i < MAX_DRAIN_ROUNDS && suspensions.count === start; i++) {
          // One microtask round, as `await null` would take, without making
          // a promise for it (on Node, each one also runs the promise hooks).
          await SETTLED;
          if (suspensions.progress !== progress) {
            // An await that Python would not suspend on (a free lock, a done
            // future): the step goes on, maybe for long (a loop of them).
            // Rather than tick beside it, wait for its suspension.
            if (suspensions.count === start) await untilSuspended();
            break;
          }
        }
        // The rounds ran out with the code still going: a long chain of
        // plain async calls that never touch a loop object (a recursive
        // `await fib(n - 1)`), which a Python step runs to its end, or an
        // await of a host promise. Wait for the suspension, or for the
        // microtasks to run out (the host promise): one host macrotask then.
        if (suspensions.count === start && suspensions.progress === progress) {
          await untilSuspended();
        }
        this.#idleOwner = suspensions.count === start && suspensions.progress === progress
          ? woken
          : null;
        running.loop = this;
        if (this.#timedStep !== null) this.#reportStep();
      }
      if (this._stopping) break;
      if ((++iterations & 255) === 0 && performance.now() - lastHostTurn > HOST_SLICE_MS) {
        running.loop = null;
        await yieldToHost();
        lastHostTurn = performance.now();
      }
    }
  }

  /** 0 when callbacks are ready; else seconds to the next timer, or null. */
  #selectTimeout(): number | null {
    if (this._scheduled.length) this.#pruneTimers();
    if (this._ready.length || this._stopping) return 0;
    const heap = this._scheduled;
    if (!heap.length) return null;
    const t = heap[0]._when - this.time();
    // Python's `min(max(0, t), ...)`: a NaN time (a NaN delay) is 0 too.
    return t > 0 ? Math.min(t, MAXIMUM_SELECT_TIMEOUT) : 0;
  }

  /**
   * Drops cancelled timers as Python's `_run_once` does at the start of each
   * iteration: the whole heap rebuilt when most of it is cancelled, else
   * the cancelled ones at its head. The same heap operations in the same
   * order keep timers due at the same instant in CPython's order.
   */
  #pruneTimers(): void {
    const heap = this._scheduled;
    if (
      heap.length > MIN_SCHEDULED_TIMER_HANDLES &&
      this.#timerCancelledCount / heap.length > MIN_CANCELLED_TIMER_HANDLES_FRACTION
    ) {
      let kept = 0;
      for (const h of heap) {
        if (h._cancelled) h._scheduled = false;
        else heap[kept++] = h;
      }
      heap.length = kept;
      heapify(heap);
      this.#timerCancelledCount = 0;
      return;
    }
    while (heap.length && heap[0]._cancelled) {
      heapPop(heap)._scheduled = false;
      this.#timerCancelledCount--;
    }
  }

  #collectTimers(): void {
    const heap = this._scheduled;
    const end = this.time() + this._clockResolution;
    // Python's `if handle._when >= end_time: break`, so a NaN time (which
    // heapq leaves wherever its compares put it) runs once it reaches the top.
    while (heap.length && !(heap[0]._when >= end)) {
      const h = heapPop(heap);
      h._scheduled = false;
      // Not counted down, as in Python, whose count then runs ahead and
      // rebuilds the heap a little early: the same rebuilds, the same order.
      if (!h._cancelled) this._ready.push(h);
    }
  }

  /**
   * Runs the rest of the batch. Returns true when it stopped early because a
   * callback resumed JS code that must run before the next callback. Wake-ups
   * of one task in a row (its Promise.all, say) need no drain between them:
   * that task's code cannot run in between in Python either.
   */
  #runBatch(): boolean {
    const ready = this._ready;
    const debug = this.#debug;
    while (this.#batchLeft > 0) {
      this.#batchLeft--;
      const h = ready.shift()!;
      if (h._cancelled) continue;
      this._currentHandle = h;
      if (debug) this.#runTimed(h);
      else h._run();
      this._currentHandle = null;
      if (h._wakes) {
        const owner = h._wakeOwner;
        this.#woken = owner;
        if (owner === null || this.#batchLeft === 0) return true;
        const next = ready.peek()!;
        if (!next._wakes || next._wakeOwner !== owner || owner !== this.#idleOwner) return true;
      }
    }
    return false;
  }

  #runTimed(h: ReadyItem): void {
    const t0 = this.time();
    h._run();
    if (h._wakes) {
      // It resumed JS code, which runs on in microtasks: timed up to its
      // next suspension, after the drain (#reportStep).
      if (this.#timedStep === null) {
        this.#timedStep = h;
        this.#timedStart = t0;
      }
      return;
    }
    const dt = this.time() - t0;
    if (dt >= this.slowCallbackDuration) {
      // A transport run as its own reader is named as the Handle Python runs.
      const what = h._handleRepr ? h._handleRepr() : String(h);
      logger.warning(`Executing ${what} took ${dt.toFixed(3)} seconds`);
    }
  }

  /**
   * Debug mode: the slow-callback warning for a step that resumed code,
   * timed until that code suspended again; a task's step prints as the task
   * (its state after the step), as Python's `_format_handle` does.
   */
  #reportStep(): void {
    const h = this.#timedStep!;
    this.#timedStep = null;
    const dt = this.time() - this.#timedStart;
    if (dt >= this.slowCallbackDuration) {
      const owner = h._wakeOwner;
      const what = owner instanceof Future ? String(owner) : String(h);
      logger.warning(`Executing ${what} took ${dt.toFixed(3)} seconds`);
    }
  }

  /** Runs until `future` is done; resolves to its result or rejects with its exception. */
  override async runUntilComplete<T>(future: CoroutineLike<T>): Promise<T> {
    try {
      this.#checkClosed();
      this.#checkRunning();
    } catch (e) {
      _dropRefused(future);
      throw e;
    }
    const newTask = !isFuture(future);
    const fut = ensureFuture(future as PromiseLike<T>, this) as Future<T>;
    if (newTask && fut instanceof Task) {
      fut._logDestroyPending = false;
      _standForOutsideCode(fut);
    }
    // Python's _run_until_complete_cb (bpo-22429): a KeyboardInterrupt or
    // SystemExit of the future left runForever() already; this callback,
    // still queued, must not stop the loop's next run.
    const done = (f: Future<unknown>) => {
      if (!f.cancelled() && _isBaseError(f.exception())) return;
      this.stop();
    };
    // Named as Python's, which the future's repr shows: `cb=[_run_until_complete_cb()]`.
    Object.defineProperty(done, "__qualname__", { value: "_run_until_complete_cb" });
    fut.addDoneCallback(done);
    try {
      await this.runForever();
    } catch (e) {
      if (newTask && fut.done() && !fut.cancelled()) fut.exception();
      throw e;
    } finally {
      fut.removeDoneCallback(done);
    }
    if (!fut.done()) throw new RuntimeError("Event loop stopped before Future completed.");
    return fut.result();
  }

  /** Stops the loop once the current batch of callbacks has run. */
  override stop(): void {
    this._stopping = true;
    if (this._waiting) this._wakeUp();
  }

  /** @internal Whether callbacks or timers wait to run. */
  _hasPendingWork(): boolean {
    return this._ready.length > 0 || this._scheduled.length > 0;
  }

  /** Whether `runForever` is in progress. */
  override isRunning(): boolean {
    return this.#running;
  }

  /** Whether `close()` was called. */
  override isClosed(): boolean {
    return this._closed;
  }

  /**
   * Closes the loop: pending callbacks are dropped. Idempotent; a
   * `RuntimeError` while running.
   */
  override close(): void {
    if (this.#running) throw new RuntimeError("Cannot close a running event loop");
    if (this._closed) return;
    if (this.#debug) logger.debug(`Close ${this}`);
    this._closed = true;
    unclosedLoops.delete(this.#unclosedRef);
    executors.closeDefaultExecutor(this);
    // Callbacks that never ran are dropped; one holding a resource (an
    // accepted socket waiting for its protocol) frees it.
    for (let h = this._ready.shift(); h !== undefined; h = this._ready.shift()) {
      if (h._dropped !== undefined && !h._cancelled) h._dropped();
    }
    this.#batchLeft = 0;
    // Exceptions never read: reported now, as CPython reports them at exit
    // at the latest (a JS collector may never collect their futures).
    _reportUnread(this);
    // Tasks that never ran lose their last strong reference with the queue.
    _releaseTasks(this);
    for (const h of this._scheduled) h._scheduled = false;
    this._scheduled.length = 0;
    this.#timerCancelledCount = 0;
  }

  /** @internal Tracks an async generator first iterated while this loop runs. */
  _trackAsyncgen(gen: AsyncGenerator): void {
    const gens = this.#asyncgens ??= new Set();
    gens.add(new WeakRef(gen));
    if (gens.size < this.#asyncgensSweepAt) return;
    // Amortized: generators collected since the last sweep are dropped.
    for (const ref of gens) if (ref.deref() === undefined) gens.delete(ref);
    this.#asyncgensSweepAt = Math.max(64, gens.size * 2);
  }

  /**
   * Closes the async generators first iterated while this loop ran that are
   * still alive, each in a task, as Python's `aclose()`: those suspended at
   * a `yield` run their `finally` blocks. A failure is reported to the
   * exception handler with the key `asyncgen`. Resolves to null, as
   * Python's resolves to None.
   */
  override async shutdownAsyncgens(): Promise<null> {
    await this.#closeAsyncgens();
    return null;
  }

  async #closeAsyncgens(): Promise<void> {
    const refs = this.#asyncgens;
    this.#asyncgens = null;
    if (refs === null) return;
    const gens: AsyncGenerator[] = [];
    for (const ref of refs) {
      const gen = ref.deref();
      if (gen !== undefined) gens.push(gen);
    }
    if (gens.length === 0) return;
    const closing = gens.map((gen) => this.createTask(() => acloseAsyncgen(gen)));
    // Waited as Python's gather() waits: each task's done callback, then
    // the outer future's, each a loop iteration, so that the tasks still
    // running meanwhile take as many steps as in Python before the loop
    // closes (a promise of them would resume this in the same iteration).
    const all = this.createFuture<void>();
    let left = closing.length;
    const one = () => {
      if (--left === 0 && !all.done()) all.setResult(undefined);
    };
    Object.defineProperty(one, "__qualname__", { value: "gather.<locals>._done_callback" });
    for (const t of closing) t.addDoneCallback(one);
    await all;
    closing.forEach((t, i) => {
      const exc = t.cancelled() ? null : t.exception();
      // As Python's `isinstance(result, Exception)`: not the BaseExceptions.
      if (exc === null || _isBaseError(exc)) return;
      this.callExceptionHandler({
        message: `an error occurred during closing of asynchronous generator ${pyRepr(gens[i])}`,
        exception: exc,
        asyncgen: gens[i],
      });
    });
  }

  #checkClosed(): void {
    if (this._closed) throw new RuntimeError("Event loop is closed");
  }

  #checkRunning(): void {
    if (this.#running) throw new RuntimeError("This event loop is already running");
    // Python forbids this from inside another loop's thread; here, from inside
    // another running loop's callback or task.
    const task = taskStorage.getStore();
    if (running.loop !== null || (task !== undefined && running.loops.includes(task._loop))) {
      throw new RuntimeError("Cannot run the event loop while another loop is running");
    }
  }

  /**
   * In debug mode, a loop must not be driven from another running loop's
   * callbacks, nor from a function an executor runs on the main thread in a
   * thread's stead (`running.thread`, no loop callback on the stack): that
   * is another thread in Python.
   */
  #checkThread(): void {
    const cur = running.loop;
    const elsewhere = cur === null
      ? running.thread > 0
      : cur !== this && _getRunningLoop() !== this;
    if (elsewhere && this.#running) {
      throw new RuntimeError(
        "Non-thread-safe operation invoked on an event loop other than the current one",
      );
    }
  }

  // -- scheduling ----------------------------------------------------------

  /**
   * Schedules `callback(...args)` for the next iteration, FIFO. A final
   * `{ context }` runs it in that Context (Python's `context=`).
   */
  override callSoon(callback: Callback, ...args: unknown[]): Handle {
    this.#checkClosed();
    if (this.#debug) {
      this.#checkThread();
      checkCallback(callback, "call_soon");
    }
    const context = takeContextOption(args);
    const h = new Handle(callback, args.length ? args : null, this, context);
    this._ready.push(h);
    if (this._waiting) this._wakeUp();
    return h;
  }

  /** @internal Queues a handle made elsewhere (futures' done callbacks, I/O). */
  override _addHandle(h: ReadyItem): void {
    this._ready.push(h);
    if (this._waiting) this._wakeUp();
  }

  /** @internal Queues `h` before everything already queued (a BaseException raised out of a task). */
  _addHandleFirst(h: ReadyItem): void {
    this._ready.unshift(h);
    if (this._waiting) this._wakeUp();
  }

  /**
   * Like `callSoon`; safe from host callbacks (signal listeners, host I/O,
   * a Worker's message handler) while the loop waits: it wakes the loop.
   */
  override callSoonThreadsafe(callback: Callback, ...args: unknown[]): Handle {
    this.#checkClosed();
    if (this.#debug) checkCallback(callback, "call_soon_threadsafe");
    const context = takeContextOption(args);
    const h = new Handle(callback, args.length ? args : null, this, context);
    this._ready.push(h);
    if (this._waiting) this._wakeUp();
    return h;
  }

  /** Schedules `callback(...args)` after `delay` seconds. */
  override callLater(delay: number, callback: Callback, ...args: unknown[]): TimerHandle {
    if (typeof delay !== "number") {
      // Python's messages: its call_later checks None, then adds to the time,
      // where a bool is an int. NaN passes, as in Python (see #collectTimers).
      if (delay === null || delay === undefined) throw new TypeError("delay must not be None");
      if (typeof delay !== "boolean") {
        throw new TypeError(
          `unsupported operand type(s) for +: 'float' and '${pyTypeName(delay)}'`,
        );
      }
      delay = +delay;
    }
    // Python's call_later goes through call_at, whose name its checks give.
    return this.#schedule(this.time() + delay, callback, args, "call_at");
  }

  /** Schedules `callback(...args)` at loop time `when`. */
  override callAt(when: number, callback: Callback, ...args: unknown[]): TimerHandle {
    if (typeof when !== "number") {
      if (when === null || when === undefined) throw new TypeError("when cannot be None");
      if (typeof when !== "boolean") {
        // Python's message: pushing the TimerHandle compares it with the loop's timers.
        throw new TypeError(
          `'<' not supported between instances of '${pyTypeName(when)}' and 'float'`,
        );
      }
      // A bool is an int to Python (its repr stays `when=True` there).
      when = +when;
    }
    return this.#schedule(when, callback, args, "call_at");
  }

  #schedule(when: number, callback: Callback, args: unknown[], method: string): TimerHandle {
    this.#checkClosed();
    if (this.#debug) {
      this.#checkThread();
      checkCallback(callback, method);
    }
    // A final `{ context }` is Python's `context=` (callLater and callAt).
    const context = takeContextOption(args);
    const h = new TimerHandle(when, callback, args.length ? args : null, this, context);
    heapPush(this._scheduled, h);
    h._scheduled = true;
    if (this._waiting) this._wakeUp();
    return h;
  }

  /** @internal Called by `TimerHandle.cancel()`. */
  _timerHandleCancelled(h: TimerHandle): void {
    if (h._scheduled) this.#timerCancelledCount++;
  }

  /** The loop's clock: monotonic seconds (CLOCK_MONOTONIC, like Python's). */
  override time(): number {
    return monotonic();
  }

  /** A new Future bound to this loop. */
  override createFuture<T = unknown>(): Future<T> {
    return new Future<T>(this.#taskOptions ??= { loop: this });
  }

  /** Wraps `coro` in a Task scheduled on this loop (through the task factory if set). */
  override createTask<T = unknown>(coro: unknown, opts?: TaskOptions): Task<T> {
    // Only when given: a misspelt key is Python's TypeError, not ignored.
    if (opts !== undefined) keywords("BaseEventLoop.create_task", opts, TASK_KEYWORDS);
    if (this._closed) {
      _dropRefused(coro);
      this.#checkClosed();
    }
    if (this.#taskFactory !== null) {
      const factory = this.#taskFactory;
      const t = factory(this, coro, factoryOptions(factory, opts)) as Task<T>;
      if (opts?.name != null && typeof (t as Task<T>).setName === "function") {
        t.setName(opts.name);
      }
      return t;
    }
    if (opts === undefined) return new Task<T>(coro as never, this.#taskOptions ??= { loop: this });
    return new Task<T>(coro as never, {
      loop: this,
      name: opts.name,
      context: opts.context,
      signal: opts.signal,
    });
  }

  /** What `createTask` without options hands every Task (and `createFuture` every Future): one object, not one per call. */
  #taskOptions: { readonly loop: FutureLoop } | null = null;

  /** Sets the factory `createTask` uses: `(loop, coro, opts) => Future`; null for the default. */
  override setTaskFactory(factory: TaskFactory | null): void {
    if (factory !== null && typeof factory !== "function") {
      throw new TypeError("task factory must be a callable or None");
    }
    this.#taskFactory = factory;
  }

  /** The task factory, or null when the default is in use. */
  override getTaskFactory(): TaskFactory | null {
    return this.#taskFactory;
  }

  // -- executors -----------------------------------------------------------

  /**
   * Runs `func(...args)` in `executor` (null: the loop's default pool of
   * Workers, which receive the function as source text).
   */
  override runInExecutor<A extends unknown[], R>(
    executor: Executor | null,
    func: (...args: A) => R,
    ...args: A
  ): Future<Awaited<R>> {
    return executors.runInExecutor(this, executor, func, ...args);
  }

  /** Sets the default executor. */
  override setDefaultExecutor(executor: Executor): void {
    executors.setDefaultExecutor(this, executor);
  }

  /** Shuts the default executor down, waiting up to `timeout` seconds; resolves to null (None). */
  override async shutdownDefaultExecutor(timeout: number | null = null): Promise<null> {
    await executors.shutdownDefaultExecutor(this, timeout);
    return null;
  }

  // -- errors --------------------------------------------------------------

  /** Sets the handler `(loop, context) => void`; null restores the default. */
  override setExceptionHandler(handler: ExceptionHandler | null): void {
    if (handler !== null && typeof handler !== "function") {
      throw new TypeError(`A callable object or None is expected, got ${pyRepr(handler)}`);
    }
    this.#exceptionHandler = handler;
  }

  /** The handler set, or null for the default. */
  override getExceptionHandler(): ExceptionHandler | null {
    return this.#exceptionHandler;
  }

  /** Logs the context at ERROR on the `asyncio` logger, as Python formats it. */
  override defaultExceptionHandler(context: ExceptionContext): void {
    const message = context.message || "Unhandled exception in event loop";
    const exception = context.exception;
    // `exception: new ValueError("v")` in the call: never raised, no traceback.
    _markUnraisedArgument(exception);
    const ctx: ExceptionContext = { ...context };
    // A task's code runs after the step that resumed it returned, in the
    // drain: that step (kept as #timedStep in debug mode, the only mode
    // with tracebacks) is Python's current handle there, its `__step`.
    const cur = this._currentHandle ?? this.#timedStep;
    if (!("source_traceback" in ctx) && cur !== null && cur._sourceTraceback) {
      ctx.handle_traceback = cur._sourceTraceback;
    }
    const lines = [message];
    for (const key of Object.keys(ctx).sort()) {
      if (key === "message" || key === "exception") continue;
      const value = ctx[key];
      // Python's lines are `source_traceback: Object created at ...`, then
      // the frames as its traceback lists them.
      if (key === "source_traceback") {
        lines.push(`${key}: Object created at (most recent call last):\n${formatStack(value)}`);
      } else if (key === "handle_traceback") {
        lines.push(`${key}: Handle created at (most recent call last):\n${formatStack(value)}`);
      } else {
        lines.push(`${key}: ${pyRepr(value)}`);
      }
    }
    // As Python's `exc_info`: an `exception` of None logs no traceback.
    logger.error(lines.join("\n"), exception ?? undefined);
  }

  /**
   * Hands `context` to the exception handler; a failing handler is logged,
   * never thrown, but for a KeyboardInterrupt or SystemExit (`sys.exit()` in
   * the handler), which goes on out of the loop, as in Python.
   */
  override callExceptionHandler(context: ExceptionContext): void {
    const handler = this.#exceptionHandler;
    // Here too, for a handler that hands the context on to the default one.
    _markUnraisedArgument(context.exception);
    if (handler === null) {
      try {
        this.defaultExceptionHandler(context);
      } catch (e) {
        if (_isBaseError(e)) throw e;
        logger.error("Exception in default exception handler", e);
      }
      return;
    }
    try {
      handler(this, context);
    } catch (exc) {
      if (_isBaseError(exc)) throw exc;
      // Python calls the handler for a failed callback or protocol call from
      // the `except` that caught the error: the handler's own error is
      // raised "during handling" of it (its `__context__`). Not so for the
      // reports of futures and async generators, made outside any `except`,
      // nor for an exception never raised (made in the context by hand).
      const during = context.exception;
      if (
        during instanceof Error && exc instanceof Error && exc !== during &&
        !("future" in context || "task" in context || "asyncgen" in context) &&
        !_unraised.has(during) && !_reportedOutsideExcept.has(context)
      ) {
        _exceptionContext.set(exc, during);
      }
      try {
        this.defaultExceptionHandler({
          message: "Unhandled error in exception handler",
          exception: exc,
          context,
        });
      } catch (e) {
        if (_isBaseError(e)) throw e;
        // Raised in the `except` that caught the handler's error: Python
        // prints that one first, "During handling of the above exception".
        if (e instanceof Error && e !== exc && exc instanceof Error && !_exceptionContext.has(e)) {
          _exceptionContext.set(e, exc);
        }
        logger.error(
          "Exception in default exception handler while handling an unexpected error in custom exception handler",
          e,
        );
      }
    }
  }

  // -- debug ---------------------------------------------------------------

  /** Whether debug mode is on (default: ASYNCIO_DEBUG or PYTHONASYNCIODEBUG set). */
  override getDebug(): boolean {
    const given = this.#debugGiven;
    return given === null ? this.#debug : given.value as boolean;
  }

  /**
   * Turns debug mode on or off. As Python, any value is taken by its truth,
   * and `getDebug()` returns it as given (a boolean is kept for the loop's own use).
   */
  override setDebug(enabled: boolean): void {
    this.#debug = !!enabled;
    this.#debugGiven = typeof enabled === "boolean" ? null : { value: enabled };
  }

  /**
   * `<_UnixSelectorEventLoop running=False closed=False debug=False>`: the
   * name CPython prints for its loop on Unix, so ported output matches.
   */
  override toString(): string {
    const b = (x: boolean) => (x ? "True" : "False");
    // SelectorEventLoop's name is `_UnixSelectorEventLoop` (unix_events.ts).
    // Python formats get_debug() with %s: a string as it is, anything else by its repr.
    const debug = this.getDebug() as unknown;
    return `<${this.constructor.name} running=${b(this.#running)} closed=${b(this._closed)} debug=${
      typeof debug === "string" ? debug : pyRepr(debug)
    }>`;
  }
}

printAsRepr(BaseEventLoop);
// Python's coroutines: `loop.runUntilComplete(loop.shutdownAsyncgens())`,
// the manual-loop cleanup, starts it in its task's first step, so the
// aclose() tasks it makes run an iteration later than the call, as in
// CPython, not ahead of what the loop's other tasks do meanwhile; awaited
// at once, it runs at once (see `LibraryCall`).
lazyMethods(BaseEventLoop.prototype, {
  shutdownAsyncgens: "BaseEventLoop.shutdown_asyncgens",
  shutdownDefaultExecutor: "BaseEventLoop.shutdown_default_executor",
});
