// Garbage in a TLS stream is fatal for the side that reads it: its reader
// fails with the SSLError, and the alert OpenSSL wrote is dropped, as
// CPython's sslproto force-closes before flushing it; the peer sees a plain
// EOF and connectionLost(null). (The alert used to be flushed first, so the
// peer's connection was lost with `tlsv1 alert protocol version` and no
// eofReceived().) Checked against CPython
// (tests/fixtures/py/rp_str2_tls_fatal_no_alert.py).
import { skip, test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { certContexts, selfSignedCert } from "./tls_cert.ts";
import { rmSync } from "node:fs";
import * as asyncio from "../mod.ts";
import { bytesRepr } from "../lib/format.ts";

type Print = (...args: unknown[]) => void;
const enc = (s: string) => new TextEncoder().encode(s);
/** Python's `str(e)`: the text after the class name. */
const str = (e: unknown) => e === null ? "None" : String(e).replace(/^\w+(: |$)/, "");

async function app(print: Print, d: string): Promise<void> {
  class Cli extends asyncio.Protocol {
    q = new asyncio.Queue<Uint8Array>();
    events: string[] = []; // printed at the end: the two sides race
    constructor(readonly lost: asyncio.Future<null>) {
      super();
    }
    override dataReceived(data: Uint8Array) {
      this.q.putNowait(data);
    }
    override eofReceived() {
      this.events.push("eof");
    }
    override connectionLost(exc: Error | null) {
      this.events.push(`lost ${str(exc)}`);
      this.lost.setResult(null);
    }
  }

  const loop = asyncio.getRunningLoop();
  const { sctx, cctx } = certContexts(d);
  const served = loop.createFuture<null>();

  async function handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) {
    print("srv got", bytesRepr(await reader.readLine()));
    writer.write(enc("pong\n"));
    try {
      await reader.read();
    } catch (e) {
      print("srv read:", (e as Error).constructor.name, str(e));
    }
    print("srv closing", writer.isClosing());
    served.setResult(null);
  }

  const srv = await asyncio.startServer(handler, "127.0.0.1", 0, { ssl: sctx });
  const port = (srv.sockets[0].getsockname() as [string, number])[1];
  const lost = loop.createFuture<null>();
  const [raw, p] = await loop.createConnection(() => new Cli(lost), "127.0.0.1", port);
  const tls = await loop.startTls(raw, p, cctx, { serverHostname: "localhost" });
  (tls as asyncio.Transport).write(enc("ping\n"));
  print("cli got", bytesRepr(await p.q.get()));
  (raw as asyncio.Transport).write(enc("raw bytes into the TLS stream\n"));
  await served;
  await lost;
  const events = p.events.map((e) => `'${e}'`).join(", ");
  print("cli events", `[${events}]`, "closing", tls.isClosing());
  srv.close();
  await srv.waitClosed();
}

const EXPECTED = [
  "srv got b'ping\\n'",
  "cli got b'pong\\n'",
  "srv read: SSLError [SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:2580)",
  "srv closing True",
  "cli events ['eof', 'lost None'] closing True",
];

const { dir, error: certError } = selfSignedCert("asyncio-rp-str2-fatal-");

if (certError !== null) {
  skip("a fatal TLS read error drops its alert as CPython's", certError);
} else {
  test("a fatal TLS read error drops the alert: the peer reads EOF", async () => {
    const out: string[] = [];
    await asyncio.run(() => app(printer(out), dir));
    assertEquals(out, EXPECTED);
  }, { timeout: 20 });
}

test("CPython prints the same for rp_str2_tls_fatal_no_alert.py", () => {
  const ref = pythonReference("rp_str2_tls_fatal_no_alert");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });

test("cleanup: remove the test certificate", () => {
  rmSync(dir, { recursive: true, force: true });
});
