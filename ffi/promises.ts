/**
 * Reading a promise's state synchronously, where the runtime offers a cheap
 * way to: Bun's `Bun.peek` (about 12 ns). V8 has no public call for it;
 * Deno's internal `getPromiseDetails` costs about 185 ns, more than the
 * promise reaction and microtask it would save, so it is not used.
 *
 * A task uses it to end in its first step when its coroutine returned an
 * already fulfilled promise (an `async` function that never awaited), as a
 * Python task does, instead of subscribing to the promise and finishing one
 * microtask later.
 *
 * @example
 * ```ts
 * const p = (async () => 42)();
 * if (fulfilledValue !== null) fulfilledValue(p); // 42 on Bun
 * ```
 *
 * @module
 */

/**
 * What {@link fulfilledValue} answers for a promise that is pending or
 * rejected.
 *
 * @example
 * ```ts
 * if (fulfilledValue?.(new Promise(() => {})) === NOT_FULFILLED) console.log("pending");
 * ```
 */
export const NOT_FULFILLED: unique symbol = Symbol("not fulfilled");

type Peek = ((p: unknown) => unknown) & { status(p: unknown): string };

const peek: Peek | undefined = (globalThis as { Bun?: { peek?: Peek } }).Bun?.peek;

/**
 * The value of an already fulfilled promise, read synchronously, else
 * {@link NOT_FULFILLED}; `null` where the runtime cannot tell cheaply.
 *
 * @example
 * ```ts
 * const v = fulfilledValue?.(Promise.resolve(1)); // 1 on Bun, undefined elsewhere
 * ```
 */
export const fulfilledValue: ((p: Promise<unknown>) => unknown) | null = typeof peek ===
      "function" && typeof peek.status === "function"
  ? (p) => (peek.status(p) === "fulfilled" ? peek(p) : NOT_FULFILLED)
  : null;
