// Writes to a TLS transport once it is closing or closed are dropped; from
// the fifth on (connectionLost counts as one, as Python's `_conn_lost`)
// each logs "SSL connection is closed", as the socket transport's
// "socket.send() raised exception.". (They used to be dropped silently.)
// Checked against CPython (tests/fixtures/py/rp_str2_tls_closed_writes.py).
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
  const done = new asyncio.Event();

  async function handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) {
    print("srv", bytesRepr(await reader.read()));
    for (let i = 0; i < 6; i++) {
      writer.write(enc(`late ${i}\n`));
      try {
        await writer.drain();
        print("drain", i, "ok");
      } catch (e) {
        print("drain", i, (e as Error).constructor.name, (e as Error).message);
      }
    }
    done.set();
  }

  const srv = await asyncio.startServer(handler, "127.0.0.1", 0, { ssl: sctx });
  const port = (srv.sockets[0].getsockname() as [string, number])[1];
  const [, w] = await asyncio.openConnection("127.0.0.1", port, {
    ssl: cctx,
    serverHostname: "localhost",
  });
  w.write(enc("hello"));
  w.close();
  for (let i = 0; i < 6; i++) {
    print("write after close", i);
    w.write(enc("dropped"));
  }
  await w.waitClosed();
  await done.wait();
  srv.close();
  await srv.waitClosed();
}

const WARNING = "LOG WARNING SSL connection is closed";
const EXPECTED = [
  ...[0, 1, 2, 3, 4, 5].map((i) => `write after close ${i}`),
  WARNING,
  "srv b'hello'",
  "drain 0 ok",
  "drain 1 ok",
  "drain 2 ConnectionResetError Connection lost",
  "drain 3 ConnectionResetError Connection lost",
  WARNING,
  "drain 4 ConnectionResetError Connection lost",
  WARNING,
  "drain 5 ConnectionResetError Connection lost",
];

const { dir, error: certError } = selfSignedCert("asyncio-rp-str2-writes-");

if (certError !== null) {
  skip("writes to a closed TLS transport warn as CPython's", certError);
} else {
  test("writes to a closing or closed TLS transport warn from the fifth on", async () => {
    const out: string[] = [];
    const print = printer(out);
    const show = (r: asyncio.LogRecord) => print("LOG", r.levelName, r.message);
    asyncio.logger.addHandler(show);
    try {
      await asyncio.run(() => app(print, dir));
    } finally {
      asyncio.logger.removeHandler(show);
    }
    assertEquals(out, EXPECTED);
  }, { timeout: 20 });
}

test("CPython prints the same for rp_str2_tls_closed_writes.py", () => {
  const ref = pythonReference("rp_str2_tls_closed_writes");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });

test("cleanup: remove the test certificate", () => {
  rmSync(dir, { recursive: true, force: true });
});
