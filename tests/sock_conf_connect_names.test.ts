// A blocking socket's connectEx waits for the outcome as connect does (and
// a failed attempt leaves the socket ready for another); getnameinfo keeps
// a port's low 16 bits; getaddrinfo(null, null) is EAI_NONAME, an empty
// service is none, and raw sockets take no service. Checked against CPython.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

function tuple(xs: unknown[]): string {
  return `(${xs.map((x) => (typeof x === "string" ? `'${x}'` : String(x))).join(", ")})`;
}

async function connectAndNames(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  // A bound socket that does not listen: connections to it are refused.
  const closed = asyncio.socket();
  closed.bind(["127.0.0.1", 0]);
  const refused = closed.getsockname() as [string, number];
  const lsn = asyncio.socket();
  lsn.bind(["127.0.0.1", 0]);
  lsn.listen();
  const there = lsn.getsockname() as [string, number];
  let s = asyncio.socket();
  print("connect_ex refused", s.connectEx(refused));
  print("connect_ex refused again", s.connectEx(refused));
  print("connect_ex listening", s.connectEx(there));
  print("connect_ex connected", s.connectEx(there));
  s.close();
  s = asyncio.socket();
  for (const label of ["connect", "connect again"]) {
    try {
      s.connect(refused);
    } catch (e) {
      if (!(e instanceof asyncio.OSError)) throw e;
      print(label, e.constructor.name, e.message);
    }
  }
  s.close();
  s = asyncio.socket();
  s.setblocking(false);
  print("non-blocking connect_ex", s.connectEx(there));
  s.close();
  // The pending connection may need a moment (non-blocking): accept waits for it.
  lsn.setblocking(false);
  const [conn] = await asyncio.waitFor(loop.sockAccept(lsn), 5);
  conn.close();
  lsn.close();
  closed.close();

  const flags = asyncio.NI_NUMERICHOST | asyncio.NI_NUMERICSERV;
  for (const port of [80, 65536, 99999, -1, 2 ** 31]) {
    try {
      print("getnameinfo", port, tuple(await loop.getnameinfo(["127.0.0.1", port], flags)));
    } catch (e) {
      if (!(e instanceof asyncio.OSError || e instanceof asyncio.OverflowError)) throw e;
      print("getnameinfo", port, e.constructor.name, e.message);
    }
  }
  try {
    await loop.getaddrinfo(null, null);
  } catch (e) {
    if (!(e instanceof asyncio.gaierror)) throw e;
    print("getaddrinfo(None, None)", e.constructor.name, e.message);
  }
  // An empty service is no service; raw sockets have no ports.
  const kinds: Array<[string | number, number]> = [
    ["", asyncio.SOCK_STREAM],
    ["", asyncio.SOCK_RAW],
    [80, asyncio.SOCK_RAW],
  ];
  for (const [port, kind] of kinds) {
    const label = typeof port === "string" ? `'${port}'` : port;
    try {
      const infos = await loop.getaddrinfo("127.0.0.1", port, { type: kind });
      const shown = infos.map(([f, t, p, , a]) => `(${f}, ${t}, ${p}, ${tuple(a as unknown[])})`);
      print("getaddrinfo", label, kind, `[${shown.join(", ")}]`);
    } catch (e) {
      if (!(e instanceof asyncio.gaierror)) throw e;
      print("getaddrinfo", label, kind, e.constructor.name, e.message);
    }
  }
}

const EXPECTED = [
  "connect_ex refused 111",
  "connect_ex refused again 111",
  "connect_ex listening 0",
  "connect_ex connected 106",
  "connect ConnectionRefusedError [Errno 111] Connection refused",
  "connect again ConnectionRefusedError [Errno 111] Connection refused",
  "non-blocking connect_ex 115",
  "getnameinfo 80 ('127.0.0.1', '80')",
  "getnameinfo 65536 ('127.0.0.1', '0')",
  "getnameinfo 99999 ('127.0.0.1', '34463')",
  "getnameinfo -1 gaierror [Errno -8] Servname not supported for ai_socktype",
  "getnameinfo 2147483648 OverflowError signed integer is greater than maximum",
  "getaddrinfo(None, None) gaierror [Errno -2] Name or service not known",
  "getaddrinfo '' 1 [(2, 1, 6, ('127.0.0.1', 0))]",
  "getaddrinfo '' 3 [(2, 3, 0, ('127.0.0.1', 0))]",
  "getaddrinfo 80 3 gaierror [Errno -8] Servname not supported for ai_socktype",
];

test(
  "connectEx waits in blocking mode; getnameinfo ports wrap; getaddrinfo needs a host or port",
  async () => {
    const out: string[] = [];
    await asyncio.run(() => connectAndNames(printer(out)));
    assertEquals(out, EXPECTED);
  },
  { timeout: 20 },
);

test("CPython prints the same for sock_conf_connect_names.py", () => {
  const ref = pythonReference("sock_conf_connect_names");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
