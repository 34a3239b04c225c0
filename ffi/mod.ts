/**
 * The entry point of `ffi/`: {@link sys} returns the libc shim for the
 * runtime it runs on, built on first use.
 *
 * Importing this module does nothing but define functions: no library is
 * opened and no permission is needed until `sys()` is called, so code that
 * never touches the OS can import the package anywhere.
 *
 * @example
 * ```ts
 * import { C, errnoName, sys } from "./mod.ts";
 * const fd = sys().eventfd(0, C.EFD_CLOEXEC | C.EFD_NONBLOCK);
 * if (fd < 0) throw new Error(errnoName(fd));
 * ```
 *
 * @module
 */
import type { Sys } from "./types.ts";
import { createDenoSys } from "./deno.ts";
import { createBunSys } from "./bun.ts";
import { createNodeSys } from "./node.ts";

export * from "./types.ts";
export type {
  BioPtr,
  CertInfo,
  NativeCallback,
  NativePtr,
  SslCtxPtr,
  SslErrorInfo,
  SslLib,
  SslPtr,
} from "./ssl.ts";
export { ERRNO, type ErrnoName, errnoName } from "./errno.ts";

let cached: Sys | undefined;

/**
 * The process's {@link Sys}: `Deno.dlopen` on Deno, `bun:ffi` on Bun, koffi
 * on Node. Built synchronously on the first call and cached; throws if the
 * backend cannot load (Deno without `--allow-ffi`, Node without koffi).
 *
 * @example
 * ```ts
 * const r = sys().pipe2(C.O_CLOEXEC);
 * if (typeof r === "number") throw new Error(errnoName(r));
 * const [readFd, writeFd] = r;
 * ```
 */
export function sys(): Sys {
  return cached ??= create();
}

function create(): Sys {
  const g = globalThis as { Deno?: unknown; Bun?: unknown };
  if (g.Deno !== undefined) return createDenoSys();
  if (g.Bun !== undefined) return createBunSys();
  return createNodeSys();
}
