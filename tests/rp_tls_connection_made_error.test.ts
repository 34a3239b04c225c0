// A protocol's connectionMade() that throws over TLS: as in CPython 3.11,
// where the error leaves SSLProtocol.buffer_updated(), the loop reports
// "Fatal error: protocol.buffer_updated() call failed." (not a message of
// its own), a client's createConnection() rejects with that error (not
// ConnectionResetError("Connection lost")), and the client's last handshake
// message is not sent, so the server's protocol is never made. Checked
// against CPython (tests/fixtures/py/rp_tls_connection_made_error.py).
import { skip, test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { certContexts, selfSignedCert } from "./tls_cert.ts";
import { rmSync } from "node:fs";
import { pyRepr } from "../lib/format.ts";
import * as asyncio from "../mod.ts";

type Print = (...args: unknown[]) => void;

/** A transport's or protocol's Python class name, from its repr. */
function typeName(x: unknown): string {
  const m = /^<asyncio\.\w+\.(\w+) /.exec(String(x));
  return m !== null ? m[1] : (x as object).constructor.name;
}

async function connectionMadeErrors(print: Print, d: string): Promise<void> {
  const loop = asyncio.getRunningLoop();
  loop.setExceptionHandler((_loop, ctx) => {
    const e = ctx.exception as Error;
    print(
      "handler:",
      ctx.message,
      "|",
      e.constructor.name,
      e.message,
      "| protocol",
      typeName(ctx.protocol),
      "| transport",
      typeName(ctx.transport),
    );
  });

  class BadMade extends asyncio.Protocol {
    override connectionMade() {
      print("server made, raising");
      throw new asyncio.ValueError("bug in connection_made");
    }
    override connectionLost(exc: Error | null) {
      print("server lost", pyRepr(exc));
    }
  }
  class Echo extends asyncio.Protocol {
    override connectionMade() {
      print("echo made");
    }
    override connectionLost(exc: Error | null) {
      print("echo lost", pyRepr(exc));
    }
  }
  class Client extends asyncio.Protocol {
    constructor(readonly fut: asyncio.Future<null>) {
      super();
    }
    override connectionMade(_t: asyncio.BaseTransport) {
      print("client made");
    }
    override eofReceived() {
      print("client eof");
    }
    override connectionLost(exc: Error | null) {
      print("client lost", pyRepr(exc));
      this.fut.setResult(null);
    }
  }
  class BadClient extends Client {
    override connectionMade(_t: asyncio.BaseTransport) {
      throw new asyncio.RuntimeError("client made bug");
    }
  }

  const { sctx, cctx } = certContexts(d);

  let srv = await loop.createServer(() => new BadMade(), "127.0.0.1", 0, { ssl: sctx });
  let port = (srv.sockets[0].getsockname() as [string, number])[1];
  const fut = loop.createFuture<null>();
  const [t] = await loop.createConnection(() => new Client(fut), "127.0.0.1", port, {
    ssl: cctx,
  });
  await fut;
  t.close();
  srv.close();
  await srv.waitClosed();
  print("---");

  srv = await loop.createServer(() => new Echo(), "127.0.0.1", 0, { ssl: sctx });
  port = (srv.sockets[0].getsockname() as [string, number])[1];
  try {
    await loop.createConnection(() => new BadClient(loop.createFuture()), "127.0.0.1", port, {
      ssl: cctx,
    });
  } catch (e) {
    print("create_connection:", pyRepr(e));
  }
  await asyncio.sleep(0.1);
  srv.close();
  await srv.waitClosed();
  print("done");
}

const EXPECTED = [
  "client made",
  "server made, raising",
  "handler: Fatal error: protocol.buffer_updated() call failed. | ValueError bug in connection_made | protocol SSLProtocol | transport _SelectorSocketTransport",
  "server lost ValueError('bug in connection_made')",
  "client eof",
  "client lost None",
  "---",
  "handler: Fatal error: protocol.buffer_updated() call failed. | RuntimeError client made bug | protocol SSLProtocol | transport _SelectorSocketTransport",
  "client lost RuntimeError('client made bug')",
  "create_connection: RuntimeError('client made bug')",
  "done",
];

const { dir, error: certError } = selfSignedCert("asyncio-rp-tls-made-");

if (certError !== null) {
  skip("TLS connectionMade() errors as CPython's", certError);
} else {
  test("TLS: a connectionMade() that throws is reported and fails as in CPython", async () => {
    const out: string[] = [];
    await asyncio.run(() => connectionMadeErrors(printer(out), dir));
    assertEquals(out, EXPECTED);
  }, { timeout: 20 });
}

test("CPython prints the same for rp_tls_connection_made_error.py", () => {
  const ref = pythonReference("rp_tls_connection_made_error");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });

test("cleanup: remove the test certificate", () => {
  rmSync(dir, { recursive: true, force: true });
});
