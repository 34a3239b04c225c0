/**
 * A small slice of Python's `ssl` module over OpenSSL 3 (through FFI, see
 * `ffi/ssl.ts`): {@link SSLContext}, {@link createDefaultContext}, the
 * `CERT_*` / `PROTOCOL_*` constants, {@link SSLObject} (what a TLS
 * transport's `"ssl_object"` extra info is) and the error classes
 * ({@link SSLError} and its subclasses). Names are Python's in camelCase.
 *
 * Import it as the `ssl` namespace of the package, or name by name:
 *
 * ```ts
 * import * as asyncio from "./mod.ts";
 * const ctx = asyncio.ssl.createDefaultContext({ cafile: "ca.pem" });
 * const [reader, writer] = await asyncio.openConnection("localhost", 8443, { ssl: ctx });
 * ```
 *
 * @module
 */
import {
  type BioPtr,
  type NativeCallback,
  type SslCtxPtr,
  type SslLib,
  type SslPtr,
  sys,
} from "../ffi/mod.ts";
import { NotImplementedError, OSError, osErrorFromErrno, ValueError } from "./exceptions.ts";
import { printAsRepr, pyAddress } from "./format.ts";

// -- constants ---------------------------------------------------------------

/** Python's `ssl.PROTOCOL_TLS_CLIENT`: a client context (verifies the peer by default). */
export const PROTOCOL_TLS_CLIENT = 16;
/** Python's `ssl.PROTOCOL_TLS_SERVER`: a server context. */
export const PROTOCOL_TLS_SERVER = 17;
/** Python's `ssl.CERT_NONE`: the peer's certificate is not checked. */
export const CERT_NONE = 0;
/** Python's `ssl.CERT_OPTIONAL`: checked if the peer sends one. */
export const CERT_OPTIONAL = 1;
/** Python's `ssl.CERT_REQUIRED`: the peer must send a valid certificate. */
export const CERT_REQUIRED = 2;

/**
 * Python's `ssl.TLSVersion`, for `minimumVersion` / `maximumVersion`.
 *
 * @example
 * ```ts
 * ctx.minimumVersion = TLSVersion.TLSv1_3;
 * ```
 */
export const TLSVersion = {
  MINIMUM_SUPPORTED: -2,
  MAXIMUM_SUPPORTED: -1,
  TLSv1_2: 0x0303,
  TLSv1_3: 0x0304,
} as const;

/** Python's `ssl.OPENSSL_VERSION`, read from the library on first use. */
export function opensslVersion(): string {
  return lib().versionText;
}

// OpenSSL values.
const SSL_VERIFY_NONE = 0;
const SSL_VERIFY_PEER = 1;
const SSL_VERIFY_FAIL_IF_NO_PEER_CERT = 2;
const SSL_CTRL_SET_MIN_PROTO_VERSION = 123;
const SSL_CTRL_SET_MAX_PROTO_VERSION = 124;
const SSL_ERROR_SSL = 1;
const SSL_ERROR_WANT_READ = 2;
const SSL_ERROR_WANT_WRITE = 3;
const SSL_ERROR_SYSCALL = 5;
const SSL_ERROR_ZERO_RETURN = 6;
/** Python's own code for an EOF that broke the protocol. */
const SSL_ERROR_EOF = 8;
const X509_V_ERR_HOSTNAME_MISMATCH = 62;
const X509_V_ERR_IP_ADDRESS_MISMATCH = 64;
const ERR_SYSTEM_FLAG = 0x80000000;

function lib(): SslLib {
  return sys().ssl();
}

// -- errors ------------------------------------------------------------------

/**
 * Python's `ssl.SSLError`, an {@link OSError}: `errno` is OpenSSL's
 * `SSL_ERROR_*` code, `library` and `reason` name the failure as Python does
 * (`"SSL"`, `"CERTIFICATE_VERIFY_FAILED"`), and the message reads like
 * Python's: `[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: ...`.
 *
 * @example
 * ```ts
 * try { await asyncio.openConnection("localhost", 443, { ssl: true }); }
 * catch (e) { if (e instanceof SSLError) console.log(e.reason); }
 * ```
 */
export class SSLError extends OSError {
  /** The Python class name. */
  override name = "SSLError";
  /** The OpenSSL library that failed (`"SSL"`, `"PEM"`, ...), or null. */
  library: string | null;
  /** OpenSSL's reason mnemonic (`"WRONG_VERSION_NUMBER"`), or null. */
  reason: string | null;

  /** `new SSLError(message)`, or `(sslErrorCode, message, library?, reason?)`. */
  constructor(
    codeOrMessage?: number | string,
    message?: string,
    library: string | null = null,
    reason: string | null = null,
  ) {
    super(typeof codeOrMessage === "string" ? codeOrMessage : message ?? "");
    // Python's SSLError prints its text alone, errno kept as a field.
    const self = this as unknown as { errno?: number; strerror?: string };
    self.errno = typeof codeOrMessage === "number" ? codeOrMessage : undefined;
    self.strerror = this.message;
    this.library = library;
    this.reason = reason;
  }
}

