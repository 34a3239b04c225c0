/**
 * The spec's "Register an open socket to wait for data using a protocol":
 * hand one end of a socketpair to `createConnection({ sock })`, send "abc"
 * from the other end, print it, close, stop.
 *
 * Run: deno run -A examples/net_register_socket_protocol.ts
 *
 * @module
 */
import * as asyncio from "../mod.ts";

// Create a pair of connected sockets
const [rsock, wsock] = asyncio.socketpair();
const loop = asyncio.getEventLoop();

class MyProtocol extends asyncio.Protocol {
  transport: asyncio.Transport | null = null;

  override connectionMade(transport: asyncio.BaseTransport) {
    this.transport = transport as asyncio.Transport;
  }

  override dataReceived(data: Uint8Array) {
    console.log("Received:", new TextDecoder().decode(data));

    // We are done: close the transport (it will call connectionLost())
    this.transport!.close();
  }

  override connectionLost(_exc: Error | null) {
    // The socket has been closed, stop the event loop
    loop.stop();
  }
}

// Register the socket to wait for data
const connectCoro = loop.createConnection(() => new MyProtocol(), null, null, { sock: rsock });
await loop.runUntilComplete(connectCoro);

// Simulate the reception of data from the network
loop.callSoon(() => wsock.send(new TextEncoder().encode("abc")));

// Run the event loop
await loop.runForever();

// We are done, close sockets and the event loop
rsock.close();
wsock.close();
loop.close();
