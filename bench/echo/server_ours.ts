/**
 * This library's echo servers, on whichever runtime runs the file.
 *
 *   deno run -A bench/echo/server_ours.ts PORT [--streams | --buffered] [--exclusive]
 *   bun bench/echo/server_ours.ts PORT [--streams | --buffered] [--exclusive]
 *   node build/bench/echo/server_ours.js PORT [--streams | --buffered] [--exclusive]
 *
 * The protocol API (a `Protocol` whose `dataReceived` writes the data back)
 * or, with --streams, the streams API (`startServer`, `read(65536)`,
 * `write`, `await drain()`), the same programs as server_asyncio.py; with
 * --buffered, a `BufferedProtocol` that receives into one reused buffer.
 * Listens on 127.0.0.1:PORT (0: any free port), prints "LISTENING <port>"
 * and serves until killed. --exclusive runs the loop that blocks in epoll on
 * the main thread (`{ exclusive: true }`) instead of the default one.
 * --exit-after=S exits (status 0) after S seconds, so that a profiler
 * (`--cpu-prof`) writes its file.
 *
 * @module
 */
import process from "node:process";
import * as asyncio from "../../mod.ts";
import { BufferedEcho, Echo } from "./echo_protocols.ts";

async function echoStream(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) {
  try {
    for (;;) {
      const data = await reader.read(65536);
      if (data.length === 0) break;
      writer.write(data);
      await writer.drain();
    }
  } catch (e) {
    if (!(e instanceof asyncio.ConnectionError)) throw e;
  }
  writer.close();
}

const args = process.argv.slice(2);
const port = Number(args.find((a) => /^\d+$/.test(a)) ?? 0);
const streams = args.includes("--streams");
const buffered = args.includes("--buffered");
const loop = new asyncio.SelectorEventLoop(null, { exclusive: args.includes("--exclusive") });
asyncio.setEventLoop(loop);
const server = await loop.runUntilComplete<asyncio.Server>(
  streams
    ? () => asyncio.startServer(echoStream, "127.0.0.1", port, { backlog: 4096 })
    : loop.createServer(() => buffered ? new BufferedEcho() : new Echo(), "127.0.0.1", port, {
      backlog: 4096,
    }),
);
const exitAfter = args.find((a) => a.startsWith("--exit-after="));
if (exitAfter) loop.callLater(Number(exitAfter.slice(13)), () => process.exit(0));
console.log(`LISTENING ${(server.sockets[0].getsockname() as [string, number])[1]}`);
await loop.runForever();
