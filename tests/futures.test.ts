// Future: state, result/exception, done callbacks, await, and their order.
import { test } from "./harness.ts";
import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertRejects,
  assertStrictEquals,
  assertThrows,
} from "./assert.ts";
import * as asyncio from "../mod.ts";

function withLoop<T>(fn: (loop: asyncio.AbstractEventLoop) => Promise<T> | T): Promise<T> {
  const loop = asyncio.newEventLoop();
  return Promise.resolve().then(() => fn(loop)).finally(() => loop.close());
}

test("a new future is pending; result() and exception() are InvalidStateError", () =>
  withLoop((loop) => {
    const f = loop.createFuture();
    assertEquals(f.done(), false);
    assertEquals(f.cancelled(), false);
    assertThrows(() => f.result(), asyncio.InvalidStateError, "Result is not set.");
    assertThrows(() => f.exception(), asyncio.InvalidStateError, "Exception is not set.");
    assertEquals(String(f), "<Future pending>");
    assertStrictEquals(f.getLoop(), loop);
  }));

test("setResult: result(), exception() null, and a second set is InvalidStateError", () =>
  withLoop((loop) => {
    const f = loop.createFuture<number>();
    f.setResult(1);
    assertEquals(f.done(), true);
    assertEquals(f.result(), 1);
    assertStrictEquals(f.exception(), null);
    assertEquals(String(f), "<Future finished result=1>");
    assertThrows(
      () => f.setResult(2),
      asyncio.InvalidStateError,
      "invalid state",
    );
    assertThrows(() => f.setException(new Error()), asyncio.InvalidStateError);
    assertEquals(f.cancel(), false);
  }));

test("setException: result() throws it; a class is instantiated", () =>
  withLoop((loop) => {
    const f = loop.createFuture();
    f.setException(new asyncio.ValueError("bad"));
    assertThrows(() => f.result(), asyncio.ValueError, "bad");
    assertInstanceOf(f.exception(), asyncio.ValueError);
    assertEquals(String(f), "<Future finished exception=ValueError('bad')>");
    const g = loop.createFuture();
    g.setException(asyncio.RuntimeError);
    assertInstanceOf(g.exception(), asyncio.RuntimeError);
    // CPython's C Future: set_exception(None) is "invalid exception object".
    const h = loop.createFuture();
    assertThrows(() => h.setException(null), TypeError, "invalid exception object");
    assertEquals(h.done(), false);
  }));

test("repr: a result is shown as reprlib shows it; a task's await is Task.task_wakeup()", () =>
  asyncio.run(async () => {
    const loop = asyncio.getRunningLoop();
    const show = (v: unknown) => {
      const f = loop.createFuture();
      f.setResult(v);
      return String(f).slice("<Future finished result=".length, -1);
    };
    // What CPython 3.11 prints for the same values.
    assertEquals(show([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]), "[0, 1, 2, 3, 4, 5, ...]");
    assertEquals(show([0, 1, 2]), "[0, 1, 2]");
    assertEquals(show("x".repeat(50)), "'xxxxxxxxxxxx...xxxxxxxxxxxxx'");
    assertEquals(show("short"), "'short'");
    assertEquals(show([[1, 2, 3, 4, 5, 6, 7]]), "[[1, 2, 3, 4, 5, 6, ...]]");
    assertEquals(
      show({ b: [1, 2], a: 1, e: 5, d: 4, c: 3 }),
      "{'a': 1, 'b': [1, 2], 'c': 3, 'd': 4, ...}",
    );
    assertEquals(
      show(12345678901234567890123456789012345678901234567890n),
      "123456789012345678...2345678901234567890",
    );
    assertEquals(show(null), "None");
    const f = loop.createFuture();
    const t = asyncio.createTask(async () => {
      await f;
    }, { name: "w" });
    await asyncio.sleep(0);
    assertEquals(String(f), "<Future pending cb=[Task.task_wakeup()]>");
    t.addDoneCallback(function done() {});
    assertEquals(
      String(t),
      "<Task pending name='w' coro=<<lambda>()> wait_for=<Future pending cb=[Task.task_wakeup()]> cb=[done()]>",
    );
    f.setResult(null);
    await t;
  }));

test("a task awaiting a future of another loop gets Python's RuntimeError at that await", async () => {
  const other = asyncio.newEventLoop();
  try {
    const f = other.createFuture();
    const msg = await asyncio.run(async () => {
      try {
        await f;
        return "not raised";
      } catch (e) {
        assertInstanceOf(e, asyncio.RuntimeError);
        return (e as Error).message;
      }
    });
    assert(
      /^Task <Task pending name='Task-\d+' .*> got Future <Future pending> attached to a different loop$/
        .test(msg),
      msg,
    );
  } finally {
    other.close();
  }
});

