// SSLContext.loadVerifyLocations({ cadata }) and createDefaultContext({
// cadata }): CA certificates from memory, PEM text or DER bytes, with
// Python's errors for empty, bad and trailing data (OpenSSL 3). Checked
// against CPython 3.11 with tests/fixtures/py/srv_conf_tls_cadata.py.
import { skip, test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { selfSignedCert } from "./tls_cert.ts";
import { readFileSync, rmSync } from "node:fs";
import * as asyncio from "../mod.ts";

const { ssl } = asyncio;
type Print = (...args: unknown[]) => void;

/** Python's `ssl.PEM_cert_to_DER_cert`. */
function pemToDer(pem: string): Uint8Array {
  const b64 = pem.replace(/-----[A-Z ]+-----|\s/g, "");
  return Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

async function cadata(print: Print, d: string): Promise<void> {
  const pem = readFileSync(`${d}/cert.pem`, "utf8");
  const der = pemToDer(pem);
  const corrupt = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
  const xx = new Uint8Array([0x78, 0x78]);
  const cases: Array<[string, unknown]> = [
    ["pem", pem],
    ["two pems", pem + pem],
    ["pem, text", pem + "trailing text"],
    ["der", der],
    ["empty str", ""],
    ["empty bytes", new Uint8Array(0)],
    ["text", "hello"],
    ["bytes", xx],
    ["pem, corrupt pem", pem + corrupt],
    ["der, bytes", concat(der, xx)],
    ["int", 5],
  ];
  for (const [label, data] of cases) {
    const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    try {
      ctx.loadVerifyLocations({ cadata: data as string });
      print(label, "ok");
    } catch (e) {
      const err = e as Error & { errno?: number };
      print(
        label,
        err.constructor.name,
        err instanceof asyncio.OSError ? err.errno : "-",
        err.message,
      );
    } finally {
      ctx.close();
    }
  }

  const sctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  sctx.loadCertChain(`${d}/cert.pem`, `${d}/key.pem`);
  const bye = async (_r: asyncio.StreamReader, w: asyncio.StreamWriter) => {
    w.write(new TextEncoder().encode("trusted\n"));
    await w.drain();
    w.close();
  };
  const server = await asyncio.startServer(bye, "127.0.0.1", 0, { ssl: sctx });
  const [, port] = server.sockets[0].getsockname() as [string, number];
  for (const data of [pem, der]) {
    const cctx = ssl.createDefaultContext({ cadata: data });
    const [r, w] = await asyncio.openConnection("127.0.0.1", port, { ssl: cctx });
    const got = new TextDecoder().decode(await r.read()).replace("\n", "\\n");
    print(typeof data === "string" ? "str" : "bytes", `b'${got}'`);
    w.close();
    await w.waitClosed();
    cctx.close();
  }
  server.close();
  await server.waitClosed();
  await asyncio.sleep(0.05);
  sctx.close();
}

const EXPECTED = [
  "pem ok",
  "two pems ok",
  "pem, text ok",
  "der ok",
  "empty str ValueError - Empty certificate data",
  "empty bytes ValueError - Empty certificate data",
  "text SSLError 0 no start line: cadata does not contain a certificate (_ssl.c:4020)",
  "bytes SSLError 0 not enough data: cadata does not contain a certificate (_ssl.c:4020)",
  "pem, corrupt pem SSLError 524301 [PEM] ASN1 lib (_ssl.c:4035)",
  "der, bytes SSLError 142 [ASN1: NOT_ENOUGH_DATA] not enough data (_ssl.c:4035)",
  "int TypeError - cadata should be an ASCII string or a bytes-like object",
  "str b'trusted\\n'",
  "bytes b'trusted\\n'",
];

const { dir, error: certError } = selfSignedCert("asyncio-srv-cadata-");

if (certError !== null) {
  skip("cadata as CPython takes it", certError);
} else {
  test("cadata: PEM text or DER bytes, with CPython 3.11's errors", async () => {
    const out: string[] = [];
    await asyncio.run(() => cadata(printer(out), dir));
    assertEquals(out, EXPECTED);
  }, { timeout: 30 });
}

test("CPython prints the same for srv_conf_tls_cadata.py", () => {
  const ref = pythonReference("srv_conf_tls_cadata");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });

test("cleanup: remove the test certificate", () => {
  rmSync(dir, { recursive: true, force: true });
});
