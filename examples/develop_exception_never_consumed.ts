/**
 * The spec's "Develop with asyncio: Detect exceptions never consumed"
 * example: a task raises an exception that nobody retrieves, and when the
 * task is garbage-collected the loop's exception handler reports
 *
 *   Task exception was never retrieved
 *   future: <Task finished name='Task-1' coro=<bug()> exception=Exception('not consumed')>
 *
 * (this library notices the collection with a FinalizationRegistry, so the
 * example forces collections and needs the GC exposed: `--expose-gc` on
 * Node, `--v8-flags=--expose-gc` on Deno; Bun has `Bun.gc()`). Then the
 * spec's two fixes, which consume the exception: awaiting the coroutine in
 * another one with try/catch, and `runUntilComplete(task)`; both print
 * "exception consumed", as the spec's Python does (notes about the
 * collection go to stderr, so stdout is Python's).
 *
 * Run: deno run -A --v8-flags=--expose-gc examples/develop_exception_never_consumed.ts
 *
 * @module
 */
import * as asyncio from "../mod.ts";

/** Python's `Exception`. */
class Exception extends Error {
  override name = "Exception";
}

async function bug(): Promise<void> {
  // One step in before failing: a task whose body throws before its first
  // await is not collected on Deno (something keeps it), so never reported.
  await asyncio.sleep(0);
  throw new Exception("not consumed");
}

// deno-lint-ignore no-explicit-any
const g = globalThis as any;
/** Forces a full collection, or null when this runtime does not expose one. */
const gc: (() => void) | null = typeof g.gc === "function"
  ? () => g.gc()
  : typeof g.Bun?.gc === "function"
  ? () => g.Bun.gc(true)
  : null;

const loop = asyncio.getEventLoop();

// 1. The bug: nobody keeps the task or asks for its exception.
if (gc === null) {
  console.error(
    "Skipping the unconsumed exception: it needs the GC exposed " +
      "(node --expose-gc, deno run --v8-flags=--expose-gc)",
  );
} else {
  // The default handler logs the report; this one also notes that it came.
  let reported = false;
  loop.setExceptionHandler((l, context) => {
    reported = true;
    l.defaultExceptionHandler(context);
  });
  loop.createTask(async () => {
    // Created in a function of its own, so that nothing refers to it after.
    (() => void asyncio.createTask(bug))();
    // Let it finish, then collect until the loop has reported it (the
    // runtime runs finalizers when it pleases: give it a few rounds).
    await asyncio.sleep(0.05);
    for (let i = 0; i < 100 && !reported; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 20));
      await asyncio.sleep(0);
    }
    if (!reported) console.error("(the task was not collected this time)");
    loop.stop();
  });
  await loop.runForever();
}

loop.setExceptionHandler(null);

// 2. The first fix: chain the coroutine in another one and catch.
async function handleException(): Promise<void> {
  try {
    await bug();
  } catch {
    console.log("exception consumed");
  }
}
loop.createTask(async () => {
  await handleException();
  loop.stop();
});
await loop.runForever();

// 3. The second fix: runUntilComplete() on the task raises its exception.
const task = loop.createTask(bug);
try {
  await loop.runUntilComplete(task);
} catch {
  console.log("exception consumed");
}
loop.close();
