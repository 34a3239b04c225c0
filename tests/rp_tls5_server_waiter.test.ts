// A server's failed TLS handshake is its accept task's to read in Python:
// when asyncio.run() ends right after it (the done callback that read the
// waiter's exception still queued when the loop closed), nothing is logged,
// where "Future exception was never retrieved" used to be. Checked against
// CPython (tests/fixtures/py/rp_tls5_server_waiter.py).
import { skip, test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { certContexts, selfSignedCert } from "./tls_cert.ts";
import { rmSync } from "node:fs";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void, d: string): Promise<void> {
  const { sctx } = certContexts(d);
  const srv = await asyncio.startServer((_r, w) => w.close(), "127.0.0.1", 0, { ssl: sctx });
  const port = (srv.sockets[0].getsockname() as [string, number])[1];
  try {
    // The default context trusts no self-signed certificate.
    await asyncio.openConnection("127.0.0.1", port, {
      ssl: asyncio.ssl.createDefaultContext(),
      serverHostname: "localhost",
    });
  } catch (e) {
    print("err", (e as Error).name);
  }
  srv.close();
  await srv.waitClosed();
}

const EXPECTED = ["err SSLCertVerificationError", "end"];

const { dir, error: certError } = selfSignedCert("asyncio-rp-tls5-waiter-");

if (certError !== null) {
  skip("a server's failed handshake logs nothing at run()'s end", certError);
} else {
  test("a server's failed handshake logs nothing at run()'s end", async () => {
    const out: string[] = [];
    const print = printer(out);
    const logged: string[] = [];
    const handler = (r: asyncio.LogRecord) => void logged.push(r.message.split("\n")[0]);
    asyncio.logger.addHandler(handler);
    try {
      await asyncio.run(() => app(print, dir));
      // A collection at exit would report it too: look for it now.
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      asyncio.logger.removeHandler(handler);
    }
    print("end");
    assertEquals(out, EXPECTED);
    assertEquals(logged, []);
  }, { timeout: 20 });
}

test("CPython prints the same for rp_tls5_server_waiter.py", () => {
  if (certError !== null) return;
  const ref = pythonReference("rp_tls5_server_waiter");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });

test("cleanup: remove the test certificate (server waiter)", () => {
  rmSync(dir, { recursive: true, force: true });
});
