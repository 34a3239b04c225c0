// `writeEof()` after the peer reset a connection whose transport had stopped
// reading at EOF: shutdown(2) fails, and CPython's write_eof raises the
// OSError (ENOTCONN) to the caller, for a stream writer and a protocol's
// transport alike. The library ignored shutdown's error.
// Checked against CPython (tests/fixtures/py/rp_net2_write_eof_reset.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const enc = (s: string) => new TextEncoder().encode(s);
  const loop = asyncio.getRunningLoop();
  async function oneLine(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) {
    await reader.readLine();
    writer.close();
  }
  class Quiet extends asyncio.Protocol {
    override eofReceived() {
      print("eof received");
      return true;
    }
  }
  const srv = await asyncio.startServer(oneLine, "127.0.0.1", 0);
  const port = (srv.sockets[0].getsockname() as [string, number])[1];
  const [r, w] = await asyncio.openConnection("127.0.0.1", port);
  w.write(enc("a\n"));
  await asyncio.sleep(0.05);
  w.write(enc("unread")); // reaches a closed socket: the peer resets
  await asyncio.sleep(0.05);
  try {
    w.writeEof();
  } catch (e) {
    if (!(e instanceof asyncio.OSError)) throw e;
    print(e.constructor.name, e.errno, e.message, w.isClosing());
  }
  print("read", (await r.read()).length === 0 ? "b''" : "data");
  w.close();
  await w.waitClosed();
  const [t] = await loop.createConnection(() => new Quiet(), "127.0.0.1", port);
  const tr = t as asyncio.Transport;
  tr.write(enc("b\n"));
  await asyncio.sleep(0.05);
  tr.write(enc("unread"));
  await asyncio.sleep(0.05);
  try {
    tr.writeEof();
  } catch (e) {
    if (!(e instanceof asyncio.OSError)) throw e;
    print(e.constructor.name, e.errno, e.message, tr.isClosing());
  }
  print("again", tr.writeEof());
  tr.close();
  srv.close();
  await srv.waitClosed();
}

const EXPECTED = [
  "OSError 107 [Errno 107] Transport endpoint is not connected False",
  "read b''",
  "eof received",
  "OSError 107 [Errno 107] Transport endpoint is not connected False",
  "again None",
];

test("writeEof raises shutdown's OSError after a reset, as CPython's", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_net2_write_eof_reset.py", () => {
  const ref = pythonReference("rp_net2_write_eof_reset");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
