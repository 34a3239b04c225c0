// What a protocol receives over TLS, as CPython 3.11's sslproto reads:
// records decrypted together reach dataReceived() in one call; a
// BufferedProtocol gets one buffer per read pass (the size hint is the
// ciphertext pending, 0 on the passes after a full buffer), filled across
// the record; an error in dataReceived() is "Fatal error on SSL protocol";
// write() of a str has the SSL transport's own message; isReading() stays
// true after close() (only pauseReading() changes it). Checked against
// CPython 3.11 with tests/fixtures/py/sw_tp_tls_reads.py.
import { skip, test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { selfSignedCert } from "./tls_cert.ts";
import { rmSync } from "node:fs";
import { bytesRepr } from "../lib/format.ts";
import * as asyncio from "../mod.ts";

const { ssl } = asyncio;
type Print = (...args: unknown[]) => void;
const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/** Python's KeyError, printed as str() shows it: the key's repr. */
class KeyError extends Error {}

function excText(e: Error | null): string {
  if (e === null) return "NoneType None";
  return `${e.constructor.name} ${e instanceof KeyError ? `'${e.message}'` : e.message}`;
}

async function tlsReads(print: Print, d: string): Promise<void> {
  const loop = asyncio.getRunningLoop();
  loop.setExceptionHandler((_loop, ctx) => {
    print("handler:", ctx.message, "|", excText(ctx.exception as Error));
  });

  class Upper extends asyncio.Protocol {
    t!: asyncio.Transport;
    override connectionMade(t: asyncio.BaseTransport) {
      this.t = t as asyncio.Transport;
    }
    override dataReceived(data: Uint8Array) {
      print("server got", bytesRepr(data));
      if (dec(data).startsWith("one-record")) {
        this.t.write(enc("ONE.TWO.THREE."));
        return;
      }
      for (const part of dec(data).split("|")) {
        if (part) {
          this.t.write(enc(part.toUpperCase()));
          this.t.write(enc("."));
        }
      }
    }
    override eofReceived() {
      print("server eof");
    }
  }

  class Client extends asyncio.Protocol {
    constructor(readonly done: asyncio.Future<null>, readonly fail = false) {
      super();
    }
    override dataReceived(data: Uint8Array) {
      print("client got", bytesRepr(data));
      if (this.fail) throw new KeyError("client");
    }
    override eofReceived() {
      print("client eof");
    }
    override connectionLost(exc: Error | null) {
      print("client lost", excText(exc));
      this.done.setResult(null);
    }
  }

  class Buffered extends asyncio.BufferedProtocol {
    buf = new Uint8Array(4);
    hint: boolean | null = null;
    constructor(readonly done: asyncio.Future<null>) {
      super();
    }
    override getBuffer(hint: number) {
      this.hint = hint > 0;
      return this.buf;
    }
    override bufferUpdated(n: number) {
      const hint = this.hint ? "True" : "False";
      print("buffer_updated", n, bytesRepr(this.buf.slice(0, n)), "hint>0", hint);
    }
    override eofReceived() {
      print("buffered eof");
    }
    override connectionLost(exc: Error | null) {
      print("buffered lost", exc === null ? "None" : exc.message);
      this.done.setResult(null);
    }
  }

  const sctx = ssl.createDefaultContext(ssl.Purpose.CLIENT_AUTH);
  sctx.loadCertChain(`${d}/cert.pem`, `${d}/key.pem`);
  const cctx = ssl.createDefaultContext({ cafile: `${d}/cert.pem` });
  const srv = await loop.createServer(Upper, "127.0.0.1", 0, { ssl: sctx });
  const port = (srv.sockets[0].getsockname() as [string, number])[1];

  async function session(
    label: string,
    make: (done: asyncio.Future<null>) => asyncio.BaseProtocol,
    request: string[],
  ): Promise<void> {
    print("==", label);
    const done = loop.createFuture<null>();
    const [t] = await loop.createConnection(() => make(done), "127.0.0.1", port, {
      ssl: cctx,
      serverHostname: "localhost",
    });
    for (const chunk of request) t.write(enc(chunk));
    await asyncio.sleep(0.1);
    if (label === "copied") {
      try {
        t.write("text" as unknown as Uint8Array);
      } catch (e) {
        if (!(e instanceof TypeError)) throw e;
        print("TypeError", e.message);
      }
    }
    t.close();
    if (label === "copied") print("is_reading after close", t.isReading() ? "True" : "False");
    await done;
    await asyncio.sleep(0.05);
  }

  await session("copied", (done) => new Client(done), ["one|", "two|", "thr", "ee|"]);
  await session("data_received fails", (done) => new Client(done, true), ["a|", "b|"]);
  await session("buffered", (done) => new Buffered(done), ["one-record"]);
  srv.close();
  await srv.waitClosed();
}

const EXPECTED = [
  "== copied",
  "server got b'one|two|three|'",
  "client got b'ONE.TWO.THREE.'",
  "TypeError data: expecting a bytes-like instance, got str",
  "is_reading after close True",
  "server eof",
  "client eof",
  "client lost NoneType None",
  "== data_received fails",
  "server got b'a|b|'",
  "client got b'A.B.'",
  "handler: Fatal error on SSL protocol | KeyError 'client'",
  "client lost KeyError 'client'",
  "server eof",
  "== buffered",
  "server got b'one-record'",
  "buffer_updated 4 b'ONE.' hint>0 True",
  "buffer_updated 4 b'TWO.' hint>0 False",
  "buffer_updated 4 b'THRE' hint>0 False",
  "buffer_updated 2 b'E.' hint>0 False",
  "server eof",
  "buffered eof",
  "buffered lost None",
];

const { dir, error: certError } = selfSignedCert("asyncio-sw-tp-tls-");

if (certError !== null) {
  skip("TLS reads as CPython's sslproto", certError);
} else {
  test(
    "TLS: records read together are one dataReceived; BufferedProtocol passes as CPython's",
    async () => {
      const out: string[] = [];
      await asyncio.run(() => tlsReads(printer(out), dir));
      assertEquals(out, EXPECTED);
    },
    { timeout: 30 },
  );
}

test("CPython prints the same for sw_tp_tls_reads.py", () => {
  const ref = pythonReference("sw_tp_tls_reads");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });

test("cleanup: remove the test certificate", () => {
  rmSync(dir, { recursive: true, force: true });
});
