/**
 * The spec's "Register an open socket to wait for data using streams":
 * hand one end of a socketpair to `openConnection({ sock })`, send "abc"
 * from the other end, read it, print it, close.
 *
 * Run: deno run -A examples/net_register_socket_streams.ts
 *
 * @module
 */
import * as asyncio from "../mod.ts";

// asyncio.coroutine(): lazy like a Python coroutine, it runs once the loop does.
const waitForData = asyncio.coroutine(async function waitForData(loop: asyncio.AbstractEventLoop) {
  // Create a pair of connected sockets
  const [rsock, wsock] = asyncio.socketpair();

  // Register the open socket to wait for data
  const [reader, writer] = await asyncio.openConnection(null, null, { sock: rsock });

  // Simulate the reception of data from the network
  loop.callSoon(() => wsock.send(new TextEncoder().encode("abc")));

  // Wait for data
  const data = await reader.read(100);

  // Got data, we are done: close the socket
  console.log("Received:", new TextDecoder().decode(data));
  writer.close();
  // Not in the spec: wait until it is closed before the loop is.
  await writer.waitClosed();

  // Close the second socket
  wsock.close();
});

const loop = asyncio.getEventLoop();
try {
  await loop.runUntilComplete(waitForData(loop));
} finally {
  loop.close();
}
