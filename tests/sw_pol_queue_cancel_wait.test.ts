// A task made from a queue call (`createTask(q.get())`, `gather(q.put(x))`)
// that is cancelled while it waits takes no item and fills no slot, as the
// cancelled coroutine does in Python; the constructor's argument errors and
// the wrong-loop error's repr. Checked against CPython
// (tests/fixtures/py/sw_pol_queue_cancel_wait.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function cancelWaits(print: (...args: unknown[]) => void): Promise<void> {
  const q = new asyncio.Queue<string>();
  const g = asyncio.createTask(q.get());
  await asyncio.sleep(0);
  print("waiting", String(q));
  g.cancel();
  await asyncio.sleep(0);
  print("cancelled", g.cancelled(), String(q));
  q.putNowait("a");
  print("kept", q.qsize(), q.getNowait());

  // The wait(FIRST_COMPLETED) pattern: the losing get is cancelled.
  const gt: asyncio.Task<unknown> = asyncio.createTask(q.get());
  const st: asyncio.Task<unknown> = asyncio.createTask(asyncio.sleep(0.01));
  const [, pending] = await asyncio.wait([gt, st], { returnWhen: asyncio.FIRST_COMPLETED });
  for (const t of pending) t.cancel();
  await asyncio.sleep(0);
  q.putNowait("b");
  print("after wait", pending.has(gt), String(q));

  // Woken by a put, then cancelled before it ran: the item goes to the next getter.
  q.getNowait();
  q.taskDone();
  q.taskDone();
  const g1 = asyncio.createTask(q.get());
  const g2 = asyncio.createTask(q.get());
  await asyncio.sleep(0);
  q.putNowait("c");
  g1.cancel();
  print("g2 got", await g2, "g1 cancelled", g1.cancelled(), String(q));

  // A gather of gets and puts, cancelled.
  const bq = new asyncio.Queue<number>(1);
  bq.putNowait(0);
  const gath = asyncio.gather(bq.put(1), q.get());
  await asyncio.sleep(0);
  print("gather waiting", String(bq), String(q));
  gath.cancel();
  try {
    await gath;
  } catch (e) {
    if (!(e instanceof asyncio.CancelledError)) throw e;
    print("gather cancelled", String(bq), String(q));
  }
  print(bq.getNowait(), bq.empty());

  // A blocked put made a task, cancelled after a get freed its slot.
  bq.putNowait(1);
  const p1 = asyncio.createTask(bq.put(2));
  const p2 = asyncio.createTask(bq.put(3));
  await asyncio.sleep(0);
  bq.getNowait();
  p1.cancel();
  await p2;
  print("p1 cancelled", p1.cancelled(), String(bq));
}

async function constructorsAndLoops(print: (...args: unknown[]) => void): Promise<void> {
  // deno-lint-ignore no-explicit-any
  const A = asyncio as any;
  for (
    const make of [
      () => new A.Queue(1, 2),
      () => new A.LifoQueue(1, 2),
      () => new A.PriorityQueue(1, 2),
      () => new A.Queue(1, { loop: null }),
      () => new A.LifoQueue({ foo: 1 }),
      () => new A.PriorityQueue({ foo: 1 }),
    ]
  ) {
    try {
      make();
    } catch (e) {
      if (!(e instanceof TypeError)) throw e;
      print("TypeError", e.message);
    }
  }
  const shared = new asyncio.Queue<number>();
  await asyncio.run(async () => {
    const t = asyncio.createTask(shared.get());
    await asyncio.sleep(0);
    shared.putNowait(1);
    await t;
  });
  await asyncio.run(async () => {
    try {
      await shared.get();
    } catch (e) {
      if (!(e instanceof asyncio.RuntimeError)) throw e;
      print("RuntimeError", e.message.replace(/0x[0-9a-f]+/g, "0x..."));
    }
  });
}

const EXPECTED = [
  "waiting <Queue maxsize=0 _getters[1]>",
  "cancelled True <Queue maxsize=0>",
  "kept 1 a",
  "after wait True <Queue maxsize=0 _queue=['b'] tasks=2>",
  "g2 got c g1 cancelled True <Queue maxsize=0 tasks=1>",
  "gather waiting <Queue maxsize=1 _queue=[0] _putters[1] tasks=1> <Queue maxsize=0 _getters[1] tasks=1>",
  "gather cancelled <Queue maxsize=1 _queue=[0] tasks=1> <Queue maxsize=0 tasks=1>",
  "0 True",
  "p1 cancelled True <Queue maxsize=1 _queue=[3] tasks=3>",
  "TypeError Queue.__init__() takes from 1 to 2 positional arguments but 3 were given",
  "TypeError Queue.__init__() takes from 1 to 2 positional arguments but 3 were given",
  "TypeError Queue.__init__() takes from 1 to 2 positional arguments but 3 were given",
  "TypeError Queue.__init__() got an unexpected keyword argument 'loop'",
  "TypeError Queue.__init__() got an unexpected keyword argument 'foo'",
  "TypeError Queue.__init__() got an unexpected keyword argument 'foo'",
  "RuntimeError <Queue at 0x... maxsize=0 tasks=1> is bound to a different event loop",
];

test("queue calls made into tasks and cancelled take nothing; constructor errors", async () => {
  const out: string[] = [];
  const print = printer(out);
  await asyncio.run(() => cancelWaits(print));
  await constructorsAndLoops(print);
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for sw_pol_queue_cancel_wait.py", () => {
  const ref = pythonReference("sw_pol_queue_cancel_wait");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
