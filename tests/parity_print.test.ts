// console.log of values made inside tasks prints the same on Deno, Bun and
// Node. Node's async hooks put async_id_symbol, trigger_async_id_symbol and
// kResourceStore (the running Task) on every promise made while an
// AsyncLocalStorage is enabled, as own enumerable symbols, and util.inspect
// printed them: `Promise { <pending>, [Symbol(async_id_symbol)]: 368, ... }`.
import { test } from "./harness.ts";
import { assert, assertEquals } from "./assert.ts";
import { inspect } from "node:util";
import * as asyncio from "../mod.ts";

test("a promise made in a task prints without the host's hook keys", async () => {
  await asyncio.run(async () => {
    const task = asyncio.currentTask();
    const pending = (async () => {
      await asyncio.sleep(0.001);
    })();
    const done = (async () => 7)();
    await done;
    for (const [value, want] of [[pending, "<pending>"], [done, "7"]] as const) {
      for (const shown of [inspect(value), inspect([value]), inspect({ k: value })]) {
        assert(!shown.includes("Symbol("), shown);
        assert(!shown.includes("Task"), shown);
      }
      // Bun prints a settled value as <resolved>.
      const text = inspect(value).replace(/\s+/g, " ");
      assert(text === `Promise { ${want} }` || text === "Promise { <resolved> }", text);
    }
    // Printing hid the keys but left them to Node: the task's context
    // still follows the printed promise.
    await pending;
    assertEquals(asyncio.currentTask(), task);
  });
}, { timeout: 20 });
