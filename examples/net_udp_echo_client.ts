/**
 * The spec's "UDP echo client protocol": a `createDatagramEndpoint()`
 * client that sends a message, prints the answer and closes the transport,
 * which stops the loop.
 *
 * Run: deno run -A examples/net_udp_echo_client.ts [PORT]
 * (PORT defaults to 9999, as in the spec's UDP examples; start
 * examples/net_udp_echo_server.ts first.)
 *
 * @module
 */
import process from "node:process";
import * as asyncio from "../mod.ts";

const port = Number(process.argv[2] ?? 9999);

class EchoClientProtocol extends asyncio.DatagramProtocol {
  transport: asyncio.DatagramTransport | null = null;

  constructor(private message: string, private loop: asyncio.AbstractEventLoop) {
    super();
  }

  override connectionMade(transport: asyncio.BaseTransport) {
    this.transport = transport as asyncio.DatagramTransport;
    console.log("Send:", this.message);
    this.transport.sendto(new TextEncoder().encode(this.message));
  }

  override datagramReceived(data: Uint8Array, _addr: asyncio.Address) {
    console.log("Received:", new TextDecoder().decode(data));

    console.log("Close the socket");
    this.transport!.close();
  }

  override errorReceived(exc: Error) {
    console.log("Error received:", String(exc));
  }

  override connectionLost(_exc: Error | null) {
    console.log("Socket closed, stop the event loop");
    this.loop.stop();
  }
}

const loop = asyncio.getEventLoop() as asyncio.SelectorEventLoop;
const message = "Hello World!";
const connect = loop.createDatagramEndpoint(() => new EchoClientProtocol(message, loop), {
  remoteAddr: ["127.0.0.1", port],
});
const [transport] = await loop.runUntilComplete<[asyncio.DatagramTransport, unknown]>(connect);
await loop.runForever();
transport.close();
loop.close();