/** Python's `ssl.SSLZeroReturnError`: the peer closed the TLS session cleanly. @example `new SSLZeroReturnError(6, "TLS/SSL connection has been closed (EOF)")` */
export class SSLZeroReturnError extends SSLError {
  /** The Python class name. */
  override name = "SSLZeroReturnError";
}
/** Python's `ssl.SSLWantReadError`: more ciphertext is needed. @example `new SSLWantReadError(2, "The operation did not complete (read)")` */
export class SSLWantReadError extends SSLError {
  /** The Python class name. */
  override name = "SSLWantReadError";
}
/** Python's `ssl.SSLWantWriteError`. @example `new SSLWantWriteError(3, "The operation did not complete (write)")` */
export class SSLWantWriteError extends SSLError {
  /** The Python class name. */
  override name = "SSLWantWriteError";
}
/** Python's `ssl.SSLSyscallError`. @example `new SSLSyscallError(5, "Some I/O error occurred")` */
export class SSLSyscallError extends SSLError {
  /** The Python class name. */
  override name = "SSLSyscallError";
}
/** Python's `ssl.SSLEOFError`: the connection ended in the middle of the protocol. @example `new SSLEOFError(8, "EOF occurred in violation of protocol")` */
export class SSLEOFError extends SSLError {
  /** The Python class name. */
  override name = "SSLEOFError";
}

/**
 * Python's `ssl.SSLCertVerificationError` (also `ssl.CertificateError`): the
 * peer's certificate did not verify. `verifyCode` is OpenSSL's
 * `X509_V_ERR_*` value, `verifyMessage` its text (for a name mismatch,
 * Python's "Hostname mismatch, certificate is not valid for 'x'.").
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof SSLCertVerificationError) console.log(e.verifyMessage); }
 * ```
 */
export class SSLCertVerificationError extends SSLError {
  /** The Python class name. */
  override name = "SSLCertVerificationError";
  /** `X509_V_ERR_*` (18: self-signed certificate, 62: hostname mismatch, ...). */
  verifyCode: number;
  /** The verification failure as text. */
  verifyMessage: string;

  /** Made by the TLS layer from OpenSSL's verify result. */
  constructor(message: string, verifyCode: number, verifyMessage: string) {
    super(SSL_ERROR_SSL, message, "SSL", "CERTIFICATE_VERIFY_FAILED");
    this.verifyCode = verifyCode;
    this.verifyMessage = verifyMessage;
  }
}

// Python's SSLCertVerificationError is a ValueError too (`except ValueError`
// catches a hostname mismatch).
ValueError._virtualSubclasses.push(SSLCertVerificationError);

/** Python's alias `ssl.CertificateError`. @example `e instanceof CertificateError` */
export const CertificateError = SSLCertVerificationError;

const LIB_NAMES: Record<string, string> = {
  "SSL routines": "SSL",
  "PEM routines": "PEM",
  "x509 certificate routines": "X509",
  "X509 V3 routines": "X509V3",
  "system library": "SYS",
  "BIO routines": "BIO",
  "asn1 encoding routines": "ASN1",
  "digital envelope routines": "EVP",
  "DECODER routines": "DECODER",
  "STORE routines": "OSSL_STORE",
};

function mnemonic(reason: string | null): string | null {
  return reason === null ? null : reason.toUpperCase().replace(/[^A-Z0-9]+/g, "_");
}

/**
 * Where CPython 3.11's `_ssl.c` raises each error: Python's SSL messages end
 * with that source line, `(_ssl.c:1006)`, and ported programs print them.
 * @internal
 */
export const SSL_C_LINE = {
  handshake: 1006,
  write: 2427,
  read: 2580,
  shutdown: 2706,
  certChain: 3905,
  privateKey: 3926,
  /** OpenSSL 3 reports a mismatched key at `privateKey` already. */
  checkPrivateKey: 3934,
  verifyLocations: 4154,
  /** `cadata` that ends in bad data after a certificate. */
  caData: 4035,
} as const;

/**
 * @internal Python's check as it wraps a connection (in asyncio, as the TLS
 * protocol is made): a context made for the other end is an SSLError with
 * errno 0.
 */
export function checkContextSide(context: SSLContext, serverSide: boolean): void {
  if (!serverSide && context.protocol === PROTOCOL_TLS_SERVER) {
    throw new SSLError(
      0,
      "Cannot create a client socket with a PROTOCOL_TLS_SERVER context (_ssl.c:809)",
    );
  }
  if (serverSide && context.protocol === PROTOCOL_TLS_CLIENT) {
    throw new SSLError(
      0,
      "Cannot create a server socket with a PROTOCOL_TLS_CLIENT context (_ssl.c:802)",
    );
  }
}

/** OpenSSL 3's `ERR_REASON_MASK`: Python's errno for an `SSLContext` method's error. */
const ERR_REASON_MASK = 0x7fffff;
/** OpenSSL 3's `ERR_RFLAG_COMMON`: a reason shared by all libraries, which Python has no mnemonic for. */
const ERR_RFLAG_COMMON = 0x80000;

/**
 * The error OpenSSL's queue describes (its last entry, as Python reads it),
 * emptying the queue. `sslCode` is `SSL_get_error`'s value, `what` the text
 * used when the queue is empty. With `ssl`, a failed verification becomes
 * an {@link SSLCertVerificationError}. A system error (a file not found)
 * becomes the matching OSError, without the file name as in Python, when
 * `filename` is given. `line` is Python's `_ssl.c` line of the call
 * ({@link SSL_C_LINE}), appended as Python does; with no `ssl`, the error is
 * an `SSLContext` method's, whose errno Python sets to OpenSSL's reason code.
 */
