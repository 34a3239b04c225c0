// createDatagramEndpoint({ sock }) with a socket connected beforehand:
// Python sends with send() when the transport's peername is truthy, so an
// address given to sendto() goes unchecked; an AF_UNIX socketpair's peer is
// unnamed (''), so sendto() without an address is a fatal TypeError there.
// The library tested the peername against null, so it sent on the pair.
// Checked against CPython (tests/fixtures/py/rp_net5_datagram_sock.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const bytes = (b: Uint8Array) => `b'${new TextDecoder().decode(b)}'`;

class P extends asyncio.DatagramProtocol {
  constructor(readonly log: string[]) {
    super();
  }
  override datagramReceived(data: Uint8Array, addr: unknown): void {
    this.log.push(`got ${bytes(data)} from ${addr ?? "None"}`);
  }
  override errorReceived(exc: Error): void {
    this.log.push(`error_received ${exc.constructor.name}`);
  }
  override connectionLost(exc: Error | null): void {
    this.log.push(`lost ${exc === null ? "None" : exc.message}`);
  }
}

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const log: string[] = [];
  loop.setExceptionHandler((_loop, ctx) => {
    const exc = ctx.exception as Error;
    log.push(`handler: ${ctx.message} | ${exc.constructor.name}: ${exc.message}`);
  });
  const peer = asyncio.socket(asyncio.AF_INET, asyncio.SOCK_DGRAM);
  peer.bind(["127.0.0.1", 0]);
  const peerAddr = peer.getsockname() as [string, number];
  const s = asyncio.socket(asyncio.AF_INET, asyncio.SOCK_DGRAM);
  s.connect(peerAddr);
  let [t] = await loop.createDatagramEndpoint(() => new P(log), { sock: s });
  const pn = t.getExtraInfo("peername") as [string, number];
  print("peername", pn[0] === peerAddr[0] && pn[1] === peerAddr[1]);
  t.sendto(enc("with addr"), ["127.0.0.1", 9]);
  t.sendto(enc("without"));
  print(bytes(peer.recv(100)), bytes(peer.recv(100)));
  t.close();
  peer.close();

  const [a, b] = asyncio.socketpair(asyncio.AF_UNIX, asyncio.SOCK_DGRAM);
  [t] = await loop.createDatagramEndpoint(() => new P(log), { sock: a });
  print("pair peername", `'${t.getExtraInfo("peername")}'`);
  b.send(enc("from b"));
  await asyncio.sleep(0.02);
  t.sendto(enc("to b"));
  print("closing", t.isClosing());
  await asyncio.sleep(0.01);
  b.close();
  for (const line of log) print(line);
}

const EXPECTED = [
  "peername True",
  "b'with addr' b'without'",
  "pair peername ''",
  "closing True",
  "lost None",
  "got b'from b' from None",
  "handler: Fatal write error on datagram transport | TypeError: a bytes-like object is required, not 'NoneType'",
  "lost a bytes-like object is required, not 'NoneType'",
];

test("a datagram transport sends with send() only when its peername is truthy", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_net5_datagram_sock.py", () => {
  const ref = pythonReference("rp_net5_datagram_sock");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
