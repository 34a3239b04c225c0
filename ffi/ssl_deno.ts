/**
 * Binds OpenSSL ({@link SSL_SYMBOLS}) with `Deno.dlopen`, for `sys().ssl()`
 * on Deno. Pointers are Deno's opaque pointer objects, handed out as the
 * branded handles of `ssl.ts`; C strings are read with `getCString`.
 *
 * @module
 */
import {
  LIBSSL_NAMES,
  makeSslLib,
  SSL_SYMBOLS,
  type SslKind,
  type SslLib,
  type SslRaw,
} from "./ssl.ts";

type DenoPointer = object;
type DenoType = "i32" | "u32" | "u64" | "buffer" | "pointer" | "void";
interface DenoSslFfi {
  dlopen(
    path: string,
    symbols: Record<string, { parameters: DenoType[]; result: DenoType }>,
  ): { symbols: Record<string, (...args: unknown[]) => unknown> };
  UnsafePointerView: { getCString(p: DenoPointer): string };
}

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
  const defs: Record<string, { parameters: DenoType[]; result: DenoType }> = {};
  for (const [name, [params, result]] of Object.entries(SSL_SYMBOLS)) {
    defs[name] = { parameters: params.map(denoType), result: denoType(result) };
  }
  let lib: { symbols: Record<string, (...args: unknown[]) => unknown> } | undefined;
  const errors: string[] = [];
  for (const path of LIBSSL_NAMES) {
    try {
      lib = d.dlopen(path, defs);
      break;
    } catch (e) {
      errors.push(e instanceof Error ? e.message : String(e));
    }
  }
  if (lib === undefined) {
    throw new Error(`OpenSSL 3 (libssl.so.3) could not be loaded: ${errors.join("; ")}`);
  }
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
  return makeSslLib(raw as unknown as SslRaw);
}
