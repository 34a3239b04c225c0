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
 * not one of `names` is a `TypeError`, with Python's message (the key in
 * snake_case, as the Python code spelt it), rather than a silently ignored typo.
 *
 * @example
 * ```ts
 * keywords("Queue", { maxsize: 2 }, ["maxsize"]); // { maxsize: 2 }
 * keywords("Queue", 2, ["maxsize"]); // null
 * keywords("Queue", { maxSize: 2 }, ["maxsize"]); // TypeError: ... 'max_size'
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
      // Named as the Python code spelt it: `returnException` was `return_exception`.
      const snake = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
      throw new TypeError(`${fn}() got an unexpected keyword argument '${snake}'`);
    }
  }
  return arg as Record<string, unknown>;
}

/**
 * Python's TypeError for a keyword a method does not take (a typo, or a
 * keyword of a later Python, as `all_errors`), named in snake_case as Python
 * names it. `allowed` are the options' camelCase keys; a key whose value is
 * undefined counts as not given.
 *
 * @example
 * ```ts
 * checkKeywords("BaseEventLoop.sendfile", { fallbak: true }, ["fallback"]);
 * // TypeError: BaseEventLoop.sendfile() got an unexpected keyword argument 'fallbak'
 * ```
 */
export function checkKeywords(method: string, opts: unknown, allowed: readonly string[]): void {
  if (typeof opts !== "object" || opts === null) return;
  for (const [key, value] of Object.entries(opts)) {
    if (value === undefined || allowed.includes(key)) continue;
    const snake = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    throw new TypeError(`${method}() got an unexpected keyword argument '${snake}'`);
  }
}
