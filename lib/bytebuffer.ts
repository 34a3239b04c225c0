/**
 * `ByteBuffer`: Python's `bytearray` as a FIFO of bytes, the way
 * `StreamReader` uses it: append at the end, search, take from the front.
 *
 * @module
 */

/** Below this, a buffer that empties keeps its memory for the next chunks. */
const KEEP_CAPACITY = 1 << 20;

/**
 * Where `needle` first occurs in `hay` at or after `from`, or -1.
 *
 * @example
 * ```ts
 * indexOfBytes(new Uint8Array([1, 2, 3, 2, 3]), new Uint8Array([2, 3]), 2); // 3
 * ```
 */
export function indexOfBytes(hay: Uint8Array, needle: Uint8Array, from = 0): number {
  const n = needle.length;
  if (n === 0) return from <= hay.length ? from : -1;
  const first = needle[0];
  const last = hay.length - n;
  for (let i = hay.indexOf(first, from); i !== -1 && i <= last; i = hay.indexOf(first, i + 1)) {
    let j = 1;
    while (j < n && hay[i + j] === needle[j]) j++;
    if (j === n) return i;
  }
  return -1;
}

/**
 * A growable byte FIFO: appending is amortized O(length), taking from the
 * front is O(taken), and the bytes buffered are one contiguous view, so a
 * separator is searched for in place.
 *
 * @example
 * ```ts
 * const b = new ByteBuffer();
 * b.append(new TextEncoder().encode("ab\ncd"));
 * b.take(b.indexOf(new Uint8Array([10])) + 1); // "ab\n"
 * b.length; // 2
 * ```
 */
export class ByteBuffer {
  #buf = new Uint8Array(0);
  #start = 0;
  #end = 0;

  /** How many bytes are buffered. */
  get length(): number {
    return this.#end - this.#start;
  }

  /** The buffered bytes, without copying; valid until the next change. */
  view(): Uint8Array {
    return this.#buf.subarray(this.#start, this.#end);
  }

  /** Appends a copy of `data`. */
  append(data: Uint8Array): void {
    const n = data.length;
    if (n === 0) return;
    if (this.#end + n > this.#buf.length) this.#makeRoom(n);
    this.#buf.set(data, this.#end);
    this.#end += n;
  }

  #makeRoom(n: number): void {
    const len = this.length;
    const need = len + n;
    if (need <= this.#buf.length && this.#start >= len) {
      // Enough room once the consumed front is dropped, and the move is
      // cheap compared with what was consumed: compact in place.
      this.#buf.copyWithin(0, this.#start, this.#end);
    } else {
      const grown = new Uint8Array(Math.max(need, this.#buf.length * 2, 256));
      grown.set(this.view());
      this.#buf = grown;
    }
    this.#start = 0;
    this.#end = len;
  }

  /** Where `sep` first occurs at or after `from` (relative to the front), or -1. */
  indexOf(sep: Uint8Array, from = 0): number {
    return indexOfBytes(this.view(), sep, from);
  }

  /** Whether the buffered bytes have `sep` at position `at`. */
  startsWith(sep: Uint8Array, at = 0): boolean {
    if (at + sep.length > this.length) return false;
    const base = this.#start + at;
    for (let i = 0; i < sep.length; i++) {
      if (this.#buf[base + i] !== sep[i]) return false;
    }
    return true;
  }

  /** Removes the first `n` bytes (all, if fewer) and returns a copy of them. */
  take(n: number): Uint8Array {
    const k = Math.max(0, Math.min(n, this.length));
    const out = this.#buf.slice(this.#start, this.#start + k);
    this.drop(k);
    return out;
  }

  /** Removes the first `n` bytes (all, if fewer). */
  drop(n: number): void {
    this.#start += Math.max(0, Math.min(n, this.length));
    if (this.#start === this.#end) this.clear();
  }

  /** Removes everything; gives a large buffer's memory back. */
  clear(): void {
    this.#start = 0;
    this.#end = 0;
    if (this.#buf.length > KEEP_CAPACITY) this.#buf = new Uint8Array(0);
  }
}
