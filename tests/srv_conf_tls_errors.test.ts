// TLS errors as CPython 3.11 words them (with OpenSSL 3): SSLError messages
// end with the `_ssl.c` line that raised them, an SSLContext method's errno
// is OpenSSL's reason code, a missing file is a FileNotFoundError without
// its name; a failed handshake drops its alert (a TLS 1.3 client refused
// for lacking a certificate reads EOF); startTls needs no server name and
// the writer's returns None; a context for the other end fails as the TLS
// protocol is made; createDefaultContext takes the purpose positionally and
// loadCertChain Python's keywords as an object; a TLS transport, SSLObject
// and SSLContext print as Python's default repr. Checked against CPython
// with tests/fixtures/py/srv_conf_tls_errors.py.
import { skip, test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { selfSignedCert } from "./tls_cert.ts";
import { rmSync, writeFileSync } from "node:fs";
import * as asyncio from "../mod.ts";

const { ssl } = asyncio;
type Print = (...args: unknown[]) => void;
type R = asyncio.StreamReader;
type W = asyncio.StreamWriter;
const enc = new TextEncoder();

/** Python's repr of short ASCII bytes. */
function b(data: Uint8Array): string {
  return `b'${new TextDecoder().decode(data).replace(/\r/g, "\\r").replace(/\n/g, "\\n")}'`;
}

function show(print: Print, label: string, e: unknown): void {
  const err = e as Error & { errno?: number };
  const errno = err instanceof asyncio.OSError ? err.errno ?? null : "-";
  print(label, err.constructor.name, errno, err.message);
}

function portOf(server: asyncio.Server): number {
  return (server.sockets[0].getsockname() as [string, number])[1];
}

async function tlsErrors(print: Print, d: string): Promise<void> {
  const cert = `${d}/cert.pem`;
  const key = `${d}/key.pem`;
  const garbage = `${d}/garbage.pem`;
  writeFileSync(garbage, "hello\n");
  const c = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  const cases: Array<[string, () => void]> = [
    ["missing cert", () => c.loadCertChain(`${d}/nope.pem`)],
    ["garbage cert", () => c.loadCertChain(garbage)],
    ["garbage key", () => c.loadCertChain(cert, garbage)],
    ["garbage cafile", () => c.loadVerifyLocations(garbage)],
    ["ciphers", () => c.setCiphers("bogus")],
    ["alpn", () => c.setAlpnProtocols([""])],
  ];
  for (const [label, f] of cases) {
    try {
      f();
    } catch (e) {
      show(print, label, e);
    }
  }
  c.close();

  const sctx = ssl.createDefaultContext(ssl.Purpose.CLIENT_AUTH);
  print("server context", sctx.protocol, sctx.verifyMode, sctx.checkHostname);
  sctx.loadCertChain(cert, { keyfile: key });
  const cctx = ssl.createDefaultContext(ssl.Purpose.SERVER_AUTH, { cafile: cert });
  print("client context", cctx.protocol, cctx.verifyMode, cctx.checkHostname);
  try {
    // deno-lint-ignore no-explicit-any
    ssl.createDefaultContext("nope" as any);
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    show(print, "purpose", e);
  }
  const echo = async (r: R, w: W) => {
    w.write(await r.readLine());
    await w.drain();
    w.close();
  };
  const server = await asyncio.startServer(echo, "127.0.0.1", 0, { ssl: sctx });
  const port = portOf(server);
  let [r, w] = await asyncio.openConnection("127.0.0.1", port, { ssl: cctx });
  for (const obj of [w.transport, w.getExtraInfo("ssl_object"), cctx]) {
    print(String(obj).replace(/0x[0-9a-f]+/g, "ADDR"));
  }
  w.write(enc.encode("hi\n"));
  print("echo", b(await r.readLine()));
  w.close();
  await w.waitClosed();
  const selfSigned = ssl.createDefaultContext();
  const verifyCases: Array<
    [string, InstanceType<typeof ssl.SSLContext>, { serverHostname?: string }]
  > = [
    ["self-signed", selfSigned, {}],
    ["hostname", cctx, { serverHostname: "example.com" }],
  ];
  for (const [label, ctx, kw] of verifyCases) {
    try {
      await asyncio.openConnection("127.0.0.1", port, { ssl: ctx, ...kw });
    } catch (e) {
      if (!(e instanceof ssl.SSLCertVerificationError)) throw e;
      show(print, label, e);
      print(" ", e.library, e.reason, e.verifyCode, e.verifyMessage);
    }
  }
  selfSigned.close();

  const plain = async (_r: R, w: W) => {
    w.write(enc.encode("HTTP/1.0 200 OK\r\n\r\n"));
    await w.drain();
    w.close();
  };
  const plainServer = await asyncio.startServer(plain, "127.0.0.1", 0);
  try {
    await asyncio.openConnection("127.0.0.1", portOf(plainServer), { ssl: cctx });
  } catch (e) {
    if (!(e instanceof ssl.SSLError)) throw e;
    show(print, "plain peer", e);
    print(" ", e.library, e.reason);
  }

  try {
    await asyncio.openConnection("127.0.0.1", port, { ssl: sctx });
  } catch (e) {
    if (!(e instanceof ssl.SSLError)) throw e;
    show(print, "server context", e);
  }

  const need = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  need.loadCertChain({ certfile: cert, keyfile: key });
  need.verifyMode = ssl.CERT_REQUIRED;
  need.loadVerifyLocations(cert);
  const needServer = await asyncio.startServer(echo, "127.0.0.1", 0, { ssl: need });
  [r, w] = await asyncio.openConnection("127.0.0.1", portOf(needServer), { ssl: cctx });
  w.write(enc.encode("hi\n"));
  print("no client cert reads", b(await r.read()));
  w.close();
  await w.waitClosed();

  const only13 = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  only13.loadCertChain(cert, key);
  only13.minimumVersion = ssl.TLSVersion.TLSv1_3;
  const c12 = ssl.createDefaultContext({ cafile: cert });
  c12.maximumVersion = ssl.TLSVersion.TLSv1_2;
  const only13Server = await asyncio.startServer(echo, "127.0.0.1", 0, { ssl: only13 });
  try {
    await asyncio.openConnection("127.0.0.1", portOf(only13Server), { ssl: c12 });
  } catch (e) {
    if (!(e instanceof asyncio.ConnectionResetError)) throw e;
    show(print, "no common version", e);
  }
  only13Server.close();
  await only13Server.waitClosed();

  const loop = asyncio.getRunningLoop();
  [r, w] = await asyncio.openConnection("127.0.0.1", port);
  try {
    // deno-lint-ignore no-explicit-any
    await loop.startTls(w.transport, w.transport.getProtocol(), null as any);
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    show(print, "start_tls None", e);
  }
  print("start_tls", await w.startTls(cctx));
  const obj = w.getExtraInfo("ssl_object") as InstanceType<typeof ssl.SSLObject>;
  print("server_hostname", obj.serverHostname);
  w.write(enc.encode("upgraded\n"));
  print("echo", b(await r.readLine()));
  w.close();
  await w.waitClosed();
  try {
    await asyncio.openUnixConnection(`${d}/nope.sock`, { ssl: cctx });
  } catch (e) {
    if (!(e instanceof asyncio.ValueError)) throw e;
    show(print, "unix", e);
  }
  for (const s of [server, plainServer, needServer]) {
    s.close();
    await s.waitClosed();
  }
  // The connections' native objects go as they are lost, a few iterations on.
  await asyncio.sleep(0.05);
  for (const ctx of [sctx, cctx, need, only13, c12]) ctx.close();
}

const EXPECTED = [
  "missing cert FileNotFoundError 2 [Errno 2] No such file or directory",
  "garbage cert SSLError 524297 [SSL] PEM lib (_ssl.c:3905)",
  "garbage key SSLError 524297 [SSL] PEM lib (_ssl.c:3926)",
  "garbage cafile SSLError 136 [X509: NO_CERTIFICATE_OR_CRL_FOUND] no certificate or crl found (_ssl.c:4154)",
  "ciphers SSLError None ('No cipher can be selected.',)",
  "alpn SSLError None ('ALPN protocols must be 1 to 255 in length',)",
  "server context 17 0 False",
  "client context 16 2 True",
  "purpose TypeError - nope",
  "<asyncio.sslproto._SSLProtocolTransport object at ADDR>",
  "<ssl.SSLObject object at ADDR>",
  "<ssl.SSLContext object at ADDR>",
  "echo b'hi\\n'",
  "self-signed SSLCertVerificationError 1 [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: " +
  "self-signed certificate (_ssl.c:1006)",
  "  SSL CERTIFICATE_VERIFY_FAILED 18 self-signed certificate",
  "hostname SSLCertVerificationError 1 [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: " +
  "Hostname mismatch, certificate is not valid for 'example.com'. (_ssl.c:1006)",
  "  SSL CERTIFICATE_VERIFY_FAILED 62 Hostname mismatch, certificate is not valid for 'example.com'.",
  "plain peer SSLError 1 [SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)",
  "  SSL WRONG_VERSION_NUMBER",
  "server context SSLError 0 Cannot create a client socket with a PROTOCOL_TLS_SERVER context (_ssl.c:809)",
  "no client cert reads b''",
  "no common version ConnectionResetError None ",
  "start_tls None TypeError - sslcontext is expected to be an instance of ssl.SSLContext, got None",
  "start_tls None",
  "server_hostname None",
  "echo b'upgraded\\n'",
  "unix ValueError - you have to pass server_hostname when using ssl",
];

const { dir, error: certError } = selfSignedCert("asyncio-srv-tls-");

if (certError !== null) {
  skip("TLS errors as CPython words them", certError);
} else {
  test("TLS errors, reprs and startTls as CPython 3.11 gives them", async () => {
    const out: string[] = [];
    await asyncio.run(() => tlsErrors(printer(out), dir));
    assertEquals(out, EXPECTED);
  }, { timeout: 30 });
}

test("CPython prints the same for srv_conf_tls_errors.py", () => {
  const ref = pythonReference("srv_conf_tls_errors");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });

test("cleanup: remove the test certificate", () => {
  rmSync(dir, { recursive: true, force: true });
});
