// `wait()` refuses coroutine objects, as Python 3.11 does, and a library
// call that acted at once is one (`q.get()` with an item there,
// `lock.acquire()` on a free lock): it is undone before the TypeError, so
// no item, lock or permit is lost to the refusal.
// Checked against CPython (tests/fixtures/py/rp_lazy4_wait_refuses_calls.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

/** Python's `coro.close()`: a call that acted at once is a plain Promise. */
function close(c: PromiseLike<unknown>): void {
  if (c instanceof asyncio.Coroutine) c.close();
}

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const q = new asyncio.Queue<string>();
  q.putNowait("a");
  const lock = new asyncio.Lock();
  const sem = new asyncio.Semaphore(1);
  const ev = new asyncio.Event();
  ev.set();
  const calls: [string, () => PromiseLike<unknown>][] = [
    ["get", () => q.get()],
    ["acquire", () => lock.acquire()],
    ["sem", () => sem.acquire()],
    ["event", () => ev.wait()],
    ["put", () => q.put("b")],
  ];
  for (const [label, make] of calls) {
    const c = make();
    try {
      await asyncio.wait([c], { timeout: 0.01 });
    } catch (e) {
      if (!(e instanceof TypeError)) throw e;
      print(label, e.name, e.message);
    }
    print("  ", q.qsize(), lock.locked(), sem.locked());
    close(c);
  }
  const t = asyncio.ensureFuture(q.get());
  const g = q.get();
  try {
    await asyncio.wait<unknown>([t, g]);
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    print("mixed", e.name, q.qsize());
  }
  close(g);
  print("task", await t, q.qsize());
  const [done, pending] = await asyncio.wait([asyncio.ensureFuture(lock.acquire())]);
  print("as a task", done.size, pending.size, lock.locked());
}

const REFUSED = "TypeError Passing coroutines is forbidden, use tasks explicitly.";
const EXPECTED = [
  `get ${REFUSED}`,
  "   1 False False",
  `acquire ${REFUSED}`,
  "   1 False False",
  `sem ${REFUSED}`,
  "   1 False False",
  `event ${REFUSED}`,
  "   1 False False",
  `put ${REFUSED}`,
  "   1 False False",
  "mixed TypeError 1",
  "task a 0",
  "as a task 1 0 True",
];

test("wait() refuses library calls that acted at once, and undoes them", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_lazy4_wait_refuses_calls.py", () => {
  const ref = pythonReference("rp_lazy4_wait_refuses_calls");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
