// `StreamWriter.startTls()` whose handshake fails (the client refuses the
// server's certificate): startTls throws the verification error, and the
// stream's protocol still hears of the lost connection with that error, as
// Python's SSLProtocol tells a start_tls protocol (made from the start):
// the reader's exception() and waitClosed() give it. waitClosed() never
// settled, and the program ended with its loop still waiting.
// Checked against CPython (tests/fixtures/py/rp_streams3_starttls_failed.py).
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
  async function handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) {
    print("srv:", bytesRepr(await reader.readLine()));
    writer.write(enc("GO\n"));
    await writer.drain();
    try {
      await writer.startTls(sctx);
      print("srv: tls line", bytesRepr(await reader.readLine()));
    } catch (e) {
      if (!(e instanceof asyncio.ConnectionResetError)) throw e;
      print("srv: start_tls failed", e.name, e.message);
    }
    writer.close();
  }
  const server = await asyncio.startServer(handle, "127.0.0.1", 0);
  const port = (server.sockets[0].getsockname() as [string, number])[1];
  for (const host of ["example.com", "localhost"]) {
    const [r, w] = await asyncio.openConnection("127.0.0.1", port);
    w.write(enc("STARTTLS\n"));
    print("cli:", bytesRepr(await r.readLine()));
    try {
      await w.startTls(cctx, { serverHostname: host });
      print("cli: tls up", w.transport.constructor.name);
      w.write(enc("secret\n"));
      await w.drain();
    } catch (e) {
      print(
        "cli: failed",
        (e as Error).name,
        (e as asyncio.ssl.SSLCertVerificationError).verifyMessage,
      );
      print("cli: closing", w.isClosing(), w.transport.constructor.name);
    }
    await asyncio.sleep(0.05);
    const exc = r.exception();
    print("cli: reader exception", exc ? exc.name : null);
    w.close();
    try {
      await w.waitClosed();
      print("cli: closed");
    } catch (e) {
      print("cli: wait_closed", (e as Error).name, e === exc);
    }
  }
  server.close();
  await server.waitClosed();
}

const EXPECTED = [
  "srv: b'STARTTLS\\n'",
  "cli: b'GO\\n'",
  "cli: failed SSLCertVerificationError Hostname mismatch, certificate is not valid for 'example.com'.",
  "cli: closing True _SelectorSocketTransport",
  "srv: start_tls failed ConnectionResetError ",
  "cli: reader exception SSLCertVerificationError",
  "cli: wait_closed SSLCertVerificationError True",
  "srv: b'STARTTLS\\n'",
  "cli: b'GO\\n'",
  "cli: tls up _SSLProtocolTransport",
  "srv: tls line b'secret\\n'",
  "cli: reader exception None",
  "cli: closed",
];

const { dir, error: certError } = selfSignedCert("asyncio-rp-streams3-starttls-");

if (certError !== null) {
  skip("a failed startTls() ends the stream with its error", certError);
} else {
  test("a failed startTls() ends the stream with its error: waitClosed() settles", async () => {
    const out: string[] = [];
    await asyncio.run(() => app(printer(out), dir));
    assertEquals(out, EXPECTED);
  }, { timeout: 20 });
}

test("CPython prints the same for rp_streams3_starttls_failed.py", () => {
  const ref = pythonReference("rp_streams3_starttls_failed");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });

test("cleanup: remove the test certificate", () => {
  rmSync(dir, { recursive: true, force: true });
});
