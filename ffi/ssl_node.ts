/**
 * Binds OpenSSL ({@link SSL_SYMBOLS}) with koffi, for `sys().ssl()` on
 * Node. Pointers are koffi's external values (null for NULL), handed out as
 * the branded handles of `ssl.ts`; `const char *` results arrive as text.
 * The library is opened with RTLD_DEEPBIND (see {@link createNodeSsl}).
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

/** The slice of koffi this file uses. */
export interface KoffiForSsl {
  load(
    path: string,
    options?: { deep?: boolean },
  ): { func(definition: string): (...args: unknown[]) => unknown };
  proto(definition: string): unknown;
  pointer(type: unknown): unknown;
  register(fn: AlpnSelectFn, type: unknown): bigint;
  unregister(cb: bigint): void;
}

let alpnProto: unknown;

const C_TYPES: Record<SslKind, string> = {
  i32: "int",
  u32: "uint32_t",
  u64: "uint64_t",
  ptr: "void *",
  buf: "void *",
  bufn: "void *",
  cstr: "const char *",
  void: "void",
};

/**
 * Opens libssl through koffi; throws when it is missing.
 *
 * @example
 * ```ts
 * const ssl = createNodeSsl(koffi);
 * ```
 */
export function createNodeSsl(koffi: KoffiForSsl): SslLib {
  // Node's own binary exports the OpenSSL it links statically: without
  // RTLD_DEEPBIND, libssl would bind half of its calls to that copy.
  const lib = openLibssl((path) => koffi.load(path, { deep: true }));
  const raw: Record<string, unknown> = {};
  for (const [name, [params, result]] of Object.entries(SSL_SYMBOLS)) {
    const args = params.map((k, i) => `${C_TYPES[k]} a${i}`).join(", ");
    raw[name] = lib.func(`${C_TYPES[result]} ${name}(${args})`);
  }
  return makeSslLib(raw as unknown as SslRaw, (fn) => {
    // A prototype name is global to koffi: declared once per process.
    alpnProto ??= koffi.pointer(
      koffi.proto(
        "int asyncio_ts_alpn_select_cb(void *ssl, void *out, void *outlen, void *in, uint32_t inlen, void *arg)",
      ),
    );
    const id = koffi.register(fn, alpnProto);
    return { address: BigInt(id), close: () => koffi.unregister(id) };
  });
}
