/**
 * OpenSSL 3 (`libssl.so.3`, which pulls in `libcrypto.so.3`) as the layers
 * above see it: {@link SslLib}, one typed interface, the same on every
 * runtime. TLS runs over memory BIOs: the loop moves the ciphertext between
 * the socket and the BIOs itself, so OpenSSL never touches a file descriptor.
 *
 * The symbols are listed once, in {@link SSL_SYMBOLS}, with abstract
 * argument kinds; each backend (`ssl_deno.ts`, `ssl_bun.ts`, `ssl_node.ts`)
 * turns the table into its own declarations and hands back {@link SslRaw},
 * the bare C functions. {@link makeSslLib} builds the interface over them
 * (C strings in, text decoding, certificate fields), so the logic is written
 * once. The library is opened on the first `sys().ssl()` call only: a
 * program that never uses TLS never loads it.
 *
 * Native objects are opaque branded handles ({@link NativePtr}): nothing
 * above `ffi/` can look inside one or mistake one kind for another.
 *
 * @module
 */

/** An opaque native pointer of one C type (`K`); never null (that is `null`). */
export type NativePtr<K extends string> = { readonly __native: K };
/** `SSL_CTX *`. */
export type SslCtxPtr = NativePtr<"SSL_CTX">;
/** `SSL *`. */
export type SslPtr = NativePtr<"SSL">;
/** `BIO *`. */
export type BioPtr = NativePtr<"BIO">;
/** Any other native pointer the binding passes around internally. */
export type AnyPtr = NativePtr<string>;

/**
 * How an argument or result is passed: 32-bit integers (`i32`, `u32`; a C
 * `long` argument that fits is passed as one), an opaque pointer (`ptr`,
 * may be null), a typed array (`buf`; `bufn` may also be null), a 64-bit
 * address (`u64`, only for `memcpy`'s source), a C string result (`cstr`,
 * read as text, null for NULL) and `void`.
 */
export type SslKind = "i32" | "u32" | "ptr" | "buf" | "bufn" | "u64" | "cstr" | "void";

