// Debug mode: a socket protocol's failing dataReceived runs in the
// transport's reader (Python's reader Handle), so the default handler's
// report names where that reader was made (`handle_traceback: Handle
// created at ...`) between the message and the protocol and transport lines.
// Checked against CPython (tests/fixtures/py/rp_errors8_debug_reader_traceback.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { bytesRepr, pyRepr } from "../lib/format.ts";
import { formatException } from "../lib/log.ts";
import * as asyncio from "../mod.ts";

type Print = (...args: unknown[]) => void;

class P extends asyncio.Protocol {
  constructor(private print: Print) {
    super();
  }
  override dataReceived(data: Uint8Array): void {
    this.print("data_received", bytesRepr(data));
    throw new asyncio.ValueError("bad data");
  }
  override connectionLost(exc: Error | null): void {
    this.print("connection_lost", pyRepr(exc));
  }
}

async function app(print: Print): Promise<void> {
  // The asyncio logger's lines, frame lines left out and addresses masked.
  const lines = (r: asyncio.LogRecord) => {
    let text = r.message;
    if (r.exception != null) text += "\n" + formatException(r.exception);
    for (const line of text.split("\n")) {
      if (line.startsWith("  ")) continue;
      print("log:", line.replace(/ at 0x[0-9a-f]+/g, " at 0x").replace(/fd=\d+/g, "fd=N"));
    }
  };
  asyncio.logger.addHandler(lines);
  try {
    const loop = asyncio.getRunningLoop();
    loop.slowCallbackDuration = 10;
    const server = await loop.createServer(() => new P(print), "127.0.0.1", 0);
    const port = (server.sockets[0].getsockname() as [string, number])[1];
    const [r, w] = await asyncio.openConnection("127.0.0.1", port);
    w.write(new TextEncoder().encode("go\n"));
    print("client read", bytesRepr(await r.read()));
    w.close();
    await w.waitClosed();
    server.close();
    await server.waitClosed();
    print("end");
  } finally {
    asyncio.logger.removeHandler(lines);
  }
}

const EXPECTED = [
  "data_received b'go\\n'",
  "log: Fatal error: protocol.data_received() call failed.",
  "log: handle_traceback: Handle created at (most recent call last):",
  "log: protocol: <__main__.P object at 0x>",
  "log: transport: <_SelectorSocketTransport fd=N read=polling write=<idle, bufsize=0>>",
  "log: Traceback (most recent call last):",
  "log: ValueError: bad data",
  "connection_lost ValueError('bad data')",
  "client read b''",
  "end",
];

test("debug mode: a failing dataReceived's report shows the reader's handle_traceback", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)), { debug: true });
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_errors8_debug_reader_traceback.py", () => {
  const ref = pythonReference("rp_errors8_debug_reader_traceback");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
