/**
 * The spec's "UDP echo client protocol": a `createDatagramEndpoint()`
 * client that sends a message, prints the answer and closes the transport,
 * which stops the loop.
 *
 * Run: deno run -A examples/net_udp_echo_client.ts [PORT]
 * (PORT defaults to 9999, as in the spec's UDP examples; start
 * examples/net_udp_echo_server.ts first.)
 *
 * One change from the spec's program: `connectionLost` resolves a future
 * that the main code runs until, where the spec calls `loop.stop()` and then
 * `run_forever()`. The spec's form hangs when the answer comes back before
 * `run_until_complete(connect)` has returned (a loaded machine can delay the
 * client that long after it sent): that run consumes the stop, and the
 * following `run_forever()` never ends. CPython hangs the same way (a
 * `time.sleep(0.05)` after `sendto` in its `connection_made` shows it); the
 * newer Python docs use this future too.
 *
 * @module
 */
import process from "node:process";
import * as asyncio from "../mod.ts";

const port = Number(process.argv[2] ?? 9999);

class EchoClientProtocol extends asyncio.DatagramProtocol {
  transport: asyncio.DatagramTransport | null = null;

  constructor(private message: string, private onConLost: asyncio.Future<void>) {
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
    if (!this.onConLost.done()) this.onConLost.setResult(undefined);
  }
}

const loop = asyncio.getEventLoop();
const message = "Hello World!";
const onConLost = loop.createFuture<void>();
const connect = loop.createDatagramEndpoint(() => new EchoClientProtocol(message, onConLost), {
  remoteAddr: ["127.0.0.1", port],
});
const [transport] = await loop.runUntilComplete<[asyncio.DatagramTransport, unknown]>(connect);
await loop.runUntilComplete(onConLost);
transport.close();
loop.close();
