// A BufferedProtocol over TLS whose getBuffer() returns an empty buffer:
// as in CPython 3.11, SSLProtocol reads 0 bytes into it and takes that for
// close_notify, so the app gets eofReceived(), the TLS shutdown starts and
// the connection closes cleanly. It used to be the plain socket transport's
// RuntimeError("get_buffer() returned an empty buffer"), a fatal error that
// aborted the connection. Checked against CPython
// (tests/fixtures/py/rp_tls9_empty_buffer_eof.py).
import { skip, test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { certContexts, selfSignedCert } from "./tls_cert.ts";
import { rmSync } from "node:fs";
import { bytesRepr, pyRepr } from "../lib/format.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void, d: string): Promise<void> {
  const loop = asyncio.getRunningLoop();
  loop.setExceptionHandler((_l, c) => print("handler:", c.message, pyRepr(c.exception)));
  const { sctx, cctx } = certContexts(d);
  const served = loop.createFuture<null>();

  class Reader extends asyncio.BufferedProtocol {
    constructor(readonly done: asyncio.Future<null>) {
      super();
    }
    override getBuffer(_sizehint: number): Uint8Array {
      print("get_buffer: empty");
      return new Uint8Array(0);
    }
    override bufferUpdated(nbytes: number): void {
      print("buffer_updated", nbytes);
    }
    override eofReceived(): undefined {
      print("eof_received");
    }
    override connectionLost(exc: Error | null): void {
      print("connection_lost", pyRepr(exc));
      this.done.setResult(null);
    }
  }

  const handle = async (r: asyncio.StreamReader, w: asyncio.StreamWriter) => {
    print("server read", bytesRepr(await r.read()));
    w.close();
    await w.waitClosed();
    served.setResult(null);
  };
  const srv = await asyncio.startServer(handle, "127.0.0.1", 0, { ssl: sctx });
  const port = (srv.sockets[0].getsockname() as [string, number])[1];
  const done = loop.createFuture<null>();
  const [t] = await loop.createConnection(() => new Reader(done), "127.0.0.1", port, {
    ssl: cctx,
    serverHostname: "localhost",
  });
  print("connected, closing", t.isClosing());
  await done;
  await served;
  print("closing", t.isClosing());
  srv.close();
  await srv.waitClosed();
}

const EXPECTED = [
  "get_buffer: empty",
  "eof_received",
  "get_buffer: empty",
  "connected, closing True",
  "server read b''",
  "connection_lost None",
  "closing True",
];

const { dir, error: certError } = selfSignedCert("asyncio-rp-tls9-empty-");

if (certError !== null) {
  skip("an empty buffer from getBuffer() over TLS is close_notify", certError);
} else {
  test("an empty buffer from getBuffer() over TLS is taken for close_notify", async () => {
    const out: string[] = [];
    await asyncio.run(() => app(printer(out), dir));
    assertEquals(out, EXPECTED);
  }, { timeout: 20 });
}

test("CPython prints the same for rp_tls9_empty_buffer_eof.py", () => {
  const ref = pythonReference("rp_tls9_empty_buffer_eof");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });

test("cleanup: remove the test certificate", () => {
  rmSync(dir, { recursive: true, force: true });
});
