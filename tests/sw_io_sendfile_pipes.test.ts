// sockSendfile / sendfile as CPython 3.11 runs them: blocking sockets refused
// only in debug mode, the file's mode checked before the socket's type, and
// pipes: nothing sent without a count (their size is 0), "os.sendfile call
// failed" with one, and the fallback's final seek failing after the data
// went. Checked against CPython (sw_io_sendfile_pipes.py).
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

type Address = [string, number];

function bytesRepr(b: Uint8Array): string {
  return `b'${new TextDecoder().decode(b)}'`;
}

async function sendfilePipes(print: (...args: unknown[]) => void): Promise<void> {
  const attempt = async (label: string, aw: Promise<unknown>) => {
    try {
      print(label, "->", await aw);
    } catch (e) {
      print(label, (e as Error).name, (e as Error).message);
    }
  };
  const loop = asyncio.getRunningLoop();
  const d = mkdtempSync(join(tmpdir(), "sw-io-"));
  const path = join(d, "f.bin");
  writeFileSync(path, "0123456789");
  const f = openSync(path, "r");
  const [a, b] = asyncio.socketpair();
  await attempt("blocking socket", loop.sockSendfile(a, f, 0, 3));
  loop.setDebug(true);
  await attempt("blocking socket, debug", loop.sockSendfile(a, f, 0, 3));
  loop.setDebug(false);
  a.setblocking(false);
  const u = asyncio.socket(asyncio.AF_INET, asyncio.SOCK_DGRAM);
  u.setblocking(false);
  const textFd = openSync(path, "r");
  // Python's open(path, "r"): a file object in text mode.
  const text = { fileno: () => textFd, mode: "r" };
  await attempt("text file, datagram socket", loop.sockSendfile(u, text));
  await attempt("datagram socket", loop.sockSendfile(u, f));
  closeSync(textFd);
  u.close();
  const [r, w] = asyncio.pipe();
  const [wt] = await loop.connectWritePipe(asyncio.Protocol, w);
  wt.write(new TextEncoder().encode("from a pipe"));
  wt.close();
  await asyncio.sleep(0);
  await attempt("pipe, no count", loop.sockSendfile(a, r));
  await attempt(
    "pipe, no count, no fallback",
    loop.sockSendfile(a, r, 0, null, { fallback: false }),
  );
  await attempt(
    "pipe, count, no fallback",
    loop.sockSendfile(a, r, 0, 4, { fallback: false }),
  );
  await attempt("pipe, count", loop.sockSendfile(a, r, 0, 4));
  await attempt("pipe, offset", loop.sockSendfile(a, r, 2, 4));
  const srv = await loop.createServer(asyncio.Protocol, "127.0.0.1", 0);
  const [t] = await loop.createConnection(
    asyncio.Protocol,
    ...(srv.sockets[0].getsockname() as Address),
  );
  await attempt("transport, pipe, no count", loop.sendfile(t, r));
  t.close();
  srv.close();
  await srv.waitClosed();
  // The read pipe transport owns the fd from here, and closes it.
  const [rt] = await loop.connectReadPipe(asyncio.Protocol, r);
  rt.close();
  a.close();
  print("peer got", bytesRepr(b.recv(100)));
  b.close();
  closeSync(f);
  rmSync(d, { recursive: true });
}

const EXPECTED = [
  "blocking socket -> 3",
  "blocking socket, debug ValueError the socket must be non-blocking",
  "text file, datagram socket ValueError file should be opened in binary mode",
  "datagram socket ValueError only SOCK_STREAM type sockets are supported",
  "pipe, no count -> 0",
  "pipe, no count, no fallback -> 0",
  "pipe, count, no fallback SendfileNotAvailableError os.sendfile call failed",
  "pipe, count OSError [Errno 29] Illegal seek",
  "pipe, offset OSError [Errno 29] Illegal seek",
  "transport, pipe, no count -> 0",
  "peer got b'012from'",
];

test("sendfile: blocking sockets, mode before type, pipes as CPython 3.11 sends them", async () => {
  const out: string[] = [];
  await asyncio.run(() => sendfilePipes(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 30 });

test("CPython prints the same for sw_io_sendfile_pipes.py", () => {
  const ref = pythonReference("sw_io_sendfile_pipes");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
