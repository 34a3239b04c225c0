/**
 * The async context that tasks run in: which task's code is running, found
 * again after every `await`.
 *
 * Everywhere this is `AsyncLocalStorage`. On Deno, whose `AsyncLocalStorage`
 * pays for an entry object, a `WeakMap` entry and a dictionary-mode copy of
 * the whole context on every `run()` (400 bytes and about 1 µs; a gather of
 * 100,000 tasks spent most of its time there and in collecting them), a task
 * enters a context of one small object through the same V8 slot
 * (continuation-preserved embedder data) that Deno's own implementation
 * uses. The two stay compatible: Deno's `run()` copies the enumerable keys of
 * the context it enters from, ours among them, and ours copies Deno's. A
 * self-check at load time falls back to `AsyncLocalStorage` if Deno's
 * internals ever stop behaving so.
 *
 * @example
 * ```ts
 * const storage = createTaskStorage<{ name: string }>();
 * storage.run({ name: "a" }, async () => {
 *   await null;
 *   console.log(storage.getStore()?.name); // "a"
 * }, undefined);
 * ```
 *
 * @module
 */
import { AsyncLocalStorage } from "node:async_hooks";

/**
 * The store of an async context: what `run()` sets, `getStore()` reads.
 *
 * @example
 * ```ts
 * const storage: TaskStorage<object> = createTaskStorage<object>();
 * ```
 */
export interface TaskStorage<T> {
  /** Which implementation this is: Deno's context slot or `AsyncLocalStorage`. */
  readonly kind: "deno" | "als";
  /** Calls `fn(arg)` with `store` current, in it and every continuation it makes. */
  run<A, R>(store: T, fn: (arg: A) => R, arg: A): R;
  /** The store current here, or undefined. */
  getStore(): T | undefined;
  /** Calls `fn()` with no store current. */
  exit<R>(fn: () => R): R;
  /**
   * Readies an object that will be a store, so that entering it costs no
   * allocation where that is possible (Deno: it holds itself under our
   * key, one field more). Optional for correctness.
   */
  prepare(store: T & object): void;
}

interface DenoCore {
  getAsyncContext(): unknown;
  setAsyncContext(ctx: unknown): void;
}

function denoCore(): DenoCore | null {
  const deno = (globalThis as { Deno?: { internal?: symbol } }).Deno;
  if (deno === undefined || typeof deno.internal !== "symbol") return null;
  const internal = (deno as unknown as Record<symbol, { core?: Partial<DenoCore> } | undefined>)[
    deno.internal
  ];
  const core = internal?.core;
  if (
    typeof core?.getAsyncContext !== "function" || typeof core.setAsyncContext !== "function"
  ) {
    return null;
  }
  return core as DenoCore;
}

/**
 * Our key in a context. A store that holds itself under it (an own
 * enumerable property, see `prepare`) is entered as the whole context when
 * no other context is current: no object is made for it. A `Task` does so.
 */
const KEY = Symbol("asyncio.task");

/** A context holding only a task: what most tasks enter. */
class Frame<T> {
  [KEY]: T;
  constructor(store: T) {
    this[KEY] = store;
  }
}

type Mapping = Record<symbol, unknown>;

/** A context holding nothing but our key: replaced whole, nothing else is lost. */
function onlyOurs(ctx: Mapping | null | undefined): boolean {
  return ctx == null || ctx instanceof Frame || ctx[KEY] === ctx;
}

class DenoTaskStorage<T> implements TaskStorage<T> {
  readonly kind = "deno";
  readonly #get: () => unknown;
  readonly #set: (ctx: unknown) => void;

  constructor(core: DenoCore) {
    this.#get = core.getAsyncContext;
    this.#set = core.setAsyncContext;
  }

  run<A, R>(store: T, fn: (arg: A) => R, arg: A): R {
    const prev = this.#get() as Mapping | null | undefined;
    this.#set(
      !onlyOurs(prev)
        ? { __proto__: null, ...prev, [KEY]: store }
        : (store as Mapping)[KEY] === store
        ? store
        : new Frame(store),
    );
    try {
      return fn(arg);
    } finally {
      this.#set(prev);
    }
  }

  prepare(store: T & object): void {
    (store as Mapping)[KEY] = store;
  }

  getStore(): T | undefined {
    const ctx = this.#get() as Mapping | null | undefined;
    return ctx == null ? undefined : ctx[KEY] as T | undefined;
  }

  exit<R>(fn: () => R): R {
    const prev = this.#get() as Mapping | null | undefined;
    if (prev == null || prev[KEY] === undefined) return fn();
    this.#set(onlyOurs(prev) ? undefined : { __proto__: null, ...prev, [KEY]: undefined });
    try {
      return fn();
    } finally {
      this.#set(prev);
    }
  }
}

class AlsTaskStorage<T> implements TaskStorage<T> {
  readonly kind = "als";
  readonly #als = new AsyncLocalStorage<T>();

  run<A, R>(store: T, fn: (arg: A) => R, arg: A): R {
    return this.#als.run(store, fn, arg);
  }

  prepare(_store: T & object): void {}

  getStore(): T | undefined {
    return this.#als.getStore();
  }

  exit<R>(fn: () => R): R {
    return this.#als.exit(fn);
  }
}

/** Whether `s` and the host's `AsyncLocalStorage` see each other's values, nested both ways. */
function compatible(s: TaskStorage<object>): boolean {
  const als = new AsyncLocalStorage<number>();
  const a = {};
  const b = {};
  s.prepare(a);
  try {
    return s.getStore() === undefined &&
      s.run(a, () => als.run(1, () => s.getStore() === a && als.getStore() === 1), 0) &&
      als.run(2, () =>
        s.run(a, () =>
          als.getStore() === 2 && s.getStore() === a &&
          s.run(b, () => s.getStore() === b, 0) &&
          s.exit(() => s.getStore() === undefined && als.getStore() === 2), 0) &&
        s.getStore() === undefined) &&
      s.getStore() === undefined && als.getStore() === undefined;
  } catch {
    return false;
  }
}

/**
 * A {@link TaskStorage}: Deno's cheap context slot when it checks out,
 * `AsyncLocalStorage` otherwise.
 *
 * @example
 * ```ts
 * const storage = createTaskStorage<object>();
 * const t = {};
 * storage.run(t, () => storage.getStore() === t, undefined); // true
 * ```
 */
export function createTaskStorage<T>(): TaskStorage<T> {
  const core = denoCore();
  if (core !== null) {
    const s = new DenoTaskStorage<T>(core);
    if (compatible(s as unknown as TaskStorage<object>)) return s;
  }
  return new AlsTaskStorage<T>();
}
