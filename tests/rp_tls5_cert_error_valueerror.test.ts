// A certificate that does not verify raises ssl.SSLCertVerificationError,
// which Python makes both an SSLError (an OSError) and a ValueError:
// `instanceof asyncio.ValueError` holds for it, as `except ValueError`
// catches it. (JS classes have one base: it used to be no ValueError.)
// Checked against CPython (tests/fixtures/py/rp_tls5_cert_error_valueerror.py).
import { skip, test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { certContexts, selfSignedCert } from "./tls_cert.ts";
import { rmSync } from "node:fs";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void, d: string): Promise<void> {
  const { sctx, cctx } = certContexts(d);
  const { ssl } = asyncio;

  const srv = await asyncio.startServer(
    (_r, w) => {
      w.close();
    },
    "127.0.0.1",
    0,
    { ssl: sctx },
  );
  const port = (srv.sockets[0].getsockname() as [string, number])[1];
  const cases: [string, asyncio.SSLContext][] = [
    ["wrong.example", cctx],
    ["localhost", ssl.createDefaultContext()],
  ];
  for (const [name, ctx] of cases) {
    try {
      await asyncio.openConnection("127.0.0.1", port, { ssl: ctx, serverHostname: name });
    } catch (e) {
      if (!(e instanceof asyncio.ValueError)) throw e;
      const err = e as asyncio.SSLCertVerificationError;
      print("ValueError caught:", err.constructor.name, err.verifyCode);
      print(
        e instanceof ssl.SSLError,
        e instanceof asyncio.OSError,
        e instanceof ssl.SSLCertVerificationError,
      );
      print(err.message.slice(0, 60));
    }
  }
  try {
    throw new ssl.SSLError(1, "plain");
  } catch (e) {
    if (e instanceof asyncio.ValueError) print("SSLError is a ValueError");
    else if (e instanceof asyncio.OSError) print("SSLError is not a ValueError:", e.message);
  }
  print(
    new asyncio.ValueError("v") instanceof ssl.SSLError,
    new asyncio.ValueError("v") instanceof asyncio.ValueError,
  );
  // The server's side of the failed handshakes ends a moment later: let it
  // close its sockets before the loop does.
  await asyncio.sleep(0.2);
  srv.close();
  await srv.waitClosed();
}

const EXPECTED = [
  "ValueError caught: SSLCertVerificationError 62",
  "True True True",
  "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: ",
  "ValueError caught: SSLCertVerificationError 18",
  "True True True",
  "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: ",
  "SSLError is not a ValueError: plain",
  "False True",
];

const { dir, error: certError } = selfSignedCert("asyncio-rp-tls5-valueerror-");

if (certError !== null) {
  skip("a certificate verification error is a ValueError", certError);
} else {
  test("a certificate verification error is a ValueError too, as in Python", async () => {
    const out: string[] = [];
    await asyncio.run(() => app(printer(out), dir));
    assertEquals(out, EXPECTED);
  }, { timeout: 20 });
}

test("CPython prints the same for rp_tls5_cert_error_valueerror.py", () => {
  const ref = pythonReference("rp_tls5_cert_error_valueerror");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });

test("cleanup: remove the test certificate", () => {
  rmSync(dir, { recursive: true, force: true });
});
