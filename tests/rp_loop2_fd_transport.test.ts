// addReader() and the rest refuse the fd of a socket transport that is not
// closing, as Python's _ensure_fd_no_transport does: the loop used to take
// a program's reader for a connection's fd in place of the transport's
// (whose reads then went to the program), and removeReader() of that fd
// stopped the transport's reads. The transports call the loop's
// _addReader() and the rest, which do not check. Checked against CPython
// (tests/fixtures/py/rp_loop2_fd_transport.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  class Echo extends asyncio.Protocol {
    t!: asyncio.Transport;
    override connectionMade(t: asyncio.Transport) {
      this.t = t;
    }
    override dataReceived(data: Uint8Array) {
      this.t.write(data);
    }
  }
  function check(name: string, op: () => unknown) {
    try {
      print(name, "->", op());
    } catch (e) {
      if (!(e instanceof asyncio.RuntimeError)) throw e;
      const [head, transport] = e.message.split(" is used by transport ");
      const words = head.split(" ");
      print(name, "RuntimeError:", words[0], words[1], "| transport", transport.split(" ")[0]);
    }
  }
  const loop = asyncio.getRunningLoop();
  const srv = await loop.createServer(() => new Echo(), "127.0.0.1", 0);
  const port = (srv.sockets[0].getsockname() as [string, number])[1];
  const [r, w] = await asyncio.openConnection("127.0.0.1", port);
  const fd = (w.getExtraInfo("socket") as asyncio.Socket).fileno();
  check("add_reader", () => loop.addReader(fd, print));
  check("add_writer", () => loop.addWriter(fd, print));
  check("remove_reader", () => loop.removeReader(fd));
  check("remove_writer", () => loop.removeWriter(fd));
  w.write(new TextEncoder().encode("still works\n"));
  print(new TextDecoder().decode(await r.readLine()).trim());
  const [t] = await loop.createDatagramEndpoint(() => new asyncio.DatagramProtocol(), {
    localAddr: ["127.0.0.1", 0],
  });
  check(
    "add_reader udp",
    () => loop.addReader((t.getExtraInfo("socket") as asyncio.Socket).fileno(), print),
  );
  t.close();
  w.close();
  check("add_reader after close()", () => loop.addReader(fd, print));
  check("remove_reader after close()", () => loop.removeReader(fd));
  await w.waitClosed();
  const lfd = srv.sockets[0].fileno();
  check("add_reader listening", () => loop.addReader(lfd, print));
  check("remove_reader listening", () => loop.removeReader(lfd));
  srv.close();
  await srv.waitClosed();
}

const EXPECTED = [
  "add_reader RuntimeError: File descriptor | transport <_SelectorSocketTransport",
  "add_writer RuntimeError: File descriptor | transport <_SelectorSocketTransport",
  "remove_reader RuntimeError: File descriptor | transport <_SelectorSocketTransport",
  "remove_writer RuntimeError: File descriptor | transport <_SelectorSocketTransport",
  "still works",
  "add_reader udp RuntimeError: File descriptor | transport <_SelectorDatagramTransport",
  "add_reader after close() -> None",
  "remove_reader after close() -> True",
  "add_reader listening -> None",
  "remove_reader listening -> True",
];

test("addReader() and the rest refuse a transport's fd until it is closing", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_loop2_fd_transport.py", () => {
  const ref = pythonReference("rp_loop2_fd_transport");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
