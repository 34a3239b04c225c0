// writeLines() on a TLS transport does not check its items as write() does:
// a str among them fails in the TLS layer, a fatal error ("Fatal error on SSL
// protocol") that closes the connection with the TypeError; the bytes before
// it never reach the peer. (It used to throw write()'s TypeError after
// sending the items before it.) write() of a str still throws at once.
// Checked against CPython (tests/fixtures/py/rp_tls5_writelines_str.py).
import { skip, test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { certContexts, selfSignedCert } from "./tls_cert.ts";
import { rmSync } from "node:fs";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void, d: string): Promise<void> {
  const { sctx, cctx } = certContexts(d);
  const loop = asyncio.getRunningLoop();
  loop.setExceptionHandler((_loop, ctx) => print("handler:", ctx.message));

  class Srv extends asyncio.Protocol {
    n = 0;
    constructor(readonly done: asyncio.Future<number>) {
      super();
    }
    override dataReceived(data: Uint8Array): void {
      this.n += data.length;
    }
    override connectionLost(): void {
      this.done.setResult(this.n);
    }
  }
  class Cli extends asyncio.Protocol {
    constructor(readonly lost: asyncio.Future<null>) {
      super();
    }
    override connectionLost(exc: Error | null): void {
      print("cli lost", exc?.constructor.name, exc?.message);
      this.lost.setResult(null);
    }
  }

  const done = loop.createFuture<number>();
  const srv = await loop.createServer(() => new Srv(done), "127.0.0.1", 0, { ssl: sctx });
  const port = (srv.sockets[0].getsockname() as [string, number])[1];
  const lost = loop.createFuture<null>();
  const [t] = await loop.createConnection(() => new Cli(lost), "127.0.0.1", port, {
    ssl: cctx,
    serverHostname: "localhost",
  });
  const tr = t as asyncio.Transport;
  try {
    tr.write("text" as unknown as Uint8Array);
  } catch (e) {
    print("write:", (e as Error).message);
  }
  tr.writeLines([new TextEncoder().encode("ok"), "bad" as unknown as Uint8Array]);
  print("writelines returned, closing:", tr.isClosing());
  await lost;
  print("server got", await done, "bytes");
  tr.write(new TextEncoder().encode("more"));
  srv.close();
  await srv.waitClosed();
}

const EXPECTED = [
  "write: data: expecting a bytes-like instance, got str",
  "handler: Fatal error on SSL protocol",
  "writelines returned, closing: False",
  "cli lost TypeError a bytes-like object is required, not 'str'",
  "server got 0 bytes",
];

const { dir, error: certError } = selfSignedCert("asyncio-rp-tls5-writelines-");

if (certError !== null) {
  skip("writeLines of a str over TLS is a fatal error", certError);
} else {
  test(
    "writeLines of a str over TLS is a fatal error of the connection, as in Python",
    async () => {
      const out: string[] = [];
      await asyncio.run(() => app(printer(out), dir));
      assertEquals(out, EXPECTED);
    },
    { timeout: 20 },
  );
}

test("CPython prints the same for rp_tls5_writelines_str.py", () => {
  const ref = pythonReference("rp_tls5_writelines_str");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });

test("cleanup: remove the test certificate", () => {
  rmSync(dir, { recursive: true, force: true });
});
