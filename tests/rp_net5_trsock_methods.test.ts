// A TransportSocket (`server.sockets`, a transport's "socket" extra) has no
// socket method that would read, write, accept or close behind the
// transport's back, as in Python 3.11: reading one is AttributeError
// ("'TransportSocket' object has no attribute 'accept'"). The library's
// view passed every Socket method through to the transport's socket.
// Checked against CPython (tests/fixtures/py/rp_net5_trsock_methods.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function handle(r: asyncio.StreamReader, w: asyncio.StreamWriter): Promise<void> {
  w.write(new Uint8Array([...new TextEncoder().encode("got "), ...await r.read()]));
  w.close();
}

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const srv = await asyncio.startServer(handle, "127.0.0.1", 0);
  const view = srv.sockets[0] as unknown as Record<string, unknown> & asyncio.Socket;
  for (const name of ["accept", "close", "listen", "bind", "getblocking", "detach"]) {
    try {
      void view[name];
      print(name, "present");
    } catch (e) {
      if (!(e instanceof TypeError)) throw e;
      print(name, e.constructor.name, e.message);
    }
  }
  print("SO_ACCEPTCONN", view.getsockopt(asyncio.SOL_SOCKET, asyncio.SO_ACCEPTCONN));
  print("timeout", view.gettimeout());
  const [host, port] = view.getsockname() as [string, number];
  const [r, w] = await asyncio.openConnection(host, port);
  const sock = w.getExtraInfo("socket") as asyncio.Socket;
  const calls = [
    () => sock.send(new Uint8Array([120])),
    () => sock.recv(1),
    () => sock.sendall(new Uint8Array([120])),
    () => sock.recvInto(new Uint8Array(1)),
    () => sock.connectEx(["127.0.0.1", 1]),
  ];
  for (const call of calls) {
    try {
      call();
      print("called");
    } catch (e) {
      if (!(e instanceof TypeError)) throw e;
      print(e.constructor.name, e.message);
    }
  }
  const peer = sock.getpeername() as [string, number];
  print("peer", peer[0] === host && peer[1] === port);
  sock.shutdown(asyncio.SHUT_WR);
  print("after shutdown", `b'${new TextDecoder().decode(await r.read())}'`);
  w.close();
  await w.waitClosed();
  srv.close();
  await srv.waitClosed();
}

const EXPECTED = [
  "accept AttributeError 'TransportSocket' object has no attribute 'accept'",
  "close AttributeError 'TransportSocket' object has no attribute 'close'",
  "listen AttributeError 'TransportSocket' object has no attribute 'listen'",
  "bind AttributeError 'TransportSocket' object has no attribute 'bind'",
  "getblocking AttributeError 'TransportSocket' object has no attribute 'getblocking'",
  "detach AttributeError 'TransportSocket' object has no attribute 'detach'",
  "SO_ACCEPTCONN 1",
  "timeout 0",
  "AttributeError 'TransportSocket' object has no attribute 'send'",
  "AttributeError 'TransportSocket' object has no attribute 'recv'",
  "AttributeError 'TransportSocket' object has no attribute 'sendall'",
  "AttributeError 'TransportSocket' object has no attribute 'recv_into'",
  "AttributeError 'TransportSocket' object has no attribute 'connect_ex'",
  "peer True",
  "after shutdown b'got '",
];

test("a TransportSocket lacks the socket methods Python's lacks", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_net5_trsock_methods.py", () => {
  const ref = pythonReference("rp_net5_trsock_methods");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
