/**
 * Python-style `repr()` of JS values, for messages that Python users compare
 * with what CPython prints (handle reprs, "Exception in callback f(1, 'a')").
 *
 * @module
 */

/**
 * @internal The method giving an object's Python `repr()` where that is not
 * its `toString()`, which is Python's `str()` (`print(queue)`): {@link pyRepr}
 * asks for it first.
 */
export const PY_REPR: unique symbol = Symbol("asyncio.pyRepr");

/**
 * A Python-looking repr of a JS value.
 *
 * @example
 * ```ts
 * pyRepr("a"); // "'a'"
 * pyRepr([1, null, true]); // "[1, None, True]"
 * ```
 */
export function pyRepr(v: unknown, depth = 0): string {
  switch (typeof v) {
    case "string":
      return pyStr(v);
    case "number":
      return Number.isInteger(v) ? String(v) : floatRepr(v);
    case "bigint":
      return String(v);
    case "boolean":
      return v ? "True" : "False";
    case "undefined":
      return "None";
    case "function":
      // `console.log` is a port's `print` (as in formatCallback below).
      if (v === console.log) return "<built-in function print>";
      return functionRepr(v as (...args: never[]) => unknown);
    case "symbol":
      return v.toString();
  }
  if (v === null) return "None";
  if (depth > 3) return "...";
  if (Array.isArray(v)) return `[${v.map((x) => pyRepr(x, depth + 1)).join(", ")}]`;
  if (v instanceof Uint8Array) return bytesRepr(v);
  if (v instanceof Error) return errorRepr(v, depth);
  const proto = Object.getPrototypeOf(v);
  // An object literal with its own toString stands for something else (the
  // library's stand-in for a collected future): it prints as it says.
  if ((proto === Object.prototype || proto === null) && !Object.hasOwn(v as object, "toString")) {
    // A plain object is what a Python dict is ported to (an exception
    // handler's context, say): `{'message': 'x', 'exception': ValueError('y')}`.
    const items = Object.entries(v as object).filter(([, x]) => x !== undefined);
    return `{${items.map(([k, x]) => `${pyStr(k)}: ${pyRepr(x, depth + 1)}`).join(", ")}}`;
  }
  // An async generator (the `asyncgen` key of shutdownAsyncgens' report):
  // Python's `<async_generator object f at 0x...>` less the function's name,
  // which JS does not keep on the object; its constructor is no function.
  if ((v as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag] === "AsyncGenerator") {
    return "<async_generator object>";
  }
  // A queue's repr is not its `toString()` (Python's `str()`): Python's
  // repr of a list or a result shows `<Queue at 0x... maxsize=0>`.
  const own = (v as { [PY_REPR]?: () => string })[PY_REPR];
  if (typeof own === "function") return own.call(v);
  const custom = (v as { toString?: () => string }).toString;
  if (typeof custom === "function" && custom !== Object.prototype.toString) {
    return custom.call(v);
  }
  const ctor = (v as object).constructor;
  // An instance of a ported class (a job put in a queue, a future's result):
  // Python's default repr, `<__main__.Job object at 0x7f...>`. A JS built-in
  // has no Python twin and keeps its bare name.
  if (
    typeof ctor === "function" && ctor.name !== "" &&
    (globalThis as Record<string, unknown>)[ctor.name] !== ctor
  ) {
    return `<${objectHead(v as object)}>`;
  }
  return `<${ctor?.name ?? "object"} object>`;
}

/**
 * Python's repr of a function or class, as a queued job or a callback's
 * argument shows it: `<function job at 0x7f...>`, `<class '__main__.Job'>`.
 */
function functionRepr(fn: (...args: never[]) => unknown): string {
  if (/^class\b/.test(Function.prototype.toString.call(fn))) {
    return `<class '${pyModuleOf(fn)}.${fn.name}'>`;
  }
  const name = (fn as { __qualname__?: string }).__qualname__ ?? (fn.name || "<lambda>");
  return `<function ${name} at ${pyAddress(fn)}>`;
}

