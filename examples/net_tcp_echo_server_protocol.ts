/**
 * The spec's "TCP echo server protocol": a `createServer()` server whose
 * protocol echoes the first data it receives and closes the connection.
 *
 * Run: deno run -A examples/net_tcp_echo_server_protocol.ts [PORT] [SECONDS]
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

/** Python's str() of an address tuple: `('127.0.0.1', 8888)`. */
function tuple(addr: unknown): string {
  return Array.isArray(addr) ? `(${addr.map((x) => pyRepr(x)).join(", ")})` : pyRepr(addr);
}

class EchoServerClientProtocol extends asyncio.Protocol {
  transport: asyncio.Transport | null = null;

  override connectionMade(transport: asyncio.BaseTransport) {
    const peername = transport.getExtraInfo("peername");
    console.log(`Connection from ${tuple(peername)}`);
    this.transport = transport as asyncio.Transport;
  }

  override dataReceived(data: Uint8Array) {
    const message = new TextDecoder().decode(data);
    console.log(`Data received: ${pyRepr(message)}`);

    console.log(`Send: ${pyRepr(message)}`);
    this.transport!.write(data);

    console.log("Close the client socket");
    this.transport!.close();
  }
}

const loop = asyncio.getEventLoop();
// Each client connection will create a new protocol instance
const coro = loop.createServer(() => new EchoServerClientProtocol(), "127.0.0.1", port);
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