/** The C functions bound, with their argument and result kinds. */
export const SSL_SYMBOLS = {
  OpenSSL_version: [["i32"], "cstr"],
  TLS_client_method: [[], "ptr"],
  TLS_server_method: [[], "ptr"],
  SSL_CTX_new: [["ptr"], "ptr"],
  SSL_CTX_free: [["ptr"], "void"],
  SSL_CTX_use_certificate_chain_file: [["ptr", "buf"], "i32"],
  SSL_CTX_use_PrivateKey_file: [["ptr", "buf", "i32"], "i32"],
  SSL_CTX_check_private_key: [["ptr"], "i32"],
  SSL_CTX_load_verify_locations: [["ptr", "bufn", "bufn"], "i32"],
  SSL_CTX_set_default_verify_paths: [["ptr"], "i32"],
  SSL_CTX_get_cert_store: [["ptr"], "ptr"],
  X509_STORE_add_cert: [["ptr", "ptr"], "i32"],
  PEM_read_bio_X509: [["ptr", "ptr", "ptr", "ptr"], "ptr"],
  d2i_X509_bio: [["ptr", "ptr"], "ptr"],
  SSL_CTX_set_verify: [["ptr", "i32", "ptr"], "void"],
  SSL_CTX_set_alpn_protos: [["ptr", "buf", "u32"], "i32"],
  SSL_CTX_set_cipher_list: [["ptr", "buf"], "i32"],
  // The callback is passed as its address (each backend makes one, see NativeCallback).
  SSL_CTX_set_alpn_select_cb: [["ptr", "u64", "ptr"], "void"],
  SSL_select_next_proto: [["ptr", "ptr", "buf", "u32", "ptr", "u32"], "i32"],
  // long SSL_CTX_ctrl(SSL_CTX *, int cmd, long larg, void *parg); the values fit 32 bits.
  SSL_CTX_ctrl: [["ptr", "i32", "i32", "ptr"], "i32"],
  SSL_new: [["ptr"], "ptr"],
  SSL_free: [["ptr"], "void"],
  SSL_set_bio: [["ptr", "ptr", "ptr"], "void"],
  SSL_set_connect_state: [["ptr"], "void"],
  SSL_set_accept_state: [["ptr"], "void"],
  SSL_ctrl: [["ptr", "i32", "i32", "buf"], "i32"],
  SSL_set1_host: [["ptr", "buf"], "i32"],
  SSL_do_handshake: [["ptr"], "i32"],
  SSL_read: [["ptr", "buf", "i32"], "i32"],
  SSL_write: [["ptr", "buf", "i32"], "i32"],
  SSL_get_error: [["ptr", "i32"], "i32"],
  SSL_shutdown: [["ptr"], "i32"],
  SSL_get_shutdown: [["ptr"], "i32"],
  SSL_pending: [["ptr"], "i32"],
  SSL_get_version: [["ptr"], "cstr"],
  SSL_get_current_cipher: [["ptr"], "ptr"],
  SSL_CIPHER_get_name: [["ptr"], "cstr"],
  SSL_CIPHER_get_version: [["ptr"], "cstr"],
  SSL_CIPHER_get_bits: [["ptr", "ptr"], "i32"],
  SSL_get1_peer_certificate: [["ptr"], "ptr"],
  SSL_get_verify_result: [["ptr"], "i32"],
  SSL_get0_alpn_selected: [["ptr", "buf", "buf"], "void"],
  BIO_s_mem: [[], "ptr"],
  BIO_new: [["ptr"], "ptr"],
  BIO_free: [["ptr"], "i32"],
  BIO_read: [["ptr", "buf", "i32"], "i32"],
  BIO_write: [["ptr", "buf", "i32"], "i32"],
  BIO_ctrl_pending: [["ptr"], "u32"],
  // long BIO_ctrl(BIO *, int cmd, long larg, void *parg); the values fit 32 bits.
  BIO_ctrl: [["ptr", "i32", "i32", "ptr"], "i32"],
  i2d_X509_bio: [["ptr", "ptr"], "i32"],
  X509_free: [["ptr"], "void"],
  X509_get_version: [["ptr"], "i32"],
  X509_get_subject_name: [["ptr"], "ptr"],
  X509_get_issuer_name: [["ptr"], "ptr"],
  X509_NAME_print_ex: [["ptr", "ptr", "i32", "u32"], "i32"],
  X509_get0_notBefore: [["ptr"], "ptr"],
  X509_get0_notAfter: [["ptr"], "ptr"],
  ASN1_TIME_print: [["ptr", "ptr"], "i32"],
  X509_get_serialNumber: [["ptr"], "ptr"],
  i2a_ASN1_INTEGER: [["ptr", "ptr"], "i32"],
  X509_get_ext_by_NID: [["ptr", "i32", "i32"], "i32"],
  X509_get_ext: [["ptr", "i32"], "ptr"],
  X509V3_EXT_print: [["ptr", "ptr", "u32", "i32"], "i32"],
  X509_verify_cert_error_string: [["i32"], "cstr"],
  ERR_get_error: [[], "u32"],
  ERR_peek_error: [[], "u32"],
  ERR_peek_last_error: [[], "u32"],
  ERR_clear_error: [[], "void"],
  ERR_error_string_n: [["u32", "buf", "u32"], "void"],
  ERR_lib_error_string: [["u32"], "cstr"],
  ERR_reason_error_string: [["u32"], "cstr"],
  // From libc, found through libssl's dependencies: copies the ALPN bytes.
  memcpy: [["buf", "u64", "u32"], "ptr"],
} as const satisfies Record<string, readonly [readonly SslKind[], SslKind]>;

