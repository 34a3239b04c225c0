/**
 * Length-prefixed frames over a byte stream, for the pipes between a
 * `ProcessPoolExecutor` and its children: a little-endian u32 length, then
 * the payload.
 *
 * @example
 * ```ts
 * const r = new FrameReader();
 * r.push(encodeFrame(new Uint8Array([7, 8])));
 * r.next(); // Uint8Array [7, 8]
 * ```
 *
 * @module
 */

/** `payload` with its 4-byte length in front. */
export function encodeFrame(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + payload.length);
  new DataView(out.buffer).setUint32(0, payload.length, true);
  out.set(payload, 4);
  return out;
}

/**
 * Collects chunks as they arrive and hands out whole payloads.
 *
 * @example
 * ```ts
 * const r = new FrameReader();
 * r.push(new Uint8Array([1, 0, 0]));
 * r.next(); // null: not whole yet
 * r.push(new Uint8Array([0, 42]));
 * r.next(); // Uint8Array [42]
 * ```
 */
export class FrameReader {
  #chunks: Uint8Array[] = [];
  #size = 0;

  /** Adds received bytes (kept, not copied). */
  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.#chunks.push(bytes);
    this.#size += bytes.length;
  }

  /** The next whole payload, or null until one has fully arrived. */
  next(): Uint8Array | null {
    if (this.#size < 4) return null;
    const head = this.#take(4, false);
    const len = new DataView(head.buffer, head.byteOffset, 4).getUint32(0, true);
    if (this.#size < 4 + len) return null;
    this.#take(4, true);
    return this.#take(len, true);
  }

  /** Whether bytes of an unfinished frame are held. */
  get pending(): boolean {
    return this.#size > 0;
  }

  #take(n: number, consume: boolean): Uint8Array {
    let all: Uint8Array;
    if (this.#chunks[0].length >= n) all = this.#chunks[0];
    else {
      all = new Uint8Array(this.#size);
      let off = 0;
      for (const c of this.#chunks) {
        all.set(c, off);
        off += c.length;
      }
      this.#chunks = [all];
    }
    const out = all.subarray(0, n);
    if (consume) {
      const rest = all.subarray(n);
      this.#chunks[0] = rest;
      if (rest.length === 0) this.#chunks.shift();
      this.#size -= n;
    }
    return out;
  }
}
