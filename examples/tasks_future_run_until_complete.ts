/**
 * The spec's "Example: Future with run_until_complete()": a coroutine
 * stores its result into a Future, which `runUntilComplete` waits for.
 *
 * Run: deno run -A examples/tasks_future_run_until_complete.ts
 *
 * @module
 */
import * as asyncio from "../mod.ts";

async function slowOperation(future: asyncio.Future<string>) {
  await asyncio.sleep(1);
  future.setResult("Future is done!");
}

const loop = asyncio.getEventLoop();
const future = new asyncio.Future<string>();
asyncio.ensureFuture(() => slowOperation(future));
await loop.runUntilComplete(future);
console.log(future.result());
loop.close();
