// A task made straight from a library call that must wait (an unset event,
// an empty or full queue, a held lock, a sleep, a condition, a barrier, a
// join) starts it when the task first runs, after the tasks made before it,
// as Python's coroutine objects do. Checked against CPython
// (tests/fixtures/py/rp_lazy_library_calls.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const masked = (s: string) => s.replace(/0x[0-9a-f]+/g, "0x..");

async function worker(
  name: string,
  q: asyncio.Queue<unknown>,
  lock: asyncio.Lock,
  ev: asyncio.Event,
  print: (...args: unknown[]) => void,
): Promise<void> {
  await lock.acquire();
  try {
    print(name, "has the lock");
    print(name, "got", await q.get());
  } finally {
    lock.release();
  }
  await ev.wait();
  print(name, "saw the event");
}

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const q = new asyncio.Queue<unknown>();
  const lock = new asyncio.Lock();
  const ev = new asyncio.Event();
  await lock.acquire();
  const w = asyncio.createTask(() => worker("w", q, lock, ev, print));
  const g = asyncio.createTask(q.get());
  const a = asyncio.createTask(lock.acquire());
  const e = asyncio.createTask(ev.wait());
  print("made", String(q), masked(String(ev)));
  lock.release();
  q.putNowait(1);
  q.putNowait(2);
  await asyncio.sleep(0.01);
  print("g", g.result(), "a", a.done(), "locked", lock.locked());
  // set then clear before the waiting task has started: it never saw it.
  const late = asyncio.createTask(ev.wait());
  ev.set();
  ev.clear();
  await asyncio.sleep(0.01);
  print("e", e.done(), "late", late.done(), "w", w.done());
  late.cancel();
  lock.release();
  ev.set();
  await asyncio.gather(w, e, { returnExceptions: true });
  print("after set", e.result(), w.done(), late.cancelled());

  // A coroutine object, unstarted, is named as Python names it.
  const c = q.get();
  print(masked(String(c)), asyncio.iscoroutine(c));
  const t = asyncio.createTask(c, { name: "getter" });
  // The coroutine's name; Python adds its file and line, as a port cannot.
  print(/coro=<([^(]*)\(/.exec(String(t))![1]);
  q.putNowait("x");
  print("qsize before the task ran", q.qsize());
  print("getter", await t, q.qsize());

  // A bounded queue: a put that must wait goes after the putter made first.
  const bq = new asyncio.Queue<string>({ maxsize: 1 });
  bq.putNowait("full");
  const putter = async (x: string) => {
    await bq.put(x);
    print("putter put", x);
  };
  const p1 = asyncio.createTask(() => putter("p1"));
  const p2 = asyncio.createTask(bq.put("p2"));
  await asyncio.sleep(0);
  print("got", bq.getNowait());
  await asyncio.sleep(0);
  print("got", bq.getNowait());
  await asyncio.sleep(0);
  print("got", bq.getNowait(), p1.done(), p2.done());

  // A sleep task cancelled before it started never slept.
  const loop = asyncio.getRunningLoop();
  const s = asyncio.createTask(asyncio.sleep(10));
  s.cancel();
  const t0 = loop.time();
  try {
    await s;
  } catch (err) {
    if (!(err instanceof asyncio.CancelledError)) throw err;
    print("sleep cancelled at once", loop.time() - t0 < 1);
  }

  // join made before the items are done; a condition wait and a barrier.
  const jq = new asyncio.Queue<string>();
  jq.putNowait("job");
  const j = asyncio.createTask(jq.join());
  jq.getNowait();
  jq.taskDone();
  await asyncio.sleep(0);
  print("join", j.done());
  const cond = new asyncio.Condition();
  let cw!: asyncio.Task<unknown>;
  await cond.withLock(() => {
    cw = asyncio.createTask(cond.wait());
    print("cond locked while task not started", cond.locked());
  });
  await asyncio.sleep(0);
  const err = cw.exception() as Error;
  print("cond wait failed:", err.name, err.message);
  const b = new asyncio.Barrier(2);
  const bw = asyncio.createTask(b.wait());
  print("barrier", b.nWaiting);
  await asyncio.sleep(0);
  print("barrier", b.nWaiting);
  bw.cancel();
  await asyncio.gather(bw, { returnExceptions: true });
}

const EXPECTED = [
  "made <Queue maxsize=0> <asyncio.locks.Event object at 0x.. [unset]>",
  "w has the lock",
  "w got 1",
  "g 2 a True locked True",
  "w saw the event",
  "e True late False w True",
  "after set True True True",
  "<coroutine object Queue.get at 0x..> True",
  "Queue.get",
  "qsize before the task ran 1",
  "getter x 0",
  "got full",
  "putter put p1",
  "got p1",
  "got p2 True True",
  "sleep cancelled at once True",
  "join True",
  "cond locked while task not started True",
  "cond wait failed: RuntimeError cannot wait on un-acquired lock",
  "barrier 0",
  "barrier 1",
];

test("a task made from a library call that must wait starts it in its turn", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_lazy_library_calls.py", () => {
  const ref = pythonReference("rp_lazy_library_calls");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
