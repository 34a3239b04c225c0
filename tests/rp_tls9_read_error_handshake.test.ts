// A client's getBuffer() that throws on SSLProtocol's first read, which runs
// as the handshake completes. As in CPython 3.11, createConnection() has
// already resolved, the loop reports "Fatal error on SSL protocol" and the
// app's connectionLost() gets the error; and since that read comes before
// what OpenSSL wrote goes out, the client's last handshake message (its
// Finished) is never sent: the server's handshake fails and its protocol is
// never made. The Finished used to be sent first, so the server made its
// protocol for a connection the client had already dropped. Checked against
// CPython (tests/fixtures/py/rp_tls9_read_error_handshake.py).
import { skip, test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { certContexts, selfSignedCert } from "./tls_cert.ts";
import { rmSync } from "node:fs";
import { pyRepr } from "../lib/format.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void, d: string): Promise<void> {
  const loop = asyncio.getRunningLoop();
  loop.setExceptionHandler((_l, c) => {
    print("handler:", c.message, pyRepr(c.exception), (c.protocol as object).constructor.name);
  });
  const { sctx, cctx } = certContexts(d);

  class Server extends asyncio.Protocol {
    override connectionMade(): void {
      print("server made");
    }
  }
  class Client extends asyncio.BufferedProtocol {
    constructor(readonly done: asyncio.Future<null>) {
      super();
    }
    override connectionMade(): void {
      print("client made");
    }
    override getBuffer(sizehint: number): Uint8Array {
      print("client get_buffer", sizehint);
      throw new asyncio.KeyError("no buffer");
    }
    override bufferUpdated(nbytes: number): void {
      print("client buffer_updated", nbytes);
    }
    override connectionLost(exc: Error | null): void {
      print("client lost", pyRepr(exc));
      this.done.setResult(null);
    }
  }

  const srv = await loop.createServer(() => new Server(), "127.0.0.1", 0, { ssl: sctx });
  const port = (srv.sockets[0].getsockname() as [string, number])[1];
  const done = loop.createFuture<null>();
  const [t] = await loop.createConnection(() => new Client(done), "127.0.0.1", port, {
    ssl: cctx,
    serverHostname: "localhost",
  });
  print("create_connection returned, closing", t.isClosing());
  await done;
  // The server's side of the failed handshake ends a moment later.
  await asyncio.sleep(0.2);
  srv.close();
  await srv.waitClosed();
  print("done");
}

const EXPECTED = [
  "client made",
  "client get_buffer 0",
  "handler: Fatal error on SSL protocol KeyError('no buffer') SSLProtocol",
  "create_connection returned, closing False",
  "client lost KeyError('no buffer')",
  "done",
];

const { dir, error: certError } = selfSignedCert("asyncio-rp-tls9-readerr-");

if (certError !== null) {
  skip("a read error as the TLS handshake completes", certError);
} else {
  test("a read error as the TLS handshake completes leaves the Finished unsent", async () => {
    const out: string[] = [];
    await asyncio.run(() => app(printer(out), dir));
    assertEquals(out, EXPECTED);
  }, { timeout: 20 });
}

test("CPython prints the same for rp_tls9_read_error_handshake.py", () => {
  const ref = pythonReference("rp_tls9_read_error_handshake");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });

test("cleanup: remove the test certificate", () => {
  rmSync(dir, { recursive: true, force: true });
});
