// loop.sendfile() on a TLS transport takes the fallback, which pauses
// reading while it runs (as Python's _SendfileFallbackProtocol does); and
// when the protocol's writing was paused, the copy waits for the resume,
// then restore() passes resumeWriting() on. The library kept reading and
// started copying at once, so the sendfile was over before the peer read.
// Checked against CPython (tests/fixtures/py/rp_flow8_sendfile_fallback.py).
import { closeSync, openSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { skip, test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { certContexts, selfSignedCert } from "./tls_cert.ts";
import { bytesRepr } from "../lib/format.ts";
import * as asyncio from "../mod.ts";

type TW = asyncio.Transport;

async function app(print: (...args: unknown[]) => void, d: string): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const { sctx, cctx } = certContexts(d);
  const conns = new asyncio.Queue<[asyncio.StreamReader, asyncio.StreamWriter]>();
  const srv = await asyncio.startServer(
    async (r, w) => {
      await conns.put([r, w]);
    },
    "127.0.0.1",
    0,
    { ssl: sctx },
  );
  const port = (srv.sockets[0].getsockname() as [string, number])[1];
  const [, cw] = await asyncio.openConnection("127.0.0.1", port, {
    ssl: cctx,
    serverHostname: "localhost",
  });
  const [sr, sw] = await conns.get();
  const t = cw.transport as TW;
  const big = new Uint8Array(16 << 20).fill(120);
  cw.write(big);
  cw.write(big);
  print("buffered", t.getWriteBufferSize() > 0);
  const drain = asyncio.createTask(() => cw.drain());
  await asyncio.sleep(0.05);
  print("drain pending", !drain.done());
  const path = join(d, "file");
  writeFileSync(path, new Uint8Array(100000).fill(70));
  const f = openSync(path, "r");
  try {
    const sending = asyncio.createTask(() => loop.sendfile(t, f));
    await asyncio.sleep(0.05);
    print("during: reading", t.isReading(), "done", sending.done());
    const total = 2 * big.length + 100000;
    let got = 0;
    while (got < total) got += (await sr.read(1 << 20)).length;
    print("sent", await sending, "got", got, "reading", t.isReading());
  } finally {
    closeSync(f);
  }
  await drain;
  print("drain done");
  cw.write(new TextEncoder().encode("more"));
  await asyncio.waitFor(cw.drain(), 5);
  print("more", bytesRepr(await sr.readExactly(4)));
  cw.close();
  sw.close();
  await cw.waitClosed();
  srv.close();
  await srv.waitClosed();
}

const EXPECTED = [
  "buffered True",
  "drain pending True",
  "during: reading False done False",
  "sent 100000 got 33654432 reading True",
  "drain done",
  "more b'more'",
];

const { dir, error: certError } = selfSignedCert("asyncio-rp-flow8-");

if (certError !== null) {
  skip("sendfile's fallback pauses reading and waits for a paused protocol", certError);
} else {
  test("sendfile's fallback pauses reading and waits for a paused protocol", async () => {
    const out: string[] = [];
    await asyncio.run(() => app(printer(out), dir));
    assertEquals(out, EXPECTED);
  }, { timeout: 30 });
}

test("CPython prints the same for rp_flow8_sendfile_fallback.py", () => {
  const ref = pythonReference("rp_flow8_sendfile_fallback");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });

test("cleanup: remove the test certificate", () => {
  rmSync(dir, { recursive: true, force: true });
});
