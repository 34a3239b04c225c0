// A protocol factory whose protocol lacks connectionMade (or that returns
// null): Python's transport looks connection_made up as it is made, so
// create_connection, create_unix_connection and create_datagram_endpoint
// fail with AttributeError (a TypeError here, the library's convention).
// The library made the transport and reported "not a function" to the
// exception handler later.
// Checked against CPython (tests/fixtures/py/rp_low3_protocol_without_made.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

class NoMade {
  dataReceived(data: Uint8Array): void {
    console.log("data", data);
  }
}

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const srv = await loop.createServer(() => new asyncio.Protocol(), "127.0.0.1", 0);
  const port = (srv.sockets[0].getsockname() as [string, number])[1];
  const factories: [string, () => never][] = [
    ["None", () => null as never],
    ["NoMade", () => new NoMade() as never],
  ];
  for (const [label, factory] of factories) {
    try {
      await loop.createConnection(factory, "127.0.0.1", port);
      print(label, "connection made");
    } catch (e) {
      if (!(e instanceof TypeError)) throw e;
      print(label, "create_connection:", e.message);
    }
    try {
      await loop.createDatagramEndpoint(factory, { localAddr: ["127.0.0.1", 0] });
      print(label, "endpoint made");
    } catch (e) {
      if (!(e instanceof TypeError)) throw e;
      print(label, "create_datagram_endpoint:", e.message);
    }
  }
  const name = "\0low3-protocol-without-made";
  const usrv = await loop.createUnixServer(() => new asyncio.Protocol(), name);
  try {
    await loop.createUnixConnection(() => new NoMade() as never, name);
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    print("create_unix_connection:", e.message);
  }
  usrv.close();
  await usrv.waitClosed();
  const [t, p] = await loop.createConnection(() => new asyncio.Protocol(), "127.0.0.1", port);
  print("a full protocol still connects", p.constructor.name);
  t.close();
  srv.close();
  await srv.waitClosed();
}

const EXPECTED = [
  "None create_connection: 'NoneType' object has no attribute 'connection_made'",
  "None create_datagram_endpoint: 'NoneType' object has no attribute 'connection_made'",
  "NoMade create_connection: 'NoMade' object has no attribute 'connection_made'",
  "NoMade create_datagram_endpoint: 'NoMade' object has no attribute 'connection_made'",
  "create_unix_connection: 'NoMade' object has no attribute 'connection_made'",
  "a full protocol still connects Protocol",
];

test("a protocol without connectionMade fails the create call", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_low3_protocol_without_made.py", () => {
  const ref = pythonReference("rp_low3_protocol_without_made");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
