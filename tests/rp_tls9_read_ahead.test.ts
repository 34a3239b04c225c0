// A TLS server whose protocol pauses reading reads on from its socket into
// OpenSSL, up to 256 KiB (Python's FLOW_CONTROL_HIGH_WATER_SSL_READ),
// before it pauses the socket; `resumeReading()` delivers what was read
// ahead and resumes the socket once 64 KiB or less wait. The port paused
// the socket at once, so a client with small kernel buffers could not drain
// 768 KiB (its TLS layer holds 512 KiB, its socket transport 64 KiB) before
// the server's app read: its drain() waited where CPython's completes.
// Checked against CPython (tests/fixtures/py/rp_tls9_read_ahead.py).
import { rmSync } from "node:fs";
import { skip, test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { certContexts, selfSignedCert } from "./tls_cert.ts";
import * as asyncio from "../mod.ts";

const CHUNK = 16 * 1024;
const TOTAL = 48 * CHUNK;

async function app(print: (...args: unknown[]) => void, d: string): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const { sctx, cctx } = certContexts(d);
  const made = loop.createFuture<Paused>();
  const received = loop.createFuture<number>();

  class Paused extends asyncio.Protocol {
    n = 0;
    t: asyncio.Transport | null = null;
    override connectionMade(t: asyncio.BaseTransport): void {
      this.t = t as asyncio.Transport;
      this.t.pauseReading();
      print("server paused, reading:", this.t.isReading());
      made.setResult(this);
    }
    override dataReceived(data: Uint8Array): void {
      this.n += data.length;
      if (this.n === TOTAL) received.setResult(this.n);
    }
  }

  const lsock = asyncio.socket();
  lsock.setsockopt(asyncio.SOL_SOCKET, asyncio.SO_RCVBUF, 4096);
  lsock.bind(["127.0.0.1", 0]);
  const srv = await loop.createServer(() => new Paused(), { sock: lsock, ssl: sctx });
  const csock = asyncio.socket();
  csock.setsockopt(asyncio.SOL_SOCKET, asyncio.SO_SNDBUF, 4096);
  csock.setblocking(false);
  await loop.sockConnect(csock, lsock.getsockname() as [string, number]);
  const [, w] = await asyncio.openConnection({
    sock: csock,
    ssl: cctx,
    serverHostname: "localhost",
  });
  const server = await made;

  const writeAll = async () => {
    for (let i = 0; i < TOTAL / CHUNK; i++) {
      w.write(new Uint8Array(CHUNK).fill(0x78));
      await w.drain();
    }
  };
  try {
    await asyncio.waitFor(writeAll(), 5);
    print("client drained", TOTAL, "bytes; server app got", server.n);
  } catch (e) {
    if (!(e instanceof asyncio.TimeoutError)) throw e;
    print("client drain stuck; server app got", server.n);
  }
  server.t!.resumeReading();
  print("server app got", await asyncio.waitFor(received, 10));
  w.close();
  await w.waitClosed();
  srv.close();
  await srv.waitClosed();
}

const EXPECTED = [
  "server paused, reading: False",
  "client drained 786432 bytes; server app got 0",
  "server app got 786432",
];

const { dir, error: certError } = selfSignedCert("asyncio-rp-tls9-ahead-");

if (certError !== null) {
  skip("a paused TLS server reads 256 KiB ahead into OpenSSL", certError);
} else {
  test("a paused TLS server reads 256 KiB ahead into OpenSSL", async () => {
    const out: string[] = [];
    await asyncio.run(() => app(printer(out), dir));
    assertEquals(out, EXPECTED);
  }, { timeout: 40 });
}

test("CPython prints the same for rp_tls9_read_ahead.py", () => {
  const ref = pythonReference("rp_tls9_read_ahead");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 40 });

test("cleanup: remove the test certificate", () => {
  rmSync(dir, { recursive: true, force: true });
});
