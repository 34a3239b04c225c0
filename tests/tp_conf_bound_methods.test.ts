// A transport's and a StreamWriter's methods passed as callbacks, as Python
// passes bound methods (`loop.call_soon(transport.write, data)`,
// `loop.call_later(d, writer.close)`), work and show in a Handle's repr
// under Python's qualified names; checked against CPython.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const bytesRepr = (b: Uint8Array) => `b'${new TextDecoder().decode(b)}'`;

/** The port of tests/fixtures/py/tp_conf_bound_methods.py, line for line. */
async function boundMethods(print: (...args: unknown[]) => void): Promise<void> {
  class Peer extends asyncio.Protocol {
    t!: asyncio.Transport;
    constructor(readonly lost: asyncio.Future<unknown>) {
      super();
    }
    override connectionMade(t: asyncio.BaseTransport) {
      this.t = t as asyncio.Transport;
      const loop = asyncio.getRunningLoop();
      print(String(loop.callSoon(this.t.pauseReading)));
      print(String(loop.callSoon(this.t.resumeReading)));
    }
    override dataReceived(d: Uint8Array) {
      print("peer got", bytesRepr(d));
    }
    override eofReceived() {
      print("peer eof");
      const loop = asyncio.getRunningLoop();
      loop.callSoon(this.t.write, enc("bye"));
      loop.callSoon(this.t.writeLines, [enc("!"), enc("!")]);
      print(String(loop.callSoon(this.t.close)));
      return true;
    }
    override connectionLost(exc: Error | null) {
      print("peer lost", exc);
      this.lost.setResult(null);
    }
  }

  const loop = asyncio.getRunningLoop();
  const messages: string[] = [];
  loop.setExceptionHandler((_lp, ctx) => messages.push(ctx.message as string));
  const lost = loop.createFuture();
  const peers: asyncio.BaseProtocol[] = [];
  const factory = () => {
    // The first connection's peer prints; the second's is quiet.
    peers.push(peers.length === 0 ? new Peer(lost) : new asyncio.Protocol());
    return peers[peers.length - 1];
  };
  const srv = await loop.createServer(factory, "127.0.0.1", 0);
  const port = (srv.sockets[0].getsockname() as [string, number])[1];
  const [reader, writer] = await asyncio.openConnection("127.0.0.1", port);
  await asyncio.sleep(0.01);
  print(String(loop.callSoon(writer.write, enc("hi "))));
  loop.callSoon(writer.writeLines, [enc("there")]);
  loop.callSoon(writer.write as (data: unknown) => void, "text");
  const h = loop.callLater(0.02, writer.writeEof);
  print(String(h).split(" ").slice(2).join(" "));
  print(bytesRepr(await reader.read()));
  print("messages", `["${messages.join('", "')}"]`);
  print("same", writer.write === writer.write, writer.transport.close === writer.transport.close);
  print(String(loop.callSoon(writer.close)));
  await writer.waitClosed();
  print("closing", writer.isClosing());
  await lost;
  const [t] = await loop.createConnection(() => new asyncio.Protocol(), "127.0.0.1", port);
  print(String(loop.callSoon(t.abort)));
  print(String(loop.callSoon(t.writeEof)));
  await asyncio.sleep(0.01);
  print("aborted", t.isClosing());
  const [a, b] = asyncio.socketpair();
  print(String(loop.callSoon(a.send, enc("x"))));
  print(String(loop.callSoon(a.close)));
  const [u] = await loop.createDatagramEndpoint(() => new asyncio.DatagramProtocol(), {
    localAddr: ["127.0.0.1", 0],
  });
  print(String(loop.callSoon(u.close)));
  await asyncio.sleep(0.01);
  print(bytesRepr(b.recv(10)), a.fileno(), u.isClosing());
  b.close();
  srv.close();
  await srv.waitClosed();
}

const EXPECTED = [
  "<Handle _SelectorTransport.pause_reading()>",
  "<Handle _SelectorTransport.resume_reading()>",
  "<Handle StreamWriter.write(b'hi ')>",
  "StreamWriter.write_eof()>",
  "peer got b'hi there'",
  "peer eof",
  "<Handle _SelectorTransport.close()>",
  "peer lost None",
  "b'bye!!'",
  `messages ["Exception in callback StreamWriter.write('text')"]`,
  "same True True",
  "<Handle StreamWriter.close()>",
  "closing True",
  "<Handle _SelectorTransport.abort()>",
  "<Handle _SelectorSocketTransport.write_eof()>",
  "aborted True",
  "<Handle socket.send(b'x')>",
  "<Handle socket.close()>",
  "<Handle _SelectorTransport.close()>",
  "b'x' -1 True",
];

test(
  "transport and StreamWriter methods work as callbacks, named as Python names them",
  async () => {
    const out: string[] = [];
    await asyncio.run(() => boundMethods(printer(out)));
    assertEquals(out, EXPECTED);
  },
  { timeout: 20 },
);

test("CPython prints the same for tp_conf_bound_methods.py", () => {
  const ref = pythonReference("tp_conf_bound_methods");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
