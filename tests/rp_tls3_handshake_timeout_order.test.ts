// A TLS handshake timeout is a plain fatal error, as Python's
// `_check_handshake_timeout`: the socket is aborted and the caller fails
// from connectionLost, after the socket is closed, so the peer sees the EOF
// as soon as in CPython. (The caller used to fail at once, an iteration
// early.) Checked against CPython (tests/fixtures/py/rp_tls3_handshake_timeout_order.py).
import { skip, test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { certContexts, selfSignedCert } from "./tls_cert.ts";
import { rmSync } from "node:fs";
import * as asyncio from "../mod.ts";
import { bytesRepr } from "../lib/format.ts";

async function app(print: (...args: unknown[]) => void, d: string): Promise<void> {
  const { cctx } = certContexts(d);
  const loop = asyncio.getRunningLoop();

  async function silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) {
    const data = await reader.read();
    print("silent got", data.length > 0, bytesRepr(data.subarray(0, 1)));
    writer.close();
  }

  const srv = await asyncio.startServer(silent, "127.0.0.1", 0);
  const port = (srv.sockets[0].getsockname() as [string, number])[1];
  const t0 = loop.time();
  try {
    await asyncio.openConnection("127.0.0.1", port, {
      ssl: cctx,
      serverHostname: "localhost",
      sslHandshakeTimeout: 0.2,
    });
  } catch (e) {
    if (!(e instanceof asyncio.ConnectionAbortedError)) throw e;
    print("client", e.constructor.name, e.message);
  }
  print("waited the timeout", loop.time() - t0 >= 0.19);
  for (let i = 0; i < 4; i++) {
    print("tick", i);
    await asyncio.sleep(0);
  }
  srv.close();
  await srv.waitClosed();
}

const EXPECTED = [
  "client ConnectionAbortedError SSL handshake is taking longer than 0.2 seconds: aborting the connection",
  "waited the timeout True",
  "tick 0",
  "tick 1",
  "silent got True b'\\x16'",
  "tick 2",
  "tick 3",
];

const { dir, error: certError } = selfSignedCert("asyncio-rp-tls3-hs-timeout-");

if (certError !== null) {
  skip("a TLS handshake timeout fails the caller after the abort", certError);
} else {
  test("a TLS handshake timeout fails the caller from connectionLost", async () => {
    const out: string[] = [];
    await asyncio.run(() => app(printer(out), dir));
    assertEquals(out, EXPECTED);
  }, { timeout: 20 });
}

test("CPython prints the same for rp_tls3_handshake_timeout_order.py", () => {
  const ref = pythonReference("rp_tls3_handshake_timeout_order");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });

test("cleanup: remove the test certificate", () => {
  rmSync(dir, { recursive: true, force: true });
});
