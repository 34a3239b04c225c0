// Loop functions and policies: getEventLoop, setEventLoop, newEventLoop,
// getRunningLoop, get/setEventLoopPolicy.
import { test } from "./harness.ts";
import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertNotEquals,
  assertStrictEquals,
  assertThrows,
} from "./assert.ts";
import * as asyncio from "../mod.ts";

test("getEventLoop() makes one loop in the main thread and returns it every time", () => {
  asyncio.setEventLoopPolicy(null);
  const a = asyncio.getEventLoop();
  assertInstanceOf(a, asyncio.SelectorEventLoop);
  assertStrictEquals(asyncio.getEventLoop(), a);
  a.close();
  asyncio.setEventLoopPolicy(null);
});

test("setEventLoop(loop) makes it current; setEventLoop(null) then getEventLoop() is a RuntimeError", () => {
  asyncio.setEventLoopPolicy(null);
  const loop = asyncio.newEventLoop();
  asyncio.setEventLoop(loop);
  assertStrictEquals(asyncio.getEventLoop(), loop);
  asyncio.setEventLoop(null);
  assertThrows(
    () => asyncio.getEventLoop(),
    asyncio.RuntimeError,
    "There is no current event loop in thread",
  );
  loop.close();
  asyncio.setEventLoopPolicy(null);
});

test("setEventLoop with a non-loop is a TypeError", () => {
  assertThrows(() => asyncio.setEventLoop({} as never), TypeError);
});

test("newEventLoop() makes a new loop each time", () => {
  const a = asyncio.newEventLoop();
  const b = asyncio.newEventLoop();
  assertNotEquals(a, b);
  assert(a !== b);
  a.close();
  b.close();
});

test("getRunningLoop(): RuntimeError outside a loop; the loop inside callbacks and tasks", async () => {
  assertThrows(() => asyncio.getRunningLoop(), asyncio.RuntimeError, "no running event loop");
  const loop = asyncio.newEventLoop();
  let inCallback: unknown = null;
  let inTask: unknown = null;
  let afterAwait: unknown = null;
  loop.callSoon(() => (inCallback = asyncio.getRunningLoop()));
  await loop.runUntilComplete(async () => {
    inTask = asyncio.getRunningLoop();
    await asyncio.sleep(0);
    afterAwait = asyncio.getEventLoop();
  });
  assertStrictEquals(inCallback, loop);
  assertStrictEquals(inTask, loop);
  assertStrictEquals(afterAwait, loop);
  loop.close();
  assertThrows(() => asyncio.getRunningLoop(), asyncio.RuntimeError);
});

test("running a loop from inside another loop's task is a RuntimeError", async () => {
  const outer = asyncio.newEventLoop();
  const inner = asyncio.newEventLoop();
  let err: unknown;
  await outer.runUntilComplete(async () => {
    try {
      await inner.runUntilComplete(inner.createFuture());
    } catch (e) {
      err = e;
    }
  });
  assertInstanceOf(err, asyncio.RuntimeError);
  outer.close();
  inner.close();
});

test("asyncio.run() inside a running loop is a RuntimeError; a non-coroutine a ValueError", async () => {
  const loop = asyncio.newEventLoop();
  let err: unknown;
  await loop.runUntilComplete(async () => {
    try {
      await asyncio.run(async () => {});
    } catch (e) {
      err = e;
    }
  });
  loop.close();
  assertInstanceOf(err, asyncio.RuntimeError);
  let bad: unknown;
  try {
    await asyncio.run(5 as never);
  } catch (e) {
    bad = e;
  }
  assertInstanceOf(bad, asyncio.ValueError);
});

test("setEventLoopPolicy: a custom policy is used; null restores the default; junk is a TypeError", () => {
  const made: asyncio.AbstractEventLoop[] = [];
  class PollPolicy extends asyncio.DefaultEventLoopPolicy {
    override newEventLoop() {
      const l = new asyncio.SelectorEventLoop(new asyncio.PollSelector());
      made.push(l);
      return l;
    }
  }
  const p = new PollPolicy();
  asyncio.setEventLoopPolicy(p);
  assertStrictEquals(asyncio.getEventLoopPolicy(), p);
  const loop = asyncio.newEventLoop();
  assertStrictEquals(made[0], loop);
  loop.close();
  asyncio.setEventLoopPolicy(null);
  assertInstanceOf(asyncio.getEventLoopPolicy(), asyncio.DefaultEventLoopPolicy);
  assert(asyncio.getEventLoopPolicy() !== p);
  assertThrows(
    () => asyncio.setEventLoopPolicy(3 as never),
    TypeError,
    "policy must be an instance of AbstractEventLoopPolicy or None, not 'int'",
  );
  assertThrows(
    () => asyncio.setEventLoop({} as never),
    TypeError,
    "loop must be an instance of AbstractEventLoop or None, not 'dict'",
  );
});

test("AbstractEventLoopPolicy and AbstractEventLoop methods raise NotImplementedError", () => {
  class P extends asyncio.AbstractEventLoopPolicy {}
  assertThrows(() => new P().getEventLoop(), asyncio.NotImplementedError);
  assertThrows(() => new P().newEventLoop(), asyncio.NotImplementedError);
  class L extends asyncio.AbstractEventLoop {}
  assertThrows(() => new L().callSoon(() => {}), asyncio.NotImplementedError);
  assertThrows(() => new L().time(), asyncio.NotImplementedError);
});

test("asyncio.run(main()): tasks that main's first segment made on getEventLoop()'s loop run", async () => {
  asyncio.setEventLoopPolicy(null); // a fresh policy: no loop made yet
  try {
    let made: asyncio.AbstractEventLoop | null = null;
    const main = async () => {
      // Runs now, before asyncio.run() has a loop: gather binds its tasks
      // to the loop getEventLoop() makes (Python's get_event_loop()).
      const g = asyncio.gather(() => asyncio.sleep(0.01, 1), () => asyncio.sleep(0, 2));
      made = asyncio.getEventLoop();
      return await g;
    };
    assertEquals(await asyncio.run(main()), [1, 2]);
    assert(made !== null && (made as asyncio.AbstractEventLoop).isClosed());
    // A function is run on a new loop, as always.
    let inner: asyncio.AbstractEventLoop | null = null;
    await asyncio.run(async () => {
      inner = asyncio.getRunningLoop();
    });
    assert(inner !== null && inner !== made);
  } finally {
    asyncio.setEventLoopPolicy(null);
  }
});

test("the loop and policy classes print CPython's Unix names", () => {
  asyncio.setEventLoopPolicy(null);
  const policy = asyncio.getEventLoopPolicy();
  assertEquals(policy.constructor.name, "_UnixDefaultEventLoopPolicy");
  assertEquals(asyncio.DefaultEventLoopPolicy.name, "_UnixDefaultEventLoopPolicy");
  const loop = asyncio.newEventLoop();
  assertEquals(loop.constructor.name, "_UnixSelectorEventLoop");
  assertEquals(asyncio.SelectorEventLoop.name, "_UnixSelectorEventLoop");
  assertEquals(String(loop), "<_UnixSelectorEventLoop running=False closed=False debug=False>");
  // A subclass keeps its own name, in its repr too.
  class MyLoop extends asyncio.SelectorEventLoop {}
  const mine = new MyLoop();
  assertEquals(String(mine), "<MyLoop running=False closed=False debug=False>");
  mine.close();
  loop.close();
  asyncio.setEventLoopPolicy(null);
});
