/**
 * The spec's "Watch a file descriptor for read events": wait until a
 * socketpair end receives data with `addReader()`, then stop.
 *
 * Run: deno run -A examples/watch_fd.ts
 *
 * @module
 */
import * as asyncio from "../mod.ts";
import { C, sys } from "../ffi/mod.ts";

// Create a pair of connected file descriptors
const pair = sys().socketpair(C.AF_UNIX, C.SOCK_STREAM | C.SOCK_CLOEXEC, 0);
if (typeof pair === "number") throw new asyncio.OSError(-pair);
const [rsock, wsock] = pair;

const loop = asyncio.getEventLoop();

function reader() {
  const buf = new Uint8Array(100);
  const n = sys().read(rsock, buf);
  console.log("Received:", new TextDecoder().decode(buf.subarray(0, n)));
  // We are done: unregister the file descriptor
  loop.removeReader(rsock);
  // Stop the event loop
  loop.stop();
}

// Register the file descriptor for read event
loop.addReader(rsock, reader);

// Simulate the reception of data from the network
loop.callSoon(() => sys().write(wsock, new TextEncoder().encode("abc")));

// Run the event loop
await loop.runForever();

// We are done, close the file descriptors and the event loop
sys().close(rsock);
sys().close(wsock);
loop.close();
