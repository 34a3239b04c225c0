/**
 * What counts as a coroutine here (API.md rule 9), and the lazy
 * {@link Coroutine} that `coroutine(fn)` makes: like a Python coroutine
 * object, it does not run until it is awaited or scheduled.
 *
 * @module
 */
import process from "node:process";
import { RuntimeError } from "./exceptions.ts";
import { formatStack, logger } from "./log.ts";
import { hooks } from "./running.ts";
import { printAsRepr, pyAddress, pyRepr } from "./format.ts";

interface NeverAwaited {
  name: string;
  started: { yes: boolean };
  createdAt: string | undefined;
}

/** Python's "coroutine ... was never awaited", for lazy coroutines collected unstarted. */
const neverAwaited = new FinalizationRegistry<NeverAwaited>((r) => {
  if (r.started.yes) return;
  let msg = `RuntimeWarning: coroutine '${r.name}' was never awaited`;
  if (r.createdAt) {
    // Python's warning starts with the place, `main.py:11: RuntimeWarning: ...`:
    // here where the coroutine was made, the newest frame of the program's.
    const frames = formatStack(r.createdAt);
    const where = /^ {2}File "(.*)", line (\d+), in .*$/.exec(frames.split("\n").at(-1)!);
    if (where !== null) msg = `${where[1]}:${where[2]}: ${msg}`;
    msg += `\nCoroutine created at (most recent call last)\n${frames}`;
  }
  logger.warning(msg);
});

/** Debug mode as the environment or the running loop says: the check costs a stack trace per coroutine. */
function debugMode(): boolean {
  const env = process.env;
  if (env.ASYNCIO_DEBUG || env.PYTHONASYNCIODEBUG) return true;
  const loop = hooks.getRunningLoop?.() as { getDebug?: () => boolean } | null;
  return loop?.getDebug?.() ?? false;
}

const AsyncFunctionProto = Object.getPrototypeOf(async function () {});
const GeneratorFunctionProto = Object.getPrototypeOf(function* () {});
/** %GeneratorPrototype%: the prototype of every generator function's `prototype`. */
const GeneratorProto = GeneratorFunctionProto.prototype;
const COROUTINE_FUNCTION = Symbol.for("asyncio.coroutineFunction");

/**
 * A lazy coroutine: `fn(...args)` runs only when the object is first
 * awaited or handed to a task, and only once.
 *
 * @example
 * ```ts
 * const hello = coroutine(async (who: string) => console.log("hi", who));
 * const c = hello("you"); // nothing printed yet
 * await c; // prints now
 * ```
 */
export class Coroutine<T = unknown> implements PromiseLike<T> {
  #fn: (...args: never[]) => unknown;
  #args: unknown[];
  #started: Promise<T> | null = null;
  /** Whether the started body has ended (or it was closed): see `_start`. */
  #ended = false;
  #startedFlag: { yes: boolean } | null = null;
  /** The function's name, like Python's `__qualname__`. */
  readonly name: string;

  /**
   * @internal Use {@link coroutine}. `name` is given for the library's own
   * calls ({@link LibraryCall}), which debug mode does not watch: they are
   * made by the million, and the check costs a look at the environment.
   */
  constructor(fn: (...args: never[]) => unknown, args: unknown[], name?: string) {
    this.#fn = fn;
    this.#args = args;
    this.name = name ?? (fn.name || "<lambda>");
    if (name === undefined && debugMode()) {
      this.#startedFlag = { yes: false };
      neverAwaited.register(this, {
        name: this.name,
        started: this.#startedFlag,
        createdAt: new Error().stack,
      });
    }
  }

  /** Whether it has started running. */
  get started(): boolean {
    return this.#started !== null;
  }

