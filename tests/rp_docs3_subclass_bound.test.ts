// A subclass's own override of a method that the library binds on read
// (Event.set, Queue.putNowait, Lock.release, Future.setResult, Task.cancel)
// is bound too: passed alone as a callback, as Python passes a bound method
// (`loop.callLater(1, ev.set)`), it runs on its object, and a Handle names
// it by its class. Checked against CPython
// (tests/fixtures/py/rp_docs3_subclass_bound.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

type Print = (...args: unknown[]) => void;

async function app(print: Print): Promise<void> {
  class LoudEvent extends asyncio.Event {
    override set() {
      print("LoudEvent.set");
      super.set();
    }
  }
  class CountingQueue<T> extends asyncio.Queue<T> {
    count = 0;
    override putNowait(item: T) {
      this.count += 1;
      super.putNowait(item);
    }
  }
  class MyLock extends asyncio.Lock {
    override release() {
      print("MyLock.release");
      super.release();
    }
  }
  class MyFut<T> extends asyncio.Future<T> {
    override setResult(r: T) {
      print("MyFut.set_result", r);
      super.setResult(r);
    }
  }
  class MyTask<T> extends asyncio.Task<T> {
    override cancel(msg?: string) {
      print("MyTask.cancel", msg);
      return super.cancel(msg);
    }
  }
  async function work() {
    await asyncio.sleep(1);
  }

  const loop = asyncio.getRunningLoop();
  const ev = new LoudEvent();
  const th = String(loop.callLater(0.02, ev.set));
  print(th.split(" when=")[0], th.split(" ").at(-1));
  await ev.wait();
  print("event set", ev.isSet());
  const q = new CountingQueue<string>();
  loop.callSoon(q.putNowait, "a");
  print(String(loop.callSoon(q.putNowait, "b")));
  print(await q.get(), await q.get(), q.count);
  const lock = new MyLock();
  await lock.acquire();
  loop.callSoon(lock.release);
  await asyncio.sleep(0.01);
  print(lock.locked());
  const f = new MyFut<number>();
  print(String(loop.callSoon(f.setResult, 3)));
  print(await f);
  loop.setTaskFactory((loop, coro, kw) => new MyTask(coro as never, { loop, ...kw } as never));
  const t = asyncio.createTask(work);
  loop.callLater(0.02, t.cancel, "late");
  try {
    await t;
  } catch (e) {
    if (!(e instanceof asyncio.CancelledError)) throw e;
    print("cancelled", `CancelledError('${e.message}')`);
  }
  print(f.setResult === f.setResult, ev.set === ev.set);
}

const EXPECTED = [
  "<TimerHandle LoudEvent.set()>",
  "LoudEvent.set",
  "event set True",
  "<Handle CountingQueue.put_nowait('b')>",
  "a b 2",
  "MyLock.release",
  "False",
  "<Handle MyFut.set_result(3)>",
  "MyFut.set_result 3",
  "3",
  "MyTask.cancel late",
  "cancelled CancelledError('late')",
  "True True",
];

test("a subclass's overrides of bound methods are bound when passed alone", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_docs3_subclass_bound.py", () => {
  const ref = pythonReference("rp_docs3_subclass_bound");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
