/**
 * A self-signed certificate for `localhost` and 127.0.0.1, made with the
 * `openssl` command for the TLS comparisons with CPython, which both load
 * `key.pem` and `cert.pem` from the same directory.
 *
 * @example
 * ```ts
 * const { dir, error } = selfSignedCert("asyncio-tls-");
 * if (error !== null) skip("TLS", error);
 * ```
 * @module
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { sys } from "../ffi/mod.ts";
import { ssl } from "../mod.ts";

/** Where the certificate is, and why there is none (null when it was made). */
export interface TestCert {
  /** A new directory holding `key.pem` and `cert.pem`; the test removes it. */
  dir: string;
  /** Why no certificate could be made (no OpenSSL 3, no `openssl`), or null. */
  error: string | null;
}

/** Makes the certificate in a new temporary directory named from `prefix`. */
export function selfSignedCert(prefix: string): TestCert {
  const dir = mkdtempSync(`${tmpdir()}/${prefix}`);
  try {
    sys().ssl(); // libssl.so.3 must load before anything else is worth trying
    const r = spawnSync("openssl", [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "2",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=DNS:localhost,IP:127.0.0.1",
      "-keyout",
      `${dir}/key.pem`,
      "-out",
      `${dir}/cert.pem`,
    ], { encoding: "utf8", timeout: 20_000 });
    if (r.status !== 0) throw new Error(`openssl req failed: ${r.stderr}`);
  } catch (e) {
    return { dir, error: `no OpenSSL 3 or no certificate: ${e}` };
  }
  return { dir, error: null };
}

/**
 * The two contexts the TLS comparisons make as their Python programs do: a
 * server context holding the certificate in `dir`, a client one trusting it.
 */
export function certContexts(dir: string): { sctx: ssl.SSLContext; cctx: ssl.SSLContext } {
  const sctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  sctx.loadCertChain(`${dir}/cert.pem`, `${dir}/key.pem`);
  return { sctx, cctx: ssl.createDefaultContext({ cafile: `${dir}/cert.pem` }) };
}