/** The bare C functions, as a backend binds them (see {@link SSL_SYMBOLS}). */
export interface SslRaw {
  OpenSSL_version(t: number): string | null;
  TLS_client_method(): AnyPtr | null;
  TLS_server_method(): AnyPtr | null;
  SSL_CTX_new(method: AnyPtr): SslCtxPtr | null;
  SSL_CTX_free(ctx: SslCtxPtr): void;
  SSL_CTX_use_certificate_chain_file(ctx: SslCtxPtr, file: Uint8Array): number;
  SSL_CTX_use_PrivateKey_file(ctx: SslCtxPtr, file: Uint8Array, type: number): number;
  SSL_CTX_check_private_key(ctx: SslCtxPtr): number;
  SSL_CTX_load_verify_locations(
    ctx: SslCtxPtr,
    cafile: Uint8Array | null,
    capath: Uint8Array | null,
  ): number;
  SSL_CTX_set_default_verify_paths(ctx: SslCtxPtr): number;
  SSL_CTX_set_verify(ctx: SslCtxPtr, mode: number, cb: null): void;
  SSL_CTX_set_alpn_protos(ctx: SslCtxPtr, protos: Uint8Array, len: number): number;
  SSL_CTX_set_cipher_list(ctx: SslCtxPtr, list: Uint8Array): number;
  SSL_CTX_set_alpn_select_cb(ctx: SslCtxPtr, cb: bigint, arg: null): void;
  SSL_select_next_proto(
    out: AnyPtr,
    outlen: AnyPtr,
    server: Uint8Array,
    serverLen: number,
    client: AnyPtr,
    clientLen: number,
  ): number;
  SSL_CTX_ctrl(ctx: SslCtxPtr, cmd: number, larg: number, parg: null): number;
  SSL_new(ctx: SslCtxPtr): SslPtr | null;
  SSL_free(ssl: SslPtr): void;
  SSL_set_bio(ssl: SslPtr, rbio: BioPtr, wbio: BioPtr): void;
  SSL_set_connect_state(ssl: SslPtr): void;
  SSL_set_accept_state(ssl: SslPtr): void;
  SSL_ctrl(ssl: SslPtr, cmd: number, larg: number, parg: Uint8Array): number;
  SSL_set1_host(ssl: SslPtr, name: Uint8Array): number;
  SSL_do_handshake(ssl: SslPtr): number;
  SSL_read(ssl: SslPtr, buf: Uint8Array, n: number): number;
  SSL_write(ssl: SslPtr, buf: Uint8Array, n: number): number;
  SSL_get_error(ssl: SslPtr, ret: number): number;
  SSL_shutdown(ssl: SslPtr): number;
  SSL_get_shutdown(ssl: SslPtr): number;
  SSL_pending(ssl: SslPtr): number;
  SSL_get_version(ssl: SslPtr): string | null;
  SSL_get_current_cipher(ssl: SslPtr): AnyPtr | null;
  SSL_CIPHER_get_name(c: AnyPtr): string | null;
  SSL_CIPHER_get_version(c: AnyPtr): string | null;
  SSL_CIPHER_get_bits(c: AnyPtr, algBits: null): number;
  SSL_get1_peer_certificate(ssl: SslPtr): AnyPtr | null;
  SSL_get_verify_result(ssl: SslPtr): number;
  SSL_get0_alpn_selected(ssl: SslPtr, data: Uint8Array, len: Uint8Array): void;
  BIO_s_mem(): AnyPtr | null;
  BIO_new(method: AnyPtr): BioPtr | null;
  BIO_free(bio: BioPtr): number;
  BIO_read(bio: BioPtr, buf: Uint8Array, n: number): number;
  BIO_write(bio: BioPtr, buf: Uint8Array, n: number): number;
  BIO_ctrl_pending(bio: BioPtr): number;
  BIO_ctrl(bio: BioPtr, cmd: number, larg: number, parg: null): number;
  i2d_X509_bio(bio: BioPtr, x: AnyPtr): number;
  SSL_CTX_get_cert_store(ctx: SslCtxPtr): AnyPtr | null;
  X509_STORE_add_cert(store: AnyPtr, x: AnyPtr): number;
  PEM_read_bio_X509(bio: BioPtr, x: null, cb: null, u: null): AnyPtr | null;
  d2i_X509_bio(bio: BioPtr, x: null): AnyPtr | null;
  X509_free(x: AnyPtr): void;
  X509_get_version(x: AnyPtr): number;
  X509_get_subject_name(x: AnyPtr): AnyPtr | null;
  X509_get_issuer_name(x: AnyPtr): AnyPtr | null;
  X509_NAME_print_ex(bio: BioPtr, name: AnyPtr, indent: number, flags: number): number;
  X509_get0_notBefore(x: AnyPtr): AnyPtr | null;
  X509_get0_notAfter(x: AnyPtr): AnyPtr | null;
  ASN1_TIME_print(bio: BioPtr, t: AnyPtr): number;
  X509_get_serialNumber(x: AnyPtr): AnyPtr | null;
  i2a_ASN1_INTEGER(bio: BioPtr, a: AnyPtr): number;
  X509_get_ext_by_NID(x: AnyPtr, nid: number, lastpos: number): number;
  X509_get_ext(x: AnyPtr, loc: number): AnyPtr | null;
  X509V3_EXT_print(bio: BioPtr, ext: AnyPtr, flag: number, indent: number): number;
  X509_verify_cert_error_string(n: number): string | null;
  ERR_get_error(): number;
  ERR_peek_error(): number;
  ERR_peek_last_error(): number;
  ERR_clear_error(): void;
  ERR_error_string_n(e: number, buf: Uint8Array, len: number): void;
  ERR_lib_error_string(e: number): string | null;
  ERR_reason_error_string(e: number): string | null;
  memcpy(dst: Uint8Array, src: bigint, n: number): AnyPtr | null;
}

