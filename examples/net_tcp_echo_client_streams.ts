/**
 * The spec's "TCP echo client using streams": `openConnection()`, send a
 * message, print the answer, close.
 *
 * Run: deno run -A examples/net_tcp_echo_client_streams.ts [PORT]
 * (PORT defaults to 8888, as in the spec; start
 * examples/net_tcp_echo_server_streams.ts first.)
 *
 * @module
 */
import process from "node:process";
import * as asyncio from "../mod.ts";
import { pyRepr } from "../lib/format.ts";

const port = Number(process.argv[2] ?? 8888);

// asyncio.coroutine(): lazy like a Python coroutine, it runs once the loop does.
const tcpEchoClient = asyncio.coroutine(async function tcpEchoClient(message: string) {
  const [reader, writer] = await asyncio.openConnection("127.0.0.1", port);

  console.log(`Send: ${pyRepr(message)}`);
  writer.write(new TextEncoder().encode(message));

  const data = await reader.read(100);
  console.log(`Received: ${pyRepr(new TextDecoder().decode(data))}`);

  console.log("Close the socket");
  writer.close();
  // Not in the spec: wait for the socket to be closed before the loop is.
  await writer.waitClosed();
});

const message = "Hello World!";
const loop = asyncio.getEventLoop();
try {
  await loop.runUntilComplete(tcpEchoClient(message));
} finally {
  loop.close();
}
