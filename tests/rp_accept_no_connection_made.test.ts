// A server protocol without `connectionMade`: the accepted connection is
// dropped (closed, never read), silently unless in debug mode, where the
// exception handler hears of it with the protocol, as Python's
// `_accept_connection2` reports it. Before, the transport logged "Exception
// in callback" and went on reading. Checked against CPython
// (tests/fixtures/py/rp_accept_no_connection_made.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

class P {
  dataReceived(data: Uint8Array): void {
    console.log("never read", data);
  }
}

async function main(print: (...args: unknown[]) => void, debug: boolean): Promise<void> {
  const loop = asyncio.getRunningLoop();
  loop.setDebug(debug);
  loop.slowCallbackDuration = 10;
  const seen: unknown[][] = [];
  loop.setExceptionHandler((_loop, ctx) => {
    const exc = ctx.exception as Error;
    const keys = `[${Object.keys(ctx).sort().map((k) => `'${k}'`).join(", ")}]`;
    seen.push([ctx.message, keys, exc.name, exc.message]);
  });
  const srv = await loop.createServer(() => new P() as never, "127.0.0.1", 0);
  const port = (srv.sockets[0].getsockname() as [string, number])[1];
  const [, w] = await asyncio.openConnection("127.0.0.1", port);
  w.write(new TextEncoder().encode("hi"));
  await asyncio.sleep(0.2);
  print(debug ? "debug" : "quiet", "client wrote");
  w.close();
  try {
    await w.waitClosed();
  } catch (e) {
    if (!(e instanceof asyncio.ConnectionError)) throw e;
    print(e.name);
  }
  srv.close();
  await srv.waitClosed();
  for (const s of seen) print(...s);
}

const EXPECTED = [
  "quiet client wrote",
  "debug client wrote",
  "Error on transport creation for incoming connection ['exception', 'message', 'protocol'] " +
  "AttributeError 'P' object has no attribute 'connection_made'",
];

test("an accepted connection whose protocol lacks connectionMade is dropped quietly", async () => {
  const out: string[] = [];
  const print = printer(out);
  await asyncio.run(() => main(print, false));
  await asyncio.run(() => main(print, true));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_accept_no_connection_made.py", () => {
  const ref = pythonReference("rp_accept_no_connection_made");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
