// A TLS server in debug mode, as CPython 3.11's: each handshake logs
// "<SSLProtocol> starts SSL handshake" and "...: SSL handshake took N ms"
// (not "SSL handshake done"), and a handshake that fails on the server is
// reported to the exception handler as asyncio's accept task reports its
// failed waiter, "Error on transport creation for incoming connection",
// with the app's protocol and the TLS transport; in non-debug mode, not at
// all. Checked against CPython (tests/fixtures/py/rp_tls_debug_accept_errors.py).
import { skip, test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { certContexts, selfSignedCert } from "./tls_cert.ts";
import { rmSync } from "node:fs";
import { bytesRepr } from "../lib/format.ts";
import * as asyncio from "../mod.ts";

const { ssl } = asyncio;
type Print = (...args: unknown[]) => void;
const enc = (s: string) => new TextEncoder().encode(s);

/** A transport's or protocol's Python class name, from its repr. */
function typeName(x: unknown): string {
  const m = /^<asyncio\.\w+\.(\w+) /.exec(String(x));
  return m !== null ? m[1] : (x as object).constructor.name;
}

async function debugServer(print: Print, d: string, debug: boolean): Promise<void> {
  const loop = asyncio.getRunningLoop();
  loop.setDebug(debug);
  loop.setExceptionHandler((_loop, ctx) => {
    print(
      "handler:",
      ctx.message,
      "|",
      (ctx.exception as Error).constructor.name,
      "| protocol",
      typeName(ctx.protocol),
      "| transport",
      typeName(ctx.transport),
    );
  });
  print("debug", loop.getDebug());
  const { sctx, cctx } = certContexts(d);
  const server = await asyncio.startServer(
    async (r, w) => {
      print("handler got", bytesRepr(await r.readLine()));
      w.close();
    },
    "127.0.0.1",
    0,
    { ssl: sctx },
  );
  const port = (server.sockets[0].getsockname() as [string, number])[1];

  let [r, w] = await asyncio.openConnection("127.0.0.1", port, {
    ssl: cctx,
    serverHostname: "localhost",
  });
  w.write(enc("hi\n"));
  print("client read", bytesRepr(await r.read()));
  w.close();
  await w.waitClosed();

  // A plain-text client: the server's handshake fails.
  [r, w] = await asyncio.openConnection("127.0.0.1", port);
  w.write(enc("GET / HTTP/1.0\r\n\r\n"));
  print("plain client read", bytesRepr(await r.read()));
  w.close();
  await w.waitClosed();

  // A client that does not trust the server: the server sees EOF.
  try {
    await asyncio.openConnection("127.0.0.1", port, { ssl: ssl.createDefaultContext() });
  } catch (e) {
    print("untrusting client:", (e as asyncio.SSLError).reason);
  }
  await asyncio.sleep(0.1);
  server.close();
  await server.waitClosed();
}

const EXPECTED = [
  "debug False",
  "handler got b'hi\\n'",
  "client read b''",
  "plain client read b''",
  "untrusting client: CERTIFICATE_VERIFY_FAILED",
  "debug True",
  "log: DEBUG <SSLProtocol> starts SSL handshake",
  "log: DEBUG <SSLProtocol> starts SSL handshake",
  "log: DEBUG <SSLProtocol>: SSL handshake took N ms",
  "log: DEBUG <SSLProtocol>: SSL handshake took N ms",
  "handler got b'hi\\n'",
  "client read b''",
  "log: DEBUG <SSLProtocol> starts SSL handshake",
  "log: DEBUG <SSLProtocol>: SSL handshake failed",
  "handler: Error on transport creation for incoming connection | SSLError | protocol StreamReaderProtocol | transport _SSLProtocolTransport",
  "plain client read b''",
  "log: DEBUG <SSLProtocol> starts SSL handshake",
  "log: DEBUG <SSLProtocol> starts SSL handshake",
  "log: DEBUG <SSLProtocol>: SSL handshake failed on verifying the certificate",
  "untrusting client: CERTIFICATE_VERIFY_FAILED",
  "log: DEBUG <SSLProtocol>: SSL handshake failed",
  "handler: Error on transport creation for incoming connection | ConnectionResetError | protocol StreamReaderProtocol | transport _SSLProtocolTransport",
];

const { dir, error: certError } = selfSignedCert("asyncio-rp-tls-debug-");

if (certError !== null) {
  skip("TLS server debug reports as CPython's", certError);
} else {
  test("TLS server in debug mode: handshake logs and failed-accept reports", async () => {
    const out: string[] = [];
    const print = printer(out);
    const collect = (rec: asyncio.LogRecord) => {
      if (!rec.message.includes("SSL handshake")) return;
      const msg = rec.message
        .replace(/<asyncio\.sslproto\.SSLProtocol object at 0x[0-9a-f]+>/, "<SSLProtocol>")
        .replace(/[0-9]+\.[0-9] ms/, "N ms");
      print("log:", rec.levelName, msg);
    };
    const level = asyncio.logger.level;
    asyncio.logger.addHandler(collect);
    asyncio.logger.setLevel(asyncio.DEBUG);
    try {
      await asyncio.run(() => debugServer(print, dir, false));
      await asyncio.run(() => debugServer(print, dir, true));
    } finally {
      asyncio.logger.removeHandler(collect);
      asyncio.logger.setLevel(level);
    }
    assertEquals(out, EXPECTED);
  }, { timeout: 20 });
}

test("CPython prints the same for rp_tls_debug_accept_errors.py", () => {
  const ref = pythonReference("rp_tls_debug_accept_errors");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });

test("cleanup: remove the test certificate", () => {
  rmSync(dir, { recursive: true, force: true });
});
