// A TLS transport's methods passed as callbacks, as Python passes bound
// methods (`loop.call_soon(transport.write, data)`), work and show in a
// Handle's repr under Python's names (`_SSLProtocolTransport.close`);
// checked against CPython.
import { skip, test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { certContexts, selfSignedCert } from "./tls_cert.ts";
import { rmSync } from "node:fs";
import * as asyncio from "../mod.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const bytesRepr = (b: Uint8Array) => `b'${new TextDecoder().decode(b).replaceAll("\n", "\\n")}'`;

/** The port of tests/fixtures/py/tp_conf_tls_bound_methods.py, line for line. */
async function tlsBoundMethods(print: (...args: unknown[]) => void, d: string): Promise<void> {
  class Client extends asyncio.Protocol {
    constructor(readonly lost: asyncio.Future<unknown>) {
      super();
    }
    override dataReceived(d: Uint8Array) {
      print("client got", bytesRepr(d));
    }
    override eofReceived() {
      print("client eof");
    }
    override connectionLost(exc: Error | null) {
      print("client lost", exc);
      this.lost.setResult(null);
    }
  }

  const loop = asyncio.getRunningLoop();
  const { sctx, cctx } = certContexts(d);
  const echo = async (r: asyncio.StreamReader, w: asyncio.StreamWriter) => {
    w.write(await r.readLine());
    await w.drain();
    w.close();
  };
  const srv = await asyncio.startServer(echo, "127.0.0.1", 0, { ssl: sctx });
  const port = (srv.sockets[0].getsockname() as [string, number])[1];
  const lost = loop.createFuture();
  const [t] = await loop.createConnection(() => new Client(lost), "127.0.0.1", port, {
    ssl: cctx,
    serverHostname: "localhost",
  });
  const tr = t as asyncio.Transport;
  print(String(loop.callSoon(tr.pauseReading)));
  print(String(loop.callSoon(tr.resumeReading)));
  print(String(loop.callSoon(tr.write, enc("hello "))));
  print(String(loop.callSoon(tr.writeLines, [enc("tls\n")])));
  await asyncio.sleep(0.2);
  print(String(loop.callSoon(tr.close)));
  await lost;
  print("closing", tr.isClosing());
  srv.close();
  await srv.waitClosed();
}

const EXPECTED = [
  "<Handle _SSLProtocolTransport.pause_reading()>",
  "<Handle _SSLProtocolTransport.resume_reading()>",
  "<Handle _SSLProtocolTransport.write(b'hello ')>",
  "<Handle _SSLProtocolTransport.writelines([b'tls\\n'])>",
  "client got b'hello tls\\n'",
  "client eof",
  "client lost None",
  "<Handle _SSLProtocolTransport.close()>",
  "closing True",
];

const { dir, error: certError } = selfSignedCert("asyncio-tp-tls-");

if (certError !== null) {
  skip("TLS transport methods as callbacks", certError);
} else {
  test("TLS transport methods work as callbacks, named as Python names them", async () => {
    const out: string[] = [];
    await asyncio.run(() => tlsBoundMethods(printer(out), dir));
    assertEquals(out, EXPECTED);
  }, { timeout: 30 });
}

test("CPython prints the same for tp_conf_tls_bound_methods.py", () => {
  const ref = pythonReference("tp_conf_tls_bound_methods");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });

test("cleanup: remove the test certificate", () => {
  rmSync(dir, { recursive: true, force: true });
});
