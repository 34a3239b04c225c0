// An app protocol's dataReceived() that throws under TLS is a fatal error of
// the SSL protocol: the socket transport is aborted first, then the
// exception handler hears of it, so its context shows the transport
// `closing` and `read=idle` (it used to show it still open and polling),
// and connectionLost() gets the error. Checked against CPython
// (tests/fixtures/py/rp_str2_tls_fatal_report.py).
import { skip, test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { certContexts, selfSignedCert } from "./tls_cert.ts";
import { rmSync } from "node:fs";
import * as asyncio from "../mod.ts";
import { bytesRepr } from "../lib/format.ts";

type Print = (...args: unknown[]) => void;
const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

async function app(print: Print, d: string): Promise<void> {
  class Bad extends asyncio.Protocol {
    constructor(readonly lost: asyncio.Future<null>) {
      super();
    }
    override dataReceived(data: Uint8Array) {
      print("data", bytesRepr(data));
      throw new asyncio.ValueError("cannot parse " + dec(data));
    }
    override connectionLost(exc: Error | null) {
      print("lost", exc?.constructor.name, exc?.message);
      this.lost.setResult(null);
    }
  }

  const loop = asyncio.getRunningLoop();
  loop.setExceptionHandler((_loop, ctx) => {
    print("handler:", ctx.message, "|", (ctx.exception as Error).constructor.name);
    print("handler transport:", String(ctx.transport).replace(/fd=\d+/, "fd=N"));
    print("handler protocol:", (ctx.protocol as object).constructor.name);
  });
  const { sctx, cctx } = certContexts(d);

  async function serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) {
    writer.write(enc("junk"));
    print("srv read", bytesRepr(await reader.read()));
    writer.close();
  }

  const srv = await asyncio.startServer(serve, "127.0.0.1", 0, { ssl: sctx });
  const port = (srv.sockets[0].getsockname() as [string, number])[1];
  const lost = loop.createFuture<null>();
  const [t] = await loop.createConnection(() => new Bad(lost), "127.0.0.1", port, {
    ssl: cctx,
    serverHostname: "localhost",
  });
  await lost;
  print("closing", t.isClosing());
  await asyncio.sleep(0.1);
  srv.close();
  await srv.waitClosed();
}

const EXPECTED = [
  "data b'junk'",
  "handler: Fatal error on SSL protocol | ValueError",
  "handler transport: <_SelectorSocketTransport closing fd=N read=idle write=<idle, bufsize=0>>",
  "handler protocol: SSLProtocol",
  "lost ValueError cannot parse junk",
  "closing True",
  "srv read b''",
];

const { dir, error: certError } = selfSignedCert("asyncio-rp-str2-report-");

if (certError !== null) {
  skip("a fatal TLS app error is reported as CPython's", certError);
} else {
  test("a fatal TLS app error is reported with the transport already closing", async () => {
    const out: string[] = [];
    await asyncio.run(() => app(printer(out), dir));
    assertEquals(out, EXPECTED);
  }, { timeout: 20 });
}

test("CPython prints the same for rp_str2_tls_fatal_report.py", () => {
  const ref = pythonReference("rp_str2_tls_fatal_report");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });

test("cleanup: remove the test certificate", () => {
  rmSync(dir, { recursive: true, force: true });
});
