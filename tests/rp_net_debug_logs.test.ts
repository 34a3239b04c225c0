// In debug mode, with the asyncio logger at DEBUG, the loop reports its
// connections as Python's does: a server that is serving, each accepted
// connection, a client connected, a socket handled, EOF received, reading
// paused and resumed, a datagram endpoint created, a connection reset
// (with the error, Python's exc_info). These reports were missing.
// Checked against CPython (tests/fixtures/py/rp_net_debug_logs.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { runWithDebugLog } from "./debug_log.ts";
import * as asyncio from "../mod.ts";

type Print = (...args: unknown[]) => void;

async function debugLogs(print: Print): Promise<void> {
  const enc = (s: string) => new TextEncoder().encode(s);
  class Echo extends asyncio.Protocol {
    t!: asyncio.Transport;
    override connectionMade(t: asyncio.BaseTransport) {
      this.t = t as asyncio.Transport;
    }
    override dataReceived(d: Uint8Array) {
      this.t.write(d);
    }
    override eofReceived() {
      print("server eof");
    }
  }
  const loop = asyncio.getRunningLoop();
  const srv = await loop.createServer(() => new Echo(), "127.0.0.1", 0);
  const port = (srv.sockets[0].getsockname() as [string, number])[1];
  const [r, w] = await asyncio.openConnection("127.0.0.1", port);
  w.write(enc("x"));
  print(new TextDecoder().decode(await r.read(1)));
  const t = w.transport as asyncio.Transport;
  t.pauseReading();
  t.resumeReading();
  w.writeEof();
  await asyncio.sleep(0.05);
  w.close();
  await w.waitClosed();
  const [a, b] = asyncio.socketpair();
  const [at] = await loop.connectAcceptedSocket(() => new asyncio.Protocol(), a);
  at.close();
  b.close();
  let [u] = await loop.createDatagramEndpoint(() => new asyncio.DatagramProtocol(), {
    localAddr: ["127.0.0.1", 0],
  });
  u.close();
  [u] = await loop.createDatagramEndpoint(() => new asyncio.DatagramProtocol(), {
    remoteAddr: ["127.0.0.1", port],
  });
  u.close();
  srv.close();
  await srv.waitClosed();

  async function reset(_r: asyncio.StreamReader, w: asyncio.StreamWriter) {
    const linger = new Uint8Array(8);
    new DataView(linger.buffer).setInt32(0, 1, true);
    const sock = w.getExtraInfo("socket") as asyncio.Socket;
    sock.setsockopt(asyncio.SOL_SOCKET, asyncio.SO_LINGER, linger);
    (w.transport as asyncio.Transport).abort();
  }
  const srv2 = await asyncio.startServer(reset, "127.0.0.1", 0);
  const port2 = (srv2.sockets[0].getsockname() as [string, number])[1];
  const [r2, w2] = await asyncio.openConnection("127.0.0.1", port2);
  try {
    await r2.read();
  } catch (e) {
    if (!(e instanceof asyncio.ConnectionResetError)) throw e;
    print("read:", e.constructor.name);
  }
  w2.close();
  srv2.close();
  await srv2.waitClosed();
  await asyncio.sleep(0.01);
}

const SERVER =
  "<Server sockets=(<asyncio.TransportSocket fd=N, family=2, type=1, proto=6, laddr=('127.0.0.1', P)>,)>";
const CONNECTED = "laddr=('127.0.0.1', P), raddr=('127.0.0.1', P)";
const POLLING = "<_SelectorSocketTransport fd=N read=polling write=<idle, bufsize=0>>";
const DATAGRAM = "<_SelectorDatagramTransport fd=N read=idle write=<idle, bufsize=0>>";

const EXPECTED = [
  `INFO: ${SERVER} is serving`,
  `DEBUG: ${SERVER} got a new connection from ('127.0.0.1', P): ` +
  `<socket.socket fd=N, family=2, type=1, proto=6, ${CONNECTED}>`,
  `DEBUG: <asyncio.TransportSocket fd=N, family=2, type=1, proto=6, ${CONNECTED}> ` +
  `connected to 127.0.0.1:P: (${POLLING}, <asyncio.streams.StreamReaderProtocol object>)`,
  "x",
  "DEBUG: <_SelectorSocketTransport fd=N read=idle write=<idle, bufsize=0>> pauses reading",
  `DEBUG: ${POLLING} resumes reading`,
  `DEBUG: ${POLLING} received EOF`,
  "server eof",
  `DEBUG: ${POLLING} received EOF`,
  "DEBUG: <asyncio.TransportSocket fd=N, family=1, type=1, proto=0> handled: " +
  `(${POLLING}, <asyncio.protocols.Protocol object>)`,
  "INFO: Datagram endpoint local_addr=('127.0.0.1', P) remote_addr=None created: " +
  `(${DATAGRAM}, <asyncio.protocols.DatagramProtocol object>)`,
  "DEBUG: Datagram endpoint remote_addr=('127.0.0.1', P) created: " +
  `(${DATAGRAM}, <asyncio.protocols.DatagramProtocol object>)`,
  `INFO: ${SERVER} is serving`,
  `DEBUG: ${SERVER} got a new connection from ('127.0.0.1', P): ` +
  `<socket.socket fd=N, family=2, type=1, proto=6, ${CONNECTED}>`,
  `DEBUG: <asyncio.TransportSocket fd=N, family=2, type=1, proto=6, ${CONNECTED}> ` +
  `connected to 127.0.0.1:P: (${POLLING}, <asyncio.streams.StreamReaderProtocol object>)`,
  `DEBUG: ${POLLING}: Fatal read error on socket transport ` +
  "[ConnectionResetError(104, 'Connection reset by peer')]",
  "read: ConnectionResetError",
  "DEBUG: Close <_UnixSelectorEventLoop running=False closed=False debug=True>",
];

test("debug mode logs connections, EOF and paused reading as Python does", async () => {
  const out: string[] = [];
  const print = printer(out);
  await runWithDebugLog(print, () => debugLogs(print));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_net_debug_logs.py", () => {
  const ref = pythonReference("rp_net_debug_logs");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