export function sslErrorFromQueue(
  sslCode: number,
  what: string,
  ssl: SslPtr | null = null,
  hostname: string | null = null,
  filename?: string,
  line: number | null = null,
): OSError {
  const l = lib();
  let last = null;
  let system = null;
  for (let e = l.errGet(); e !== null; e = l.errGet()) {
    last = e;
    if ((e.code & ERR_SYSTEM_FLAG) !== 0) system ??= e;
  }
  const at = line === null ? "" : ` (_ssl.c:${line})`;
  if (last === null) {
    if (sslCode === SSL_ERROR_ZERO_RETURN) {
      return new SSLZeroReturnError(sslCode, `TLS/SSL connection has been closed (EOF)${at}`);
    }
    if (sslCode === SSL_ERROR_SYSCALL || sslCode === SSL_ERROR_EOF) {
      return new SSLEOFError(SSL_ERROR_EOF, `EOF occurred in violation of protocol${at}`);
    }
    return new SSLError(sslCode, `${what}${at}`);
  }
  if (system !== null && filename !== undefined) {
    return osErrorFromErrno(system.code & 0x7fffffff);
  }
  const library = last.library === null ? null : LIB_NAMES[last.library] ?? last.library;
  const reason = (last.code & ERR_RFLAG_COMMON) !== 0 ? null : mnemonic(last.reason);
  const text = last.reason ?? what;
  if (ssl !== null && reason === "CERTIFICATE_VERIFY_FAILED") {
    const code = l.verifyResult(ssl);
    let message = l.verifyErrorString(code);
    if (code === X509_V_ERR_HOSTNAME_MISMATCH) {
      message = `Hostname mismatch, certificate is not valid for '${hostname}'.`;
    } else if (code === X509_V_ERR_IP_ADDRESS_MISMATCH) {
      message = `IP address mismatch, certificate is not valid for '${hostname}'.`;
    }
    return new SSLCertVerificationError(`[SSL: ${reason}] ${text}: ${message}${at}`, code, message);
  }
  const prefix = library === null
    ? ""
    : reason === null
    ? `[${library}] `
    : `[${library}: ${reason}] `;
  if (library === "SSL" && reason === "UNEXPECTED_EOF_WHILE_READING") {
    // Python words OpenSSL 3's unclean EOF as OpenSSL 1.1 did, and raises SSLEOFError.
    return new SSLEOFError(
      SSL_ERROR_EOF,
      `${prefix}EOF occurred in violation of protocol${at}`,
      library,
      reason,
    );
  }
  const errno = ssl === null && line !== null
    ? last.code & ERR_REASON_MASK
    : sslCode || SSL_ERROR_SSL;
  return new SSLError(errno, `${prefix}${text}${at}`, library, reason);
}

// -- native lifetime ----------------------------------------------------------

// A backstop for objects nobody closed: frees the native object after GC.
interface CtxNative {
  ctx: SslCtxPtr;
  /** The server's ALPN select callback, freed after the context. */
  alpn: NativeCallback | null;
}
function freeCtx(n: CtxNative): void {
  lib().ctxFree(n.ctx);
  n.alpn?.close();
  n.alpn = null;
}
const ctxRegistry = new FinalizationRegistry<CtxNative>((n) => {
  try {
    freeCtx(n);
  } catch { /* the process is going away */ }
});
const sslRegistry = new FinalizationRegistry<SslPtr>((ssl) => {
  try {
    lib().sslFree(ssl);
  } catch { /* the process is going away */ }
});

let liveNative = 0;

/**
 * How many native OpenSSL objects (contexts and connections) this process
 * holds now: for leak checks in tests.
 *
 * @example
 * ```ts
 * const before = nativeObjectCount();
 * ```
 */
export function nativeObjectCount(): number {
  return liveNative;
}

// -- SSLContext ----------------------------------------------------------------

/** The keywords of {@link SSLContext.loadCertChain} after `certfile`. */
export interface CertChainKeywords {
  /** The private key's PEM file (default: in `certfile`). */
  keyfile?: string | null;
  /** For an encrypted key: not supported. */
  password?: unknown;
}

/** All of {@link SSLContext.loadCertChain}'s arguments as keywords. */
export interface CertChainFiles extends CertChainKeywords {
  /** The certificate chain's PEM file, leaf first. */
  certfile: string;
}

/** Options of {@link SSLContext.loadVerifyLocations}. */
export interface VerifyLocations {
  /** A PEM file of CA certificates. */
  cafile?: string | null;
  /** A directory of hashed CA certificates. */
  capath?: string | null;
  /** CA certificates in memory: PEM text (a string), or DER (bytes). */
  cadata?: string | Uint8Array | null;
}

function isIpLiteral(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(":");
}

function alpnWire(protocols: readonly string[]): Uint8Array {
  const parts: number[] = [];
  const enc = new TextEncoder();
  for (const p of protocols) {
    const b = enc.encode(p);
    if (b.length === 0 || b.length > 255) {
      // Python's one-argument SSLError: its str() is the tuple of its arguments.
      throw new SSLError("('ALPN protocols must be 1 to 255 in length',)");
    }
    parts.push(b.length, ...b);
  }
  return new Uint8Array(parts);
}

