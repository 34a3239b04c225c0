// Write flow control of a TLS transport, as CPython 3.11's sslproto: the
// write buffer size counts the ciphertext the TLS layer holds (and the
// pre-handshake backlog), not the socket transport's buffer, which keeps
// its own 64 KiB limits. One big write to a peer that does not read goes to
// the socket transport and leaves the size at 0, without pauseWriting();
// once the socket's buffer is full, what follows stays in the TLS layer and
// pauses the protocol. (The size used to include the socket's buffer, so
// the big write paused the protocol and the size was never 0.) Checked
// against CPython (tests/fixtures/py/rp_tls_write_flow.py).
import { skip, test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { certContexts, selfSignedCert } from "./tls_cert.ts";
import { rmSync } from "node:fs";
import * as asyncio from "../mod.ts";

type Print = (...args: unknown[]) => void;
const BIG = 16 * 1024 * 1024;
const MORE = 1024 * 1024;

async function writeFlow(print: Print, d: string): Promise<void> {
  const loop = asyncio.getRunningLoop();

  class Sink extends asyncio.Protocol {
    t!: asyncio.Transport;
    n = 0;
    constructor(readonly done: asyncio.Future<null>) {
      super();
    }
    override connectionMade(t: asyncio.BaseTransport) {
      this.t = t as asyncio.Transport;
      this.t.pauseReading();
      asyncio.getRunningLoop().callLater(0.2, () => this.resume());
    }
    resume() {
      print("sink resumes reading");
      this.t.resumeReading();
    }
    override dataReceived(data: Uint8Array) {
      this.n += data.length;
    }
    override eofReceived() {
      print("sink eof, got", this.n);
    }
    override connectionLost() {
      this.done.setResult(null);
    }
  }

  class Pump extends asyncio.Protocol {
    t!: asyncio.Transport;
    override connectionMade(t: asyncio.BaseTransport) {
      this.t = t as asyncio.Transport;
      print("limits", `(${this.t.getWriteBufferLimits().join(", ")})`);
      this.t.write(new Uint8Array(BIG).fill(0x78));
      print("after the big write: size", this.t.getWriteBufferSize());
      this.t.write(new Uint8Array(MORE).fill(0x79));
      print("after 1 MiB more: size > 1 MiB", this.t.getWriteBufferSize() > MORE);
    }
    override pauseWriting() {
      print("pump paused");
    }
    override resumeWriting() {
      print("pump resumed: size", this.t.getWriteBufferSize());
      this.t.close();
    }
  }

  const { sctx, cctx } = certContexts(d);
  const done = loop.createFuture<null>();
  const srv = await loop.createServer(() => new Sink(done), "127.0.0.1", 0, { ssl: sctx });
  const port = (srv.sockets[0].getsockname() as [string, number])[1];
  await loop.createConnection(() => new Pump(), "127.0.0.1", port, {
    ssl: cctx,
    serverHostname: "localhost",
  });
  await done;
  srv.close();
  await srv.waitClosed();
  print("expected", BIG + MORE);
}

const EXPECTED = [
  "limits (131072, 524288)",
  "after the big write: size 0",
  "pump paused",
  "after 1 MiB more: size > 1 MiB True",
  "sink resumes reading",
  "pump resumed: size 0",
  "sink eof, got 17825792",
  "expected 17825792",
];

const { dir, error: certError } = selfSignedCert("asyncio-rp-tls-flow-");

if (certError !== null) {
  skip("TLS write flow control as CPython's", certError);
} else {
  test("TLS write flow control counts the TLS layer's buffer, not the socket's", async () => {
    const out: string[] = [];
    await asyncio.run(() => writeFlow(printer(out), dir));
    assertEquals(out, EXPECTED);
  }, { timeout: 20 });
}

test("CPython prints the same for rp_tls_write_flow.py", () => {
  const ref = pythonReference("rp_tls_write_flow");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });

test("cleanup: remove the test certificate", () => {
  rmSync(dir, { recursive: true, force: true });
});
