/**
 * Context variables (PEP 567): `ContextVar`, `Context`, `copyContext`.
 *
 * The current context is, in this order: the context a loop callback was
 * scheduled in (while it runs), the running task's context (in every segment
 * of its async code), or the process's root context.
 *
 * @module
 */
import { running, taskInScope, threadContext } from "./running.ts";
import { LookupError, RuntimeError, ValueError } from "./exceptions.ts";
import { printAsRepr, pyAddress, pyRepr, pyTypeName } from "./format.ts";
import { bindOnRead } from "./bound_methods.ts";

/**
 * The type of {@link MISSING}: one instance, which prints as Python's
 * `<Token.MISSING>`.
 */
export class TokenMissing {
  // A class of its own, so `T | TokenMissing` stays distinct from any `T`.
  declare private readonly _brand: never;
  /** `<Token.MISSING>`, Python's repr. */
  toString(): string {
    return "<Token.MISSING>";
  }
}
// Python's `type(Token.MISSING).__name__`; `TokenMissing` stays the TS name.
Object.defineProperty(TokenMissing, "name", { value: "MISSING" });

/** The `Token.oldValue` of a variable that had no value. @example `token.oldValue === MISSING` */
export const MISSING: TokenMissing = Object.freeze(new TokenMissing()) as TokenMissing;

/**
 * A mapping of context variables to values; `run()` makes it current.
 *
 * @example
 * ```ts
 * const v = new ContextVar("v", { default: 0 });
 * const ctx = copyContext();
 * ctx.run(() => v.set(1));
 * ctx.get(v); // 1
 * v.get(); // 0
 * ```
 */
export class Context {
  /** @internal */
  _vars: Map<ContextVar<unknown>, unknown>;
  /**
   * @internal Whether `run()` is in progress. It defaults on the prototype:
   * every Handle has a context of its own, and few are ever entered.
   */
  declare _entered: boolean;

  /** An empty context. */
  constructor(vars?: Map<ContextVar<unknown>, unknown>) {
    this._vars = vars ?? new Map();
  }

  /** Runs `fn(...args)` with this context current; returns its result. */
  run<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): R {
    // Python's arity error, not "'NoneType' object is not callable" below.
    if (arguments.length === 0) throw new TypeError("run() missing 1 required positional argument");
    // Python enters a callback's context (Handle._run) and a task's (each
    // step) with Context.run, so a ctx.run(...) from inside either is
    // "already entered". Here those set the current context without
    // marking `_entered` (no write per callback): being current counts.
    const outer = currentContext();
    if (this._entered || outer === this) {
      throw new RuntimeError(`cannot enter context: ${this} is already entered`);
    }
    if (typeof fn !== "function") {
      throw new TypeError(`'${pyTypeName(fn)}' object is not callable`);
    }
    const prev = running.context;
    // The context this one shadows stays entered underneath, as in Python:
    // a callback's or a task's own context, shadowed by `other.run(...)`,
    // cannot be run again from in there.
    const outerEntered = outer._entered;
    outer._entered = true;
    this._entered = true;
    running.context = this;
    try {
      return fn(...args);
    } finally {
      running.context = prev;
      this._entered = false;
      outer._entered = outerEntered;
    }
  }

  /**
   * A copy. O(1): a context's map is never changed in place (a `set()`
   * replaces it), so copies share it, as PEP 567's immutable mappings do.
   */
  copy(): Context {
    return new Context(this._vars);
  }

  /** The value of `v` here, or `dflt` (default `null`, Python's `None`). */
  get<T, D = null>(v: ContextVar<T>, dflt: D = null as D): T | D {
    if (arguments.length === 0) throw new TypeError("get expected at least 1 argument, got 0");
    checkKey(v);
    return this._vars.has(v as ContextVar<unknown>)
      ? this._vars.get(v as ContextVar<unknown>) as T
      : dflt;
  }

  /** Whether `v` has a value here (Python's `v in ctx`). */
  has(v: ContextVar<unknown>): boolean {
    checkKey(v);
    return this._vars.has(v);
  }

  /** The number of variables set. */
  get size(): number {
    return this._vars.size;
  }

  /** The variables set here. */
  keys(): IterableIterator<ContextVar<unknown>> {
    return this._vars.keys();
  }

  /** The values set here. */
  values(): IterableIterator<unknown> {
    return this._vars.values();
  }

  /** `[variable, value]` pairs, as Python's `ctx.items()`. */
  items(): IterableIterator<[ContextVar<unknown>, unknown]> {
    return this._vars.entries();
  }

  /**
   * The variables set here, as iterating a Python `Context` (a mapping)
   * yields its keys; `items()` gives the pairs.
   *
   * @example `for (const v of copyContext()) console.log(v.name)`
   */
  [Symbol.iterator](): IterableIterator<ContextVar<unknown>> {
    return this._vars.keys();
  }

  /** `<_contextvars.Context object at 0x7f...>`, Python's repr. */
  toString(): string {
    return `<_contextvars.Context object at ${pyAddress(this)}>`;
  }
}