/**
 * Errors that stand for a Python exception made with one empty-string
 * argument, which Python shows as `CancelledError('')` rather than
 * `CancelledError()`: a JS message cannot tell the two apart.
 */
const emptyArgErrors = new WeakSet<Error>();

/**
 * Marks `e` as made with an empty-string argument (see errorRepr): 3.11's
 * `gather(..., return_exceptions=True)` gives a cancelled child as
 * `CancelledError('')`.
 *
 * @example
 * ```ts
 * pyRepr(withEmptyArg(new CancelledError(""))); // "CancelledError('')"
 * ```
 */
export function withEmptyArg<E extends Error>(e: E): E {
  emptyArgErrors.add(e);
  return e;
}

/**
 * Arguments that an error's message cannot give back (a `KeyError(2)`'s
 * number, a `SystemExit`'s code, the ContextVar of a `LookupError`), set
 * by the constructors that take them.
 */
const explicitArgs = new WeakMap<Error, readonly unknown[]>();

/**
 * @internal Records the arguments `e` was made with, for {@link errorArgs}
 * when its message does not say them.
 */
export function _setErrorArgs(e: Error, args: readonly unknown[]): void {
  explicitArgs.set(e, args);
}

/**
 * Python's `e.args` (the tuple as an array), the one source of the
 * exceptions' `args` getters and of their repr: `[]` for none, `[msg]`,
 * `[errno, strerror]` for an OSError made with an errno (without the file
 * name, as in Python), `[message, errors]` for an ExceptionGroup, and what
 * the constructor recorded when the message cannot say it (`[2]` for
 * `KeyError(2)`, `[code]` for `SystemExit(code)`).
 *
 * @example
 * ```ts
 * errorArgs(new ValueError("x")); // ["x"]
 * errorArgs(new CancelledError()); // []
 * ```
 */
export function errorArgs(e: Error): unknown[] {
  const recorded = explicitArgs.get(e);
  if (recorded !== undefined) return [...recorded];
  // An ExceptionGroup's arguments: its message, even empty, and its errors.
  if (e instanceof AggregateError) return [e.message, [...e.errors]];
  const { errno, strerror } = e as { errno?: unknown; strerror?: unknown };
  if (typeof errno === "number" && typeof strerror === "string") return [errno, strerror];
  if (e.message === "") return emptyArgErrors.has(e) ? [""] : [];
  return [e.message];
}

/**
 * Python's repr of an exception, from its arguments: `ValueError('x')`,
 * `CancelledError()`, `ConnectionRefusedError(111, 'Connection refused')`,
 * `ExceptionGroup('eg', [ValueError('x')])`.
 */
function errorRepr(e: Error, depth: number): string {
  // A group's list of errors counts as one level with the group, so that
  // nested groups show as deep as before the list was an argument.
  const args = errorArgs(e).map((a) => pyRepr(a, Array.isArray(a) ? depth : depth + 1));
  return `${pyErrorName(e)}(${args.join(", ")})`;
}

/**
 * An error's class name as Python prints it: its class's name (a user's
 * `class MyError extends Error` too), and `Exception` for JS's plain
 * `Error`, which stands for Python's `Exception` in a port.
 *
 * @example
 * ```ts
 * pyErrorName(new Error("x")); // "Exception"
 * ```
 */
export function pyErrorName(e: Error): string {
  const cls = e.constructor;
  if (cls === Error) return "Exception";
  return cls?.name || e.name;
}

function floatRepr(n: number): string {
  if (Number.isNaN(n)) return "nan";
  if (!Number.isFinite(n)) return n > 0 ? "inf" : "-inf";
  // Python's repr has JS's shortest digits, but switches to the exponent
  // form below 1e-4 (JS: below 1e-6), with two exponent digits at least:
  // `1e-05`, `1.5e-07`.
  const [digits, exp] = n.toExponential().split("e");
  const e = Number(exp);
  if (e < -4) return `${digits}e-${String(-e).padStart(2, "0")}`;
  return String(n);
}

