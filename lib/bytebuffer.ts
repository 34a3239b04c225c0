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
  /**
   * The memory the buffered bytes live in, `[#start, #end)`: `#store`, or a
   * chunk given to {@link keep} while it is all there is.
   */
  #buf: Uint8Array = new Uint8Array(0);
  #start = 0;
  #end = 0;
  /** The buffer's own memory, which appends write into. */
  #store: Uint8Array = this.#buf;

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
    if (this.#buf !== this.#store || this.#end + n > this.#buf.length) this.#makeRoom(n);
    this.#buf.set(data, this.#end);
    this.#end += n;
  }

  /**
   * Appends `chunk`, which the caller gives away (nobody writes to it any
   * more): into an empty buffer it goes as it is, not copied, and a
   * {@link take} of all of it hands it back as it is. A stream that reads
   * each chunk whole, as an echo does, copies nothing.
   */
  keep(chunk: Uint8Array): void {
    if (this.#end !== this.#start || chunk.length === 0) {
      this.append(chunk);
      return;
    }
    this.#buf = chunk;
    this.#start = 0;
    this.#end = chunk.length;
  }

  #makeRoom(n: number): void {
    const len = this.length;
    const need = len + n;
    const store = this.#store;
    if (this.#buf !== store && need <= store.length) {
      // A kept chunk is never written to: move its rest into the store.
      store.set(this.view());
    } else if (need <= store.length && this.#start >= len) {
      // Enough room once the consumed front is dropped, and the move is
      // cheap compared with what was consumed: compact in place.
      store.copyWithin(0, this.#start, this.#end);
    } else {
      const grown = new Uint8Array(Math.max(need, store.length * 2, 256));
      grown.set(this.view());
      this.#store = grown;
    }
    this.#buf = this.#store;
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

  /**
   * Removes the first `n` bytes (all, if fewer) and returns them: a copy,
   * or, when they are the rest of a kept chunk, that chunk (or a view of
   * its rest: the front was taken as copies, so nothing else shares it).
   */
  take(n: number): Uint8Array {
    const len = this.length;
    const k = Math.max(0, Math.min(n, len));
    const buf = this.#buf;
    let out: Uint8Array;
    if (k === len && buf !== this.#store && k > 0) {
      out = this.#start === 0 && this.#end === buf.length
        ? buf
        : buf.subarray(this.#start, this.#end);
    } else {
      out = buf.slice(this.#start, this.#start + k);
    }
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
    if (this.#store.length > KEEP_CAPACITY) this.#store = new Uint8Array(0);
    this.#buf = this.#store;
  }
}
