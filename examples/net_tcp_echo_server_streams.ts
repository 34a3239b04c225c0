/**
 * The spec's "TCP echo server using streams": `startServer()` with a
 * handler that reads up to 100 bytes, echoes them and closes.
 *
 * Run: deno run -A examples/net_tcp_echo_server_streams.ts [PORT] [SECONDS]
 *
 * PORT defaults to 8888 as in the spec (0 picks a free port: read it from
 * the "Serving on ('127.0.0.1', PORT)" line). Where the spec serves until
 * Ctrl+C (KeyboardInterrupt), this serves until SIGINT or SIGTERM (handlers
 * added with `addSignalHandler`), or until SECONDS have passed when given;
 * then it closes the server and exits with status 0.
 *
 * @module
 */
import process from "node:process";
import * as asyncio from "../mod.ts";
import { pyRepr } from "../lib/format.ts";

const port = Number(process.argv[2] ?? 8888);
const seconds = process.argv[3] === undefined ? null : Number(process.argv[3]);

/** Python's repr of an address tuple: `('127.0.0.1', 8888)`. */
function tuple(addr: unknown): string {
  return Array.isArray(addr) ? `(${addr.map((x) => pyRepr(x)).join(", ")})` : pyRepr(addr);
}

async function handleEcho(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) {
  const data = await reader.read(100);
  const message = new TextDecoder().decode(data);
  const addr = writer.getExtraInfo("peername");
  console.log(`Received ${pyRepr(message)} from ${tuple(addr)}`);

  console.log(`Send: ${pyRepr(message)}`);
  writer.write(data);
  await writer.drain();

  console.log("Close the client socket");
  writer.close();
}

const loop = asyncio.getEventLoop();
// A function, not a promise: startServer() needs the running loop.
const coro = () => asyncio.startServer(handleEcho, "127.0.0.1", port);
const server = await loop.runUntilComplete<asyncio.Server>(coro);

// Serve requests until SIGINT/SIGTERM (the spec's Ctrl+C) or the time limit
console.log(`Serving on ${tuple(server.sockets[0].getsockname())}`);
for (const name of ["SIGINT", "SIGTERM"]) {
  loop.addSignalHandler(asyncio.signals[name], () => loop.stop());
}
if (seconds !== null) loop.callLater(seconds, () => loop.stop());
await loop.runForever();

// Close the server
server.close();
await loop.runUntilComplete(server.waitClosed());
for (const name of ["SIGINT", "SIGTERM"]) loop.removeSignalHandler(asyncio.signals[name]);
loop.close();