function pyStr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = q;
  for (const ch of s) {
    if (ch === q || ch === "\\") out += "\\" + ch;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch < " " || ch === "\x7f") {
      out += "\\x" + ch.charCodeAt(0).toString(16).padStart(2, "0");
    } else if (ch > "\x7f" && NON_PRINTABLE.test(ch)) out += unicodeEscape(ch);
    else out += ch;
  }
  return out + q;
}

/**
 * What Python's repr escapes beyond ASCII, its `str.isprintable()` false:
 * controls, format characters (`\u200b`, `\ufeff`), separators other than
 * the space (`\xa0`, `\u2028`), surrogates, private use, unassigned.
 */
const NON_PRINTABLE = /^[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]$/u;

/** `\xa0`, `\u200b` or `\U000e0001`, as Python's repr writes a code point. */
function unicodeEscape(ch: string): string {
  const cp = ch.codePointAt(0)!;
  if (cp < 0x100) return "\\x" + cp.toString(16).padStart(2, "0");
  if (cp < 0x10000) return "\\u" + cp.toString(16).padStart(4, "0");
  return "\\U" + cp.toString(16).padStart(8, "0");
}

/**
 * Python's repr of bytes: `b'abc\\x00'`.
 *
 * @example
 * ```ts
 * bytesRepr(new Uint8Array([97, 0])); // "b'a\\x00'"
 * ```
 */
export function bytesRepr(b: Uint8Array): string {
  const hasSingle = b.includes(0x27);
  const hasDouble = b.includes(0x22);
  const q = hasSingle && !hasDouble ? 0x22 : 0x27;
  let out = "b" + String.fromCharCode(q);
  for (const c of b) {
    if (c === q || c === 0x5c) out += "\\" + String.fromCharCode(c);
    else if (c === 0x0a) out += "\\n";
    else if (c === 0x0d) out += "\\r";
    else if (c === 0x09) out += "\\t";
    else if (c < 0x20 || c >= 0x7f) out += "\\x" + c.toString(16).padStart(2, "0");
    else out += String.fromCharCode(c);
  }
  return out + String.fromCharCode(q);
}

/**
 * @internal Python's names of methods bound afresh on each read (a
 * future's `setResult`), by the name JS gives the bound copy
 * (`"bound setResult"`): such a copy carries no name of its own.
 */
export const _boundQualnames: Map<string, string> = new Map();

/**
 * Whether `x` is the library's lazy `Coroutine` (told by its tag, as
 * coroutines.ts imports this module), whose `name` is Python's `__qualname__`.
 */
function isCoroutineObject(x: unknown): x is { name: string } {
  return typeof x === "object" && x !== null &&
    (x as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag] === "Coroutine";
}

/**
 * `name(arg reprs)`, the way asyncio shows a callback in messages.
 *
 * @example
 * ```ts
 * formatCallback(function hello() {}, [1, "a"]); // "hello(1, 'a')"
 * ```
 */
export function formatCallback(fn: unknown, args: readonly unknown[]): string {
  // `console.log` is how a port spells Python's builtin `print`
  // (`loop.call_soon(print, "x")` shows `<Handle print('x')>`).
  // A coroutine object passed by mistake (`loop.call_soon(coro())`) has a
  // `__qualname__` in Python, so its handle shows `<Handle sleep()>`.
  const name = fn === console.log
    ? "print"
    : typeof fn === "function"
    ? ((fn as { __qualname__?: string }).__qualname__ ?? _boundQualnames.get(fn.name) ??
      fn.name ?? "") || "<lambda>"
    : isCoroutineObject(fn)
    ? fn.name
    : pyRepr(fn);
  // Python's format_helpers use reprlib here: long arguments are shortened.
  return `${name}(${args.map((a) => shortRepr(a)).join(", ")})`;
}

/**
 * Python's `reprlib.repr(x)` with its default limits: strings past 30
 * characters and other reprs past 30 lose their middle to `...`, lists and
 * sets show 6 items, dicts (plain objects, Maps) 4 keys (sorted when they
 * can be), integers 40 digits, 6 levels deep.
 *
 * @example
 * ```ts
 * shortRepr("x".repeat(100)); // "'xxxxxxxxxxxx...xxxxxxxxxxxxx'"
 * shortRepr([0, 1, 2, 3, 4, 5, 6]); // "[0, 1, 2, 3, 4, 5, ...]"
 * ```
 */
