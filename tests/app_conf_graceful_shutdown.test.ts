// Graceful shutdown of an echo server on a SIGTERM the program sends itself
// (addSignalHandler), cancelling the client handlers; as in 3.11, each
// cancelled handler task is also reported by the stream protocol's done
// callback. Checked against CPython (tests/fixtures/py/app_conf_graceful_shutdown.py).
import process from "node:process";
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

function bytesRepr(b: Uint8Array): string {
  return `b'${new TextDecoder().decode(b).replaceAll("\n", "\\n")}'`;
}

async function shutdownApp(print: (...args: unknown[]) => void): Promise<void> {
  const enc = (s: string) => new TextEncoder().encode(s);
  const conns = new Map<string, asyncio.Task<unknown>>();
  async function handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) {
    const name = new TextDecoder().decode(await reader.readLine()).trim();
    conns.set(name, asyncio.currentTask()!);
    try {
      let line;
      while ((line = await reader.readLine()).length) {
        writer.write(line);
        await writer.drain();
      }
    } catch (e) {
      if (e instanceof asyncio.CancelledError) {
        print("handler", name, "cancelled");
        writer.write(enc("server shutting down\n"));
        await writer.drain();
        writer.close();
      }
      throw e;
    }
  }
  const loop = asyncio.getRunningLoop();
  loop.setExceptionHandler((_loop, context) => {
    print("reported:", String(context.message).split("(")[0]);
  });
  const stop = loop.createFuture<string>();
  loop.addSignalHandler(asyncio.signals.SIGTERM, (s: string) => stop.setResult(s), "SIGTERM");
  const server = await asyncio.startServer(handler, "127.0.0.1", 0);
  const port = (server.sockets[0].getsockname() as [string, number])[1];
  const clients: [string, asyncio.StreamReader, asyncio.StreamWriter][] = [];
  for (const name of ["c1", "c2"]) {
    const [reader, writer] = await asyncio.openConnection("127.0.0.1", port);
    writer.write(enc(`${name}\nping\n`));
    print(name, bytesRepr(await reader.readLine()));
    clients.push([name, reader, writer]);
  }
  loop.callLater(0.01, () => process.kill(process.pid, "SIGTERM"));
  print("got", await stop);
  server.close();
  for (const name of [...conns.keys()].sort()) conns.get(name)!.cancel();
  await asyncio.gather(...conns.values(), { returnExceptions: true });
  for (const [name, reader, writer] of clients) {
    print(name, bytesRepr(await reader.read()));
    writer.close();
    await writer.waitClosed();
  }
  await server.waitClosed();
  print("removed", loop.removeSignalHandler(asyncio.signals.SIGTERM) ? "True" : "False");
}

const EXPECTED = [
  "c1 b'ping\\n'",
  "c2 b'ping\\n'",
  "got SIGTERM",
  "handler c1 cancelled",
  "handler c2 cancelled",
  "reported: Exception in callback StreamReaderProtocol.connection_made.<locals>.callback",
  "reported: Exception in callback StreamReaderProtocol.connection_made.<locals>.callback",
  "c1 b'server shutting down\\n'",
  "c2 b'server shutting down\\n'",
  "removed True",
];

test("an echo server shuts down gracefully on its own SIGTERM", async () => {
  const out: string[] = [];
  await asyncio.run(() => shutdownApp(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for app_conf_graceful_shutdown.py", () => {
  const ref = pythonReference("app_conf_graceful_shutdown");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
