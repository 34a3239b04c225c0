// A client's bad TLS timeout is found where Python's SSLProtocol finds it:
// after connecting and after the protocol factory ran (the server sees the
// connection; a refused connection is refused before the value is looked
// at). Before, the call checked the values first. The socket is closed at
// once (Python leaves it to its collector). Checked against CPython
// (tests/fixtures/py/rp_tls_client_timeout_order.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function main(print: (...args: unknown[]) => void): Promise<void> {
  const ctx = asyncio.ssl.createDefaultContext();
  const seen: string[] = [];
  const srv = await asyncio.startServer(
    (_r, w) => {
      seen.push("server saw a connection");
      w.close();
    },
    "127.0.0.1",
    0,
  );
  const port = (srv.sockets[0].getsockname() as [string, number])[1];
  const s = new asyncio.Socket();
  s.bind(["127.0.0.1", 0]);
  const closed = (s.getsockname() as [string, number])[1];
  s.close();
  const loop = asyncio.getRunningLoop();
  const factory = () => {
    print("factory called");
    return new asyncio.Protocol();
  };
  const cases: [string, asyncio.CreateConnectionOptions][] = [
    ["handshake 0", { sslHandshakeTimeout: 0 }],
    ["shutdown -1", { sslShutdownTimeout: -1 }],
  ];
  for (const [name, kw] of cases) {
    try {
      await loop.createConnection(factory, "127.0.0.1", port, { ssl: ctx, ...kw });
    } catch (e) {
      if (!(e instanceof asyncio.ValueError)) throw e;
      print(name, "live port:", e.name, e.message);
    }
    await asyncio.sleep(0.1);
    print(`[${seen.map((x) => `'${x}'`).join(", ")}]`);
    try {
      await loop.createConnection(factory, "127.0.0.1", closed, { ssl: ctx, ...kw });
    } catch (e) {
      if (!(e instanceof asyncio.ValueError || e instanceof asyncio.OSError)) throw e;
      print(name, "closed port:", e.name);
    }
    try {
      await asyncio.openConnection("127.0.0.1", port, { ssl: ctx, ...kw });
    } catch (e) {
      if (!(e instanceof asyncio.ValueError)) throw e;
      print(name, "open_connection:", e.name, e.message);
    }
  }
  try {
    await loop.createConnection(factory, "127.0.0.1", port, { sslHandshakeTimeout: 0 });
  } catch (e) {
    if (!(e instanceof asyncio.ValueError)) throw e;
    print("no ssl:", e.message);
  }
  await asyncio.sleep(0.1);
  print(seen.length, "connections seen");
  srv.close();
  await srv.waitClosed();
}

const EXPECTED = [
  "factory called",
  "handshake 0 live port: ValueError ssl_handshake_timeout should be a positive number, got 0",
  "['server saw a connection']",
  "handshake 0 closed port: ConnectionRefusedError",
  "handshake 0 open_connection: ValueError ssl_handshake_timeout should be a positive number, got 0",
  "factory called",
  "shutdown -1 live port: ValueError ssl_shutdown_timeout should be a positive number, got -1",
  "['server saw a connection', 'server saw a connection', 'server saw a connection']",
  "shutdown -1 closed port: ConnectionRefusedError",
  "shutdown -1 open_connection: ValueError ssl_shutdown_timeout should be a positive number, got -1",
  "no ssl: ssl_handshake_timeout is only meaningful with ssl",
  "4 connections seen",
];

test("a client's bad TLS timeout fails after connecting, as Python's SSLProtocol finds it", async () => {
  const out: string[] = [];
  await asyncio.run(() => main(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_tls_client_timeout_order.py", () => {
  const ref = pythonReference("rp_tls_client_timeout_order");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