/**
 * Python's `ssl.SSLContext`: the settings and certificates TLS connections
 * are made with. `PROTOCOL_TLS_CLIENT` (the default) verifies the server's
 * certificate and name; `PROTOCOL_TLS_SERVER` needs `loadCertChain()`.
 * `close()` frees the native context (connections made from it keep their
 * own reference); an unclosed one is freed after garbage collection.
 *
 * @example
 * ```ts
 * const server = new SSLContext(PROTOCOL_TLS_SERVER);
 * server.loadCertChain("server.pem", "server.key");
 * const client = new SSLContext(PROTOCOL_TLS_CLIENT);
 * client.loadVerifyLocations({ cafile: "ca.pem" });
 * ```
 */
export class SSLContext {
  /** `PROTOCOL_TLS_CLIENT` or `PROTOCOL_TLS_SERVER`. */
  readonly protocol: number;
  #ctx: SslCtxPtr | null;
  #native: CtxNative;
  #verifyMode: number;
  #checkHostname: boolean;
  #minimum: number = TLSVersion.MINIMUM_SUPPORTED;
  #maximum: number = TLSVersion.MAXIMUM_SUPPORTED;

  /** A context for `protocol` (`PROTOCOL_TLS_CLIENT` by default). */
  constructor(protocol: number = PROTOCOL_TLS_CLIENT) {
    if (protocol !== PROTOCOL_TLS_CLIENT && protocol !== PROTOCOL_TLS_SERVER) {
      throw new ValueError(`invalid or unsupported protocol version ${protocol}`);
    }
    this.protocol = protocol;
    const l = lib();
    const ctx = l.ctxNew(protocol === PROTOCOL_TLS_SERVER);
    if (ctx === null) throw sslErrorFromQueue(SSL_ERROR_SSL, "failed to allocate SSL context");
    this.#ctx = ctx;
    this.#native = { ctx, alpn: null };
    liveNative++;
    ctxRegistry.register(this, this.#native, this);
    const client = protocol === PROTOCOL_TLS_CLIENT;
    this.#checkHostname = client;
    this.#verifyMode = client ? CERT_REQUIRED : CERT_NONE;
    this.#applyVerify();
  }

  /** @internal The native context; throws once closed. */
  get _ctx(): SslCtxPtr {
    if (this.#ctx === null) throw new ValueError("SSLContext is closed");
    return this.#ctx;
  }

  /** Whether this is a server context. */
  get _serverSide(): boolean {
    return this.protocol === PROTOCOL_TLS_SERVER;
  }

  /** `CERT_NONE`, `CERT_OPTIONAL` or `CERT_REQUIRED`. */
  get verifyMode(): number {
    return this.#verifyMode;
  }
  set verifyMode(mode: number) {
    if (mode !== CERT_NONE && mode !== CERT_OPTIONAL && mode !== CERT_REQUIRED) {
      throw new ValueError("invalid value for verify_mode");
    }
    if (mode === CERT_NONE && this.#checkHostname) {
      throw new ValueError("Cannot set verify_mode to CERT_NONE when check_hostname is enabled.");
    }
    this.#verifyMode = mode;
    this.#applyVerify();
  }

  /** Whether the server's certificate must match the name connected to. */
  get checkHostname(): boolean {
    return this.#checkHostname;
  }
  set checkHostname(on: boolean) {
    // Python: turning the check on also turns verification on.
    if (on && this.#verifyMode === CERT_NONE) this.verifyMode = CERT_REQUIRED;
    this.#checkHostname = Boolean(on);
  }

  #applyVerify(): void {
    let mode = SSL_VERIFY_NONE;
    if (this.#verifyMode === CERT_OPTIONAL) mode = SSL_VERIFY_PEER;
    else if (this.#verifyMode === CERT_REQUIRED) {
      mode = SSL_VERIFY_PEER | (this._serverSide ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0);
    }
    lib().ctxSetVerify(this._ctx, mode);
  }

  /** The lowest TLS version allowed (a {@link TLSVersion} value). */
  get minimumVersion(): number {
    return this.#minimum;
  }
  set minimumVersion(v: number) {
    this.#setVersion(SSL_CTRL_SET_MIN_PROTO_VERSION, v);
    this.#minimum = v;
  }

  /** The highest TLS version allowed (a {@link TLSVersion} value). */
  get maximumVersion(): number {
    return this.#maximum;
  }
  set maximumVersion(v: number) {
    this.#setVersion(SSL_CTRL_SET_MAX_PROTO_VERSION, v);
    this.#maximum = v;
  }

  #setVersion(cmd: number, v: number): void {
    const allowed: number[] = Object.values(TLSVersion);
    if (!allowed.includes(v)) {
      throw new ValueError(`Unsupported TLS/SSL version 0x${v.toString(16)}`);
    }
    if (lib().ctxCtrl(this._ctx, cmd, v < 0 ? 0 : v) !== 1) {
      throw sslErrorFromQueue(SSL_ERROR_SSL, "Unsupported protocol version");
    }
  }

  /**
   * Loads this side's certificate chain (PEM; leaf first) and private key
   * (PEM, in `certfile` itself when `keyfile` is omitted). Encrypted keys
   * are not supported. A missing file is a `FileNotFoundError`; a bad one
   * an {@link SSLError}. Python's keywords come as a trailing object:
   * `loadCertChain(cert, { keyfile })` or `loadCertChain({ certfile, keyfile })`.
   */
  loadCertChain(
    certfile: string | CertChainFiles,
    keyfile?: string | null | CertChainKeywords,
    password?: unknown,
  ): void {
    if (typeof certfile === "object" && certfile !== null) {
      ({ certfile, keyfile, password } = certfile as CertChainFiles);
    } else if (typeof keyfile === "object" && keyfile !== null) {
      ({ keyfile, password } = keyfile as CertChainKeywords);
    }
    if (typeof certfile !== "string") {
      throw new TypeError("certfile should be a valid filesystem path");
    }
    if (password !== undefined && password !== null) {
      throw new NotImplementedError("encrypted private keys are not supported");
    }
    const l = lib();
    const ctx = this._ctx;
    l.errClear();
    if (l.ctxUseCertificateChainFile(ctx, certfile) !== 1) {
      throw sslErrorFromQueue(SSL_ERROR_SSL, "PEM lib", null, null, certfile, SSL_C_LINE.certChain);
    }
    const key = keyfile ?? certfile;
    if (l.ctxUsePrivateKeyFile(ctx, key) !== 1) {
      throw sslErrorFromQueue(SSL_ERROR_SSL, "PEM lib", null, null, key, SSL_C_LINE.privateKey);
    }
    if (l.ctxCheckPrivateKey(ctx) !== 1) {
      const line = SSL_C_LINE.checkPrivateKey;
      throw sslErrorFromQueue(SSL_ERROR_SSL, "key values mismatch", null, null, undefined, line);
    }
  }

  /**
   * Trusts the CA certificates in `cafile` (PEM), the hashed directory
   * `capath` and/or `cadata` (PEM text, or DER bytes). Takes Python's
   * keywords as an object, or its arguments positionally.
   */
  loadVerifyLocations(
    locations: VerifyLocations | string | null = {},
    capath?: string | null,
    cadata?: string | Uint8Array | null,
  ): void {
    const opts: VerifyLocations = typeof locations === "string" || locations === null
      ? { cafile: locations, capath, cadata }
      : locations;
    const cafile = opts.cafile ?? null;
    const dir = opts.capath ?? null;
    const data = opts.cadata ?? null;
    if (cafile === null && dir === null && data === null) {
      throw new TypeError("cafile, capath and cadata cannot be all omitted");
    }
    const l = lib();
    l.errClear();
    if (data !== null) this.#addCaCerts(data);
    if (cafile === null && dir === null) return;
    if (l.ctxLoadVerifyLocations(this._ctx, cafile, dir) !== 1) {
      const file = cafile ?? dir ?? undefined;
      throw sslErrorFromQueue(
        SSL_ERROR_SSL,
        "X509 lib",
        null,
        null,
        file,
        SSL_C_LINE.verifyLocations,
      );
    }
  }

  /** Python's `_add_ca_certs`: the certificates of `cadata`, with its errors. */
  #addCaCerts(cadata: string | Uint8Array): void {
    let data: Uint8Array;
    const pem = typeof cadata === "string";
    if (pem) {
      // Python encodes the text as ASCII.
      if (/[\u0080-\uffff]/.test(cadata)) {
        throw new TypeError("cadata should be an ASCII string or a bytes-like object");
      }
      data = new TextEncoder().encode(cadata);
    } else if (cadata instanceof Uint8Array) {
      data = cadata;
    } else {
      throw new TypeError("cadata should be an ASCII string or a bytes-like object");
    }
    if (data.length === 0) throw new ValueError("Empty certificate data");
    const l = lib();
    const loaded = l.ctxAddCaCerts(this._ctx, data, pem);
    const last = l.errPeekLast();
    if (loaded === 0) {
      l.errClear();
      const why = pem ? "no start line" : "not enough data";
      throw new SSLError(0, `${why}: cadata does not contain a certificate (_ssl.c:4020)`);
    }
    const library = last?.library == null ? null : LIB_NAMES[last.library] ?? last.library;
    const reason = mnemonic(last?.reason ?? null);
    // Reading on past the last certificate fails so; that is its end, not an error.
    const end = pem
      ? library === "PEM" && reason === "NO_START_LINE"
      : library === "ASN1" && reason === "HEADER_TOO_LONG";
    if (last === null || end) {
      l.errClear();
      return;
    }
    throw sslErrorFromQueue(SSL_ERROR_SSL, "X509 lib", null, null, undefined, SSL_C_LINE.caData);
  }

  /** Trusts the system's CA certificates (OpenSSL's default paths). */
  loadDefaultCerts(): void {
    const l = lib();
    l.errClear();
    if (l.ctxSetDefaultVerifyPaths(this._ctx) !== 1) {
      throw sslErrorFromQueue(SSL_ERROR_SSL, "cannot load the default CA certificates");
    }
  }

  /** Python's `set_default_verify_paths()`: same as {@link loadDefaultCerts}. */
  setDefaultVerifyPaths(): void {
    this.loadDefaultCerts();
  }

  /** The OpenSSL cipher list for TLS 1.2 and below (`"ECDHE+AESGCM"`). */
  setCiphers(ciphers: string): void {
    const l = lib();
    l.errClear();
    if (l.ctxSetCipherList(this._ctx, ciphers) !== 1) {
      // Python clears OpenSSL's queue and raises its own one-argument
      // SSLError, whose str() is the tuple of its arguments.
      l.errClear();
      throw new SSLError("('No cipher can be selected.',)");
    }
  }

  /**
   * The ALPN protocols, in order of preference: a client offers them; a
   * server picks the first of its own that the client offers (none agreed:
   * the connection goes on without ALPN, as OpenSSL's default does).
   */
  setAlpnProtocols(protocols: readonly string[]): void {
    const wire = alpnWire(protocols);
    const l = lib();
    if (this._serverSide) {
      const ctx = this._ctx;
      const old = this.#native.alpn;
      this.#native.alpn = l.ctxSetAlpnSelect(ctx, wire);
      // The old callback can go once OpenSSL holds the new one.
      old?.close();
    } else if (l.ctxSetAlpnProtos(this._ctx, wire) !== 0) {
      throw sslErrorFromQueue(SSL_ERROR_SSL, "failed to set ALPN protocols");
    }
  }

  /** @internal A new TLS connection state over memory buffers. */
  _wrap(serverSide: boolean, serverHostname: string | null): SSLObject {
    return new SSLObject(this, serverSide, serverHostname, SSLObjectKey);
  }

  /** Frees the native context now (idempotent). Connections already made keep working. */
  close(): void {
    const ctx = this.#ctx;
    if (ctx === null) return;
    this.#ctx = null;
    ctxRegistry.unregister(this);
    liveNative--;
    // A connection still open keeps the SSL_CTX (OpenSSL counts references)
    // and may yet run the ALPN callback: that is freed after the last one.
    lib().ctxFree(ctx);
    if (this.#users === 0) this.#freeAlpn();
  }

  #users = 0;

  #freeAlpn(): void {
    this.#native.alpn?.close();
    this.#native.alpn = null;
  }

  /** @internal A connection made from this context starts. */
  _retain(): void {
    this.#users++;
  }

  /** @internal A connection made from this context freed its native state. */
  _release(): void {
    this.#users--;
    if (this.#users === 0 && this.#ctx === null) this.#freeAlpn();
  }

  /** Python's default repr: `<ssl.SSLContext object at 0x7f...>`. */
  toString(): string {
    return `<ssl.SSLContext object at ${pyAddress(this)}>`;
  }
}

/** Options of {@link createDefaultContext}. */
export interface DefaultContextOptions {
  /** `"serverAuth"` (a client context, the default) or `"clientAuth"` (a server context). */
  purpose?: "serverAuth" | "clientAuth";
  /** CA certificates to trust instead of the system's. */
  cafile?: string | null;
  /** A hashed CA directory to trust instead of the system's. */
  capath?: string | null;
  /** CA certificates in memory (PEM text or DER bytes) to trust instead of the system's. */
  cadata?: string | Uint8Array | null;
}

/**
 * Python's `ssl.Purpose`: what {@link createDefaultContext} makes a context
 * for. `SERVER_AUTH` (authenticate servers) makes a client context,
 * `CLIENT_AUTH` a server context.
 *
 * @example
 * ```ts
 * const sctx = createDefaultContext(Purpose.CLIENT_AUTH);
 * ```
 */
export const Purpose = {
  SERVER_AUTH: "serverAuth",
  CLIENT_AUTH: "clientAuth",
} as const;

/**
 * Python's `ssl.create_default_context()`: for `purpose: "serverAuth"` (the
 * default), a client context that requires a valid certificate matching the
 * host name, trusting `cafile`/`capath` if given, else the system's CAs.
 * The purpose may also come first, positionally, as in Python:
 * `createDefaultContext(Purpose.CLIENT_AUTH, { cafile })`.
 *
 * @example
 * ```ts
 * const ctx = createDefaultContext();
 * const [r, w] = await asyncio.openConnection("example.com", 443, { ssl: ctx });
 * ```
 */
export function createDefaultContext(
  purposeOrOpts: DefaultContextOptions | DefaultContextOptions["purpose"] = {},
  options: DefaultContextOptions = {},
): SSLContext {
  const opts = typeof purposeOrOpts === "object" && purposeOrOpts !== null
    ? purposeOrOpts
    : { ...options, purpose: purposeOrOpts };
  if (
    opts.purpose !== undefined && opts.purpose !== "serverAuth" && opts.purpose !== "clientAuth"
  ) {
    // Python: `if not isinstance(purpose, _ASN1Object): raise TypeError(purpose)`.
    throw new TypeError(String(opts.purpose));
  }
  const server = opts.purpose === "clientAuth";
  const ctx = new SSLContext(server ? PROTOCOL_TLS_SERVER : PROTOCOL_TLS_CLIENT);
  try {
    ctx.minimumVersion = TLSVersion.TLSv1_2;
    // Python: `if cafile or capath or cadata` (empty bytes are false too).
    if (opts.cafile || opts.capath || (opts.cadata?.length ?? 0) > 0) {
      const { cafile = null, capath = null, cadata = null } = opts;
      ctx.loadVerifyLocations({ cafile, capath, cadata });
    } else if (!server) {
      ctx.loadDefaultCerts();
    }
  } catch (e) {
    ctx.close();
    throw e;
  }
  return ctx;
}

// -- SSLObject -----------------------------------------------------------------

const SSLObjectKey = Symbol("SSLObject");

/** What a peer certificate looks like to Python code (`getpeercert()`). */
export interface PeerCertificate {
  /** RDNs, each a list of `[longName, value]`: `[[["commonName", "localhost"]]]`. */
  subject: Array<Array<[string, string]>>;
  /** Same form as subject. */
  issuer: Array<Array<[string, string]>>;
  /** X.509 version (3). */
  version: number;
  /** Upper-case hex. */
  serialNumber: string;
  /** `"Jan  5 09:34:43 2018 GMT"`. */
  notBefore: string;
  /** Same form. */
  notAfter: string;
  /** `[["DNS", "localhost"], ["IP Address", "127.0.0.1"]]`, when present. */
  subjectAltName?: Array<[string, string]>;
}

function parseName(text: string): Array<Array<[string, string]>> {
  const out: Array<Array<[string, string]>> = [];
  for (const line of text.split("\n")) {
    if (line === "") continue;
    out.push(
      line.split(" + ").map((pair) => {
        const i = pair.indexOf("=");
        return [pair.slice(0, i), pair.slice(i + 1)] as [string, string];
      }),
    );
  }
  return out;
}

function parseAltNames(text: string): Array<[string, string]> {
  return text.split(", ").map((item) => {
    const i = item.indexOf(":");
    return [item.slice(0, i), item.slice(i + 1).trim()] as [string, string];
  });
}

/** What a step of the TLS state machine asks for next. */
export type SslStep = "ok" | "want-read" | "closed";

/**
 * Python's `ssl.SSLObject`: one TLS connection's state over memory buffers.
 * A TLS transport exposes it as `getExtraInfo("ssl_object")`; its query
 * methods (`version()`, `cipher()`, `getpeercert()`,
 * `selectedAlpnProtocol()`) are the useful part for applications. The
 * transport layer drives it through the `_`-prefixed methods.
 *
 * @example
 * ```ts
 * const obj = transport.getExtraInfo("ssl_object") as SSLObject;
 * console.log(obj.version(), obj.cipher());
 * ```
 */
export class SSLObject {
  /** The context it was made from. */
  readonly context: SSLContext;
  /** Whether this is the server end. */
  readonly serverSide: boolean;
  /** The name the server's certificate must match (client), or null. */
  readonly serverHostname: string | null;
  #ssl: SslPtr | null;
  #in: BioPtr;
  #out: BioPtr;
  #done = false;

  /** @internal Made by `SSLContext._wrap()`. */
  constructor(
    context: SSLContext,
    serverSide: boolean,
    serverHostname: string | null,
    key: symbol,
  ) {
    if (key !== SSLObjectKey) throw new TypeError("SSLObject is made by the TLS transport");
    checkContextSide(context, serverSide);
    // No "check_hostname requires server_hostname" here: Python's wrap_bio
    // (what asyncio's start_tls uses) has no such check; without a name only
    // the certificate chain is verified.
    this.context = context;
    this.serverSide = serverSide;
    this.serverHostname = serverHostname;
    const l = lib();
    l.errClear();
    const ssl = l.sslNew(context._ctx);
    if (ssl === null) throw sslErrorFromQueue(SSL_ERROR_SSL, "failed to allocate SSL object");
    const bios = l.sslSetMemoryBios(ssl);
    if (bios === null) {
      l.sslFree(ssl);
      throw sslErrorFromQueue(SSL_ERROR_SSL, "failed to allocate memory BIOs");
    }
    this.#ssl = ssl;
    liveNative++;
    context._retain();
    sslRegistry.register(this, ssl, this);
    [this.#in, this.#out] = bios;
    if (serverSide) l.sslSetAcceptState(ssl);
    else {
      l.sslSetConnectState(ssl);
      if (serverHostname !== null) {
        if (serverHostname === "" || serverHostname.startsWith(".")) {
          this._free();
          throw new ValueError(
            "server_hostname cannot be an empty string or start with a leading dot.",
          );
        }
        // RFC 6066: no SNI for an address.
        if (!isIpLiteral(serverHostname)) l.sslSetTlsextHostName(ssl, serverHostname);
        if (context.checkHostname && l.sslSet1Host(ssl, serverHostname) !== 1) {
          this._free();
          throw sslErrorFromQueue(SSL_ERROR_SSL, "invalid server_hostname");
        }
      }
    }
  }

  #native(): SslPtr {
    if (this.#ssl === null) throw new ValueError("the TLS connection is closed");
    return this.#ssl;
  }

  /** @internal Hands ciphertext from the network to OpenSSL. */
  _feed(data: Uint8Array): void {
    const l = lib();
    let at = 0;
    while (at < data.length) {
      const n = l.bioWrite(this.#in, data.subarray(at));
      if (n <= 0) throw new SSLError(SSL_ERROR_SSL, "memory BIO write failed");
      at += n;
    }
  }

  /**
   * @internal Ciphertext fed and not yet taken by OpenSSL (Python's
   * `incoming.pending`, the size hint `BufferedProtocol.get_buffer` gets over TLS).
   */
  _incomingPending(): number {
    return this.#ssl === null ? 0 : lib().bioPending(this.#in);
  }

  /** @internal Ciphertext OpenSSL produced and not yet taken (Python's `outgoing.pending`). */
  _outgoingPending(): number {
    return this.#ssl === null ? 0 : lib().bioPending(this.#out);
  }

  /** @internal The ciphertext OpenSSL produced since the last call (empty if none). */
  _takeOutgoing(): Uint8Array {
    if (this.#ssl === null) return new Uint8Array(0);
    const l = lib();
    const n = l.bioPending(this.#out);
    if (n === 0) return new Uint8Array(0);
    const out = new Uint8Array(n);
    let at = 0;
    while (at < n) {
      const r = l.bioRead(this.#out, out.subarray(at));
      if (r <= 0) break;
      at += r;
    }
    return at === n ? out : out.subarray(0, at);
  }

  #fail(ret: number, what: string): never {
    const l = lib();
    const code = l.getError(this.#native(), ret);
    throw sslErrorFromQueue(
      code,
      what,
      this.#ssl,
      this.serverHostname,
      undefined,
      SSL_C_LINE.write,
    );
  }

  /** @internal One handshake step: "ok" when done, "want-read" for more input; throws on failure. */
  _handshakeStep(): SslStep {
    const l = lib();
    const ssl = this.#native();
    const r = l.doHandshake(ssl);
    if (r === 1) {
      this.#done = true;
      return "ok";
    }
    const code = l.getError(ssl, r);
    if (code === SSL_ERROR_WANT_READ || code === SSL_ERROR_WANT_WRITE) return "want-read";
    const line = SSL_C_LINE.handshake;
    throw sslErrorFromQueue(code, "handshake failed", ssl, this.serverHostname, undefined, line);
  }

  /**
   * @internal Decrypts into `buf`: the byte count, 0 when nothing is ready,
   * -1 when the peer sent close_notify; throws on failure.
   */
  _readInto(buf: Uint8Array): number {
    const l = lib();
    const ssl = this.#native();
    const r = l.read(ssl, buf);
    if (r > 0) return r;
    const code = l.getError(ssl, r);
    if (code === SSL_ERROR_WANT_READ || code === SSL_ERROR_WANT_WRITE) return 0;
    if (code === SSL_ERROR_ZERO_RETURN) return -1;
    throw sslErrorFromQueue(
      code,
      "read failed",
      ssl,
      this.serverHostname,
      undefined,
      SSL_C_LINE.read,
    );
  }

  /** @internal Encrypts all of `data` (memory BIOs take everything); throws on failure. */
  _writeAll(data: Uint8Array): void {
    const l = lib();
    const ssl = this.#native();
    let at = 0;
    while (at < data.length) {
      const r = l.write(ssl, data.subarray(at));
      if (r <= 0) this.#fail(r, "write failed");
      at += r;
    }
  }

  /**
   * @internal Sends close_notify (once); true when the peer's has been
   * received too. Throws what Python's `unwrap()` raises, such as
   * APPLICATION_DATA_AFTER_CLOSE_NOTIFY when the peer wrote after ours.
   */
  _shutdownStep(): boolean {
    const l = lib();
    const ssl = this.#native();
    const r = l.shutdown(ssl);
    if (r === 1) return true;
    if (r === 0) return false;
    const code = l.getError(ssl, r);
    if (code === SSL_ERROR_WANT_READ || code === SSL_ERROR_WANT_WRITE) return false;
    throw sslErrorFromQueue(
      code,
      "shutdown failed",
      ssl,
      this.serverHostname,
      undefined,
      SSL_C_LINE.shutdown,
    );
  }

  /** @internal Frees the native connection (idempotent). */
  _free(): void {
    const ssl = this.#ssl;
    if (ssl === null) return;
    this.#ssl = null;
    sslRegistry.unregister(this);
    liveNative--;
    lib().sslFree(ssl);
    this.context._release();
  }

  /** The negotiated protocol (`"TLSv1.3"`), or null before the handshake. */
  version(): string | null {
    if (!this.#done || this.#ssl === null) return null;
    return lib().getVersion(this.#ssl);
  }

  /** `[name, protocol, secretBits]` of the negotiated cipher, or null. */
  cipher(): [string, string, number] | null {
    if (!this.#done || this.#ssl === null) return null;
    return lib().currentCipher(this.#ssl);
  }

  /** Compression is never used: null, as Python reports it. */
  compression(): null {
    return null;
  }

  /**
   * The peer's certificate: as DER bytes with `binaryForm`, else decoded
   * (an empty object when it was not verified, as Python does), or null
   * when the peer sent none.
   */
  getpeercert(binaryForm: true): Uint8Array | null;
  /** The peer's certificate decoded, or null when it sent none. */
  getpeercert(binaryForm?: false): PeerCertificate | Record<string, never> | null;
  getpeercert(binaryForm = false): Uint8Array | PeerCertificate | Record<string, never> | null {
    if (!this.#done) throw new ValueError("handshake not done yet");
    const ssl = this.#native();
    const l = lib();
    if (binaryForm) return l.peerCertificateDer(ssl);
    const info = l.peerCertificateInfo(ssl);
    if (info === null) return null;
    if (this.context.verifyMode === CERT_NONE) return {};
    const cert: PeerCertificate = {
      subject: parseName(info.subject),
      issuer: parseName(info.issuer),
      version: info.version,
      serialNumber: info.serialNumber,
      notBefore: info.notBefore,
      notAfter: info.notAfter,
    };
    if (info.subjectAltName !== null) cert.subjectAltName = parseAltNames(info.subjectAltName);
    return cert;
  }

  /** The ALPN protocol agreed on, or null. */
  selectedAlpnProtocol(): string | null {
    if (this.#ssl === null) return null;
    const b = lib().alpnSelected(this.#ssl);
    return b === null ? null : new TextDecoder().decode(b);
  }

  /** Decrypted bytes ready to read. */
  pending(): number {
    return this.#ssl === null ? 0 : lib().pending(this.#ssl);
  }

  /** Python's default repr: `<ssl.SSLObject object at 0x7f...>`. */
  toString(): string {
    return `<ssl.SSLObject object at ${pyAddress(this)}>`;
  }
}

printAsRepr(SSLContext, SSLObject);
