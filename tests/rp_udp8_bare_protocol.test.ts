// A datagram protocol that is a plain object with only some callbacks:
// each missing one is Python's AttributeError (`'Bare' object has no
// attribute 'datagram_received'`), not a JS TypeError, reported to the
// exception handler. Checked against CPython
// (tests/fixtures/py/rp_udp8_bare_protocol.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { pyRepr } from "../lib/format.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  class Bare {
    connectionMade(): void {
      print("bare made");
    }
  }
  class OnlyData {
    connectionMade(): void {}
    datagramReceived(data: Uint8Array): void {
      print("got", pyRepr(data));
    }
  }
  const enc = (s: string) => new TextEncoder().encode(s);
  const loop = asyncio.getRunningLoop();
  loop.setExceptionHandler((_l, ctx) => {
    const e = ctx.exception as Error;
    print("handler:", ctx.message, e.constructor.name, e.message);
  });
  // deno-lint-ignore no-explicit-any
  const [bt] = await loop.createDatagramEndpoint(() => new Bare() as any, {
    localAddr: ["127.0.0.1", 0],
  });
  const baddr = bt.getExtraInfo("sockname") as [string, number];
  bt.sendto(enc("self"), baddr);
  await asyncio.sleep(0.02);
  print("bare closing", bt.isClosing());
  bt.sendto(enc("again"), baddr);
  await asyncio.sleep(0.02);
  bt.close();
  await asyncio.sleep(0.01);
  // deno-lint-ignore no-explicit-any
  const [ot] = await loop.createDatagramEndpoint(() => new OnlyData() as any, {
    localAddr: ["127.0.0.1", 0],
  });
  ot.sendto(enc("one"), ot.getExtraInfo("sockname") as [string, number]);
  await asyncio.sleep(0.02);
  ot.abort();
  await asyncio.sleep(0.01);
  print("done", bt.isClosing(), ot.isClosing());
}

const EXPECTED = [
  "bare made",
  "handler: Exception in callback _SelectorDatagramTransport._read_ready() AttributeError 'Bare' object has no attribute 'datagram_received'",
  "bare closing False",
  "handler: Exception in callback _SelectorDatagramTransport._read_ready() AttributeError 'Bare' object has no attribute 'datagram_received'",
  "handler: Exception in callback _SelectorTransport._call_connection_lost(None) AttributeError 'Bare' object has no attribute 'connection_lost'",
  "got b'one'",
  "handler: Exception in callback _SelectorTransport._call_connection_lost(None) AttributeError 'OnlyData' object has no attribute 'connection_lost'",
  "done True True",
];

test("a plain-object datagram protocol's missing callbacks are AttributeErrors", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_udp8_bare_protocol.py", () => {
  const ref = pythonReference("rp_udp8_bare_protocol");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
