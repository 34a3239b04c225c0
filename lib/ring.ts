/**
 * A FIFO queue on a power-of-two ring: O(1) push and shift with no
 * per-operation allocation, which the loop's ready queue needs (an array
 * emptied with `length = 0` and refilled costs V8 a reallocation per
 * iteration).
 *
 * @module
 */

/**
 * A growable ring-buffer queue.
 *
 * @example
 * ```ts
 * const q = new RingQueue<number>();
 * q.push(1);
 * q.push(2);
 * q.shift(); // 1
 * q.length; // 1
 * ```
 */
export class RingQueue<T> {
  #buf: Array<T | undefined>;
  #mask: number;
  #head = 0;
  #tail = 0;

  /** An empty queue with room for `capacity` items before it grows (rounded up to a power of two). */
  constructor(capacity = 64) {
    let n = 16;
    while (n < capacity) n *= 2;
    this.#buf = new Array<T | undefined>(n).fill(undefined);
    this.#mask = n - 1;
  }

  /** The number of items queued. */
  get length(): number {
    return (this.#tail - this.#head) & this.#mask;
  }

  /** Appends `item`. */
  push(item: T): void {
    this.#buf[this.#tail] = item;
    this.#tail = (this.#tail + 1) & this.#mask;
    if (this.#tail === this.#head) this.#grow();
  }

  /** Puts `item` first, before every queued item. */
  unshift(item: T): void {
    this.#head = (this.#head - 1) & this.#mask;
    this.#buf[this.#head] = item;
    if (this.#tail === this.#head) this.#grow();
  }

  /** Removes and returns the oldest item; `undefined` when empty. */
  shift(): T | undefined {
    if (this.#head === this.#tail) return undefined;
    const item = this.#buf[this.#head];
    this.#buf[this.#head] = undefined;
    this.#head = (this.#head + 1) & this.#mask;
    return item;
  }

  /** The oldest item without removing it. */
  peek(): T | undefined {
    return this.#head === this.#tail ? undefined : this.#buf[this.#head];
  }

  /** The `k`-th newest item (0: the newest); `undefined` past the oldest. */
  fromEnd(k: number): T | undefined {
    return k < this.length ? this.#buf[(this.#tail - 1 - k) & this.#mask] : undefined;
  }

  /** Calls `fn` with each item, oldest first (off the hot path: for reports). */
  forEach(fn: (item: T) => void): void {
    for (let i = this.#head; i !== this.#tail; i = (i + 1) & this.#mask) fn(this.#buf[i] as T);
  }

  /** Drops every item. */
  clear(): void {
    this.#buf.fill(undefined);
    this.#head = this.#tail = 0;
  }

  #grow(): void {
    // Full: head === tail after the push. Unroll into a buffer twice the size.
    const old = this.#buf;
    const n = old.length;
    const next = new Array<T | undefined>(n * 2).fill(undefined);
    for (let i = 0; i < n; i++) next[i] = old[(this.#head + i) & this.#mask];
    this.#buf = next;
    this.#head = 0;
    this.#tail = n;
    this.#mask = n * 2 - 1;
  }
}
