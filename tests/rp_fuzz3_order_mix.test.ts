// Step order of tasks mixing the steps exam programs use (found by a random
// program generator compared with CPython; kept as a regression guard): a
// bounded queue's putNowait/getNowait errors, a condition's waitFor
// (predicate), done callbacks that callSoon, an event set from a
// callLater(0.0) callback, waitFor of a task, a task cancelled by another
// that catches CancelledError and returns, a TaskGroup with a failing child,
// and gather({returnExceptions}) with a cancelled task.
// Checked against CPython (tests/fixtures/py/rp_fuzz3_order_mix.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { pyRepr } from "../lib/format.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const child = asyncio.coroutine(async (tag: string) => {
    print(tag, "child a");
    await asyncio.sleep(0);
    print(tag, "child b");
    return tag;
  });
  const failer = asyncio.coroutine(async (tag: string): Promise<string> => {
    await asyncio.sleep(0);
    print(tag, "failing");
    throw new asyncio.ValueError(tag + " boom");
  });
  const victim = asyncio.coroutine(async (tag: string) => {
    try {
      await asyncio.sleep(10);
    } catch (e) {
      if (!(e instanceof asyncio.CancelledError)) throw e;
      print(tag, "victim caught", e.message, asyncio.currentTask()!.cancelling());
      return tag + " recovered";
    }
    return tag;
  });
  const loop = asyncio.getRunningLoop();
  const bq = new asyncio.Queue<string>(1);
  const cond = new asyncio.Condition();
  let counter = 0;

  const ticker = asyncio.coroutine(async () => {
    for (let i = 0; i < 8; i++) {
      await asyncio.sleep(0);
      await cond.withLock(() => {
        counter += 1;
        if (i % 2) cond.notify(1);
        else cond.notifyAll();
      });
    }
    print("ticker done");
  });

  const w0 = asyncio.coroutine(async () => {
    bq.putNowait("x");
    try {
      bq.putNowait("y");
    } catch (e) {
      if (!(e instanceof asyncio.QueueFull)) throw e;
      print("w0 full", e.constructor.name, pyRepr(e));
    }
    await cond.withLock(async () => {
      print("w0 pred", await cond.waitFor(() => counter >= 3), counter);
    });
    const t = asyncio.createTask(child("w0"));
    t.addDoneCallback((f) => loop.callSoon(print, "w0 soon after done", f.result()));
    print("w0 wait_for", await asyncio.waitFor(t, 10), t.done());
    const e2 = new asyncio.Event();
    loop.callLater(0.0, () => e2.set());
    loop.callSoon(print, "w0 soon before set");
    await e2.wait();
    print("w0 e2 seen", e2.isSet());
  });

  const w1 = asyncio.coroutine(async () => {
    print("w1 got", bq.getNowait());
    try {
      bq.getNowait();
    } catch (e) {
      if (!(e instanceof asyncio.QueueEmpty)) throw e;
      print("w1 empty", e.constructor.name, pyRepr(e));
    }
    const v = asyncio.createTask(victim("w1"));
    await asyncio.sleep(0);
    print("w1 cancel victim", v.cancel("w1 msg"));
    print("w1 victim returned", await v, v.cancelled(), v.done());
    let k1!: asyncio.Task<string>, k3!: asyncio.Task<string>;
    try {
      await new asyncio.TaskGroup().run((tg) => {
        k1 = tg.createTask(child("w1a"));
        tg.createTask(failer("w1"));
        k3 = tg.createTask(victim("w1s"));
        print("w1 tg body");
      });
    } catch (eg) {
      if (!(eg instanceof asyncio.ExceptionGroup)) throw eg;
      const n = eg.exceptions.length;
      print(
        "w1 eg",
        `${eg.message} (${n} sub-exception${n > 1 ? "s" : ""})`,
        ...eg.exceptions.map((x) => pyRepr(x)),
      );
      print("w1 tg kids", k1.result(), k3.cancelled(), k3.result());
    }
  });

  const w2 = asyncio.coroutine(async () => {
    const c = asyncio.createTask(child("w2c"));
    loop.callSoon(() => c.cancel());
    const res = await asyncio.gather(child("w2a"), failer("w2"), () => asyncio.sleep(0, "w2z"), c, {
      returnExceptions: true,
    });
    print("w2 gather", ...res.map((r) => pyRepr(r)));
  });

  await asyncio.gather(w0(), w1(), w2(), ticker());
  print("main end");
}

const EXPECTED = [
  "w0 full QueueFull QueueFull()",
  "w1 got x",
  "w1 empty QueueEmpty QueueEmpty()",
  "w1 cancel victim True",
  "w2c child a",
  "w2a child a",
  "w1 victim caught w1 msg 1",
  "w2a child b",
  "w2 failing",
  "w1 victim returned w1 recovered False True",
  "w1 tg body",
  "w1a child a",
  "w2 gather 'w2a' ValueError('w2 boom') 'w2z' CancelledError('')",
  "w0 pred True 3",
  "w1a child b",
  "w1 failing",
  "w0 child a",
  "w0 child b",
  "w1s victim caught  1",
  "w0 soon after done w0",
  "w0 wait_for w0 True",
  "ticker done",
  "w1 eg unhandled errors in a TaskGroup (1 sub-exception) ValueError('w1 boom')",
  "w1 tg kids w1a False w1s recovered",
  "w0 soon before set",
  "w0 e2 seen True",
  "main end",
];

test("mixed queue, condition, cancel, TaskGroup and gather steps run in CPython's order", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_fuzz3_order_mix.py", () => {
  const ref = pythonReference("rp_fuzz3_order_mix");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
