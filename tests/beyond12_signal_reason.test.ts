// The AbortSignal in and out of a task, as the cancellation message goes:
// `createTask(c, { signal })` with a signal aborted with no reason cancels
// the task with no message (the runtime's own AbortError text differs
// between Deno, Bun and Node: "The signal has been aborted", "The operation
// was aborted.", "This operation was aborted"), as Python's `cancel()`; and
// `task.signal` first read after `cancel(msg)` (still pending, or done)
// carries `msg` in its CancelledError reason, as one read before does.
import { test } from "./harness.ts";
import { assert, assertEquals, assertInstanceOf, assertRejects } from "./assert.ts";
import * as asyncio from "../mod.ts";

test("createTask(c, {signal}): abort() with no reason cancels with no message", async () => {
  await asyncio.run(async () => {
    let ran = false;
    const pre = new AbortController();
    pre.abort();
    const t1 = asyncio.createTask(async () => {
      ran = true;
      await asyncio.sleep(1);
    }, { signal: pre.signal });
    const e1 = await assertRejects(() => t1 as PromiseLike<unknown>, asyncio.CancelledError);
    assertEquals(e1.message, "");
    assertEquals(ran, false);

    const later = new AbortController();
    const t2 = asyncio.createTask(() => asyncio.sleep(1), { signal: later.signal });
    await asyncio.sleep(0);
    later.abort();
    const e2 = await assertRejects(() => t2 as PromiseLike<unknown>, asyncio.CancelledError);
    assertEquals(e2.message, "");

    // An AbortError made by hand keeps its message; other reasons as before.
    const own = new AbortController();
    own.abort(new DOMException("user left", "AbortError"));
    const t3 = asyncio.createTask(() => asyncio.sleep(1), { signal: own.signal });
    assertEquals(
      (await assertRejects(() => t3 as PromiseLike<unknown>, asyncio.CancelledError)).message,
      "user left",
    );
    const t4 = asyncio.createTask(() => asyncio.sleep(1), { signal: AbortSignal.abort("why") });
    assertEquals(
      (await assertRejects(() => t4 as PromiseLike<unknown>, asyncio.CancelledError)).message,
      "why",
    );
  });
});

test("task.signal read after cancel(msg): its reason carries msg", async () => {
  await asyncio.run(async () => {
    const t = asyncio.createTask(() => asyncio.sleep(5));
    await asyncio.sleep(0);
    t.cancel("pending one");
    const s = t.signal; // first read while the cancellation is on its way
    assert(s.aborted);
    assertInstanceOf(s.reason, asyncio.CancelledError);
    assertEquals((s.reason as Error).message, "pending one");
    await assertRejects(() => t as PromiseLike<unknown>, asyncio.CancelledError);

    const t2 = asyncio.createTask(() => asyncio.sleep(5));
    await asyncio.sleep(0);
    t2.cancel("done one");
    await assertRejects(() => t2 as PromiseLike<unknown>, asyncio.CancelledError);
    assert(t2.signal.aborted); // first read once the task is cancelled
    assertEquals((t2.signal.reason as Error).message, "done one");

    const t3 = asyncio.createTask(async () => 1);
    await t3;
    assertEquals(t3.signal.aborted, false);
  });
});
