// A queue inside another repr (a future's result, a callback's arguments)
// shows Python's repr(queue), with its address, where print(queue) shows
// str(queue) without it; the lazy coroutines asCompleted() hands out are
// named as Python's, `as_completed.<locals>._wait_for_one`.
// Checked against CPython (tests/fixtures/py/rp_repr3_nested_reprs.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const masked = (x: unknown) => String(x).replace(/0x[0-9a-f]+/g, "0x..");

async function job(n: number): Promise<number> {
  await asyncio.sleep(0.01 * n);
  return n;
}

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const q = new asyncio.Queue<string>({ maxsize: 2 });
  q.putNowait("a");
  print(masked(q));
  const fut = loop.createFuture();
  fut.setResult(q);
  print(masked(fut));
  const h = loop.callSoon(console.log, q);
  print(masked(h));
  h.cancel();
  const lq = new asyncio.LifoQueue<null>();
  lq.putNowait(null);
  const fut2 = loop.createFuture();
  fut2.setResult([lq, 1]);
  print(masked(fut2));
  for (const c of asyncio.asCompleted([() => job(2), () => job(1)])) {
    print(masked(c), await c);
  }
}

const EXPECTED = [
  "<Queue maxsize=2 _queue=['a'] tasks=1>",
  "<Future finished result=<Queue at 0x.....['a'] tasks=1>>",
  "<Handle print(<Queue at 0x.....['a'] tasks=1>)>",
  "<Future finished result=[<LifoQueue at...None] tasks=1>, 1]>",
  "<coroutine object as_completed.<locals>._wait_for_one at 0x..> 1",
  "<coroutine object as_completed.<locals>._wait_for_one at 0x..> 2",
];

test("a queue nested in a repr shows repr(queue); asCompleted's coroutines are named", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_repr3_nested_reprs.py", () => {
  const ref = pythonReference("rp_repr3_nested_reprs");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
