// Closing a TLS stream while the peer is still sending: the records after
// our close_notify fail the shutdown at once, as OpenSSL says
// (APPLICATION_DATA_AFTER_CLOSE_NOTIFY), also when the reader had paused
// reading (which stops the socket): the shutdown reads on. (It used to
// drop that data, or wait for the 30 s shutdown timeout with the socket paused.)
// Checked against CPython (tests/fixtures/py/rp_tls3_close_while_receiving.py).
import { skip, test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { certContexts, selfSignedCert } from "./tls_cert.ts";
import { rmSync } from "node:fs";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void, d: string): Promise<void> {
  const { sctx, cctx } = certContexts(d);
  const loop = asyncio.getRunningLoop();
  const done = new asyncio.Event();

  async function handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) {
    writer.write(new Uint8Array(1024 * 1024).fill(122));
    try {
      await writer.drain();
    } catch (e) {
      if (!(e instanceof asyncio.ConnectionError)) throw e;
    }
    try {
      await reader.read(); // EOF, or a reset (the client aborts)
    } catch (e) {
      if (!(e instanceof asyncio.ConnectionError)) throw e;
    }
    writer.close();
    done.set();
  }

  const srv = await asyncio.startServer(handler, "127.0.0.1", 0, { ssl: sctx });
  const port = (srv.sockets[0].getsockname() as [string, number])[1];
  const [reader, writer] = await asyncio.openConnection("127.0.0.1", port, {
    ssl: cctx,
    serverHostname: "localhost",
  });
  print("read", (await reader.readExactly(100000)).length);
  await asyncio.sleep(0.1);
  const t0 = loop.time();
  writer.close();
  try {
    await writer.waitClosed();
    print("closed cleanly");
  } catch (e) {
    print("wait_closed", (e as Error).constructor.name, (e as Error).message);
    print("reason", (e as asyncio.ssl.SSLError).reason);
  }
  print("promptly", loop.time() - t0 < 5);
  await asyncio.waitFor(done.wait(), 5);
  srv.close();
  await srv.waitClosed();
}

const EXPECTED = [
  "read 100000",
  "wait_closed SSLError [SSL: APPLICATION_DATA_AFTER_CLOSE_NOTIFY] application data after close notify (_ssl.c:2706)",
  "reason APPLICATION_DATA_AFTER_CLOSE_NOTIFY",
  "promptly True",
];

const { dir, error: certError } = selfSignedCert("asyncio-rp-tls3-close-recv-");

if (certError !== null) {
  skip("closing a TLS stream while the peer sends fails the shutdown", certError);
} else {
  test("closing a TLS stream while the peer sends fails the shutdown at once", async () => {
    const out: string[] = [];
    await asyncio.run(() => app(printer(out), dir));
    assertEquals(out, EXPECTED);
  }, { timeout: 25 });
}

test("CPython prints the same for rp_tls3_close_while_receiving.py", () => {
  const ref = pythonReference("rp_tls3_close_while_receiving");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });

test("cleanup: remove the test certificate", () => {
  rmSync(dir, { recursive: true, force: true });
});
