/**
 * The spec's "Develop with asyncio: Chain coroutines correctly" example, in
 * its corrected form: `test()` awaits each task, so the file is created,
 * written and closed in that order and no task is pending when the loop
 * stops.
 *
 *   (1) create file
 *   (2) write into file
 *   (3) close file
 *   Pending tasks at exit: set()
 *
 * Run: deno run -A examples/develop_chain_coroutines.ts [--buggy] [scale]
 *
 * `--buggy` runs the spec's first version instead, which does not await the
 * tasks: "(3) close file" and "(2) write into file" come out first and
 * create() is still pending when the loop stops. `scale` multiplies every
 * sleep (default 1; the tests use a small one).
 *
 * @module
 */
import process from "node:process";
import * as asyncio from "../mod.ts";

const args = process.argv.slice(2);
const buggy = args.includes("--buggy");
const scale = Number(args.find((a) => a !== "--buggy") ?? 1);

async function create(): Promise<void> {
  await asyncio.sleep(3.0 * scale);
  console.log("(1) create file");
}

async function write(): Promise<void> {
  await asyncio.sleep(1.0 * scale);
  console.log("(2) write into file");
}

// deno-lint-ignore require-await
async function close(): Promise<void> {
  console.log("(3) close file");
}

/** The bug: the tasks run concurrently and nobody waits for them. */
async function testBuggy(): Promise<void> {
  asyncio.createTask(create);
  asyncio.createTask(write);
  asyncio.createTask(close);
  await asyncio.sleep(2.0 * scale);
  loop.stop();
}

/** The fix: each task is awaited before the next is created. */
async function test(): Promise<void> {
  await asyncio.createTask(create);
  await asyncio.createTask(write);
  await asyncio.createTask(close);
  await asyncio.sleep(2.0 * scale);
  loop.stop();
}

/** Python's repr of a set: `set()` or `{a, b}`. */
function setRepr(s: Set<unknown>): string {
  return s.size === 0 ? "set()" : `{${[...s].map(String).join(", ")}}`;
}

const loop = asyncio.getEventLoop();
// Functions rather than called coroutines: a JS async function starts running
// when called, before any loop is running; a task calls it on its first step.
loop.createTask(buggy ? testBuggy : test);
await loop.runForever();
console.log(`Pending tasks at exit: ${setRepr(asyncio.allTasks(loop))}`);
loop.close();
