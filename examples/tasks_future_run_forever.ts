/**
 * The spec's "Example: Future with run_forever()": the same as
 * tasks_future_run_until_complete.ts, with a done callback that prints the
 * result and stops the loop.
 *
 * Run: deno run -A examples/tasks_future_run_forever.ts
 *
 * @module
 */
import * as asyncio from "../mod.ts";

async function slowOperation(future: asyncio.Future<string>) {
  await asyncio.sleep(1);
  future.setResult("Future is done!");
}

function gotResult(future: asyncio.Future<string>) {
  console.log(future.result());
  loop.stop();
}

const loop = asyncio.getEventLoop();
const future = new asyncio.Future<string>();
asyncio.ensureFuture(() => slowOperation(future));
future.addDoneCallback(gotResult);
try {
  await loop.runForever();
} finally {
  loop.close();
}
