// Cancellation puzzles whose step-by-step order CPython 3.11 fixes: a task
// cancelled in the iteration its `waitFor(q.get(), t)` (or lock acquire)
// finished keeps the result (3.11's wait_for drops that cancel); Event
// waiters cancelled just before and just after set(); a queue's str counting
// cancelled getters and putters until their tasks run.
// Checked against CPython (tests/fixtures/py/rp_queue7_cancel_steps.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

/** Python's repr of a list of strings (none here holds a quote). */
const strs = (xs: string[]) => `[${xs.map((x) => `'${x}'`).join(", ")}]`;
/** Python's repr of a list of booleans. */
const bools = (xs: boolean[]) => `[${xs.map((x) => (x ? "True" : "False")).join(", ")}]`;

async function app(print: (...args: unknown[]) => void): Promise<void> {
  for (let k = 0; k < 5; k++) {
    const q = new asyncio.Queue<number>();
    const log: string[] = [];
    const getter = async () => {
      try {
        const v = await asyncio.waitFor(q.get(), 10);
        log.push(`got ${v}`);
        await asyncio.sleep(0);
        log.push("survived");
      } catch (e) {
        if (e instanceof asyncio.CancelledError) log.push("cancelled");
        throw e;
      }
      return null;
    };
    const t = asyncio.createTask(getter);
    await asyncio.sleep(0);
    await asyncio.sleep(0);
    q.putNowait(k);
    for (let i = 0; i < k; i++) await asyncio.sleep(0);
    t.cancel();
    const [res] = await asyncio.gather(t, { returnExceptions: true });
    print(k, strs(log), res === null ? "NoneType" : (res as Error).name, q.qsize());
  }
  for (let k = 0; k < 3; k++) {
    const lock = new asyncio.Lock();
    await lock.acquire();
    const locker = async () => {
      await asyncio.waitFor(lock.acquire(), 10);
      return "acquired";
    };
    const t = asyncio.createTask(locker);
    await asyncio.sleep(0);
    await asyncio.sleep(0);
    lock.release();
    for (let i = 0; i < k; i++) await asyncio.sleep(0);
    t.cancel();
    const [res] = await asyncio.gather(t, { returnExceptions: true });
    print("lock", k, typeof res === "string" ? res : (res as Error).name, lock.locked());
  }

  const log: string[] = [];
  const ev = new asyncio.Event();
  const w = async (name: string) => {
    try {
      await ev.wait();
      log.push(`${name} woke`);
    } catch (e) {
      if (!(e instanceof asyncio.CancelledError)) throw e;
      log.push(`${name} cancelled`);
    }
  };
  const ws = [0, 1, 2].map((i) => asyncio.createTask(() => w(`w${i}`)));
  await asyncio.sleep(0);
  ws[1].cancel();
  ev.set();
  ws[2].cancel();
  await asyncio.sleep(0);
  print(strs(log), bools(ws.map((t) => t.cancelled())));

  const q = new asyncio.Queue<number>(1);
  const gs = [0, 1, 2].map(() => asyncio.createTask(q.get()));
  await asyncio.sleep(0);
  print("A", String(q));
  gs[0].cancel();
  q.putNowait(1);
  print("B", String(q));
  await asyncio.sleep(0);
  print("C", String(q), bools(gs.map((g) => g.done())));
  const ps = [2, 3, 4].map((v) => asyncio.createTask(q.put(v)));
  await asyncio.sleep(0);
  print("D", String(q));
  ps[1].cancel();
  print("E", String(q));
  await asyncio.sleep(0);
  print("F", String(q), bools(ps.map((p) => p.done())));
  await asyncio.sleep(0);
  print("G", String(q), bools(gs.map((g) => g.done())), bools(ps.map((p) => p.done())));
}

const EXPECTED = [
  "0 ['got 0', 'survived'] NoneType 0",
  "1 ['got 1', 'survived'] NoneType 0",
  "2 ['got 2', 'survived'] NoneType 0",
  "3 ['got 3', 'cancelled'] CancelledError 0",
  "4 ['got 4', 'survived'] NoneType 0",
  "lock 0 acquired True",
  "lock 1 acquired True",
  "lock 2 acquired True",
  "['w1 cancelled', 'w0 woke', 'w2 cancelled'] [False, False, False]",
  "A <Queue maxsize=1 _getters[3]>",
  "B <Queue maxsize=1 _queue=[1] _getters[1] tasks=1>",
  "C <Queue maxsize=1 _getters[1] tasks=1> [True, True, False]",
  "D <Queue maxsize=1 _queue=[2] _putters[2] tasks=2>",
  "E <Queue maxsize=1 _queue=[2] _putters[2] tasks=2>",
  "F <Queue maxsize=1 tasks=2> [True, True, False]",
  "G <Queue maxsize=1 _queue=[4] tasks=3> [True, True, True] [True, True, True]",
];

test("cancels landing in the step a get, acquire or wait finished, as 3.11 orders them", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_queue7_cancel_steps.py", () => {
  const ref = pythonReference("rp_queue7_cancel_steps");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
