// TransportSocket: server.sockets and a transport's "socket" extra print as
// Python's `<asyncio.TransportSocket ...>` views, and a Unix server leaves
// its socket file as Python 3.11 does; checked against CPython's output.
import { existsSync, mkdtempSync, rmSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "./harness.ts";
import { assertEquals, assertInstanceOf } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

function mask(x: unknown): string {
  return String(x)
    .replace(/fd=\d+/g, "fd=N")
    .replace(/\('127\.0\.0\.1', \d+\)/g, "('127.0.0.1', PORT)")
    .replace(/=\/[^,>]*/g, "=PATH");
}

function bytesRepr(b: Uint8Array): string {
  return `b'${new TextDecoder().decode(b)}'`;
}

async function transportSockets(print: (...args: unknown[]) => void): Promise<void> {
  const attempt = (label: string, fn: (arg: never) => void, arg: unknown) => {
    try {
      fn(arg as never);
      print(label, arg, "ok");
    } catch (e) {
      if (!(e instanceof asyncio.ValueError)) throw e;
      print(label, arg, "ValueError", e.message);
    }
  };
  let server = await asyncio.startServer((_r, w) => w.close(), "127.0.0.1", 0);
  print(mask(server));
  const ssock = server.sockets[0];
  print(mask(ssock), ssock.proto, ssock.gettimeout());
  attempt("settimeout", (x: number) => ssock.settimeout(x), 0);
  attempt("settimeout", (x: number) => ssock.settimeout(x), 5);
  attempt("setblocking", (x: boolean) => ssock.setblocking(x), false);
  attempt("setblocking", (x: boolean) => ssock.setblocking(x), true);
  const [, port] = ssock.getsockname() as [string, number];
  const [reader, writer] = await asyncio.openConnection("127.0.0.1", port);
  const s = writer.getExtraInfo("socket") as asyncio.Socket;
  print(mask(s), s === writer.getExtraInfo("socket"));
  print("nodelay", s.getsockopt(asyncio.IPPROTO_TCP, asyncio.TCP_NODELAY) !== 0);
  print(bytesRepr(await reader.read()));
  writer.close();
  await writer.waitClosed();
  print(mask(s), s.fileno());
  server.close();
  await server.waitClosed();
  print(mask(ssock), mask(server));

  const loop = asyncio.getRunningLoop();
  const [t] = await loop.createDatagramEndpoint(() => new asyncio.DatagramProtocol(), {
    localAddr: ["127.0.0.1", 0],
  });
  print(mask(t.getExtraInfo("socket")));
  t.close();

  const dir = mkdtempSync(join(tmpdir(), "netconf-"));
  try {
    const path = join(dir, "sock");
    server = await asyncio.startUnixServer((_r, w) => w.close(), path);
    print(mask(server));
    server.close();
    await server.waitClosed();
    print("socket file after close:", existsSync(path));
    server = await asyncio.startUnixServer((_r, w) => w.close(), path);
    print("serving again:", server.isServing());
    server.close();
    await server.waitClosed();
    unlinkSync(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const EXPECTED = [
  "<Server sockets=(<asyncio.TransportSocket fd=N, family=2, type=1, proto=6, laddr=('127.0.0.1', PORT)>,)>",
  "<asyncio.TransportSocket fd=N, family=2, type=1, proto=6, laddr=('127.0.0.1', PORT)> 6 0",
  "settimeout 0 ok",
  "settimeout 5 ValueError settimeout(): only 0 timeout is allowed on transport sockets",
  "setblocking False ok",
  "setblocking True ValueError setblocking(): transport sockets cannot be blocking",
  "<asyncio.TransportSocket fd=N, family=2, type=1, proto=6, laddr=('127.0.0.1', PORT), raddr=('127.0.0.1', PORT)> True",
  "nodelay True",
  "b''",
  "<asyncio.TransportSocket fd=-1, family=2, type=1, proto=6> -1",
  "<asyncio.TransportSocket fd=-1, family=2, type=1, proto=6> <Server sockets=()>",
  "<asyncio.TransportSocket fd=N, family=2, type=2, proto=17, laddr=('127.0.0.1', PORT)>",
  "<Server sockets=(<asyncio.TransportSocket fd=N, family=1, type=1, proto=0, laddr=PATH>,)>",
  "socket file after close: True",
  "serving again: True",
];

test(
  "server.sockets and the socket extra print as asyncio.TransportSocket; a Unix socket file stays",
  async () => {
    const out: string[] = [];
    await asyncio.run(() => transportSockets(printer(out)));
    assertEquals(out, EXPECTED);
  },
  { timeout: 20 },
);

test("a TransportSocket is a Socket acting on the transport's socket", async () => {
  await asyncio.run(async () => {
    const server = await asyncio.startServer((_r, w) => w.close(), "127.0.0.1", 0);
    const view = server.sockets[0];
    // Code taking a Socket (sendfile, sock* methods) accepts the view.
    assertInstanceOf(view, asyncio.Socket);
    assertEquals(`${view}`, String(view));
    assertEquals(view.getsockopt(asyncio.SOL_SOCKET, asyncio.SO_ACCEPTCONN), 1);
    server.close();
    await server.waitClosed();
    // The view's fd follows the socket it wraps, not a copy of the number.
    assertEquals(view.fileno(), -1);
  });
}, { timeout: 20 });

test("CPython prints the same for netconf_trsock.py", () => {
  const ref = pythonReference("netconf_trsock");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
