// `loop.sockConnect()` resolves its address as Python's `_ensure_resolved`
// does: a numeric host with a port `int()` reads ("8080", b"8080", None) is
// used as it is, anything else goes through getaddrinfo: a None host (the
// loopback), "" (gaierror, where connect(2) would take INADDR_ANY), a
// service name. An AF_INET socket takes a 4-tuple's host and port, an
// AF_INET6 socket looks an IPv4 address up (gaierror), a 5-tuple is
// Python's TypeError. The library looked up only names, so a string port
// was a TypeError, a None host a TypeError, "" connected, and a 5-tuple
// was taken as a 4-tuple.
// Checked against CPython (tests/fixtures/py/rp_sockets8_connect_resolve.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";
import { pyRepr } from "../lib/format.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const tuple = (a: unknown[]) => `(${a.map((x) => pyRepr(x)).join(", ")})`;
  const same = (a: unknown, b: unknown) => pyRepr(a) === pyRepr(b);
  const lsock = asyncio.socket();
  lsock.bind(["127.0.0.1", 0]);
  lsock.listen();
  lsock.setblocking(false);
  let port = (lsock.getsockname() as [string, number])[1];
  const addrs: unknown[][] = [
    ["127.0.0.1", String(port)],
    ["localhost", String(port)],
    [null, port],
    ["127.0.0.1", port, 0, 0],
    ["127.0.0.1", new TextEncoder().encode(String(port))],
    ["", port],
    ["127.0.0.1", "no-such-service"],
  ];
  for (const addr of addrs) {
    const c = asyncio.socket();
    c.setblocking(false);
    const shown = tuple(addr).replaceAll(String(port), "PORT");
    try {
      await loop.sockConnect(c, addr as never);
      const [conn] = await loop.sockAccept(lsock);
      print(shown, "connected", same(conn.getpeername(), c.getsockname()));
      conn.close();
    } catch (e) {
      if (!(e instanceof asyncio.OSError)) throw e;
      print(shown, e.constructor.name, e.message);
    }
    c.close();
  }
  lsock.close();
  const l6 = asyncio.socket(asyncio.AF_INET6);
  l6.bind(["::1", 0]);
  l6.listen();
  l6.setblocking(false);
  port = (l6.getsockname() as [string, number])[1];
  const c = asyncio.socket(asyncio.AF_INET6);
  c.setblocking(false);
  await loop.sockConnect(c, ["::1", String(port), 0] as never);
  const [conn, peer] = await loop.sockAccept(l6);
  const pn = c.getpeername() as [string, number];
  print("v6 connected", pn[0], pn[1] === port, (peer as [string, number])[0]);
  conn.close();
  c.close();
  for (const addr of [["127.0.0.1", port], ["::1", port, 0, 0, 0]]) {
    const c6 = asyncio.socket(asyncio.AF_INET6);
    c6.setblocking(false);
    try {
      await loop.sockConnect(c6, addr as never);
    } catch (e) {
      if (!(e instanceof asyncio.OSError || e instanceof TypeError)) throw e;
      print("v6", addr.length, e.constructor.name, e.message);
    }
    c6.close();
  }
  l6.close();
}

const EXPECTED = [
  "('127.0.0.1', 'PORT') connected True",
  "('localhost', 'PORT') connected True",
  "(None, PORT) connected True",
  "('127.0.0.1', PORT, 0, 0) connected True",
  "('127.0.0.1', b'PORT') connected True",
  "('', PORT) gaierror [Errno -2] Name or service not known",
  "('127.0.0.1', 'no-such-service') gaierror [Errno -8] Servname not supported for ai_socktype",
  "v6 connected ::1 True ::1",
  "v6 2 gaierror [Errno -9] Address family for hostname not supported",
  "v6 5 TypeError _ipaddr_info() takes from 5 to 7 positional arguments but 8 were given",
];

test("sockConnect resolves string ports, None and empty hosts as _ensure_resolved", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_sockets8_connect_resolve.py", () => {
  const ref = pythonReference("rp_sockets8_connect_resolve");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