Context.prototype._entered = false;

/** Python's check on a Context's keys: only a ContextVar can be one. */
function checkKey(v: unknown): void {
  if (!(v instanceof ContextVar)) {
    throw new TypeError(`a ContextVar key was expected, got ${pyRepr(v)}`);
  }
}

const root = new Context();

/**
 * The root context: current outside every task and callback.
 *
 * @internal
 */
export const rootContext: Context = root;

/**
 * The current context.
 *
 * @internal
 */
export function currentContext(): Context {
  return running.context ?? taskInScope()?._context ?? threadContext.getStore() ?? root;
}

/**
 * Python's keyword-only `context=` of `call_soon`, `call_soon_threadsafe`,
 * `call_later` and `call_at`, passed as a final options object after the
 * callback's arguments (API.md rule 3): `callSoon(cb, 1, { context: ctx })`.
 * Only a plain object whose one key is `context` is the option, so a
 * callback's own object argument is never mistaken for it. Takes the option
 * off the end of `args` and returns its context (null: a copy of the
 * current one, as with no option); `args` is the scheduling call's own rest
 * array, so this allocates nothing on the hot path. `TypeError` when that
 * `context` is not a {@link Context}.
 *
 * @internal
 */
export function takeContextOption(args: unknown[]): Context | null {
  const n = args.length;
  if (n === 0) return null;
  const last = args[n - 1];
  if (typeof last !== "object" || last === null) return null;
  const proto = Object.getPrototypeOf(last);
  if (proto !== Object.prototype && proto !== null) return null;
  const keys = Object.keys(last);
  if (keys.length !== 1 || keys[0] !== "context") return null;
  const ctx = (last as { context: unknown }).context;
  if (ctx !== null && ctx !== undefined && !(ctx instanceof Context)) {
    throw new TypeError(`context must be a Context, not ${pyTypeName(ctx)}`);
  }
  args.pop();
  return ctx ?? null;
}

/**
 * A copy of the current context.
 *
 * @example
 * ```ts
 * const ctx = copyContext();
 * ctx.run(() => console.log("inside a copy"));
 * ```
 */
export function copyContext(): Context {
  return currentContext().copy();
}

/**
 * Returned by `ContextVar.set()`; hand it to `reset()` to restore the
 * previous value.
 *
 * @example
 * ```ts
 * const t = v.set(2);
 * v.reset(t);
 * ```
 */
export class Token<T> {
  /** The marker for "had no value". */
  static readonly MISSING: typeof MISSING = MISSING;
  /** @internal */
  _used = false;
  /** @internal */
  constructor(
    /** @internal */ readonly _context: Context,
    /** The variable. */ readonly var_: ContextVar<T>,
    /** The value before `set`, or `Token.MISSING`. */ readonly oldValue: T | typeof MISSING,
  ) {}

  /** The variable, as Python's `token.var` (also `var_`). */
  get var(): ContextVar<T> {
    return this.var_;
  }

  /** `<Token var=<ContextVar name='v' at 0x7f...> at 0x7f...>`, Python's repr. */
  toString(): string {
    return `<Token${this._used ? " used" : ""} var=${this.var_} at ${pyAddress(this)}>`;
  }
}

/**
 * A context variable.
 *
 * @example
 * ```ts
 * const requestId = new ContextVar<string>("requestId", { default: "-" });
 * requestId.set("abc");
 * requestId.get(); // "abc"
 * ```
 */
export class ContextVar<T> {
  /** The variable's name. */
  readonly name: string;
  #default: T | typeof MISSING;

