// A function an executor runs on the main thread in a thread's stead has
// no current event loop of its own, as a Python thread has none: the
// policy's loop is kept per thread. getEventLoop() there returned the main
// thread's loop (then running: runUntilComplete on it failed; a Future
// made there was bound to it), and the loop the function set, or
// asyncio.run() set and cleared, replaced the main thread's. The
// RuntimeError names the thread as Python does: `asyncio_0` for the
// default executor's first one, `<prefix>_0` for a pool given a
// threadNamePrefix. Checked against CPython
// (tests/fixtures/py/rp_runner10_thread_loop.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function sub(tag: string): Promise<string> {
  await asyncio.sleep(0);
  return tag;
}

function app(print: (...args: unknown[]) => void) {
  const inThread = async (label: string) => {
    try {
      asyncio.getRunningLoop();
    } catch (e) {
      print(label, "get_running_loop:", (e as Error).message);
    }
    try {
      asyncio.getEventLoop();
    } catch (e) {
      print(label, "get_event_loop:", (e as Error).message);
    }
    try {
      new asyncio.Future();
    } catch (e) {
      print(label, "Future():", (e as Error).message);
    }
    const loop = asyncio.newEventLoop();
    asyncio.setEventLoop(loop);
    print(label, "own loop current", asyncio.getEventLoop() === loop);
    print(label, "run_until_complete", await loop.runUntilComplete(() => sub("own")));
    loop.close();
    asyncio.setEventLoop(null);
    print(label, "asyncio.run", await asyncio.run(() => sub("run")));
    try {
      asyncio.getEventLoop();
    } catch (e) {
      print(label, "after run:", (e as Error).message);
    }
    return label + " done";
  };
  return async () => {
    const loop = asyncio.getRunningLoop();
    print(await asyncio.toThread(inThread, "to_thread"));
    {
      await using pool = new asyncio.ThreadPoolExecutor({ threadNamePrefix: "pool" });
      print(await loop.runInExecutor(pool, inThread, "named"));
    }
    print("main still current", asyncio.getEventLoopPolicy().getEventLoop() === loop);
    return "main done";
  };
}

const EXPECTED = [
  "to_thread get_running_loop: no running event loop",
  "to_thread get_event_loop: There is no current event loop in thread 'asyncio_0'.",
  "to_thread Future(): There is no current event loop in thread 'asyncio_0'.",
  "to_thread own loop current True",
  "to_thread run_until_complete own",
  "to_thread asyncio.run run",
  "to_thread after run: There is no current event loop in thread 'asyncio_0'.",
  "to_thread done",
  "named get_running_loop: no running event loop",
  "named get_event_loop: There is no current event loop in thread 'pool_0'.",
  "named Future(): There is no current event loop in thread 'pool_0'.",
  "named own loop current True",
  "named run_until_complete own",
  "named asyncio.run run",
  "named after run: There is no current event loop in thread 'pool_0'.",
  "named done",
  "main still current True",
  "main done",
  "main loop current after True",
];

test("a thread's functions have their own current loop, and leave the main thread's", async () => {
  const out: string[] = [];
  const print = printer(out);
  const mainLoop = asyncio.newEventLoop();
  asyncio.setEventLoop(mainLoop);
  try {
    print(await mainLoop.runUntilComplete(app(print)));
    print("main loop current after", asyncio.getEventLoop() === mainLoop);
  } finally {
    mainLoop.close();
    asyncio.setEventLoop(null);
  }
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_runner10_thread_loop.py", () => {
  const ref = pythonReference("rp_runner10_thread_loop");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