/** A native function made from a JS one, for OpenSSL to call back on this thread. */
export interface NativeCallback {
  /** The function's address. */
  readonly address: bigint;
  /** Frees it; OpenSSL must not call it any more. */
  close(): void;
}

/** OpenSSL's ALPN select callback: `(ssl, out, outlen, in, inlen, arg) -> int`. */
export type AlpnSelectFn = (
  ssl: AnyPtr,
  out: AnyPtr,
  outlen: AnyPtr,
  inp: AnyPtr,
  inlen: number,
  arg: AnyPtr | null,
) => number;

/** How a backend turns an {@link AlpnSelectFn} into a native callback. */
export type AlpnCallbackFactory = (fn: AlpnSelectFn) => NativeCallback;

/** The library names tried, in order. */
export const LIBSSL_NAMES: readonly string[] = ["libssl.so.3", "libssl.so"];

/**
 * Opens the first of {@link LIBSSL_NAMES} that `open` accepts; an `Error`
 * naming every failure when none does.
 *
 * @example
 * ```ts
 * const lib = openLibssl((path) => Deno.dlopen(path, defs));
 * ```
 */
export function openLibssl<L>(open: (path: string) => L): L {
  const errors: string[] = [];
  for (const path of LIBSSL_NAMES) {
    try {
      return open(path);
    } catch (e) {
      errors.push(e instanceof Error ? e.message : String(e));
    }
  }
  throw new Error(`OpenSSL 3 (libssl.so.3) could not be loaded: ${errors.join("; ")}`);
}

/** One OpenSSL error from the thread's queue, decoded. */
export interface SslErrorInfo {
  /** The packed error code (`ERR_get_error()`). */
  readonly code: number;
  /** The library's name, as OpenSSL prints it (`"SSL routines"`), or null. */
  readonly library: string | null;
  /** The reason text (`"certificate verify failed"`), or null. */
  readonly reason: string | null;
  /** `ERR_error_string_n`'s full line. */
  readonly text: string;
}

/** The fields of a peer certificate, as text OpenSSL printed. */
export interface CertInfo {
  /** The subject, one `longName=value` per line, in the certificate's order. */
  readonly subject: string;
  /** The issuer, in the same form. */
  readonly issuer: string;
  /** X.509 version (1-based, as Python reports it). */
  readonly version: number;
  /** The serial number in upper-case hex. */
  readonly serialNumber: string;
  /** `"Jan  5 09:34:43 2018 GMT"`. */
  readonly notBefore: string;
  /** Same form as notBefore. */
  readonly notAfter: string;
  /** The subjectAltName extension as printed (`"DNS:localhost, IP Address:127.0.0.1"`), or null. */
  readonly subjectAltName: string | null;
}

/**
 * OpenSSL through FFI, from `sys().ssl()`. Calls return OpenSSL's raw
 * results (1 success / 0 or -1 failure, byte counts); the caller reads the
 * error queue with {@link SslLib.errGet}. Nothing here throws on an OpenSSL
 * failure except where a result must be built.
 *
 * @example
 * ```ts
 * const ssl = sys().ssl();
 * const ctx = ssl.ctxNew(false);
 * if (ctx === null) throw new Error(ssl.errGet()?.text);
 * ssl.ctxFree(ctx);
 * ```
 */
