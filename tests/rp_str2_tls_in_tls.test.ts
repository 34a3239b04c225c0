// `StreamWriter.startTls()` on a writer that is already TLS: TLS in TLS
// (as through an HTTPS proxy). Python's TLS transport is start_tls
// compatible; startTls() used to take only a socket transport and threw
// `TypeError: transport ... is not supported by start_tls()`. Checked
// against CPython (tests/fixtures/py/rp_str2_tls_in_tls.py).
import { skip, test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { certContexts, selfSignedCert } from "./tls_cert.ts";
import { rmSync } from "node:fs";
import * as asyncio from "../mod.ts";
import { bytesRepr } from "../lib/format.ts";

const enc = (s: string) => new TextEncoder().encode(s);

async function app(print: (...args: unknown[]) => void, d: string): Promise<void> {
  const { sctx, cctx } = certContexts(d);

  async function handler(r: asyncio.StreamReader, w: asyncio.StreamWriter) {
    print("srv", bytesRepr(await r.readLine()));
    const outer = w.transport;
    await w.startTls(sctx);
    const name = w.transport.constructor.name;
    print("srv inner", name, w.transport !== outer, bytesRepr(await r.readLine()));
    w.write(enc("inner reply\n"));
    await w.drain();
    w.close();
    await w.waitClosed();
  }

  const srv = await asyncio.startServer(handler, "127.0.0.1", 0, { ssl: sctx });
  const port = (srv.sockets[0].getsockname() as [string, number])[1];
  const [r, w] = await asyncio.openConnection("127.0.0.1", port, {
    ssl: cctx,
    serverHostname: "localhost",
  });
  w.write(enc("upgrade\n"));
  await w.drain();
  await w.startTls(cctx, { serverHostname: "localhost" });
  const obj = w.getExtraInfo("ssl_object") as asyncio.SSLObject;
  print(
    "cli inner",
    w.transport.constructor.name,
    obj.serverHostname,
    obj.version()!.startsWith("TLS"),
  );
  w.write(enc("tls in tls\n"));
  print("cli", bytesRepr(await r.readLine()), bytesRepr(await r.read()));
  w.close();
  await w.waitClosed();
  srv.close();
  await srv.waitClosed();
}

const EXPECTED = [
  "srv b'upgrade\\n'",
  "cli inner _SSLProtocolTransport localhost True",
  "srv inner _SSLProtocolTransport True b'tls in tls\\n'",
  "cli b'inner reply\\n' b''",
];

const { dir, error: certError } = selfSignedCert("asyncio-rp-str2-tlsintls-");

if (certError !== null) {
  skip("TLS in TLS with startTls() as CPython's", certError);
} else {
  test("startTls() on a TLS stream runs TLS in TLS", async () => {
    const out: string[] = [];
    await asyncio.run(() => app(printer(out), dir));
    assertEquals(out, EXPECTED);
  }, { timeout: 20 });
}

test("CPython prints the same for rp_str2_tls_in_tls.py", () => {
  const ref = pythonReference("rp_str2_tls_in_tls");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });

test("cleanup: remove the test certificate", () => {
  rmSync(dir, { recursive: true, force: true });
});
