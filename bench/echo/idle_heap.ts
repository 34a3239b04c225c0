/**
 * Memory per idle connection of the protocol echo server (the `Echo`
 * protocol of server_ours.ts), measured in-process.
 *
 *   deno run -A --v8-flags=--expose-gc bench/echo/idle_heap.ts [N] [--rounds=R] [--buffered]
 *   bun bench/echo/idle_heap.ts [N] [--rounds=R] [--buffered]
 *   node --expose-gc build/bench/echo/idle_heap.js [N] [--rounds=R] [--buffered]
 *
 * Run from the repository root (the C client is bench/out/echo_client).
 * The server listens on 127.0.0.1; a warm-up client opens and closes 500
 * connections (so that code paths are compiled and one-time buffers made),
 * then, R times (default 3): a forced GC and a baseline reading, a child
 * `echo_client -i N` (default 5000) that opens N connections, echoes one
 * byte on each and prints `IDLE N`, half a second for the loop to settle,
 * a forced GC and a second reading while they are open; then the client's
 * stdin is closed and it exits. Prints the live JS heap (`heapUsed` after
 * the GC) and the RSS per connection, the difference divided by N. Heap is
 * the number to track: RSS also depends on when the GC last ran and how
 * the engine sizes its heap (repeat when in doubt). On Node, --snapshots
 * also writes idle-R-before/after.heapsnapshot to the current directory,
 * to compare object counts and sizes by type.
 *
 * @module
 */
import process from "node:process";
import { spawn } from "node:child_process";
import * as asyncio from "../../mod.ts";
import { BufferedEcho, Echo } from "./echo_protocols.ts";

/** A full collection, in whichever way this runtime offers one. */
function gc(): void {
  const g = globalThis as { gc?: () => void; Bun?: { gc(force: boolean): void } };
  if (g.Bun) g.Bun.gc(true);
  else if (g.gc) {
    g.gc();
    g.gc();
  } else throw new Error("no gc(): run Deno with --v8-flags=--expose-gc, Node with --expose-gc");
}

function memory(): { heap: number; rss: number } {
  gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, rss: m.rss };
}

const args = process.argv.slice(2);
const n = Number(args.find((a) => /^\d+$/.test(a)) ?? 5000);
const rounds = Number(args.find((a) => a.startsWith("--rounds="))?.slice(9) ?? 3);
const buffered = args.includes("--buffered");
/** --snapshots (Node): heap snapshots before and after, to diff by type. */
const snapshots = args.includes("--snapshots");

async function writeSnapshot(file: string): Promise<void> {
  const v8 = await import("node:v8");
  v8.writeHeapSnapshot(file);
}
const loop = new asyncio.SelectorEventLoop();
asyncio.setEventLoop(loop);

/**
 * Starts `echo_client -p port -i count`; resolves with a function that ends
 * it (closes its stdin, waits for its exit) once it printed `IDLE count`.
 */
function idleClient(port: number, count: number): Promise<() => Promise<void>> {
  const child = spawn("bench/out/echo_client", ["-p", String(port), "-i", String(count)], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (chunk: Uint8Array) => {
      out += new TextDecoder().decode(chunk);
      if (out.includes(`IDLE ${count}`)) {
        resolve(() => {
          child.stdin!.end();
          return exited;
        });
      }
    });
    child.on("exit", (code) => reject(new Error(`echo_client exited (${code}): ${out}`)));
  });
}

/** A host promise as a future of the loop (the loop wakes when it settles). */
function wrap<T>(p: Promise<T>): asyncio.Future<T> {
  const f = loop.createFuture<T>();
  p.then(
    (v) => loop.callSoonThreadsafe(() => f.done() || f.setResult(v)),
    (e) => loop.callSoonThreadsafe(() => f.done() || f.setException(e)),
  );
  return f;
}

function fmt(bytes: number): string {
  return `${(bytes / 1024).toFixed(2)} KiB (${Math.round(bytes)} B)`;
}

async function main(): Promise<void> {
  const server = await loop.createServer(
    () => buffered ? new BufferedEcho() : new Echo(),
    "127.0.0.1",
    0,
    { backlog: 4096 },
  );
  const port = (server.sockets[0].getsockname() as [string, number])[1];
  const warm = await wrap(idleClient(port, 500));
  await wrap(warm());
  await asyncio.sleep(0.3);
  const runtime = "Bun" in globalThis ? "bun" : "Deno" in globalThis ? "deno" : "node";
  for (let r = 0; r < rounds; r++) {
    const before = memory();
    if (snapshots) await writeSnapshot(`idle-${r}-before.heapsnapshot`);
    const stop = await wrap(idleClient(port, n));
    await asyncio.sleep(0.5);
    const after = memory();
    if (snapshots) await writeSnapshot(`idle-${r}-after.heapsnapshot`);
    await wrap(stop());
    await asyncio.sleep(0.3);
    console.log(
      `${runtime} ${buffered ? "buffered" : "protocol"} N=${n}: heap ${
        fmt((after.heap - before.heap) / n)
      }, RSS ${fmt((after.rss - before.rss) / n)} per idle connection` +
        ` (heap ${(before.heap / 1e6).toFixed(1)} -> ${(after.heap / 1e6).toFixed(1)} MB, RSS ${
          (before.rss / 1e6).toFixed(1)
        } -> ${(after.rss / 1e6).toFixed(1)} MB)`,
    );
  }
  server.close();
  await server.waitClosed();
}

await loop.runUntilComplete(main());
loop.close();
