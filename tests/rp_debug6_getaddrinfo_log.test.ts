// In debug mode loop.getaddrinfo() logs "Get address info host:port, ..."
// at DEBUG before the lookup and "Getting address info ... took N ms: [...]"
// after it, with the socket module's enum reprs, as Python's
// `_getaddrinfo_debug` does; createConnection() to a host name goes through
// it. The port logged nothing. Timings and ephemeral ports are masked.
// Checked against CPython (tests/fixtures/py/rp_debug6_getaddrinfo_log.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { pyRepr } from "../lib/format.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  loop.slowCallbackDuration = 10;
  const srv = await asyncio.startServer((_r, w) => w.close(), "127.0.0.1", 0);
  const port = (srv.sockets[0].getsockname() as [string, number])[1];
  await loop.getaddrinfo("127.0.0.1", 80, { type: asyncio.SOCK_STREAM });
  await loop.getaddrinfo("localhost", "80", { family: asyncio.AF_INET, type: asyncio.SOCK_STREAM });
  await loop.getaddrinfo(
    "::1",
    null,
    { family: asyncio.AF_INET6, proto: 17, flags: asyncio.AI_PASSIVE | asyncio.AI_NUMERICHOST },
  );
  await loop.getaddrinfo(null, 8080, { flags: asyncio.AI_PASSIVE, type: asyncio.SOCK_DGRAM });
  const enc = (s: string) => new TextEncoder().encode(s);
  try {
    await loop.getaddrinfo(enc("127.0.0.1"), enc("81"), { type: asyncio.SOCK_RAW });
  } catch (e) {
    print("gaierror", (e as Error).message);
  }
  const [reader, writer] = await asyncio.openConnection("localhost", port, {
    family: asyncio.AF_INET,
  });
  print("read", pyRepr(await reader.read()));
  writer.close();
  await writer.waitClosed();
  srv.close();
  await srv.waitClosed();
  loop.setDebug(false);
  await loop.getaddrinfo("127.0.0.1", 80);
  print("end");
}

const EXPECTED = [
  "DEBUG: Get address info 127.0.0.1:80, type=<SocketKind.SOCK_STREAM: 1>",
  "DEBUG: Getting address info 127.0.0.1:80, type=<SocketKind.SOCK_STREAM: 1> took Nms: " +
  "[(<AddressFamily.AF_INET: 2>, <SocketKind.SOCK_STREAM: 1>, 6, '', ('127.0.0.1', 80))]",
  "DEBUG: Get address info localhost:'80', family=<AddressFamily.AF_INET: 2>, type=<SocketKind.SOCK_STREAM: 1>",
  "DEBUG: Getting address info localhost:'80', family=<AddressFamily.AF_INET: 2>, " +
  "type=<SocketKind.SOCK_STREAM: 1> took Nms: " +
  "[(<AddressFamily.AF_INET: 2>, <SocketKind.SOCK_STREAM: 1>, 6, '', ('127.0.0.1', 80))]",
  "DEBUG: Get address info ::1:None, family=<AddressFamily.AF_INET6: 10>, proto=17, " +
  "flags=<AddressInfo.AI_PASSIVE|AI_NUMERICHOST: 5>",
  "DEBUG: Getting address info ::1:None, family=<AddressFamily.AF_INET6: 10>, proto=17, " +
  "flags=<AddressInfo.AI_PASSIVE|AI_NUMERICHOST: 5> took Nms: " +
  "[(<AddressFamily.AF_INET6: 10>, <SocketKind.SOCK_DGRAM: 2>, 17, '', ('::1', 0, 0, 0))]",
  "DEBUG: Get address info None:8080, type=<SocketKind.SOCK_DGRAM: 2>, flags=<AddressInfo.AI_PASSIVE: 1>",
  "DEBUG: Getting address info None:8080, type=<SocketKind.SOCK_DGRAM: 2>, " +
  "flags=<AddressInfo.AI_PASSIVE: 1> took Nms: " +
  "[(<AddressFamily.AF_INET: 2>, <SocketKind.SOCK_DGRAM: 2>, 17, '', ('0.0.0.0', 8080)), " +
  "(<AddressFamily.AF_INET6: 10>, <SocketKind.SOCK_DGRAM: 2>, 17, '', ('::', 8080, 0, 0))]",
  "DEBUG: Get address info b'127.0.0.1':b'81', type=<SocketKind.SOCK_RAW: 3>",
  "gaierror [Errno -8] Servname not supported for ai_socktype",
  "DEBUG: Get address info localhost:PORT, family=<AddressFamily.AF_INET: 2>, type=<SocketKind.SOCK_STREAM: 1>",
  "DEBUG: Getting address info localhost:PORT, family=<AddressFamily.AF_INET: 2>, " +
  "type=<SocketKind.SOCK_STREAM: 1> took Nms: " +
  "[(<AddressFamily.AF_INET: 2>, <SocketKind.SOCK_STREAM: 1>, 6, '', ('127.0.0.1', PORT))]",
  "read b''",
  "end",
];

test("debug mode: loop.getaddrinfo() logs the lookup as Python's _getaddrinfo_debug", async () => {
  const out: string[] = [];
  const print = printer(out);
  const show = (r: asyncio.LogRecord) => {
    if (!r.message.includes("address info")) return;
    const msg = r.message.replace(/took \d+\.\d+ms/, "took Nms").replace(/\b\d{5}\b/g, "PORT");
    print(`${r.levelName}: ${msg}`);
  };
  asyncio.logger.addHandler(show);
  asyncio.logger.setLevel(asyncio.DEBUG);
  try {
    await asyncio.run(() => app(print), { debug: true });
  } finally {
    asyncio.logger.removeHandler(show);
    asyncio.logger.setLevel(0);
  }
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_debug6_getaddrinfo_log.py", () => {
  const ref = pythonReference("rp_debug6_getaddrinfo_log");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
