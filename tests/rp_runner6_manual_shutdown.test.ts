// The manual-loop cleanup, `loop.runUntilComplete(loop.shutdownAsyncgens())`,
// is lazy as Python's coroutine is: it starts in its task's first step, so
// the aclose() of a generator left open runs an iteration after that, as in
// CPython, while the loop's other tasks go on. The call used to start it at
// once, its aclose() an iteration early. Awaited in a task, it runs at once.
// Checked against CPython (tests/fixtures/py/rp_runner6_manual_shutdown.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  async function ticker() {
    for (let i = 0; i < 12; i++) {
      print("tick", i);
      await asyncio.sleep(0);
    }
  }
  async function* agen() {
    try {
      yield 1;
    } finally {
      print("agen cleanup start");
      await asyncio.sleep(0);
      print("agen cleanup end");
    }
  }
  async function start() {
    const g = agen();
    await g.next();
    return g;
  }
  const loop = asyncio.newEventLoop();
  asyncio.setEventLoop(loop);
  const g = await loop.runUntilComplete(start);
  const t = loop.createTask(ticker);
  await loop.runUntilComplete(loop.shutdownAsyncgens());
  print("shutdown_asyncgens done");
  await loop.runUntilComplete(loop.shutdownDefaultExecutor());
  print("shutdown_default_executor done");
  await loop.runUntilComplete(async () => {
    await loop.shutdownAsyncgens();
    print("inline shutdown_asyncgens done");
  });
  await loop.runUntilComplete(t);
  print("ticker done");
  loop.close();
  asyncio.setEventLoop(null);
  void g;
}

const EXPECTED = [
  "tick 0",
  "tick 1",
  "agen cleanup start",
  "tick 2",
  "agen cleanup end",
  "tick 3",
  "tick 4",
  "tick 5",
  "shutdown_asyncgens done",
  "tick 6",
  "tick 7",
  "shutdown_default_executor done",
  "tick 8",
  "inline shutdown_asyncgens done",
  "tick 9",
  "tick 10",
  "tick 11",
  "ticker done",
];

test("runUntilComplete(loop.shutdownAsyncgens()) starts it in its task", async () => {
  const out: string[] = [];
  await app(printer(out));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_runner6_manual_shutdown.py", () => {
  const ref = pythonReference("rp_runner6_manual_shutdown");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
