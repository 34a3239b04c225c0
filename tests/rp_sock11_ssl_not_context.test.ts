// A client connection takes `ssl` by its Python truth, as CPython 3.11's
// `if ssl:` does: 0, "" and [] connect without TLS, and a true value that is
// not an SSLContext connects first and then fails with the AttributeError of
// SSLProtocol's `sslcontext.wrap_bio(...)`; it was a TypeError at the call.
// The socket made for the failed connection is closed (CPython leaves it to
// the garbage collector). Checked against CPython
// (tests/fixtures/py/rp_sock11_ssl_not_context.py).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

class Foo {}

async function app(print: (...args: unknown[]) => void, d: string): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const fail = (label: string, e: unknown) =>
    print(label, (e as Error).constructor.name, (e as Error).message);
  const srv = await asyncio.startServer((_r, w) => w.close(), "127.0.0.1", 0);
  const port = (srv.sockets[0].getsockname() as [string, number])[1];
  const proto = () => new asyncio.Protocol();
  for (const ssl of [1, "x", 2.5, [1], Foo] as never[]) {
    try {
      await loop.createConnection(proto, "127.0.0.1", port, { ssl });
    } catch (e) {
      fail("create_connection", e);
    }
  }
  for (const [ssl, shown] of [[0, "0"], ["", "''"], [[], "[]"]] as [never, string][]) {
    const [t] = await loop.createConnection(proto, "127.0.0.1", port, { ssl });
    print("create_connection", shown, t.constructor.name, t.getExtraInfo("sslcontext") ?? null);
    t.close();
  }
  try {
    await asyncio.openConnection("127.0.0.1", port, { ssl: "x" as never });
  } catch (e) {
    fail("open_connection", e);
  }
  for (const ssl of [1, 0] as never[]) {
    try {
      await loop.createConnection(proto, "127.0.0.1", port, { ssl, serverHostname: "h" });
    } catch (e) {
      print("server_hostname", ssl, (e as Error).constructor.name, (e as Error).message);
    }
  }
  const path = join(d, "s");
  const usrv = await asyncio.startUnixServer((_r, w) => w.close(), path);
  try {
    await loop.createUnixConnection(proto, path, { ssl: 7 as never, serverHostname: "h" });
  } catch (e) {
    fail("create_unix_connection", e);
  }
  usrv.close();
  await usrv.waitClosed();
  srv.close();
  await srv.waitClosed();
}

const EXPECTED = [
  "create_connection AttributeError 'int' object has no attribute 'wrap_bio'",
  "create_connection AttributeError 'str' object has no attribute 'wrap_bio'",
  "create_connection AttributeError 'float' object has no attribute 'wrap_bio'",
  "create_connection AttributeError 'list' object has no attribute 'wrap_bio'",
  "create_connection AttributeError type object 'Foo' has no attribute 'wrap_bio'",
  "create_connection 0 _SelectorSocketTransport None",
  "create_connection '' _SelectorSocketTransport None",
  "create_connection [] _SelectorSocketTransport None",
  "open_connection AttributeError 'str' object has no attribute 'wrap_bio'",
  "server_hostname 1 AttributeError 'int' object has no attribute 'wrap_bio'",
  "server_hostname 0 ValueError server_hostname is only meaningful with ssl",
  "create_unix_connection AttributeError 'int' object has no attribute 'wrap_bio'",
];

test("a client's ssl goes by its Python truth; a non-context fails once connected", async () => {
  const out: string[] = [];
  const d = mkdtempSync(join(tmpdir(), "rp-sock11-"));
  try {
    await asyncio.run(() => app(printer(out), d));
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_sock11_ssl_not_context.py", () => {
  const ref = pythonReference("rp_sock11_ssl_not_context");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
