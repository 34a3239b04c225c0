// Socket methods passed as callbacks work as Python's bound methods do:
// the spec's "watch a file descriptor for read events" example, ported
// line for line (`loop.callSoon(wsock.send, ...)`), close/sendall
// scheduled, and a datagram transport's sendto and close. Checked against
// CPython.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function watchExample(print: (...args: unknown[]) => void): Promise<void> {
  // Create a pair of connected file descriptors
  const [rsock, wsock] = asyncio.socketpair();
  const loop = asyncio.newEventLoop();

  function reader() {
    const data = rsock.recv(100);
    print("Received:", new TextDecoder().decode(data));
    if (data.length === 0) {
      // We are done: unregister the file descriptor
      loop.removeReader(rsock);
      // Stop the event loop
      loop.stop();
    }
  }

  // Register the file descriptor for read event
  loop.addReader(rsock, reader);

  // Simulate the reception of data from the network
  loop.callSoon(wsock.send, new TextEncoder().encode("abc"));
  loop.callLater(0.05, wsock.sendall, new TextEncoder().encode("def"));
  loop.callLater(0.1, wsock.close);

  // Run the event loop
  await loop.runForever();
  print("wsock closed:", wsock.fileno() === -1);

  // We are done, close sockets and the event loop
  rsock.close();
  loop.close();
}

// A datagram transport's methods as callbacks.
async function datagram(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const closed = loop.createFuture<null>();
  class Printer extends asyncio.DatagramProtocol {
    override datagramReceived(data: Uint8Array): void {
      print("datagram", `b'${new TextDecoder().decode(data)}'`);
    }
    override connectionLost(): void {
      print("datagram transport closed");
      closed.setResult(null);
    }
  }
  const [t] = await loop.createDatagramEndpoint(() => new Printer(), {
    localAddr: ["127.0.0.1", 0],
  });
  loop.callSoon(t.sendto, new TextEncoder().encode("hi"), t.getExtraInfo("sockname"));
  loop.callLater(0.05, t.close);
  await closed;
}

const EXPECTED = [
  "Received: abc",
  "Received: def",
  "Received: ",
  "wsock closed: True",
  "datagram b'hi'",
  "datagram transport closed",
];

test(
  "socket methods as callbacks are bound to their socket (the spec's add_reader example)",
  async () => {
    const out: string[] = [];
    await watchExample(printer(out));
    await asyncio.run(() => datagram(printer(out)));
    assertEquals(out, EXPECTED);
  },
  { timeout: 20 },
);

test("a socket's bound method is made once, and assigning one makes it the socket's own", () => {
  const [a, b] = asyncio.socketpair();
  try {
    assertEquals(a.send === a.send, true);
    assertEquals(a.send === b.send, false);
    const sent: unknown[] = [];
    a.send = ((data: Uint8Array) => sent.push(data)) as typeof a.send;
    a.send(new Uint8Array([1]));
    assertEquals(sent.length, 1);
    assertEquals(typeof b.send(new Uint8Array([2])), "number");
  } finally {
    a.close();
    b.close();
  }
});

test("a method read from the prototype is the method itself, and binds no instance to it", () => {
  // Read first from the prototype: before, it was bound to the prototype and
  // kept there, and every socket then inherited that copy (close() failed).
  const proto = asyncio.Socket.prototype as unknown as Record<string, unknown>;
  assertEquals(typeof proto.close, "function");
  assertEquals(proto.close, proto.close);
  const [a, b] = asyncio.socketpair();
  a.close();
  assertEquals(a.fileno(), -1);
  b.close();
});

test("CPython prints the same for sock_conf_bound_methods.py", () => {
  const ref = pythonReference("sock_conf_bound_methods");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