test("cancel(msg): cancelled, CancelledError carries the message", () =>
  withLoop((loop) => {
    const f = loop.createFuture();
    assertEquals(f.cancel("stop it"), true);
    assertEquals(f.cancelled(), true);
    assertEquals(f.done(), true);
    const e = assertThrows(() => f.result(), asyncio.CancelledError);
    assertEquals(e.message, "stop it");
    assertThrows(() => f.exception(), asyncio.CancelledError);
    assertEquals(f.cancel(), false);
  }));

test("done callbacks run via the loop, in registration order, once each", () =>
  withLoop(async (loop) => {
    const f = loop.createFuture<string>();
    const seen: string[] = [];
    f.addDoneCallback((fut: asyncio.Future<string>) => seen.push("a:" + fut.result()));
    const b = () => seen.push("b");
    f.addDoneCallback(b);
    f.addDoneCallback(b);
    f.addDoneCallback(() => seen.push("c"));
    assertEquals(f.removeDoneCallback(b), 2);
    f.setResult("x");
    assertEquals(seen, []); // not synchronously
    loop.callSoon(() => loop.stop());
    await loop.runForever();
    assertEquals(seen, ["a:x", "c"]);
    // Added after done: scheduled soon.
    f.addDoneCallback(() => seen.push("late"));
    loop.callSoon(() => loop.stop());
    await loop.runForever();
    assertEquals(seen, ["a:x", "c", "late"]);
  }));

test("one done callback, or several: removal, repr and the error report of a failing one", () =>
  withLoop(async (loop) => {
    const f = loop.createFuture<number>();
    function only() {}
    f.addDoneCallback(only);
    // Python's repr calls each callback: `cb=[only()]` (with no source
    // location here); three or more are the first, a count and the last.
    assertEquals(String(f), "<Future pending cb=[only()]>");
    function other() {}
    f.addDoneCallback(only);
    f.addDoneCallback(other);
    f.addDoneCallback(only);
    assertEquals(String(f), "<Future pending cb=[only(), <2 more>, only()]>");
    assertEquals(f.removeDoneCallback(only), 3);
    assertEquals(String(f), "<Future pending cb=[other()]>");
    assertEquals(f.removeDoneCallback(other), 1);
    assertEquals(String(f), "<Future pending>");
    f.addDoneCallback(only);
    assertEquals(f.removeDoneCallback(only), 1);
    assertEquals(String(f), "<Future pending>");
    const contexts: Record<string, unknown>[] = [];
    loop.setExceptionHandler((_l, ctx) => contexts.push(ctx));
    function boom(): void {
      throw new Error("in callback");
    }
    const seen: string[] = [];
    f.addDoneCallback(boom);
    f.addDoneCallback(() => seen.push("after"));
    f.setResult(1);
    loop.callSoon(() => loop.stop());
    await loop.runForever();
    // The failing callback is reported as the Handle Python would show; the next one still runs.
    assertEquals(seen, ["after"]);
    assertEquals(contexts.length, 1);
    assertEquals(contexts[0].message, "Exception in callback boom(<Future finished result=1>)");
    assertEquals(String(contexts[0].handle), "<Handle boom(<Future finished result=1>)>");
    assertEquals((contexts[0].exception as Error).message, "in callback");
    assertEquals(contexts[0].source_traceback, undefined);
  }));

test("debug mode: a failing done callback's report says where it was scheduled", () =>
  withLoop(async (loop) => {
    loop.setDebug(true);
    const contexts: Record<string, unknown>[] = [];
    loop.setExceptionHandler((_l, ctx) => contexts.push(ctx));
    const f = loop.createFuture<number>();
    f.addDoneCallback(function failing(): void {
      throw new Error("x");
    });
    (function scheduleHere() {
      f.setResult(2);
    })();
    loop.callSoon(() => loop.stop());
    await loop.runForever();
    assertEquals(contexts.length, 1);
    const where = String(contexts[0].source_traceback);
    assert(where.includes("scheduleHere"), where);
  }));

