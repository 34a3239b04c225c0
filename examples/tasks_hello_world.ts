/**
 * The spec's "Example: Hello World coroutine".
 *
 * Run: deno run -A examples/tasks_hello_world.ts
 *
 * @module
 */
import * as asyncio from "../mod.ts";

// As in the spec: a coroutine function, though it awaits nothing.
// deno-lint-ignore require-await
async function helloWorld() {
  console.log("Hello World!");
}

await asyncio.run(helloWorld);