  /** A variable named `name`, with an optional default. */
  constructor(name: string, opts?: { default?: T }) {
    if (arguments.length === 0) {
      throw new TypeError("ContextVar() takes exactly 1 positional argument (0 given)");
    }
    if (typeof name !== "string") throw new TypeError("context variable name must be a str");
    checkOptions("ContextVar", opts, "default", "at most");
    this.name = name;
    this.#default = opts && "default" in opts ? opts.default as T : MISSING;
    // Bound here, as Python's bound methods are, since Python code passes
    // them as callables: `ctx.run(var.set, "spam")` (PEP 567),
    // `loop.call_soon(var.set, 1, context=ctx)`. Unbound, `var.set` would
    // key the value under `undefined`. Own properties rather than getters
    // (bound_methods.ts): `get()` is called far more often than passed.
    for (const key of ["get", "set", "reset"] as const) {
      const fn = ContextVar.prototype[key].bind(this) as typeof this[typeof key] & {
        __qualname__: string;
      };
      fn.__qualname__ = `ContextVar.${key}`;
      Object.defineProperty(this, key, { value: fn, writable: true, configurable: true });
    }
  }

  /**
   * The value in the current context; else `dflt`; else the variable's
   * default; else a `LookupError` of the variable (its message: the repr).
   */
  get(...dflt: [] | [T]): T {
    const vars = currentContext()._vars;
    const self = this as ContextVar<unknown>;
    if (vars.has(self)) return vars.get(self) as T;
    if (dflt.length) return dflt[0] as T;
    if (this.#default !== MISSING) return this.#default as T;
    // Python's args hold the variable itself: `LookupError(<ContextVar ...>)`.
    throw new LookupError(this);
  }

  /** Sets the value in the current context. */
  set(value: T): Token<T> {
    if (arguments.length === 0) noArgument("set");
    const ctx = currentContext();
    const self = this as ContextVar<unknown>;
    const old = ctx._vars.has(self) ? ctx._vars.get(self) as T : MISSING;
    ctx._vars = new Map(ctx._vars).set(self, value);
    return new Token(ctx, this, old);
  }

  /** Restores the value from before the `set` that returned `token`. */
  reset(token: Token<T>): void {
    if (arguments.length === 0) noArgument("reset");
    if (!(token instanceof Token)) {
      throw new TypeError(`expected an instance of Token, got ${pyRepr(token)}`);
    }
    if (token._used) throw new RuntimeError(`${token} has already been used once`);
    if (token.var_ !== this) throw new ValueError(`${token} was created by a different ContextVar`);
    const ctx = currentContext();
    if (token._context !== ctx) throw new ValueError(`${token} was created in a different Context`);
    const self = this as ContextVar<unknown>;
    const vars = new Map(ctx._vars);
    if (token.oldValue === MISSING) vars.delete(self);
    else vars.set(self, token.oldValue);
    ctx._vars = vars;
    token._used = true;
  }

  /** `<ContextVar name='x' at 0x7f...>`, or with ` default=1` before the address: Python's repr. */
  toString(): string {
    const d = this.#default === MISSING ? "" : ` default=${pyRepr(this.#default)}`;
    return `<ContextVar name=${pyRepr(this.name)}${d} at ${pyAddress(this)}>`;
  }
}

/**
 * Python's TypeError for `var.set()` or `var.reset()`, which JS would let
 * pass (`set()` setting undefined). Extra arguments stay allowed, as JS
 * callers pass them: `values.forEach(v.set)`.
 */
function noArgument(method: string): never {
  throw new TypeError(`ContextVar.${method}() takes exactly one argument (0 given)`);
}

/**
 * Python's TypeError for a keyword that a C function does not take
 * (`ContextVar("v", dflt=1)`, `fut.add_done_callback(cb, contxt=ctx)`), in
 * its words: the options object of API.md rule 3 holds only `allowed`, and
 * anything but a plain object there (or null) was a second positional argument,
 * refused with `takes` ("at most", "exactly") in the message.
 *
 * @example
 * ```ts
 * checkOptions("ContextVar", { dflt: 1 }, "default", "at most");
 * // TypeError: 'dflt' is an invalid keyword argument for ContextVar()
 * ```
 * @internal
 */
export function checkOptions(fn: string, opts: unknown, allowed: string, takes: string): void {
  if (opts === null || opts === undefined) return;
  const proto = typeof opts === "object" ? Object.getPrototypeOf(opts) : undefined;
  if (proto !== Object.prototype && proto !== null) {
    throw new TypeError(`${fn}() takes ${takes} 1 positional argument (2 given)`);
  }
  for (const key of Object.keys(opts)) {
    if (key === allowed) continue;
    const snake = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    throw new TypeError(`'${snake}' is an invalid keyword argument for ${fn}()`);
  }
}

printAsRepr(Context, Token, ContextVar, TokenMissing);

// Python code passes `ctx.run` as a callable:
// `loop.run_in_executor(None, ctx.run, fn)`, `loop.call_soon(ctx.run, cb)`.
bindOnRead(Context.prototype, ["run", "get"]);
