// A TLS peer that still writes after our close_notify makes our shutdown
// fail as OpenSSL decides (APPLICATION_DATA_AFTER_CLOSE_NOTIFY), as Python's
// `unwrap()` does: connectionLost gets that SSLError and waitClosed raises
// it. (The shutdown used to read and drop the data, and end cleanly.)
// Checked against CPython (tests/fixtures/py/rp_tls3_data_after_close_notify.py).
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
  const loop = asyncio.getRunningLoop();

  class Late extends asyncio.Protocol {
    transport!: asyncio.Transport;
    buf = new Uint8Array(0);
    override connectionMade(transport: asyncio.BaseTransport): void {
      this.transport = transport as asyncio.Transport;
    }
    override dataReceived(data: Uint8Array): void {
      this.buf = new Uint8Array([...this.buf, ...data]);
    }
    override eofReceived(): void {
      print("srv eof, got", bytesRepr(this.buf));
      this.transport.write(enc("reply after eof"));
    }
    override connectionLost(exc: Error | null): void {
      print("srv lost", exc);
    }
  }

  class Cli extends asyncio.Protocol {
    constructor(readonly lost: asyncio.Future<Error | null>) {
      super();
    }
    override dataReceived(data: Uint8Array): void {
      print("cli data", bytesRepr(data));
    }
    override eofReceived(): void {
      print("cli eof");
    }
    override connectionLost(exc: Error | null): void {
      print("cli lost", exc?.constructor.name, exc?.message);
      this.lost.setResult(exc);
    }
  }

  const srv = await loop.createServer(() => new Late(), "127.0.0.1", 0, { ssl: sctx });
  const port = (srv.sockets[0].getsockname() as [string, number])[1];
  const lost = loop.createFuture<Error | null>();
  const [t] = await loop.createConnection(() => new Cli(lost), "127.0.0.1", port, {
    ssl: cctx,
    serverHostname: "localhost",
  });
  (t as asyncio.Transport).write(enc("request"));
  await asyncio.sleep(0.1);
  t.close();
  const exc = (await lost) as asyncio.ssl.SSLError;
  print("reason", exc.reason, "library", exc.library, "errno", exc.errno);

  const [r, w] = await asyncio.openConnection("127.0.0.1", port, {
    ssl: cctx,
    serverHostname: "localhost",
  });
  w.write(enc("stream request"));
  await asyncio.sleep(0.1);
  w.close();
  try {
    await w.waitClosed();
    print("wait_closed ok");
  } catch (e) {
    print("wait_closed", (e as Error).constructor.name, (e as Error).message);
  }
  print("at_eof", r.atEof(), "exception", r.exception()?.constructor.name);
  await asyncio.sleep(0.1);
  srv.close();
  await srv.waitClosed();
}

const ERR =
  "[SSL: APPLICATION_DATA_AFTER_CLOSE_NOTIFY] application data after close notify (_ssl.c:2706)";
const EXPECTED = [
  "srv eof, got b'request'",
  "srv lost None",
  `cli lost SSLError ${ERR}`,
  "reason APPLICATION_DATA_AFTER_CLOSE_NOTIFY library SSL errno 1",
  "srv eof, got b'stream request'",
  "srv lost None",
  `wait_closed SSLError ${ERR}`,
  "at_eof False exception SSLError",
];

const { dir, error: certError } = selfSignedCert("asyncio-rp-tls3-after-notify-");

if (certError !== null) {
  skip("data after our close_notify fails the TLS shutdown", certError);
} else {
  test("data after our close_notify fails the TLS shutdown as OpenSSL says", async () => {
    const out: string[] = [];
    await asyncio.run(() => app(printer(out), dir));
    assertEquals(out, EXPECTED);
  }, { timeout: 20 });
}

test("CPython prints the same for rp_tls3_data_after_close_notify.py", () => {
  const ref = pythonReference("rp_tls3_data_after_close_notify");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });

test("cleanup: remove the test certificate", () => {
  rmSync(dir, { recursive: true, force: true });
});
