// An IPv6 "%scope" follows glibc (inet6_scopeid_pton), as Python's
// getaddrinfo, sockConnect and bind see it: an interface name only for a
// link-local address (fe80::/10, multicast ff?1 and ff?2), a number (0
// too) for any address. "::1%lo" was taken (scope 1) where CPython's
// lookup fails with EAI_NONAME, and "%0" was refused where CPython takes
// it. Checked against CPython (tests/fixtures/py/rp_sock10_scope.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

/** Python's repr of an address tuple. */
const tuple = (a: unknown[]) =>
  `(${a.map((x) => typeof x === "string" ? `'${x}'` : x).join(", ")})`;

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const hosts = [
    "::1%lo",
    "::1%1",
    "::1%0",
    "fe80::1%lo",
    "fe80::1%0",
    "ff02::1%lo",
    "ff01::1%lo",
    "ff05::1%lo",
    "ff05::1%2",
    "fe80::1%00001",
    "fe80::1%4294967295",
    "fe80::1%4294967296",
    "fe80::1%",
    "::ffff:127.0.0.1%lo",
  ];
  for (const host of hosts) {
    try {
      const infos = await loop.getaddrinfo(host, 80, { type: asyncio.SOCK_STREAM });
      print("getaddrinfo", host, `[${infos.map((i) => tuple(i[4])).join(", ")}]`);
    } catch (e) {
      if (!(e instanceof asyncio.gaierror)) throw e;
      print("getaddrinfo", host, e.constructor.name, e.message);
    }
  }
  let lost = 0;
  class Served extends asyncio.Protocol {
    override connectionLost(): void {
      lost++;
    }
  }
  const srv = await loop.createServer(() => new Served(), "::1", 0);
  const port = (srv.sockets[0].getsockname() as [string, number])[1];
  for (const host of ["::1%lo", "::1%1"]) {
    const s = asyncio.socket(asyncio.AF_INET6);
    s.setblocking(false);
    try {
      await loop.sockConnect(s, [host, port]);
      print("sock_connect", host, "connected", (s.getpeername() as string[])[0]);
    } catch (e) {
      if (!(e instanceof asyncio.OSError)) throw e;
      print("sock_connect", host, e.constructor.name, e.message);
    }
    s.close();
  }
  for (const host of ["::1%lo", "::1%1"]) {
    const s = asyncio.socket(asyncio.AF_INET6);
    try {
      s.bind([host, 0]);
      print("bind", host, (s.getsockname() as string[])[0]);
    } catch (e) {
      if (!(e instanceof asyncio.OSError)) throw e;
      print("bind", host, e.constructor.name, e.message);
    }
    s.close();
  }
  for (let i = 0; i < 100 && lost === 0; i++) await asyncio.sleep(0.01);
  print("served", lost);
  srv.close();
  await srv.waitClosed();
}

const EXPECTED = [
  "getaddrinfo ::1%lo gaierror [Errno -2] Name or service not known",
  "getaddrinfo ::1%1 [('::1', 80, 0, 1)]",
  "getaddrinfo ::1%0 [('::1', 80, 0, 0)]",
  "getaddrinfo fe80::1%lo [('fe80::1', 80, 0, 1)]",
  "getaddrinfo fe80::1%0 [('fe80::1', 80, 0, 0)]",
  "getaddrinfo ff02::1%lo [('ff02::1', 80, 0, 1)]",
  "getaddrinfo ff01::1%lo [('ff01::1', 80, 0, 1)]",
  "getaddrinfo ff05::1%lo gaierror [Errno -2] Name or service not known",
  "getaddrinfo ff05::1%2 [('ff05::1', 80, 0, 2)]",
  "getaddrinfo fe80::1%00001 [('fe80::1', 80, 0, 1)]",
  "getaddrinfo fe80::1%4294967295 [('fe80::1', 80, 0, 4294967295)]",
  "getaddrinfo fe80::1%4294967296 gaierror [Errno -2] Name or service not known",
  "getaddrinfo fe80::1% gaierror [Errno -2] Name or service not known",
  "getaddrinfo ::ffff:127.0.0.1%lo gaierror [Errno -2] Name or service not known",
  "sock_connect ::1%lo gaierror [Errno -2] Name or service not known",
  "sock_connect ::1%1 connected ::1",
  "bind ::1%lo gaierror [Errno -2] Name or service not known",
  "bind ::1%1 ::1",
  "served 1",
];

test("an IPv6 scope name is taken only for link-local addresses, a number for any", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_sock10_scope.py", () => {
  const ref = pythonReference("rp_sock10_scope");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