export function shortRepr(v: unknown, level = 6): string {
  if (typeof v === "string") return shortStr(v);
  if ((typeof v === "number" && Number.isInteger(v)) || typeof v === "bigint") {
    return elide(pyRepr(v), 40);
  }
  if (Array.isArray(v)) return shortItems(v, level, "[", "]", 6);
  if (v instanceof Set) {
    return v.size === 0 ? "set()" : shortItems(maybeSorted([...v]), level, "{", "}", 6);
  }
  const entries = dictEntries(v);
  if (entries === null) return elide(pyRepr(v), 30);
  if (entries.length === 0) return "{}";
  if (level <= 0) return "{...}";
  const keys = maybeSorted(entries.map(([k]) => k));
  const byKey = new Map(entries);
  const pieces = keys.slice(0, 4).map((k) =>
    `${shortRepr(k, level - 1)}: ${shortRepr(byKey.get(k), level - 1)}`
  );
  if (keys.length > 4) pieces.push("...");
  return `{${pieces.join(", ")}}`;
}

/** The keys and values of what Python would show as a dict, else null. */
function dictEntries(v: unknown): Array<[unknown, unknown]> | null {
  if (v instanceof Map) return [...v.entries()];
  if (typeof v !== "object" || v === null) return null;
  const proto = Object.getPrototypeOf(v);
  if ((proto !== Object.prototype && proto !== null) || Object.hasOwn(v, "toString")) return null;
  return Object.entries(v).filter(([, x]) => x !== undefined);
}

/**
 * reprlib's `_possibly_sorted`: sorted when every item is a number (Python's
 * int, float and bool: a number, a bigint or a boolean), or every one a string.
 */
function maybeSorted(items: unknown[]): unknown[] {
  if (items.every(isPyNumber)) {
    return [...items].sort((a, b) => ((a as number) < (b as number) ? -1 : a == b ? 0 : 1));
  }
  if (items.every((x) => typeof x === "string")) {
    return [...items].sort((a, b) => ((a as string) < (b as string) ? -1 : a === b ? 0 : 1));
  }
  return items;
}

function shortItems(
  items: unknown[],
  level: number,
  left: string,
  right: string,
  max: number,
): string {
  if (level <= 0 && items.length > 0) return `${left}...${right}`;
  const pieces = items.slice(0, max).map((x) => shortRepr(x, level - 1));
  if (items.length > max) pieces.push("...");
  return `${left}${pieces.join(", ")}${right}`;
}

function isPyNumber(x: unknown): boolean {
  return typeof x === "number" || typeof x === "bigint" || typeof x === "boolean";
}

/** reprlib's repr_str: the repr of the first 30 characters, or of both ends around `...`. */
function shortStr(s: string): string {
  const chars = [...s];
  const max = 30;
  const r = pyStr(chars.slice(0, max).join(""));
  if ([...r].length <= max) return r;
  const i = Math.floor((max - 3) / 2);
  const j = max - 3 - i;
  const both = [...pyStr(chars.slice(0, i).join("") + chars.slice(chars.length - j).join(""))];
  return both.slice(0, i).join("") + "..." + both.slice(both.length - j).join("");
}

/** reprlib's repr_instance/repr_int: a repr longer than `max` keeps its ends around `...`. */
function elide(r: string, max: number): string {
  const chars = [...r];
  if (chars.length <= max) return r;
  const i = Math.floor((max - 3) / 2);
  const j = max - 3 - i;
  return chars.slice(0, i).join("") + "..." + chars.slice(chars.length - j).join("");
}

/** Each object's stand-in for CPython's `id()`, given on first use. */
const addresses = new WeakMap<object, string>();
let nextAddress = 0x7f3a1c2d4e10;

