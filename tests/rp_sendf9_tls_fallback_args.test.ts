// loop.sendfile() on a TLS transport (which has only the fallback) checked
// its arguments as sock_sendfile does (ValueError "offset must be a
// non-negative integer", "count must be a positive integer", ...) and
// always read from `offset`. CPython 3.11's _sendfile_fallback checks
// nothing: the errors are those of file.seek(offset) (OSError EINVAL,
// TypeError "'str' object cannot be interpreted as an integer") and of
// bytearray(min(count, 16384)) ("negative count", ...), a count of 0 sends
// the whole file, and an offset of 0 reads from the file's current
// position. Checked against CPython
// (tests/fixtures/py/rp_sendf9_tls_fallback_args.py).
import { closeSync, openSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { skip, test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { certContexts, selfSignedCert } from "./tls_cert.ts";
import { C, sys } from "../ffi/mod.ts";
import { bytesRepr, pyRepr } from "../lib/format.ts";
import * as asyncio from "../mod.ts";

const tell = (fd: number): number => sys().lseek(fd, 0, C.SEEK_CUR);

async function app(print: (...args: unknown[]) => void, d: string): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const { sctx, cctx } = certContexts(d);
  const path = join(d, "f");
  writeFileSync(path, new Uint8Array(100).map((_, i) => i));
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
  const [, w] = await asyncio.openConnection("127.0.0.1", port, {
    ssl: cctx,
    serverHostname: "localhost",
  });
  const [sr, sw] = await conns.get();
  const t = w.transport as asyncio.Transport;
  const f = openSync(path, "r");
  try {
    try {
      await loop.sendfile(t, f, 0, null, { fallback: false });
    } catch (e) {
      print("no fallback", (e as Error).constructor.name, (e as Error).message.split(" for ")[0]);
    }
    const cases: [unknown, unknown][] = [
      [-1, null],
      [0, -5],
      [0, 0],
      ["1", null],
      [1.5, null],
      [0, 1.5],
      [0, "3"],
      [200, null],
      [95, null],
      [0, 10],
    ];
    for (const [offset, count] of cases) {
      sys().lseek(f, 7, C.SEEK_SET);
      const label = `${pyRepr(offset)} ${pyRepr(count)}`;
      try {
        const n = await loop.sendfile(t, f, offset as number, count as number | null);
        print(label, "sent", n, "tell", tell(f));
      } catch (e) {
        print(label, (e as Error).constructor.name, (e as Error).message, "tell", tell(f));
      }
    }
    w.write(new TextEncoder().encode("|"));
    await w.drain();
    const data = await sr.readUntil(new TextEncoder().encode("|"));
    print(
      data.length,
      bytesRepr(data.subarray(0, 3)),
      bytesRepr(data.subarray(93, 96)),
      bytesRepr(data.subarray(data.length - 6)),
    );
  } finally {
    closeSync(f);
  }
  w.close();
  await w.waitClosed();
  sw.close();
  await sw.waitClosed();
  srv.close();
  await srv.waitClosed();
}

const EXPECTED = [
  "no fallback RuntimeError fallback is disabled and native sendfile is not supported",
  "-1 None OSError [Errno 22] Invalid argument tell 7",
  "0 -5 ValueError negative count tell 7",
  "0 0 sent 93 tell 93",
  "'1' None TypeError 'str' object cannot be interpreted as an integer tell 7",
  "1.5 None TypeError 'float' object cannot be interpreted as an integer tell 7",
  "0 1.5 TypeError cannot convert 'float' object to bytearray tell 7",
  "0 '3' TypeError '<' not supported between instances of 'int' and 'str' tell 7",
  "200 None sent 0 tell 200",
  "95 None sent 5 tell 100",
  "0 10 sent 10 tell 10",
  "109 b'\\x07\\x08\\t' b'_`a' b'\\x0c\\r\\x0e\\x0f\\x10|'",
];

const { dir, error: certError } = selfSignedCert("asyncio-rp-sendf9-");

if (certError !== null) {
  skip(
    "sendfile on TLS: the fallback's own argument errors; offset 0 = current position",
    certError,
  );
} else {
  test(
    "sendfile on TLS: the fallback's own argument errors; offset 0 = current position",
    async () => {
      const out: string[] = [];
      await asyncio.run(() => app(printer(out), dir));
      assertEquals(out, EXPECTED);
    },
    { timeout: 30 },
  );
}

test("CPython prints the same for rp_sendf9_tls_fallback_args.py", () => {
  const ref = pythonReference("rp_sendf9_tls_fallback_args");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });

test("cleanup: remove the test certificate", () => {
  rmSync(dir, { recursive: true, force: true });
});
