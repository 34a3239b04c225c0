/**
 * Python-style `repr()` of JS values, for messages that Python users compare
 * with what CPython prints (handle reprs, "Exception in callback f(1, 'a')").
 *
 * @module
 */

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
      return `<function ${v.name || "<lambda>"}>`;
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
  const custom = (v as { toString?: () => string }).toString;
  if (typeof custom === "function" && custom !== Object.prototype.toString) {
    return custom.call(v);
  }
  const name = (v as object).constructor?.name ?? "object";
  return `<${name} object>`;
}

/**
 * Python's repr of an exception, from its arguments: `ValueError('x')`,
 * `CancelledError()`, `ConnectionRefusedError(111, 'Connection refused')`.
 */
function errorRepr(e: Error, depth: number): string {
  const name = e.constructor?.name || e.name;
  const { errno, strerror } = e as { errno?: unknown; strerror?: unknown };
  if (typeof errno === "number" && typeof strerror === "string") {
    return `${name}(${errno}, ${pyRepr(strerror, depth + 1)})`;
  }
  return e.message === "" ? `${name}()` : `${name}(${pyRepr(e.message, depth + 1)})`;
}

function floatRepr(n: number): string {
  if (Number.isNaN(n)) return "nan";
  if (!Number.isFinite(n)) return n > 0 ? "inf" : "-inf";
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
    } else out += ch;
  }
  return out + q;
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
 * `name(arg reprs)`, the way asyncio shows a callback in messages.
 *
 * @example
 * ```ts
 * formatCallback(function hello() {}, [1, "a"]); // "hello(1, 'a')"
 * ```
 */
export function formatCallback(fn: unknown, args: readonly unknown[]): string {
  const name = typeof fn === "function"
    ? ((fn as { __qualname__?: string }).__qualname__ ?? fn.name ?? "") || "<lambda>"
    : pyRepr(fn);
  return `${name}(${args.map((a) => pyRepr(a)).join(", ")})`;
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
  const ctor = (x as object).constructor;
  if (ctor === Object || ctor === undefined) return "dict";
  return ctor.name || "object";
}
