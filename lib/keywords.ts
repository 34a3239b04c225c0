/**
 * Python's keyword form of a positional parameter. `asyncio.Queue(maxsize=2)`
 * or `wait_for(aw, timeout=1)` ported by rule 3 of API.md (keyword arguments
 * become a trailing options object) reads `new Queue({ maxsize: 2 })` or
 * `waitFor(aw, { timeout: 1 })`; the positional form stays the documented
 * one, and both work wherever the parameter could never be a plain object.
 *
 * @module
 */

/**
 * The keyword arguments `arg` holds when it is a plain object (Python's
 * `f(name=value)`), or null when it is a positional value. A key that is
 * not one of `names` is a `TypeError`, with Python's message, rather than a
 * silently ignored typo.
 *
 * @example
 * ```ts
 * keywords("Queue", { maxsize: 2 }, ["maxsize"]); // { maxsize: 2 }
 * keywords("Queue", 2, ["maxsize"]); // null
 * keywords("Queue", { maxSize: 2 }, ["maxsize"]); // TypeError
 * ```
 */
export function keywords(
  fn: string,
  arg: unknown,
  names: readonly string[],
): Record<string, unknown> | null {
  if (typeof arg !== "object" || arg === null) return null;
  const proto = Object.getPrototypeOf(arg);
  if (proto !== Object.prototype && proto !== null) return null;
  for (const key of Object.keys(arg)) {
    if (!names.includes(key)) {
      throw new TypeError(`${fn}() got an unexpected keyword argument '${key}'`);
    }
  }
  return arg as Record<string, unknown>;
}
