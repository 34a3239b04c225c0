// The loop's sock* methods given something that is not a socket: Python
// calls its methods, so the error is the AttributeError of the first one it
// reaches (gettimeout in debug mode; for sockSendfile, the file's mode is
// checked before the socket's type). The library threw its own TypeError,
// "sock_recv(): sock must be a Socket, not None", before any of those checks.
// Checked against CPython (tests/fixtures/py/rp_sockets8_not_a_socket.py).
import { closeSync, openSync } from "node:fs";
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

/** A user's object in the socket's place. */
class Conn {}

/** A Python file object: its fd and mode. */
function pyOpen(path: string, mode: string) {
  const fd = openSync(path, "r");
  return { mode, fileno: () => fd, close: () => closeSync(fd) };
}

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const path = "tests/fixtures/py/rp_sockets8_not_a_socket.py";
  const binary = pyOpen(path, "rb");
  const text = pyOpen(path, "r");
  const attempt = async (tag: string, call: () => Promise<unknown>) => {
    try {
      await call();
    } catch (e) {
      // AttributeError is a TypeError named so (not exported).
      if (!(e instanceof TypeError || e instanceof asyncio.ValueError)) throw e;
      print(tag, e.name, e.message);
    }
  };
  for (const bad of [null, "sock", new Conn()] as never[]) {
    await attempt("sock_recv", () => loop.sockRecv(bad, 10));
    await attempt("sock_recv_into", () => loop.sockRecvInto(bad, new Uint8Array(4)));
    await attempt("sock_sendall", () => loop.sockSendall(bad, new Uint8Array([120])));
    await attempt("sock_connect", () => loop.sockConnect(bad, ["127.0.0.1", 9]));
    await attempt("sock_accept", () => loop.sockAccept(bad));
    await attempt("sock_sendfile", () => loop.sockSendfile(bad, binary));
  }
  await attempt("text file first", () => loop.sockSendfile(null as never, text));
  loop.setDebug(true);
  await attempt("debug sock_recv", () => loop.sockRecv(null as never, 10));
  await attempt("debug sock_accept", () => loop.sockAccept(new Conn() as never));
  await attempt("debug sock_sendfile", () => loop.sockSendfile(null as never, text));
  binary.close();
  text.close();
}

const EXPECTED = [
  "sock_recv AttributeError 'NoneType' object has no attribute 'recv'",
  "sock_recv_into AttributeError 'NoneType' object has no attribute 'recv_into'",
  "sock_sendall AttributeError 'NoneType' object has no attribute 'send'",
  "sock_connect AttributeError 'NoneType' object has no attribute 'family'",
  "sock_accept AttributeError 'NoneType' object has no attribute 'fileno'",
  "sock_sendfile AttributeError 'NoneType' object has no attribute 'type'",
  "sock_recv AttributeError 'str' object has no attribute 'recv'",
  "sock_recv_into AttributeError 'str' object has no attribute 'recv_into'",
  "sock_sendall AttributeError 'str' object has no attribute 'send'",
  "sock_connect AttributeError 'str' object has no attribute 'family'",
  "sock_accept AttributeError 'str' object has no attribute 'fileno'",
  "sock_sendfile AttributeError 'str' object has no attribute 'type'",
  "sock_recv AttributeError 'Conn' object has no attribute 'recv'",
  "sock_recv_into AttributeError 'Conn' object has no attribute 'recv_into'",
  "sock_sendall AttributeError 'Conn' object has no attribute 'send'",
  "sock_connect AttributeError 'Conn' object has no attribute 'family'",
  "sock_accept AttributeError 'Conn' object has no attribute 'fileno'",
  "sock_sendfile AttributeError 'Conn' object has no attribute 'type'",
  "text file first ValueError file should be opened in binary mode",
  "debug sock_recv AttributeError 'NoneType' object has no attribute 'gettimeout'",
  "debug sock_accept AttributeError 'Conn' object has no attribute 'gettimeout'",
  "debug sock_sendfile AttributeError 'NoneType' object has no attribute 'gettimeout'",
];

test("sock* methods given no socket: the AttributeError of the first method Python calls", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_sockets8_not_a_socket.py", () => {
  const ref = pythonReference("rp_sockets8_not_a_socket");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
