// A loop that asyncio.run() drives inside a toThread() function (which runs
// on the main thread in a thread's stead: it uses its module's scope) runs
// beside the program's loop, as two threads' loops do: both make progress,
// and each wakes the other through callSoonThreadsafe. The runtimes give a
// process one off-thread poll at a time, so the second loop's poll failed
// at once, again and again: it spun, and the outer loop (its timers, its
// tasks) stood still until the nested run ended. Now a loop that finds
// another loop's poll in flight waits beside it (host timers and
// non-blocking polls). Checked against CPython
// (tests/fixtures/py/rp_sig9_loop_in_thread.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const ticks: number[] = [];
  const shared: { loop?: asyncio.AbstractEventLoop; fut?: asyncio.Future<string> } = {};
  const ready = new asyncio.Event();
  const ticker = async () => {
    while (true) {
      ticks.push(1);
      await asyncio.sleep(0.01);
    }
  };
  const nestedMain = async () => {
    const nested = asyncio.getRunningLoop();
    print("nested: a loop of its own", nested !== loop);
    for (let i = 0; i < 300; i++) {
      if (ticks.length >= 5) break;
      await asyncio.sleep(0.01);
    }
    print("nested: the outer loop ticked meanwhile", ticks.length >= 5);
    shared.loop = nested;
    shared.fut = nested.createFuture<string>();
    loop.callSoonThreadsafe(() => ready.set());
    const r = await asyncio.waitFor(shared.fut, 3);
    print("nested: woken by the outer loop with", r);
    return "nested done";
  };
  const threadFn = () => asyncio.run(nestedMain);
  const t = asyncio.createTask(ticker);
  const job = asyncio.createTask(asyncio.toThread(threadFn));
  await asyncio.waitFor(ready.wait(), 3);
  print("outer: woken by the nested loop");
  shared.loop!.callSoonThreadsafe(shared.fut!.setResult, "hello");
  print("outer: thread returned", await job);
  t.cancel();
}

const EXPECTED = [
  "nested: a loop of its own True",
  "nested: the outer loop ticked meanwhile True",
  "outer: woken by the nested loop",
  "nested: woken by the outer loop with hello",
  "outer: thread returned nested done",
];

test("a loop run in a toThread function runs beside the program's loop", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_sig9_loop_in_thread.py", () => {
  const ref = pythonReference("rp_sig9_loop_in_thread");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
