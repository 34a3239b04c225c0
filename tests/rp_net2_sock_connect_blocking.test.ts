// `loop.sockConnect()` with a socket left in blocking mode: CPython's
// connect(2) blocks and marks the socket connected, so connecting it again
// says EISCONN, even after the peer reset it. The library waited for the
// connection without the second connect(2) that marks it so: a second
// sockConnect returned null, or said ECONNRESET after a reset.
// Checked against CPython (tests/fixtures/py/rp_net2_sock_connect_blocking.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const bytes = (b: Uint8Array) => `b'${new TextDecoder().decode(b)}'`;
  let lsock = asyncio.socket();
  lsock.bind(["127.0.0.1", 0]);
  lsock.listen();
  lsock.setblocking(false);
  let addr = lsock.getsockname() as [string, number];
  const c = asyncio.socket();
  print("connect", await loop.sockConnect(c, addr));
  const [conn] = await loop.sockAccept(lsock);
  await loop.sockSendall(conn, new TextEncoder().encode("hi"));
  c.setblocking(false);
  print("recv", bytes(await loop.sockRecv(c, 10)));
  try {
    await loop.sockConnect(c, addr);
  } catch (e) {
    if (!(e instanceof asyncio.OSError)) throw e;
    print(e.constructor.name, e.errno, e.message);
  }
  conn.close();
  c.close();
  // Left in the listener's backlog, then reset when the listener closes.
  const b = asyncio.socket();
  print("connect", await loop.sockConnect(b, addr));
  lsock.close();
  b.setblocking(false);
  try {
    await loop.sockConnect(b, addr);
  } catch (e) {
    if (!(e instanceof asyncio.OSError)) throw e;
    print(e.constructor.name, e.errno, e.message);
  }
  b.close();
  // A non-blocking socket: connecting again after the wait succeeds.
  lsock = asyncio.socket();
  lsock.bind(["127.0.0.1", 0]);
  lsock.listen();
  lsock.setblocking(false);
  addr = lsock.getsockname() as [string, number];
  const n = asyncio.socket();
  n.setblocking(false);
  print("connect", await loop.sockConnect(n, addr));
  print("again", await loop.sockConnect(n, addr));
  n.close();
  lsock.close();
}

const EXPECTED = [
  "connect None",
  "recv b'hi'",
  "OSError 106 [Errno 106] Transport endpoint is already connected",
  "connect None",
  "OSError 106 [Errno 106] Transport endpoint is already connected",
  "connect None",
  "again None",
];

test("sockConnect marks a blocking socket connected, as connect(2) does", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_net2_sock_connect_blocking.py", () => {
  const ref = pythonReference("rp_net2_sock_connect_blocking");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
