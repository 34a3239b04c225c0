// A task that a cancelled task starts while run() cleans up keeps running
// through the cleanup's loop iterations, as in CPython: the aclose() tasks
// of the async generators left open start in the iteration after
// shutdownAsyncgens() starts (run() called it before its task existed, so
// they started an iteration early), and waiting for them takes as many
// iterations as Python's gather() (a promise of them took one fewer, so the
// task's last steps never ran). Checked against CPython
// (tests/fixtures/py/rp_runner6_shutdown_steps.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  async function spawned() {
    try {
      for (let i = 0; i < 10; i++) {
        print("spawned step", i);
        await asyncio.sleep(0);
      }
      print("spawned finished");
    } finally {
      print("spawned finally");
    }
  }
  async function* agen() {
    try {
      yield 1;
    } finally {
      print("agen finally start");
      await asyncio.sleep(0);
      print("agen finally end");
    }
  }
  async function victim() {
    try {
      await asyncio.sleep(10);
    } catch (e) {
      if (!(e instanceof asyncio.CancelledError)) throw e;
      print("victim cancelled, spawning");
      asyncio.createTask(spawned);
      await asyncio.sleep(0);
      print("victim after sleep0");
      throw e;
    }
  }
  const keep: AsyncGenerator[] = [];
  await asyncio.run(async () => {
    asyncio.createTask(victim);
    const g = agen();
    print("first", (await g.next()).value);
    keep.push(g);
    await asyncio.sleep(0.01);
    print("main done");
  });
  print("after run");
}

const EXPECTED = [
  "first 1",
  "main done",
  "victim cancelled, spawning",
  "spawned step 0",
  "victim after sleep0",
  "spawned step 1",
  "spawned step 2",
  "spawned step 3",
  "spawned step 4",
  "agen finally start",
  "spawned step 5",
  "agen finally end",
  "spawned step 6",
  "spawned step 7",
  "spawned step 8",
  "spawned step 9",
  "spawned finished",
  "spawned finally",
  "after run",
];

test("run()'s cleanup steps interleave with a task started while cancelling", async () => {
  const out: string[] = [];
  await app(printer(out));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_runner6_shutdown_steps.py", () => {
  const ref = pythonReference("rp_runner6_shutdown_steps");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
