// A task's repr shows `wait_for=` only while it is suspended: once it
// resumes, whatever it awaited, it waits on nothing (Python's Task.__step
// clears `_fut_waiter`); checked against CPython.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

function waits(task: asyncio.Task<unknown>): string {
  const m = / wait_for=<(\w+)/.exec(String(task));
  return m ? m[1] : "-";
}

async function resumed(print: (...args: unknown[]) => void): Promise<void> {
  const me = asyncio.currentTask()!;
  const loop = asyncio.getRunningLoop();
  // Halfway through the next wait: what main is suspended on.
  const peek = (tag: string) => loop.callLater(0.01, () => print(" ", tag, "waits on", waits(me)));

  peek("sleep");
  await asyncio.sleep(0.02);
  print("after sleep", waits(me));
  peek("gather");
  await asyncio.gather(() => asyncio.sleep(0.02), () => asyncio.sleep(0.02));
  print("after gather", waits(me));
  const fut = loop.createFuture<null>();
  loop.callLater(0.02, () => fut.setResult(null));
  peek("future");
  await fut;
  print("after future", waits(me));
  peek("task");
  await asyncio.createTask(() => asyncio.sleep(0.02));
  print("after task", waits(me));
  peek("wait_for");
  await asyncio.waitFor(() => asyncio.sleep(0.02), 1);
  print("after wait_for", waits(me));
  peek("shield");
  await asyncio.shield(() => asyncio.sleep(0.02));
  print("after shield", waits(me));
  peek("timeout");
  await asyncio.timeout(1, async () => {
    await asyncio.sleep(0.02);
  });
  print("after timeout", waits(me));
  const lock = new asyncio.Lock();
  await lock.acquire();
  loop.callLater(0.02, () => lock.release());
  peek("lock");
  await lock.acquire();
  print("after lock", waits(me));
  const ev = new asyncio.Event();
  loop.callLater(0.02, ev.set);
  peek("event");
  await ev.wait();
  print("after event", waits(me));
}

const EXPECTED = [
  "  sleep waits on Future",
  "after sleep -",
  "  gather waits on _GatheringFuture",
  "after gather -",
  "  future waits on Future",
  "after future -",
  "  task waits on Task",
  "after task -",
  "  wait_for waits on Future",
  "after wait_for -",
  "  shield waits on Future",
  "after shield -",
  "  timeout waits on Future",
  "after timeout -",
  "  lock waits on Future",
  "after lock -",
  "  event waits on Future",
  "after event -",
];

test(
  "a resumed task's repr shows no wait_for; a suspended one's shows what it awaits",
  async () => {
    const out: string[] = [];
    await asyncio.run(() => resumed(printer(out)));
    assertEquals(out, EXPECTED);
  },
  { timeout: 20 },
);

test("CPython prints the same for ord_conf_resumed_repr.py", () => {
  const ref = pythonReference("ord_conf_resumed_repr");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
