/**
 * The spec's "TCP echo client protocol": connect with `createConnection()`,
 * send a message, print what comes back, and stop the loop when the server
 * closes the connection.
 *
 * Run: deno run -A examples/net_tcp_echo_client_protocol.ts [PORT]
 * (PORT defaults to 8888, as in the spec; start
 * examples/net_tcp_echo_server_protocol.ts first.)
 *
 * @module
 */
import process from "node:process";
import * as asyncio from "../mod.ts";
import { pyRepr } from "../lib/format.ts";

const port = Number(process.argv[2] ?? 8888);

class EchoClientProtocol extends asyncio.Protocol {
  constructor(private message: string, private loop: asyncio.AbstractEventLoop) {
    super();
  }

  override connectionMade(transport: asyncio.BaseTransport) {
    (transport as asyncio.Transport).write(new TextEncoder().encode(this.message));
    console.log(`Data sent: ${pyRepr(this.message)}`);
  }

  override dataReceived(data: Uint8Array) {
    console.log(`Data received: ${pyRepr(new TextDecoder().decode(data))}`);
  }

  override connectionLost(_exc: Error | null) {
    console.log("The server closed the connection");
    console.log("Stop the event loop");
    this.loop.stop();
  }
}

const loop = asyncio.getEventLoop();
const message = "Hello World!";
const coro = loop.createConnection(
  () => new EchoClientProtocol(message, loop),
  "127.0.0.1",
  port,
);
try {
  await loop.runUntilComplete(coro);
  await loop.runForever();
} finally {
  loop.close();
}
