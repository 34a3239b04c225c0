/**
 * The spec's "UDP echo server protocol": a `createDatagramEndpoint()`
 * endpoint that sends every datagram back to where it came from.
 *
 * Run: deno run -A examples/net_udp_echo_server.ts [PORT] [SECONDS]
 *
 * PORT defaults to 9999 as in the spec. Like the spec it prints only
 * "Starting UDP server" (so pass a known free port). Where the spec runs
 * until Ctrl+C, this runs until SIGINT or SIGTERM (`addSignalHandler`), or
 * until SECONDS have passed when given; then it closes the transport and
 * exits with status 0.
 *
 * @module
 */
import process from "node:process";
import * as asyncio from "../mod.ts";
import { pyRepr } from "../lib/format.ts";

const port = Number(process.argv[2] ?? 9999);
const seconds = process.argv[3] === undefined ? null : Number(process.argv[3]);

/** Python's str() of an address tuple: `('127.0.0.1', 9999)`. */
function tuple(addr: unknown): string {
  return Array.isArray(addr) ? `(${addr.map((x) => pyRepr(x)).join(", ")})` : pyRepr(addr);
}

class EchoServerProtocol extends asyncio.DatagramProtocol {
  transport: asyncio.DatagramTransport | null = null;

  override connectionMade(transport: asyncio.BaseTransport) {
    this.transport = transport as asyncio.DatagramTransport;
  }

  override datagramReceived(data: Uint8Array, addr: asyncio.Address) {
    const message = new TextDecoder().decode(data);
    console.log(`Received ${pyRepr(message)} from ${tuple(addr)}`);
    console.log(`Send ${pyRepr(message)} to ${tuple(addr)}`);
    this.transport!.sendto(data, addr);
  }
}

const loop = asyncio.getEventLoop();
console.log("Starting UDP server");
// One protocol instance will be created to serve all client requests
const listen = loop.createDatagramEndpoint(() => new EchoServerProtocol(), {
  localAddr: ["127.0.0.1", port],
});
const [transport] = await loop.runUntilComplete<[asyncio.DatagramTransport, unknown]>(listen);

for (const name of ["SIGINT", "SIGTERM"]) {
  loop.addSignalHandler(asyncio.signals[name], () => loop.stop());
}
if (seconds !== null) loop.callLater(seconds, () => loop.stop());
await loop.runForever();

transport.close();
// Let the transport's connectionLost run (it closes the socket) before closing the loop.
await loop.runUntilComplete(() => asyncio.sleep(0));
for (const name of ["SIGINT", "SIGTERM"]) loop.removeSignalHandler(asyncio.signals[name]);
loop.close();
