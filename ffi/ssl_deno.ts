/**
 * Binds OpenSSL ({@link SSL_SYMBOLS}) with `Deno.dlopen`, for `sys().ssl()`
 * on Deno. Pointers are Deno's opaque pointer objects, handed out as the
 * branded handles of `ssl.ts`; C strings are read with `getCString`.
 *
 * @module
 */
import {
  type AlpnSelectFn,
  makeSslLib,
  openLibssl,
  SSL_SYMBOLS,
  type SslKind,
  type SslLib,
  type SslRaw,
} from "./ssl.ts";

type DenoPointer = object;
type DenoType = "i32" | "u32" | "u64" | "buffer" | "pointer" | "void";
type DenoDef = { parameters: DenoType[]; result: DenoType; callback?: boolean };
interface DenoSslFfi {
  dlopen(
    path: string,
    symbols: Record<string, DenoDef>,
  ): { symbols: Record<string, (...args: unknown[]) => unknown> };
  UnsafePointerView: { getCString(p: DenoPointer): string };
  UnsafePointer: { value(p: DenoPointer | null): bigint | number };
  UnsafeCallback: new (
    def: { parameters: DenoType[]; result: DenoType },
    fn: AlpnSelectFn,
  ) => { pointer: DenoPointer; close(): void };
}

// SSL_do_handshake runs the ALPN select callback (server side): Deno must
// be told a call may re-enter JS.
const CALLS_BACK = new Set(["SSL_do_handshake"]);

function denoType(k: SslKind): DenoType {
  switch (k) {
    case "buf":
    case "bufn":
      return "buffer";
    case "ptr":
    case "cstr":
      return "pointer";
    default:
      return k;
  }
}

/**
 * Opens libssl through `Deno.dlopen`; throws when it is missing.
 *
 * @example
 * ```ts
 * const ssl = createDenoSsl(Deno);
 * ```
 */
export function createDenoSsl(deno: unknown): SslLib {
  const d = deno as DenoSslFfi;
  const defs: Record<string, DenoDef> = {};
  for (const [name, [params, result]] of Object.entries(SSL_SYMBOLS)) {
    defs[name] = { parameters: params.map(denoType), result: denoType(result) };
    if (CALLS_BACK.has(name)) defs[name].callback = true;
  }
  const lib: { symbols: Record<string, (...args: unknown[]) => unknown> } = openLibssl((path) =>
    d.dlopen(path, defs)
  );
  const raw: Record<string, unknown> = {};
  for (const [name, [, result]] of Object.entries(SSL_SYMBOLS)) {
    const f = lib.symbols[name];
    raw[name] = result === "cstr"
      ? (...args: unknown[]) => {
        const p = f(...args) as DenoPointer | null;
        return p === null ? null : d.UnsafePointerView.getCString(p);
      }
      : f;
  }
  return makeSslLib(raw as unknown as SslRaw, (fn) => {
    const cb = new d.UnsafeCallback({
      parameters: ["pointer", "pointer", "pointer", "pointer", "u32", "pointer"],
      result: "i32",
    }, fn);
    return { address: BigInt(d.UnsafePointer.value(cb.pointer)), close: () => cb.close() };
  });
}
