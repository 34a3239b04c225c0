// A socket transport drops its protocol once connectionLost has run, as
// Python's does: getProtocol() is then null (None), while the addresses stay
// readable, also after the peer reset the connection.
// Checked against CPython (tests/fixtures/py/rp_proto3_protocol_after_lost.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

type Print = (...args: unknown[]) => void;

class Rst extends asyncio.Protocol {
  t!: asyncio.Transport;
  override connectionMade(t: asyncio.Transport): void {
    this.t = t;
  }
  override dataReceived(_d: Uint8Array): void {
    const sock = this.t.getExtraInfo("socket") as asyncio.Socket;
    const linger = new Uint8Array(8); // struct linger { l_onoff = 1, l_linger = 0 }
    new DataView(linger.buffer).setInt32(0, 1, true);
    sock.setsockopt(asyncio.SOL_SOCKET, asyncio.SO_LINGER, linger);
    this.t.abort();
  }
}

class Cli extends asyncio.Protocol {
  done = asyncio.getRunningLoop().createFuture<null>();
  t!: asyncio.Transport;
  constructor(readonly print: Print) {
    super();
  }
  override connectionMade(t: asyncio.Transport): void {
    this.t = t;
  }
  override connectionLost(exc: Error | null): void {
    this.print("lost", exc?.constructor.name, (this.t.getExtraInfo("peername") as string[])[0]);
    this.print("protocol during lost", this.t.getProtocol().constructor.name);
    this.done.setResult(null);
  }
}

async function app(print: Print): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const server = await loop.createServer(() => new Rst(), "127.0.0.1", 0);
  const port = (server.sockets[0].getsockname() as [string, number])[1];
  const [t, c] = await loop.createConnection(() => new Cli(print), "127.0.0.1", port);
  t.write(new Uint8Array([120]));
  await c.done;
  print("protocol after lost", t.getProtocol());
  print("peer after", (t.getExtraInfo("peername") as string[])[0], t.isClosing());
  const [t2, p2] = await loop.createConnection(() => new asyncio.Protocol(), "127.0.0.1", port);
  t2.close();
  print("closing", t2.getProtocol().constructor.name);
  await asyncio.sleep(0.01);
  print("closed", t2.getProtocol());
  t2.setProtocol(p2);
  print("set again", t2.getProtocol().constructor.name);
  server.close();
  await server.waitClosed();
}

const EXPECTED = [
  "lost ConnectionResetError 127.0.0.1",
  "protocol during lost Cli",
  "protocol after lost None",
  "peer after 127.0.0.1 True",
  "closing Protocol",
  "closed None",
  "set again Protocol",
];

test("a socket transport's getProtocol() is null after connectionLost", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_proto3_protocol_after_lost.py", () => {
  const ref = pythonReference("rp_proto3_protocol_after_lost");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
