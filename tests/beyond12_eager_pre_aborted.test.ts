// eagerTaskFactory with a signal aborted before createTask: the task is
// cancelled before its coroutine starts, as a lazy task is (the body never
// runs), where createTask used to throw a TypeError (the abort reached the
// eager task's cancel() inside its constructor, before its fields existed).
// A signal aborted later still reaches the eagerly started coroutine.
import { test } from "./harness.ts";
import { assertEquals, assertRejects } from "./assert.ts";
import * as asyncio from "../mod.ts";

test("eager task, signal aborted already: cancelled, the body never runs", async () => {
  const log: string[] = [];
  await asyncio.run(async () => {
    asyncio.getRunningLoop().setTaskFactory(asyncio.eagerTaskFactory);
    const ac = new AbortController();
    ac.abort("no thanks");
    const t = asyncio.createTask(async () => {
      log.push("body ran");
      await asyncio.sleep(1);
    }, { signal: ac.signal, name: "pre" });
    log.push(`created cancelling=${t.cancelling()} done=${t.done()}`);
    const e = await assertRejects(() => t as PromiseLike<unknown>, asyncio.CancelledError);
    log.push(`cancelled=${t.cancelled()} msg=${e.message} name=${t.getName()}`);

    const later = new AbortController();
    const t2 = asyncio.createTask(async () => {
      log.push("t2 started");
      try {
        await asyncio.sleep(1);
      } catch (e) {
        log.push("t2 got " + (e as Error).message);
        throw e;
      }
    }, { signal: later.signal });
    later.abort("later");
    await assertRejects(() => t2 as PromiseLike<unknown>, asyncio.CancelledError);
  });
  assertEquals(log, [
    "created cancelling=1 done=false",
    "cancelled=true msg=no thanks name=pre",
    "t2 started",
    "t2 got later",
  ]);
});
