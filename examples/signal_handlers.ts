/**
 * The spec's "Set signal handlers for SIGINT and SIGTERM": register
 * handlers with addSignalHandler, then run until one of them stops the loop.
 *
 * Run: deno run -A examples/signal_handlers.ts   (then press Ctrl+C)
 *
 * @module
 */
import process from "node:process";
import * as asyncio from "../mod.ts";

function askExit(signame: string) {
  console.log(`got signal ${signame}: exit`);
  loop.stop();
}

const loop = asyncio.getEventLoop();
for (const signame of ["SIGINT", "SIGTERM"]) {
  loop.addSignalHandler(asyncio.signals[signame], askExit, signame);
}

console.log("Event loop running forever, press Ctrl+C to interrupt.");
console.log(`pid ${process.pid}: send SIGINT or SIGTERM to exit.`);
try {
  await loop.runForever();
} finally {
  loop.close();
}
