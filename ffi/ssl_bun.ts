/**
 * Binds OpenSSL ({@link SSL_SYMBOLS}) with `bun:ffi`, for `sys().ssl()` on
 * Bun. Pointers are Bun's numbers (null for NULL), handed out as the branded
 * handles of `ssl.ts`; C strings are read with `CString`.
 *
 * @module
 */
import type { BunFfi, BunPointer } from "./bun_load.ts";
import {
  type AlpnSelectFn,
  makeSslLib,
  openLibssl,
  SSL_SYMBOLS,
  type SslKind,
  type SslLib,
  type SslRaw,
} from "./ssl.ts";

/** `bun:ffi`'s JSCallback, which the shared loader's types leave out. */
type JSCallbackCtor = new (
  fn: AlpnSelectFn,
  def: { args: string[]; returns: string },
) => { ptr: BunPointer | null; close(): void };

function bunType(k: SslKind): string {
  switch (k) {
    case "buf":
      return "buffer";
    // Arguments that may be null are `ptr` (a typed array passes its address).
    case "bufn":
    case "ptr":
    case "cstr":
      return "ptr";
    default:
      return k;
  }
}

/**
 * Opens libssl through `bun:ffi`; throws when it is missing.
 *
 * @example
 * ```ts
 * const ssl = createBunSsl(loadBunFfi());
 * ```
 */
export function createBunSsl(ffi: BunFfi): SslLib {
  const defs: Record<string, { args: string[]; returns: string }> = {};
  for (const [name, [params, result]] of Object.entries(SSL_SYMBOLS)) {
    defs[name] = { args: params.map(bunType), returns: bunType(result) };
  }
  const lib: { symbols: unknown } = openLibssl((path) => ffi.dlopen(path, defs));
  const symbols = lib.symbols as Record<string, (...args: unknown[]) => unknown>;
  const raw: Record<string, unknown> = {};
  for (const [name, [, result]] of Object.entries(SSL_SYMBOLS)) {
    const f = symbols[name];
    raw[name] = result === "cstr"
      ? (...args: unknown[]) => {
        const p = f(...args) as BunPointer | null;
        return p ? new ffi.CString(p).toString() : null;
      }
      : result === "ptr"
      ? (...args: unknown[]) => (f(...args) as BunPointer | null) || null
      : f;
  }
  const JSCallback = (ffi as unknown as { JSCallback: JSCallbackCtor }).JSCallback;
  return makeSslLib(raw as unknown as SslRaw, (fn) => {
    const cb = new JSCallback(fn, {
      args: ["ptr", "ptr", "ptr", "ptr", "u32", "ptr"],
      returns: "i32",
    });
    return { address: BigInt(cb.ptr ?? 0), close: () => cb.close() };
  });
}
