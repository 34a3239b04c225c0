// A plain class is a protocol if it has the callbacks the transport calls
// (the spec's UDP echo server has no connectionLost); one it lacks fails
// with Python's AttributeError (a TypeError subclass, the same on every
// runtime), reported to the exception handler under the callback's name.
// Checked against CPython 3.11 with tests/fixtures/py/sw_tp_plain_protocols.py.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { bytesRepr } from "../lib/format.ts";
import * as asyncio from "../mod.ts";

type Print = (...args: unknown[]) => void;

async function plainProtocols(print: Print): Promise<void> {
  const loop = asyncio.getRunningLoop();
  loop.setExceptionHandler((_loop, ctx) => {
    const message = String(ctx.message).replace(/fd=\d+/g, "fd=N");
    print("handler:", message, "|", (ctx.exception as Error).message);
  });

  class EchoServerProtocol {
    transport: asyncio.BaseTransport | null = null;
    connectionMade(transport: asyncio.BaseTransport) {
      this.transport = transport;
    }
    datagramReceived(data: Uint8Array, _addr: asyncio.Address) {
      print("received", bytesRepr(data));
    }
  }

  class LineProtocol {
    transport: asyncio.BaseTransport | null = null;
    connectionMade(transport: asyncio.BaseTransport) {
      this.transport = transport;
    }
    dataReceived(data: Uint8Array) {
      print("data", bytesRepr(data));
    }
  }

  const s = asyncio.socket(asyncio.AF_INET, asyncio.SOCK_DGRAM);
  s.bind(["127.0.0.1", 0]);
  const closedPort = s.getsockname() as [string, number];
  s.close();
  const [u] = await loop.createDatagramEndpoint(EchoServerProtocol, { remoteAddr: closedPort });
  u.sendto(new TextEncoder().encode("ping"));
  await asyncio.sleep(0.05);
  print("closing", u.isClosing() ? "True" : "False");
  u.close();
  await asyncio.sleep(0.05);

  class OnlyLost extends asyncio.BaseProtocol {
    override connectionLost(exc: Error | null) {
      print("lost", exc === null ? "None" : exc.message);
    }
  }

  let [a, b] = asyncio.socketpair();
  // deno-lint-ignore no-explicit-any
  let [t] = await loop.createConnection(LineProtocol as any, { sock: a });
  b.send(new TextEncoder().encode("hello"));
  await asyncio.sleep(0.05);
  b.close();
  await asyncio.sleep(0.05);
  print("closing", t.isClosing() ? "True" : "False");

  [a, b] = asyncio.socketpair();
  // deno-lint-ignore no-explicit-any
  [t] = await loop.createConnection(OnlyLost as any, { sock: a });
  b.send(new TextEncoder().encode("data"));
  await asyncio.sleep(0.05);
  print("closing", t.isClosing() ? "True" : "False");
  b.close();
}

const EXPECTED = [
  "handler: Exception in callback _SelectorDatagramTransport._read_ready() | " +
  "'EchoServerProtocol' object has no attribute 'error_received'",
  "closing False",
  "handler: Exception in callback _SelectorTransport._call_connection_lost(None) | " +
  "'EchoServerProtocol' object has no attribute 'connection_lost'",
  "data b'hello'",
  "handler: Fatal error: protocol.eof_received() call failed. | " +
  "'LineProtocol' object has no attribute 'eof_received'",
  "handler: Exception in callback _SelectorSocketTransport._call_connection_lost(" +
  "AttributeErro...of_received'\")) | 'LineProtocol' object has no attribute 'connection_lost'",
  "closing True",
  "handler: Fatal error: protocol.data_received() call failed. | " +
  "'OnlyLost' object has no attribute 'data_received'",
  "lost 'OnlyLost' object has no attribute 'data_received'",
  "closing True",
];

test(
  "a plain-class protocol lacking a callback fails with Python's AttributeError message",
  async () => {
    const out: string[] = [];
    await asyncio.run(() => plainProtocols(printer(out)));
    // The argument's repr names Python's class: AttributeError (a TypeError for JS code).
    assertEquals(out, EXPECTED);
  },
  { timeout: 20 },
);

test("CPython prints the same for sw_tp_plain_protocols.py", () => {
  const ref = pythonReference("sw_tp_plain_protocols");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