/**
 * A stable stand-in for the address CPython prints in default reprs
 * (`at 0x7f3a1c2d4e10`): ported programs print locks and context variables,
 * and compare that output with CPython's once addresses are masked, so the
 * text must have the same shape. Distinct live objects get distinct values.
 *
 * @example
 * ```ts
 * pyAddress({}); // "0x7f3a1c2d4e10"
 * ```
 */
export function pyAddress(obj: object): string {
  let a = addresses.get(obj);
  if (a === undefined) {
    a = "0x" + nextAddress.toString(16);
    nextAddress += 0x50; // CPython's small objects lie 16-byte aligned, this far apart
    addresses.set(obj, a);
  }
  return a;
}

/** The Python module of each library class whose repr names one. */
const pyModules = new WeakMap<object, string>();

/**
 * @internal Names the Python module of library classes, for their reprs
 * (`asyncio.locks` for `Lock`); a class not named here, a user's subclass
 * included, is in `__main__`, where a ported script defines it.
 *
 * @example
 * ```ts
 * setPyModule("asyncio.streams", StreamReaderProtocol);
 * ```
 */
export function setPyModule(module: string, ...classes: object[]): void {
  for (const c of classes) pyModules.set(c, module);
}

/**
 * Python's `object.__repr__` without its angle brackets, which asyncio's
 * reprs build on: `asyncio.locks.Lock object at 0x7f3a1c2d4e10`, with the
 * module {@link setPyModule} gave the object's class.
 *
 * @example
 * ```ts
 * objectHead(lock); // "asyncio.locks.Lock object at 0x..."
 * ```
 */
export function objectHead(obj: object): string {
  return `${pyModuleOf(obj.constructor)}.${obj.constructor.name} object at ${pyAddress(obj)}`;
}

/**
 * Python's `cls.__module__` for a class: the one {@link setPyModule} gave,
 * else `__main__`.
 *
 * @example
 * ```ts
 * pyModuleOf(Lock); // "asyncio.locks"
 * ```
 */
export function pyModuleOf(cls: unknown): string {
  return (typeof cls === "function" ? pyModules.get(cls) : undefined) ?? "__main__";
}

/**
 * Makes `console.log(x)` print `String(x)` for instances of these classes:
 * their `toString()` is the Python repr, which is what `print(x)` shows a
 * Python user. (Node, Deno and Bun all ask objects for this symbol.)
 *
 * @example
 * ```ts
 * class Thing {
 *   toString() {
 *     return "<Thing>";
 *   }
 * }
 * printAsRepr(Thing);
 * console.log(new Thing()); // <Thing>
 * ```
 */
export function printAsRepr(...classes: Array<{ readonly prototype: object }>): void {
  for (const c of classes) {
    Object.defineProperty(c.prototype, Symbol.for("nodejs.util.inspect.custom"), {
      value: inspectAsString,
      writable: true,
      configurable: true,
    });
  }
}

function inspectAsString(this: object): string {
  return String(this);
}

/**
 * Python's `type(x).__name__` for the values a JS caller may pass by
 * mistake, so messages read as CPython's (`'str'`, `'int'`, `'NoneType'`).
 *
 * @example
 * ```ts
 * pyTypeName("x"); // "str"
 * pyTypeName(null); // "NoneType"
 * ```
 */
export function pyTypeName(x: unknown): string {
  switch (typeof x) {
    case "string":
      return "str";
    case "number":
      return Number.isInteger(x) ? "int" : "float";
    case "bigint":
      return "int";
    case "boolean":
      return "bool";
    case "undefined":
      return "NoneType";
    case "function":
      return "function";
    case "symbol":
      return "symbol";
  }
  if (x === null) return "NoneType";
  if (Array.isArray(x)) return "list";
  // The library's lazy `Coroutine` (and its `LibraryCall`) is Python's
  // coroutine object: `'coroutine' object is not callable`.
  if (isCoroutineObject(x)) return "coroutine";
  const ctor = (x as object).constructor;
  if (ctor === Object || ctor === undefined) return "dict";
  return ctor.name || "object";
}
