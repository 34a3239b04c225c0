// A TLS server's sslHandshakeTimeout / sslShutdownTimeout values are
// checked as each connection comes, as Python's SSLProtocol does, not by
// createServer/startServer: the server starts, and each accepted connection
// is dropped (the client's handshake sees the EOF). (createServer used to
// throw the ValueError.) Without ssl, the options are still refused at once.
// Checked against CPython (tests/fixtures/py/rp_tls3_server_timeout_values.py).
import { skip, test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { certContexts, selfSignedCert } from "./tls_cert.ts";
import { rmSync } from "node:fs";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void, d: string): Promise<void> {
  const { sctx, cctx } = certContexts(d);
  const loop = asyncio.getRunningLoop();

  class App extends asyncio.Protocol {
    constructor() {
      super();
      print("app protocol made");
    }
    override connectionMade(): void {
      print("app connection_made");
    }
  }

  const cases: [string, Record<string, unknown>][] = [
    ["['ssl_handshake_timeout']", { sslHandshakeTimeout: 0 }],
    ["['ssl_shutdown_timeout']", { sslShutdownTimeout: -1.5 }],
    ["['ssl_handshake_timeout']", { sslHandshakeTimeout: "5" }],
  ];
  for (const [names, kw] of cases) {
    let srv = await loop.createServer(() => new App(), "127.0.0.1", 0, { ssl: sctx, ...kw });
    print("created", names);
    const port = (srv.sockets[0].getsockname() as [string, number])[1];
    try {
      await asyncio.openConnection("127.0.0.1", port, { ssl: cctx, serverHostname: "localhost" });
    } catch (e) {
      if (!(e instanceof asyncio.ConnectionResetError)) throw e;
      print("client", e.constructor.name, `'${e.message}'`);
    }
    srv.close();
    await srv.waitClosed();
    srv = await asyncio.startServer(() => {}, "127.0.0.1", 0, { ssl: sctx, ...kw });
    print("started", names);
    srv.close();
    await srv.waitClosed();
  }
  try {
    await asyncio.startServer(() => {}, "127.0.0.1", 0, { sslHandshakeTimeout: 0 });
  } catch (e) {
    if (!(e instanceof asyncio.ValueError)) throw e;
    print("no ssl:", e.message);
  }
}

const EXPECTED = [
  ...["ssl_handshake_timeout", "ssl_shutdown_timeout", "ssl_handshake_timeout"].flatMap((k) => [
    `created ['${k}']`,
    "app protocol made",
    "client ConnectionResetError ''",
    `started ['${k}']`,
  ]),
  "no ssl: ssl_handshake_timeout is only meaningful with ssl",
];

const { dir, error: certError } = selfSignedCert("asyncio-rp-tls3-srv-timeouts-");

if (certError !== null) {
  skip("a TLS server checks its timeouts per connection", certError);
} else {
  test("a TLS server checks its timeout values per connection, as Python", async () => {
    const out: string[] = [];
    await asyncio.run(() => app(printer(out), dir));
    assertEquals(out, EXPECTED);
  }, { timeout: 20 });
}

test("CPython prints the same for rp_tls3_server_timeout_values.py", () => {
  const ref = pythonReference("rp_tls3_server_timeout_values");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });

test("cleanup: remove the test certificate", () => {
  rmSync(dir, { recursive: true, force: true });
});