export interface SslLib {
  /** `OpenSSL_version(OPENSSL_VERSION)`: `"OpenSSL 3.0.19 27 Jan 2026"`. */
  readonly versionText: string;
  /** `SSL_CTX_new(TLS_server_method() or TLS_client_method())`. */
  ctxNew(server: boolean): SslCtxPtr | null;
  /** `SSL_CTX_free`. */
  ctxFree(ctx: SslCtxPtr): void;
  /** `SSL_CTX_use_certificate_chain_file` (PEM): 1 on success. */
  ctxUseCertificateChainFile(ctx: SslCtxPtr, path: string): number;
  /** `SSL_CTX_use_PrivateKey_file(ctx, path, SSL_FILETYPE_PEM)`: 1 on success. */
  ctxUsePrivateKeyFile(ctx: SslCtxPtr, path: string): number;
  /** `SSL_CTX_check_private_key`: 1 when the key matches the certificate. */
  ctxCheckPrivateKey(ctx: SslCtxPtr): number;
  /** `SSL_CTX_load_verify_locations`: 1 on success. */
  ctxLoadVerifyLocations(ctx: SslCtxPtr, cafile: string | null, capath: string | null): number;
  /** `SSL_CTX_set_default_verify_paths` (the system CAs): 1 on success. */
  ctxSetDefaultVerifyPaths(ctx: SslCtxPtr): number;
  /**
   * Adds the CA certificates in `data` (PEM text, or DER when `pem` is
   * false) to the context's store, one after another until a read or an
   * add fails, as Python's `_add_ca_certs`: how many were added. The error
   * queue tells why it stopped (at the end of the data, or on bad data).
   */
  ctxAddCaCerts(ctx: SslCtxPtr, data: Uint8Array, pem: boolean): number;
  /** `SSL_CTX_set_verify(ctx, mode, NULL)`. */
  ctxSetVerify(ctx: SslCtxPtr, mode: number): void;
  /** `SSL_CTX_set_alpn_protos` with the wire form (length-prefixed names): 0 on success. */
  ctxSetAlpnProtos(ctx: SslCtxPtr, wire: Uint8Array): number;
  /**
   * Server-side ALPN: installs a select callback that picks the first of
   * `wire` (the server's protocols, length-prefixed, in preference order)
   * that the client offers; without a common one the extension is ignored.
   * The returned callback must be closed after the context is freed.
   */
  ctxSetAlpnSelect(ctx: SslCtxPtr, wire: Uint8Array): NativeCallback;
  /** `SSL_CTX_set_cipher_list`: 1 on success. */
  ctxSetCipherList(ctx: SslCtxPtr, list: string): number;
  /** `SSL_CTX_ctrl(ctx, cmd, larg, NULL)` (min/max protocol version, ...). */
  ctxCtrl(ctx: SslCtxPtr, cmd: number, larg: number): number;
  /** `SSL_new`. */
  sslNew(ctx: SslCtxPtr): SslPtr | null;
  /** `SSL_free` (frees the BIOs set on it too). */
  sslFree(ssl: SslPtr): void;
  /**
   * Two `BIO_s_mem` BIOs set on `ssl` with `SSL_set_bio`: `[incoming,
   * outgoing]` (OpenSSL reads ciphertext from the first and writes to the
   * second). `ssl` owns them from then on. Null if a BIO cannot be made.
   */
  sslSetMemoryBios(ssl: SslPtr): [BioPtr, BioPtr] | null;
  /** `SSL_set_connect_state`. */
  sslSetConnectState(ssl: SslPtr): void;
  /** `SSL_set_accept_state`. */
  sslSetAcceptState(ssl: SslPtr): void;
  /** SNI: `SSL_set_tlsext_host_name` (`SSL_ctrl(ssl, 55, 0, name)`): 1 on success. */
  sslSetTlsextHostName(ssl: SslPtr, name: string): number;
  /** `SSL_set1_host`: the name the certificate must match; 1 on success. */
  sslSet1Host(ssl: SslPtr, name: string): number;
  /** `SSL_do_handshake`. */
  doHandshake(ssl: SslPtr): number;
  /** `SSL_read` into `buf`. */
  read(ssl: SslPtr, buf: Uint8Array): number;
  /** `SSL_write` of all of `buf` (memory BIOs never push back). */
  write(ssl: SslPtr, buf: Uint8Array): number;
  /** `SSL_get_error`. */
  getError(ssl: SslPtr, ret: number): number;
  /** `SSL_shutdown`. */
  shutdown(ssl: SslPtr): number;
  /** `SSL_get_shutdown`: SSL_SENT_SHUTDOWN (1) | SSL_RECEIVED_SHUTDOWN (2). */
  getShutdown(ssl: SslPtr): number;
  /** `SSL_pending`: decrypted bytes ready to read. */
  pending(ssl: SslPtr): number;
  /** `BIO_read` into `buf`: bytes read, or <= 0 when empty. */
  bioRead(bio: BioPtr, buf: Uint8Array): number;
  /** `BIO_write` of `buf`: bytes written. */
  bioWrite(bio: BioPtr, buf: Uint8Array): number;
  /** `BIO_ctrl_pending`: bytes waiting in the BIO. */
  bioPending(bio: BioPtr): number;
  /** `SSL_get_version`: `"TLSv1.3"`. */
  getVersion(ssl: SslPtr): string | null;
  /** The current cipher: `[name, protocol version, secret bits]`, or null. */
  currentCipher(ssl: SslPtr): [string, string, number] | null;
  /** The peer's certificate as DER bytes, or null when it sent none. */
  peerCertificateDer(ssl: SslPtr): Uint8Array | null;
  /** The peer's certificate decoded, or null when it sent none. */
  peerCertificateInfo(ssl: SslPtr): CertInfo | null;
  /** `SSL_get_verify_result` (0 = X509_V_OK). */
  verifyResult(ssl: SslPtr): number;
  /** `X509_verify_cert_error_string`. */
  verifyErrorString(code: number): string;
  /** `SSL_get0_alpn_selected`, copied; null when none was agreed. */
  alpnSelected(ssl: SslPtr): Uint8Array | null;
  /** Takes the oldest error off the thread's queue, decoded; null when empty. */
  errGet(): SslErrorInfo | null;
  /** The newest error on the queue, decoded, left there; null when empty. */
  errPeekLast(): SslErrorInfo | null;
  /** `ERR_clear_error`. */
  errClear(): void;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

function cstr(s: string): Uint8Array {
  if (s.includes("\0")) throw new TypeError("embedded null character");
  return enc.encode(s + "\0");
}

/** `XN_FLAG_SEP_MULTILINE | XN_FLAG_FN_LN | ASN1_STRFLGS_UTF8_CONVERT`: one `longName=value` a line. */
const NAME_FLAGS = (4 << 16) | (1 << 21) | 0x10;
const NID_subject_alt_name = 85;
const SSL_CTRL_SET_TLSEXT_HOSTNAME = 55;
const TLSEXT_NAMETYPE_host_name = 0;
const SSL_FILETYPE_PEM = 1;
const BIO_C_SET_BUF_MEM_EOF_RETURN = 130;
const OPENSSL_NPN_NEGOTIATED = 1;
const SSL_TLSEXT_ERR_OK = 0;
const SSL_TLSEXT_ERR_NOACK = 3;

/**
 * Builds {@link SslLib} over a backend's {@link SslRaw}.
 *
 * @example
 * ```ts
 * const lib = makeSslLib(raw, (fn) => makeNativeCallback(fn));
 * ```
 */
export function makeSslLib(c: SslRaw, makeAlpnCallback: AlpnCallbackFactory): SslLib {
  const memMethod = c.BIO_s_mem();
  if (memMethod === null) throw new Error("BIO_s_mem() returned NULL");
  const method = memMethod;
  const errBuf = new Uint8Array(256);
  const ptrCell = new Uint8Array(8);
  const lenCell = new Uint8Array(4);

  function newBio(): BioPtr | null {
    return c.BIO_new(method);
  }

  /** Everything written into `bio` so far, then frees it. */
  function drain(bio: BioPtr): Uint8Array {
    const n = c.BIO_ctrl_pending(bio);
    const out = new Uint8Array(n);
    let at = 0;
    while (at < n) {
      const r = c.BIO_read(bio, out.subarray(at), n - at);
      if (r <= 0) break;
      at += r;
    }
    c.BIO_free(bio);
    return out.subarray(0, at);
  }

  /** An error code of the queue, decoded; null for 0 (no error). */
  function decodeError(code: number): SslErrorInfo | null {
    if (code === 0) return null;
    c.ERR_error_string_n(code, errBuf, errBuf.length);
    const end = errBuf.indexOf(0);
    return {
      code,
      library: c.ERR_lib_error_string(code),
      reason: c.ERR_reason_error_string(code),
      text: dec.decode(errBuf.subarray(0, end < 0 ? errBuf.length : end)),
    };
  }

  /** Prints with `print(bio)` into a fresh memory BIO; the text, or "" on failure. */
  function printed(print: (bio: BioPtr) => number): string {
    const bio = newBio();
    if (bio === null) return "";
    const ok = print(bio);
    const text = dec.decode(drain(bio));
    return ok < 0 ? "" : text;
  }

  return {
    versionText: c.OpenSSL_version(0) ?? "OpenSSL",
    ctxNew(server) {
      const m = server ? c.TLS_server_method() : c.TLS_client_method();
      return m === null ? null : c.SSL_CTX_new(m);
    },
    ctxFree: (ctx) => c.SSL_CTX_free(ctx),
    ctxUseCertificateChainFile: (ctx, path) =>
      c.SSL_CTX_use_certificate_chain_file(ctx, cstr(path)),
    ctxUsePrivateKeyFile: (ctx, path) =>
      c.SSL_CTX_use_PrivateKey_file(ctx, cstr(path), SSL_FILETYPE_PEM),
    ctxCheckPrivateKey: (ctx) => c.SSL_CTX_check_private_key(ctx),
    ctxLoadVerifyLocations: (ctx, cafile, capath) =>
      c.SSL_CTX_load_verify_locations(
        ctx,
        cafile === null ? null : cstr(cafile),
        capath === null ? null : cstr(capath),
      ),
    ctxSetDefaultVerifyPaths: (ctx) => c.SSL_CTX_set_default_verify_paths(ctx),
    ctxAddCaCerts(ctx, data, pem) {
      const store = c.SSL_CTX_get_cert_store(ctx);
      const bio = newBio();
      if (store === null || bio === null) {
        if (bio !== null) c.BIO_free(bio);
        return 0;
      }
      let loaded = 0;
      // Read to its end, the BIO says EOF rather than "retry", as Python's
      // read-only BIO_new_mem_buf does: DER then ends in HEADER_TOO_LONG.
      c.BIO_ctrl(bio, BIO_C_SET_BUF_MEM_EOF_RETURN, 0, null);
      // A memory BIO takes all of it.
      if (data.length === 0 || c.BIO_write(bio, data, data.length) === data.length) {
        for (;;) {
          const x = pem ? c.PEM_read_bio_X509(bio, null, null, null) : c.d2i_X509_bio(bio, null);
          if (x === null) break;
          const ok = c.X509_STORE_add_cert(store, x);
          c.X509_free(x);
          if (ok !== 1) break;
          loaded++;
        }
      }
      c.BIO_free(bio);
      return loaded;
    },
    ctxSetVerify: (ctx, mode) => c.SSL_CTX_set_verify(ctx, mode, null),
    ctxSetAlpnProtos: (ctx, wire) => c.SSL_CTX_set_alpn_protos(ctx, wire, wire.length),
    ctxSetAlpnSelect(ctx, wire) {
      // Off the JS heap (an ArrayBuffer's store never moves): OpenSSL keeps
      // a pointer into it until it copies the choice, after the callback.
      const server = new Uint8Array(new ArrayBuffer(Math.max(wire.length, 1024)), 0, wire.length);
      server.set(wire);
      const cb = makeAlpnCallback((_ssl, out, outlen, inp, inlen) =>
        c.SSL_select_next_proto(out, outlen, server, server.length, inp, inlen) ===
            OPENSSL_NPN_NEGOTIATED
          ? SSL_TLSEXT_ERR_OK
          : SSL_TLSEXT_ERR_NOACK
      );
      c.SSL_CTX_set_alpn_select_cb(ctx, cb.address, null);
      return {
        address: cb.address,
        close() {
          // Keeps `server` reachable for as long as the callback lives.
          server.fill(0);
          cb.close();
        },
      };
    },
    ctxSetCipherList: (ctx, list) => c.SSL_CTX_set_cipher_list(ctx, cstr(list)),
    ctxCtrl: (ctx, cmd, larg) => c.SSL_CTX_ctrl(ctx, cmd, larg, null),
    sslNew: (ctx) => c.SSL_new(ctx),
    sslFree: (ssl) => c.SSL_free(ssl),
    sslSetMemoryBios(ssl) {
      const rbio = newBio();
      if (rbio === null) return null;
      const wbio = newBio();
      if (wbio === null) {
        c.BIO_free(rbio);
        return null;
      }
      c.SSL_set_bio(ssl, rbio, wbio);
      return [rbio, wbio];
    },
    sslSetConnectState: (ssl) => c.SSL_set_connect_state(ssl),
    sslSetAcceptState: (ssl) => c.SSL_set_accept_state(ssl),
    sslSetTlsextHostName: (ssl, name) =>
      c.SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, cstr(name)),
    sslSet1Host: (ssl, name) => c.SSL_set1_host(ssl, cstr(name)),
    doHandshake: (ssl) => c.SSL_do_handshake(ssl),
    read: (ssl, buf) => c.SSL_read(ssl, buf, buf.length),
    write: (ssl, buf) => c.SSL_write(ssl, buf, buf.length),
    getError: (ssl, ret) => c.SSL_get_error(ssl, ret),
    shutdown: (ssl) => c.SSL_shutdown(ssl),
    getShutdown: (ssl) => c.SSL_get_shutdown(ssl),
    pending: (ssl) => c.SSL_pending(ssl),
    bioRead: (bio, buf) => c.BIO_read(bio, buf, buf.length),
    bioWrite: (bio, buf) => c.BIO_write(bio, buf, buf.length),
    bioPending: (bio) => c.BIO_ctrl_pending(bio),
    getVersion: (ssl) => c.SSL_get_version(ssl),
    currentCipher(ssl) {
      const ci = c.SSL_get_current_cipher(ssl);
      if (ci === null) return null;
      return [
        c.SSL_CIPHER_get_name(ci) ?? "",
        c.SSL_CIPHER_get_version(ci) ?? "",
        c.SSL_CIPHER_get_bits(ci, null),
      ];
    },
    peerCertificateDer(ssl) {
      const x = c.SSL_get1_peer_certificate(ssl);
      if (x === null) return null;
      try {
        const bio = newBio();
        if (bio === null) return null;
        if (c.i2d_X509_bio(bio, x) !== 1) {
          c.BIO_free(bio);
          return null;
        }
        return drain(bio);
      } finally {
        c.X509_free(x);
      }
    },
    peerCertificateInfo(ssl) {
      const x = c.SSL_get1_peer_certificate(ssl);
      if (x === null) return null;
      try {
        const name = (n: AnyPtr | null) =>
          n === null ? "" : printed((bio) => c.X509_NAME_print_ex(bio, n, 0, NAME_FLAGS));
        const time = (t: AnyPtr | null) =>
          t === null ? "" : printed((bio) => c.ASN1_TIME_print(bio, t));
        const serial = c.X509_get_serialNumber(x);
        const at = c.X509_get_ext_by_NID(x, NID_subject_alt_name, -1);
        const ext = at >= 0 ? c.X509_get_ext(x, at) : null;
        return {
          subject: name(c.X509_get_subject_name(x)),
          issuer: name(c.X509_get_issuer_name(x)),
          version: c.X509_get_version(x) + 1,
          serialNumber: serial === null
            ? ""
            : printed((bio) => c.i2a_ASN1_INTEGER(bio, serial)).toUpperCase(),
          notBefore: time(c.X509_get0_notBefore(x)),
          notAfter: time(c.X509_get0_notAfter(x)),
          subjectAltName: ext === null
            ? null
            : printed((bio) => c.X509V3_EXT_print(bio, ext, 0, 0) === 1 ? 1 : -1),
        };
      } finally {
        c.X509_free(x);
      }
    },
    verifyResult: (ssl) => c.SSL_get_verify_result(ssl),
    verifyErrorString: (code) =>
      c.X509_verify_cert_error_string(code) ?? `certificate verify error ${code}`,
    alpnSelected(ssl) {
      ptrCell.fill(0);
      lenCell.fill(0);
      c.SSL_get0_alpn_selected(ssl, ptrCell, lenCell);
      const addr = new DataView(ptrCell.buffer).getBigUint64(0, true);
      const len = new DataView(lenCell.buffer).getUint32(0, true);
      if (addr === 0n || len === 0) return null;
      const out = new Uint8Array(len);
      c.memcpy(out, addr, len);
      return out;
    },
    errGet() {
      return decodeError(c.ERR_get_error());
    },
    errPeekLast() {
      return decodeError(c.ERR_peek_last_error());
    },
    errClear: () => c.ERR_clear_error(),
  };
}