  /**
   * @internal Starts the body now, in the caller's async context; a second
   * start is Python's "coroutine is being awaited already" while the body
   * runs (two tasks awaiting one coroutine), and "cannot reuse already
   * awaited coroutine" once it has ended.
   */
  _start(): Promise<T> {
    if (this.#started !== null) {
      throw new RuntimeError(
        this.#ended
          ? "cannot reuse already awaited coroutine"
          : "coroutine is being awaited already",
      );
    }
    let p: Promise<T>;
    try {
      p = Promise.resolve(runBody(this.#fn as (...a: unknown[]) => unknown, this.#args)) as Promise<
        T
      >;
    } catch (e) {
      p = Promise.reject(e);
    }
    this.#started = p;
    if (this.#startedFlag !== null) this.#startedFlag.yes = true;
    // Only lazy coroutines pay for this reaction; it marks no rejection
    // handled that its awaiter does not handle already (the awaiter got `p`).
    const end = () => {
      this.#ended = true;
    };
    p.then(end, end);
    return p;
  }

  /**
   * @internal `_start` for a task. A task given a coroutine that another
   * task runs steps it too in Python: it waits on what that one awaits and
   * fails once the body has ended, with "cannot reuse already awaited
   * coroutine" raised by no Python code (a traceback without frames).
   */
  _startInTask(): Promise<T> {
    if (this.#started === null || this.#ended) return this._start();
    const reuse = (): never => {
      const e = new RuntimeError("cannot reuse already awaited coroutine");
      e.stack = `${e.name}: ${e.message}`;
      throw e;
    };
    return this.#started.then(reuse, reuse);
  }

  /**
   * Python's `coroutine.close()`: one not started never will be (awaiting
   * it is then "cannot reuse already awaited coroutine") and is not
   * reported as never awaited. One already started runs on to its end:
   * JavaScript cannot stop a running async function.
   *
   * @example
   * ```ts
   * const c = work(); // a coroutine(fn) function's lazy coroutine
   * c.close(); // work's body never runs
   * ```
   */
  close(): void {
    if (this.#started !== null) return;
    // Marked started and ended: `_start` refuses it from now on.
    this.#started = Promise.resolve() as Promise<T>;
    this.#ended = true;
    if (this.#startedFlag !== null) this.#startedFlag.yes = true;
  }

  /** Awaiting a coroutine runs it. */
  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this._start().then(onFulfilled, onRejected);
  }

  /** `then(undefined, onRejected)`: a coroutine can stand where a Promise is expected. */
  catch<R = never>(
    onRejected?: ((reason: unknown) => R | PromiseLike<R>) | null,
  ): Promise<T | R> {
    return this.then(undefined, onRejected);
  }

  /** As a Promise's `finally`: runs the coroutine, then `onFinally`. */
  finally(onFinally?: (() => void) | null): Promise<T> {
    return Promise.resolve(this).finally(onFinally);
  }

  /** What `Object.prototype.toString` names it: it stands in for a Promise. */
  get [Symbol.toStringTag](): string {
    return "Coroutine";
  }

  /**
   * `<coroutine object name at 0x7f...>`, Python's repr (with a stand-in
   * address, so output compares with CPython's once addresses are masked).
   */
  toString(): string {
    return `<coroutine object ${this.name} at ${pyAddress(this)}>`;
  }
}

/**
 * @internal One call of a library method that is an `async def` in Python
 * (`q.get()`, `lock.acquire()`, `sleep(1)`): lazy, as Python's coroutine
 * object is. Awaited at once it runs at once (in the awaiting step, as
 * Python's `await` runs it); handed to `createTask`, `gather` or `waitFor`
 * it runs when its task first does, so `createTask(lock.acquire())` takes
 * the lock in its turn among the tasks made before it, not at the call.
 * Lighter than a {@link Coroutine}: no argument array, no closures, one
 * start (awaiting it again gets the same result, as a Promise would).
 */
export class LibraryCall<T = unknown> extends Coroutine<T> {
  #self: unknown;
  #method: (...a: unknown[]) => PromiseLike<T> | T;
  #argc: number;
  #a0: unknown;
  #a1: unknown;
  #p: Promise<T> | null = null;
  #closed = false;

  constructor(
    qualname: string,
    self: unknown,
    method: (...a: never[]) => PromiseLike<T> | T,
    argc: number,
    a0: unknown,
    a1: unknown,
  ) {
    super(method, NO_ARGS, qualname);
    this.#self = self;
    this.#method = method as (...a: unknown[]) => PromiseLike<T> | T;
    this.#argc = argc;
    this.#a0 = a0;
    this.#a1 = a1;
  }

  override get started(): boolean {
    return this.#p !== null;
  }

  override _start(): Promise<T> {
    if (this.#p !== null) return this.#p;
    if (this.#closed) throw new RuntimeError("cannot reuse already awaited coroutine");
    let r: PromiseLike<T> | T;
    try {
      const argc = this.#argc;
      r = argc === 0
        ? this.#method.call(this.#self)
        : argc === 1
        ? this.#method.call(this.#self, this.#a0)
        : this.#method.call(this.#self, this.#a0, this.#a1);
    } catch (e) {
      r = Promise.reject(e);
    }
    return this.#p = r instanceof Promise ? r : Promise.resolve(r);
  }

  override _startInTask(): Promise<T> {
    // A second task for one call: Python's task finds the coroutine spent.
    if (this.#p !== null) this.#closed = true;
    if (this.#closed) throw new RuntimeError("cannot reuse already awaited coroutine");
    return this._start();
  }

  override close(): void {
    if (this.#p === null) this.#closed = true;
  }

  override then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return (this.#p ?? this._start()).then(onFulfilled, onRejected);
  }
}

const NO_ARGS: unknown[] = [];

/**
 * @internal Makes the methods of `proto` named in `qualnames` return a lazy
 * {@link LibraryCall} (named as Python names the coroutine: `Queue.join`)
 * instead of running when called. Methods take at most two arguments.
 *
 * @example
 * ```ts
 * lazyMethods(Queue.prototype, { join: "Queue.join" });
 * ```
 */
export function lazyMethods(proto: object, qualnames: Readonly<Record<string, string>>): void {
  for (const key of Object.keys(qualnames)) {
    const method = (proto as Record<string, (...a: never[]) => unknown>)[key];
    const qualname = qualnames[key];
    const lazy = {
      [key](this: unknown, a0?: unknown, a1?: unknown): LibraryCall<unknown> {
        return new LibraryCall(qualname, this, method, arguments.length, a0, a1);
      },
    }[key];
    Object.defineProperty(proto, key, { value: lazy, writable: true, configurable: true });
  }
}

/** Calls `fn`; a generator function's generator is driven to its return value. */
function runBody(fn: (...a: unknown[]) => unknown, args: unknown[]): unknown {
  const r = fn(...args);
  return isGenerator(r) ? driveGenerator(r) : r;
}

/**
 * Marks `fn` as a coroutine function: calling it makes a lazy
 * {@link Coroutine}. `fn` may be an async function, a function returning an
 * awaitable, or a generator function that yields futures (the
 * generator-based coroutines of `@asyncio.coroutine`).
 *
 * @example
 * ```ts
 * const work = coroutine(async (n: number) => n * 2);
 * console.log(await work(21)); // 42
 * ```
 */
export function coroutine<A extends unknown[], T>(
  fn: (...args: A) => PromiseLike<T> | T | Generator<unknown, T, unknown>,
): (...args: A) => Coroutine<T> {
  if (typeof fn !== "function") {
    throw new TypeError(`coroutine() expects a function, got ${typeof fn}`);
  }
  const wrapper = (...args: A) => new Coroutine<T>(fn as (...a: never[]) => unknown, args);
  Object.defineProperty(wrapper, "name", { value: fn.name });
  Object.defineProperty(wrapper, COROUTINE_FUNCTION, { value: true });
  return wrapper;
}

/**
 * Whether `x` is a generator object (a generator-based coroutine).
 *
 * @example
 * ```ts
 * isGenerator((function* () {})()); // true
 * ```
 */
export function isGenerator(x: unknown): x is Generator<unknown, unknown, unknown> {
  return typeof x === "object" && x !== null &&
    Object.getPrototypeOf(Object.getPrototypeOf(x)) === GeneratorProto;
}

/**
 * Python's `asyncio.iscoroutine`: a lazy {@link Coroutine}, a generator
 * object, or a native Promise, which is what calling an async function
 * gives (Python's coroutine object: `iscoroutine(main())` is true in both).
 * A Future or Task is not a coroutine, as in Python.
 *
 * @example
 * ```ts
 * iscoroutine(coroutine(async () => {})()); // true
 * iscoroutine((async () => {})()); // true
 * iscoroutine(async () => {}); // false: a coroutine function
 * ```
 */
export function iscoroutine(x: unknown): boolean {
  return x instanceof Coroutine || isGenerator(x) || x instanceof Promise;
}

/**
 * Python's `asyncio.iscoroutinefunction`: an async function, a generator
 * function, or a function wrapped by {@link coroutine}.
 *
 * @example
 * ```ts
 * iscoroutinefunction(async () => {}); // true
 * iscoroutinefunction(() => 1); // false
 * ```
 */
export function iscoroutinefunction(f: unknown): boolean {
  if (typeof f !== "function") return false;
  // What the library marked (see `_markCoroutineFunctions`) or `coroutine(fn)` made.
  const mark = (f as unknown as Record<symbol, unknown>)[COROUTINE_FUNCTION];
  if (mark !== undefined) return mark === true;
  const proto = Object.getPrototypeOf(f);
  return proto === AsyncFunctionProto || proto === GeneratorFunctionProto;
}

/**
 * @internal Says what `iscoroutinefunction` answers for the library's own
 * functions, as Python's for their namesakes: a method returning a promise
 * is one where Python's is `async def` (`loop.sockRecv`, `Lock.acquire`),
 * and an async function is none where Python's returns a future or blocks
 * (`run`, `loop.runUntilComplete`).
 */
export function _markCoroutineFunctions(value: boolean, fns: unknown[]): void {
  for (const f of fns) {
    if (typeof f === "function") Object.defineProperty(f, COROUTINE_FUNCTION, { value });
  }
}

function ignoreRejection(): void {}

/**
 * @internal What `run()`, `runUntilComplete()` or `createTask()` refuses
 * (the loop is closed or already running) Python never runs: its coroutine
 * is only reported on stderr as never awaited. A Promise refused there has
 * started already and runs on: its failure must not become an unhandled
 * rejection, which would end the process (Deno) where Python's goes on.
 */
export function _dropRefused(x: unknown): void {
  if (x instanceof Promise) x.then(undefined, ignoreRejection);
}

/**
 * Runs a generator-based coroutine: each value it yields is awaited (a
 * future, task, promise or lazy coroutine) and the outcome sent back in, as
 * `yield from` did in Python; a bare `yield` is one loop iteration, and any
 * other value is Python's "Task got bad yield" error, thrown back in.
 *
 * @internal
 */
export async function driveGenerator<T>(gen: Generator<unknown, T, unknown>): Promise<T> {
  let step = gen.next();
  for (;;) {
    if (step.done) return step.value;
    const value = step.value;
    let sent: unknown;
    try {
      if (value == null) {
        // A bare `yield` gives up one loop iteration, as Python's Task
        // takes it (what `sleep(0)` does), not one microtask.
        await hooks.sleep0!();
      } else if (!isThenable(value) && !isGenerator(value)) {
        // Python's Task throws this into the generator, a loop iteration later.
        await hooks.sleep0!();
        throw new RuntimeError(`Task got bad yield: ${pyRepr(value)}`);
      } else {
        sent = await (value as PromiseLike<unknown>);
      }
    } catch (e) {
      step = gen.throw(e);
      continue;
    }
    step = gen.next(sent);
  }
}

function isThenable(x: unknown): boolean {
  return (typeof x === "object" || typeof x === "function") && x !== null &&
    typeof (x as { then?: unknown }).then === "function";
}

printAsRepr(Coroutine);
