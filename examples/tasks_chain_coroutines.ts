/**
 * The spec's "Example: Chain coroutines": `printSum()` waits for
 * `compute()` to finish before it prints.
 *
 * Run: deno run -A examples/tasks_chain_coroutines.ts
 *
 * @module
 */
import * as asyncio from "../mod.ts";

async function compute(x: number, y: number): Promise<number> {
  console.log(`Compute ${x} + ${y} ...`);
  await asyncio.sleep(1.0);
  return x + y;
}

async function printSum(x: number, y: number): Promise<void> {
  const result = await compute(x, y);
  console.log(`${x} + ${y} = ${result}`);
}

const loop = asyncio.getEventLoop();
// A function, so that the task runs printSum from its first line.
await loop.runUntilComplete(() => printSum(1, 2));
loop.close();
