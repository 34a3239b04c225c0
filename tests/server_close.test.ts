// Server.close() and waitClosed(): when waitClosed returns, checked against
// CPython's output for the same program.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Python's repr of ASCII bytes, enough for these lines. */
function bytesRepr(b: Uint8Array): string {
  return `b'${dec.decode(b).replaceAll("\n", "\\n")}'`;
}

async function serverWaitClosed(print: (...args: unknown[]) => void): Promise<void> {
  // The handler returns without closing its writer: its connection stays open.
  let leftOpen: asyncio.StreamWriter | null = null;
  const handle = async (reader: asyncio.StreamReader, writer: asyncio.StreamWriter) => {
    const line = await reader.readLine();
    writer.write(enc.encode(dec.decode(line).toUpperCase()));
    await writer.drain();
    leftOpen = writer;
    print("handler done");
  };
  let server = await asyncio.startServer(handle, "127.0.0.1", 0);
  let [, port] = server.sockets[0].getsockname() as [string, number];
  let [reader, writer] = await asyncio.openConnection("127.0.0.1", port);
  writer.write(enc.encode("hi\n"));
  print(bytesRepr(await reader.readLine()));
  server.close();
  print("closing");
  await server.waitClosed();
  print("closed, serving:", server.isServing());
  writer.close();
  await writer.waitClosed();
  // Python's reference counting closes that writer once nothing holds it.
  (leftOpen as asyncio.StreamWriter | null)?.close();

  const events: string[] = [];
  const quiet = async (reader: asyncio.StreamReader, writer: asyncio.StreamWriter) => {
    await reader.read();
    events.push("peer gone");
    writer.close();
  };
  server = await asyncio.startServer(quiet, "127.0.0.1", 0);
  [, port] = server.sockets[0].getsockname() as [string, number];
  [reader, writer] = await asyncio.openConnection("127.0.0.1", port);
  const waiter = asyncio.createTask(() => server.waitClosed());
  await asyncio.sleep(0.05);
  print("waiting before close:", waiter.done());
  server.close();
  await asyncio.sleep(0.05);
  print("after close, connection open:", waiter.done());
  writer.close();
  await writer.waitClosed();
  await asyncio.waitFor(waiter, 5);
  print(`['${events.join("', '")}']`, "waiter done:", waiter.done());
}

const EXPECTED = [
  "handler done",
  "b'HI\\n'",
  "closing",
  "closed, serving: False",
  "waiting before close: False",
  "after close, connection open: False",
  "['peer gone'] waiter done: True",
];

test(
  "waitClosed after close() returns at once; before close() it waits for the connections",
  async () => {
    const out: string[] = [];
    await asyncio.run(() => serverWaitClosed(printer(out)));
    assertEquals(out, EXPECTED);
  },
  { timeout: 20 },
);

test("CPython prints the same for server_wait_closed.py", () => {
  const ref = pythonReference("server_wait_closed");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
