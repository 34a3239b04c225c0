// `sock: null` (Python's sock=None, the default) means no socket was given:
// the connection methods check host/port/path as when it is left out,
// instead of reading a property of null.
// Checked against CPython (tests/fixtures/py/rp_proto_sock_none.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

type Print = (...args: unknown[]) => void;

async function sockNone(print: Print): Promise<void> {
  // deno-lint-ignore no-explicit-any
  async function attempt(label: string, p: Promise<any>): Promise<any> {
    try {
      const r = await p;
      print(label, "ok", Array.isArray(r) ? "tuple" : r.constructor.name);
      return r;
    } catch (e) {
      print(label, (e as Error).constructor.name, (e as Error).message);
    }
  }
  const loop = asyncio.getRunningLoop();
  const P = () => new asyncio.Protocol();
  const D = () => new asyncio.DatagramProtocol();
  // deno-lint-ignore no-explicit-any
  const L = loop as any;
  await attempt("create_server", L.createServer(P, { sock: null }));
  await attempt("create_connection", L.createConnection(P, { sock: null }));
  await attempt("create_unix_server", L.createUnixServer(P, { sock: null }));
  await attempt("create_unix_connection", L.createUnixConnection(P, { sock: null }));
  await attempt("create_datagram_endpoint", loop.createDatagramEndpoint(D, { sock: null }));
  const srv = await attempt(
    "server with host",
    loop.createServer(P, "127.0.0.1", 0, { sock: null }),
  ) as asyncio.Server;
  const port = (srv.sockets[0].getsockname() as [string, number])[1];
  let r = await attempt(
    "connection with host",
    loop.createConnection(P, "127.0.0.1", port, { sock: null }),
  );
  r[0].close();
  r = await attempt(
    "datagram with addr",
    loop.createDatagramEndpoint(D, { localAddr: ["127.0.0.1", 0], sock: null }),
  );
  r[0].close();
  srv.close();
  await srv.waitClosed();
  await asyncio.sleep(0.01);
}

const EXPECTED = [
  "create_server ValueError Neither host/port nor sock were specified",
  "create_connection ValueError host and port was not specified and no sock specified",
  "create_unix_server ValueError path was not specified, and no sock specified",
  "create_unix_connection ValueError no path and sock were specified",
  "create_datagram_endpoint ValueError unexpected address family",
  "server with host ok Server",
  "connection with host ok tuple",
  "datagram with addr ok tuple",
];

test("sock: null is Python's sock=None in the connection methods", async () => {
  const out: string[] = [];
  await asyncio.run(() => sockNone(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_proto_sock_none.py", () => {
  const ref = pythonReference("rp_proto_sock_none");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
