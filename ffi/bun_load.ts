/**
 * Loads `bun:ffi` synchronously, with the small slice of its types that the
 * Bun backend uses (so the Node build need not pull in bun-types, which
 * clashes with @types/node).
 *
 * @module
 */

/** A native address as `bun:ffi` hands it out. */
export type BunPointer = number;

/** The part of `bun:ffi` the backend calls. */
export interface BunFfi {
  /** Opens a library and binds the listed symbols. */
  dlopen(
    path: string,
    symbols: Record<string, { args: string[]; returns: string }>,
  ): { symbols: unknown; close(): void };
  /** The address of a typed array's first byte (its byteOffset included). */
  ptr(view: ArrayBufferView, byteOffset?: number): BunPointer;
  /** An ArrayBuffer over native memory, without copying. */
  toArrayBuffer(p: BunPointer, byteOffset?: number, byteLength?: number): ArrayBuffer;
  /** Reads a NUL-terminated string at an address. */
  CString: new (p: BunPointer, byteOffset?: number, byteLength?: number) => { toString(): string };
}

/**
 * `bun:ffi`, loaded on demand. `import.meta.require` is Bun's synchronous
 * loader; it also works inside `bun build --compile` binaries, where
 * `bun:ffi` is built in. Throws outside Bun.
 */
export function loadBunFfi(): BunFfi {
  const meta = import.meta as unknown as { require?: (id: string) => unknown };
  if (typeof meta.require !== "function") {
    throw new Error("bun:ffi can only be loaded on Bun (import.meta.require is missing)");
  }
  return meta.require("bun:ffi") as BunFfi;
}
