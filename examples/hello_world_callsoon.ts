/**
 * The spec's "Hello World with call_soon()": schedule a callback that prints
 * and stops the loop.
 *
 * Run: deno run -A examples/hello_world_callsoon.ts
 *
 * @module
 */
import * as asyncio from "../mod.ts";

function helloWorld(loop: asyncio.AbstractEventLoop) {
  console.log("Hello World");
  loop.stop();
}

const loop = asyncio.getEventLoop();

// Schedule a call to helloWorld()
loop.callSoon(helloWorld, loop);

// Blocking call interrupted by loop.stop()
await loop.runForever();
loop.close();
