// A protocol factory or connection_made() that raises on a server: what
// the exception handler hears, in and out of debug mode, as CPython.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

function factory(): asyncio.Protocol {
  throw new asyncio.RuntimeError("no protocol for you");
}

class MadeFails extends asyncio.Protocol {
  override connectionMade(): void {
    throw new asyncio.ValueError("made failed");
  }
}

function bytesRepr(b: Uint8Array): string {
  return `b'${new TextDecoder().decode(b)}'`;
}

async function acceptErrors(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  loop.setExceptionHandler((_loop, ctx) => {
    const keys = Object.keys(ctx).sort().map((k) => `'${k}'`);
    const e = ctx.exception as Error;
    print("HANDLER", ctx.message, `${e.constructor.name}('${e.message}')`, `[${keys.join(", ")}]`);
  });
  for (const debug of [false, true]) {
    loop.setDebug(debug);
    print("debug", debug);
    let server = await loop.createServer(factory, "127.0.0.1", 0);
    let [, port] = server.sockets[0].getsockname() as [string, number];
    let [r, w] = await asyncio.openConnection("127.0.0.1", port);
    if (debug) await asyncio.sleep(0.05);
    else print("client read", bytesRepr(await asyncio.waitFor(r.read(), 2)));
    w.close();
    await w.waitClosed();
    server.close();
    await server.waitClosed();
    server = await loop.createServer(MadeFails, "127.0.0.1", 0);
    [, port] = server.sockets[0].getsockname() as [string, number];
    [r, w] = await asyncio.openConnection("127.0.0.1", port);
    try {
      print("client read", bytesRepr(await asyncio.waitFor(r.read(), 0.1)));
    } catch (e) {
      if (!(e instanceof asyncio.TimeoutError)) throw e;
      print("client read timed out: the connection stays open");
    }
    w.close();
    await w.waitClosed();
    server.close();
    await server.waitClosed();
  }
  loop.setDebug(false);
}

const MADE = "Exception in callback MadeFails.connection_made(<_SelectorSoc...e, bufsize=0>>)";
const EXPECTED = [
  "debug False",
  "client read b''",
  `HANDLER ${MADE} ValueError('made failed') ['exception', 'handle', 'message']`,
  "client read timed out: the connection stays open",
  "debug True",
  "HANDLER Error on transport creation for incoming connection RuntimeError('no protocol for you') ['exception', 'message']",
  `HANDLER ${MADE} ValueError('made failed') ['exception', 'handle', 'message', 'source_traceback']`,
  "client read timed out: the connection stays open",
];

test(
  "a failing protocol factory or connection_made on a server, in and out of debug mode",
  async () => {
    const out: string[] = [];
    await asyncio.run(() => acceptErrors(printer(out)));
    assertEquals(out, EXPECTED);
  },
  { timeout: 20 },
);

test("CPython prints the same for netconf_accept_errors.py", () => {
  const ref = pythonReference("netconf_accept_errors");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
