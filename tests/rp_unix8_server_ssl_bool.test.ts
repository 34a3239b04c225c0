// A server refuses a boolean `ssl`, false as well as true, with Python's
// TypeError (3.11's `isinstance(ssl, bool)` check in create_server and
// create_unix_server), while `ssl: null` serves plain; `ssl: false` was
// taken as no TLS. connectAcceptedSocket takes false as no TLS and fails
// on true with Python's ValueError (a server side needs an SSLContext),
// not the TypeError it raised. Checked against CPython
// (tests/fixtures/py/rp_unix8_server_ssl_bool.py).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void, d: string): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const path = join(d, "s");
  const echo = async (r: asyncio.StreamReader, w: asyncio.StreamWriter) => {
    w.write(await r.read());
    w.close();
  };
  const show = (label: string, ssl: unknown, e: unknown) =>
    print(label, ssl, (e as Error).constructor.name, (e as Error).message);
  for (const ssl of [false, true, null] as never[]) {
    const makers: [string, () => Promise<asyncio.Server>][] = [
      [
        "create_server",
        () => loop.createServer(() => new asyncio.Protocol(), "127.0.0.1", 0, { ssl }),
      ],
      ["start_server", () => asyncio.startServer(echo, "127.0.0.1", 0, { ssl })],
      [
        "create_unix_server",
        () => loop.createUnixServer(() => new asyncio.Protocol(), path, { ssl }),
      ],
      ["start_unix_server", () => asyncio.startUnixServer(echo, path, { ssl })],
    ];
    for (const [label, make] of makers) {
      try {
        const srv = await make();
        print(label, ssl, "serving", srv.isServing());
        srv.close();
        await srv.waitClosed();
      } catch (e) {
        show(label, ssl, e);
      }
    }
  }
  for (const ssl of [false, true, null] as never[]) {
    const [a, b] = asyncio.socketpair();
    try {
      const [t] = await loop.connectAcceptedSocket(() => new asyncio.Protocol(), a, { ssl });
      print("connect_accepted_socket", ssl, t.constructor.name);
      t.close();
    } catch (e) {
      show("connect_accepted_socket", ssl, e);
      a.close();
    }
    b.close();
  }
  const srv = await asyncio.startUnixServer(echo, path, { ssl: null });
  for (const ssl of [null, false]) {
    const [r, w] = await asyncio.openUnixConnection(path, { ssl });
    w.write(new TextEncoder().encode("plain"));
    w.writeEof();
    print("open_unix_connection", ssl, `b'${new TextDecoder().decode(await r.read())}'`);
    w.close();
    await w.waitClosed();
  }
  srv.close();
  await srv.waitClosed();
  await asyncio.sleep(0);
}

const EXPECTED = [
  "create_server False TypeError ssl argument must be an SSLContext or None",
  "start_server False TypeError ssl argument must be an SSLContext or None",
  "create_unix_server False TypeError ssl argument must be an SSLContext or None",
  "start_unix_server False TypeError ssl argument must be an SSLContext or None",
  "create_server True TypeError ssl argument must be an SSLContext or None",
  "start_server True TypeError ssl argument must be an SSLContext or None",
  "create_unix_server True TypeError ssl argument must be an SSLContext or None",
  "start_unix_server True TypeError ssl argument must be an SSLContext or None",
  "create_server None serving True",
  "start_server None serving True",
  "create_unix_server None serving True",
  "start_unix_server None serving True",
  "connect_accepted_socket False _SelectorSocketTransport",
  "connect_accepted_socket True ValueError Server side SSL needs a valid SSLContext",
  "connect_accepted_socket None _SelectorSocketTransport",
  "open_unix_connection None b'plain'",
  "open_unix_connection False b'plain'",
];

test("servers refuse a boolean ssl; connectAcceptedSocket takes false, fails on true", async () => {
  const out: string[] = [];
  const d = mkdtempSync(join(tmpdir(), "rp-unix8-"));
  try {
    await asyncio.run(() => app(printer(out), d));
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_unix8_server_ssl_bool.py", () => {
  const ref = pythonReference("rp_unix8_server_ssl_bool");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
