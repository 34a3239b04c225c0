// A custom exception handler that throws: its error is logged as raised
// "During handling" of the reported exception only where CPython calls the
// handler from an `except` (a protocol's failed dataReceived, a report made
// in a catch block), not for a client_connected_cb task's error (reported
// from a done callback) nor for an exception made in the context by hand.
// Checked against CPython (tests/fixtures/py/rp_errors8_handler_error_during.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { bytesRepr } from "../lib/format.ts";
import { formatException } from "../lib/log.ts";
import * as asyncio from "../mod.ts";

class P extends asyncio.Protocol {
  override dataReceived(_data: Uint8Array): void {
    throw new asyncio.ValueError("proto data");
  }
}

async function serve(reader: asyncio.StreamReader, _writer: asyncio.StreamWriter): Promise<void> {
  await reader.readLine();
  throw new asyncio.LookupError("cb failed");
}

async function app(print: (...args: unknown[]) => void): Promise<void> {
  // The asyncio logger's lines, frame lines left out.
  const lines = (r: asyncio.LogRecord) => {
    let text = r.message;
    if (r.exception != null) text += "\n" + formatException(r.exception);
    for (const line of text.split("\n")) {
      if (!line.startsWith("  ")) print("log:", line.split(" at 0x")[0].split(" fd=")[0]);
    }
  };
  asyncio.logger.addHandler(lines);
  try {
    const loop = asyncio.getRunningLoop();
    loop.setExceptionHandler((_l, ctx) => {
      print("bad handler:", ctx.message);
      throw new asyncio.RuntimeError("handler broke");
    });
    for (
      const server of [
        await asyncio.startServer(serve, "127.0.0.1", 0),
        await loop.createServer(() => new P(), "127.0.0.1", 0),
      ]
    ) {
      const port = (server.sockets[0].getsockname() as [string, number])[1];
      const [r, w] = await asyncio.openConnection("127.0.0.1", port);
      w.write(new TextEncoder().encode("go\n"));
      print("client read", bytesRepr(await r.read()));
      w.close();
      await w.waitClosed();
      server.close();
      await server.waitClosed();
    }
    loop.callExceptionHandler({ message: "by hand", exception: new asyncio.KeyError("hand") });
    try {
      throw new TypeError("caught");
    } catch (e) {
      loop.callExceptionHandler({ message: "in except", exception: e });
    }
    print("end");
  } finally {
    asyncio.logger.removeHandler(lines);
  }
}

const EXPECTED = [
  "bad handler: Unhandled exception in client_connected_cb",
  "log: Unhandled error in exception handler",
  "log: context: {'message': 'Unhandled exception in client_connected_cb', " +
  "'exception': LookupError('cb failed'), 'transport': <_SelectorSocketTransport",
  "log: Traceback (most recent call last):",
  "log: RuntimeError: handler broke",
  "client read b''",
  "bad handler: Fatal error: protocol.data_received() call failed.",
  "log: Unhandled error in exception handler",
  "log: context: {'message': 'Fatal error: protocol.data_received() call failed.', " +
  "'exception': ValueError('proto data'), 'transport': <_SelectorSocketTransport",
  "log: Traceback (most recent call last):",
  "log: ValueError: proto data",
  "log: ",
  "log: During handling of the above exception, another exception occurred:",
  "log: ",
  "log: Traceback (most recent call last):",
  "log: RuntimeError: handler broke",
  "client read b''",
  "bad handler: by hand",
  "log: Unhandled error in exception handler",
  "log: context: {'message': 'by hand', 'exception': KeyError('hand')}",
  "log: Traceback (most recent call last):",
  "log: RuntimeError: handler broke",
  "bad handler: in except",
  "log: Unhandled error in exception handler",
  "log: context: {'message': 'in except', 'exception': TypeError('caught')}",
  "log: Traceback (most recent call last):",
  "log: TypeError: caught",
  "log: ",
  "log: During handling of the above exception, another exception occurred:",
  "log: ",
  "log: Traceback (most recent call last):",
  "log: RuntimeError: handler broke",
  "end",
];

test("a failing handler's error is 'during handling' only of an exception being handled", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_errors8_handler_error_during.py", () => {
  const ref = pythonReference("rp_errors8_handler_error_during");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
