/**
 * The spec's "Example: Parallel execution of tasks": three factorial
 * computations run concurrently with `gather`, on a loop driven by
 * `runUntilComplete`.
 *
 * Run: deno run -A examples/tasks_parallel_factorial.ts
 *
 * @module
 */
import * as asyncio from "../mod.ts";

async function factorial(name: string, number: number) {
  let f = 1;
  for (let i = 2; i <= number; i++) {
    console.log(`Task ${name}: Compute factorial(${i})...`);
    await asyncio.sleep(1);
    f *= i;
  }
  console.log(`Task ${name}: factorial(${number}) = ${f}`);
}

const loop = asyncio.getEventLoop();
await loop.runUntilComplete(asyncio.gather(
  () => factorial("A", 2),
  () => factorial("B", 3),
  () => factorial("C", 4),
));
loop.close();