test("await a future inside a task; a rejected future throws at the await", () =>
  withLoop(async (loop) => {
    const f = loop.createFuture<number>();
    const g = loop.createFuture<number>();
    loop.callLater(0.01, () => f.setResult(5));
    loop.callLater(0.02, () => g.setException(new asyncio.ValueError("no")));
    const r = await loop.runUntilComplete(async () => {
      const v = await f;
      try {
        await g;
      } catch (e) {
        return [v, (e as Error).message];
      }
    });
    assertEquals(r, [5, "no"]);
  }));

test("Promise.resolve(future) adopts it; .then/.catch work like a promise", () =>
  withLoop(async (loop) => {
    const f = loop.createFuture<number>();
    const p = Promise.resolve(f as PromiseLike<number>).then((v) => v * 2);
    const c = f.then((v) => v + 1);
    loop.callSoon(() => f.setResult(20));
    await loop.runUntilComplete(async () => {
      assertEquals(await p, 40);
      assertEquals(await c, 21);
    });
    const bad = loop.createFuture();
    bad.setException(new Error("x"));
    assertEquals(await bad.catch((e) => (e as Error).message), "x");
  }));

test("task steps interleave in Python's order (a1 b1 a2 b2)", () =>
  withLoop(async (loop) => {
    const out: string[] = [];
    async function worker(name: string) {
      out.push(name + "1");
      await asyncio.sleep(0);
      out.push(name + "2");
      await asyncio.sleep(0);
      out.push(name + "3");
    }
    await loop.runUntilComplete(async () => {
      const a = asyncio.createTask(() => worker("a"));
      const b = asyncio.createTask(() => worker("b"));
      loop.callSoon(() => out.push("cb"));
      await a;
      await b;
    });
    // Python: tasks start in creation order on the next iteration; the
    // plain callback scheduled after them runs after their first steps.
    assertEquals(out, ["a1", "b1", "cb", "a2", "b2", "a3", "b3"]);
  }));

test("a task is cancelled at the innermost await of a nested helper", () =>
  withLoop(async (loop) => {
    const log: string[] = [];
    async function inner() {
      try {
        await asyncio.sleep(10);
      } catch (e) {
        log.push("inner:" + (e as Error).name);
        throw e;
      }
    }
    async function outer() {
      await inner();
    }
    await loop.runUntilComplete(async () => {
      const t = asyncio.createTask(outer);
      await asyncio.sleep(0.01);
      assertEquals(t.cancel("enough"), true);
      await assertRejects(() => t as PromiseLike<unknown>, asyncio.CancelledError);
      assert(t.cancelled());
    });
    assertEquals(log, ["inner:CancelledError"]);
  }));

test("currentTask() is right in every segment of the task's async code", () =>
  withLoop(async (loop) => {
    const names: string[] = [];
    async function probe(tag: string) {
      names.push(tag + ":" + asyncio.currentTask()?.getName());
      await asyncio.sleep(0);
      names.push(tag + ":" + asyncio.currentTask()?.getName());
      await new Promise((r) => setTimeout(r, 5));
      names.push(tag + ":" + asyncio.currentTask()?.getName());
    }
    await loop.runUntilComplete(async () => {
      await Promise.all([
        asyncio.createTask(() => probe("x"), { name: "X" }),
        asyncio.createTask(() => probe("y"), { name: "Y" }),
      ]);
    });
    assertEquals(names.filter((n) => n.startsWith("x")), ["x:X", "x:X", "x:X"]);
    assertEquals(names.filter((n) => n.startsWith("y")), ["y:Y", "y:Y", "y:Y"]);
    // Outside a running loop there is no current task to ask about (Python).
    assertThrows(() => asyncio.currentTask(), asyncio.RuntimeError, "no running event loop");
    assertThrows(() => asyncio.allTasks(), asyncio.RuntimeError, "no running event loop");
    assertStrictEquals(asyncio.currentTask(loop), null);
    assertEquals(asyncio.allTasks(loop).size, 0);
  }));

test("context variables: a task copies the context; callbacks run in theirs", () =>
  withLoop(async (loop) => {
    const v = new asyncio.ContextVar<string>("v", { default: "root" });
    const seen: string[] = [];
    await loop.runUntilComplete(async () => {
      v.set("main");
      const t = asyncio.createTask(async () => {
        seen.push("task:" + v.get());
        v.set("task");
        await asyncio.sleep(0);
        seen.push("task-after:" + v.get());
      });
      await t;
      seen.push("main:" + v.get());
      loop.callSoon(() => seen.push("cb:" + v.get()));
      await asyncio.sleep(0);
    });
    assertEquals(seen, ["task:main", "task-after:task", "main:main", "cb:main"]);
  }));
