/**
 * The assertions every test imports. They sit on `node:assert/strict`, which
 * Deno, Bun and Node all ship, with the names and argument order of
 * `jsr:@std/assert`, so switching to that package is one import line here.
 *
 * @module
 */
import nodeAssert from "node:assert/strict";

/** Asserts that `value` is truthy. */
export function assert(value: unknown, msg?: string): asserts value {
  nodeAssert.ok(value, msg);
}

/** Asserts deep, strict equality. */
export function assertEquals<T>(actual: T, expected: T, msg?: string): void {
  nodeAssert.deepStrictEqual(actual, expected, msg);
}

/** Asserts deep inequality. */
export function assertNotEquals(actual: unknown, expected: unknown, msg?: string): void {
  nodeAssert.notDeepStrictEqual(actual, expected, msg);
}

/** Asserts `Object.is` identity. */
export function assertStrictEquals<T>(
  actual: unknown,
  expected: T,
  msg?: string,
): asserts actual is T {
  nodeAssert.strictEqual(actual, expected, msg);
}

/** Asserts that `actual` matches `re`. */
export function assertMatch(actual: string, re: RegExp, msg?: string): void {
  nodeAssert.match(actual, re, msg);
}

/** Asserts that `a < b` style comparisons hold: `actual >= expected`. */
export function assertGreaterOrEqual(actual: number, expected: number, msg?: string): void {
  nodeAssert.ok(actual >= expected, msg ?? `expected ${actual} >= ${expected}`);
}

/** Asserts that `actual < expected`. */
export function assertLess(actual: number, expected: number, msg?: string): void {
  nodeAssert.ok(actual < expected, msg ?? `expected ${actual} < ${expected}`);
}

/** Asserts that `value` is an instance of `type`. */
export function assertInstanceOf<T>(
  value: unknown,
  // deno-lint-ignore no-explicit-any
  type: abstract new (...args: any[]) => T,
  msg?: string,
): asserts value is T {
  nodeAssert.ok(
    value instanceof type,
    msg ?? `expected instance of ${type.name}, got ${describe(value)}`,
  );
}

type ErrorClass<E extends Error> =
  // deno-lint-ignore no-explicit-any
  abstract new (...args: any[]) => E;

function checkError<E extends Error>(
  err: unknown,
  ErrorClass?: ErrorClass<E>,
  msgIncludes?: string,
): E {
  if (ErrorClass && !(err instanceof ErrorClass)) {
    throw new nodeAssert.AssertionError({
      message: `expected error of class ${ErrorClass.name}, got ${describe(err)}`,
    });
  }
  if (msgIncludes !== undefined) {
    const m = err instanceof Error ? err.message : String(err);
    if (!m.includes(msgIncludes)) {
      throw new nodeAssert.AssertionError({
        message: `expected error message to include ${JSON.stringify(msgIncludes)}, got ${
          JSON.stringify(m)
        }`,
      });
    }
  }
  return err as E;
}

/** Asserts that `fn()` throws; returns the error. */
export function assertThrows<E extends Error = Error>(
  fn: () => unknown,
  ErrorClass?: ErrorClass<E>,
  msgIncludes?: string,
): E {
  try {
    fn();
  } catch (err) {
    return checkError(err, ErrorClass, msgIncludes);
  }
  throw new nodeAssert.AssertionError({ message: "expected function to throw" });
}

/** Asserts that the promise from `fn()` rejects; returns the error. */
export async function assertRejects<E extends Error = Error>(
  fn: () => PromiseLike<unknown>,
  ErrorClass?: ErrorClass<E>,
  msgIncludes?: string,
): Promise<E> {
  try {
    await fn();
  } catch (err) {
    return checkError(err, ErrorClass, msgIncludes);
  }
  throw new nodeAssert.AssertionError({ message: "expected promise to reject" });
}

function describe(v: unknown): string {
  if (v instanceof Error) return `${v.constructor.name}: ${v.message}`;
  try {
    return String(v);
  } catch {
    return typeof v;
  }
}
