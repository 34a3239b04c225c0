// A connection accepted just before `server.close()`, its transport not
// made yet, is not served: Python's transport creation fails on the closed
// server (`Server._attach` asserts it is open), reported to the exception
// handler in debug mode only. It was served (connectionMade, data) by a
// server already closed. One accepted a step earlier is served.
// (CPython leaks the dropped socket; here it is closed.)
// Checked against CPython (tests/fixtures/py/rp_server8_close_before_transport.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  class P extends asyncio.Protocol {
    override connectionMade(_t: asyncio.BaseTransport) {
      print("connection_made");
    }
    override dataReceived(d: Uint8Array) {
      print("data", `b'${new TextDecoder().decode(d)}'`);
    }
    override connectionLost(exc: Error | null) {
      print("connection_lost", exc);
    }
  }
  const loop = asyncio.getRunningLoop();
  loop.setExceptionHandler((_l, ctx) => {
    const e = ctx.exception as Error;
    const keys = Object.keys(ctx).sort().map((k) => `'${k}'`).join(", ");
    print("handler:", ctx.message, `${e.constructor.name}()`, `[${keys}]`);
  });
  for (const [debug, steps] of [[false, 2], [true, 2], [false, 3]] as const) {
    loop.setDebug(debug);
    const server = await loop.createServer(() => new P(), "127.0.0.1", 0);
    const port = (server.sockets[0].getsockname() as [string, number])[1];
    const client = asyncio.socket();
    client.connect(["127.0.0.1", port]);
    client.setblocking(false);
    for (let i = 0; i < steps; i++) await asyncio.sleep(0);
    server.close();
    print("closed after", steps, "steps; debug", debug);
    client.send(new TextEncoder().encode("x"));
    await asyncio.sleep(0.1);
    print("wait_closed", await server.waitClosed(), server.isServing());
    client.close();
    await asyncio.sleep(0.05);
  }
}

const EXPECTED = [
  "closed after 2 steps; debug False",
  "wait_closed None False",
  "closed after 2 steps; debug True",
  "handler: Error on transport creation for incoming connection AssertionError() ['exception', 'message', 'protocol']",
  "wait_closed None False",
  "closed after 3 steps; debug False",
  "connection_made",
  "data b'x'",
  "wait_closed None False",
  "connection_lost None",
];

test("a connection accepted just before close() is not served", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 30 });

test("CPython prints the same for rp_server8_close_before_transport.py", () => {
  const ref = pythonReference("rp_server8_close_before_transport");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
