// `asyncio.run(main())` with main's promise: after its first await, main's
// code counts as the main task, as it runs inside it in Python (its first
// segment ran before there was a loop, so it is left out here).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const EXPECTED = [
  "first main is Task-1 True",
  "child sees first in Task-2",
  "timeout block: TimeoutError",
  "wait_for: TimeoutError",
  "wait_for: TimeoutError",
  "main cancelled: stop 1",
  "tasks left: 1",
  "result first",
  "second main is Task-7 True",
  "child sees second in Task-8",
  "timeout block: TimeoutError",
  "wait_for: TimeoutError",
  "wait_for: TimeoutError",
  "main cancelled: stop 1",
  "tasks left: 1",
  "result second",
];

async function program(print: (...args: unknown[]) => void): Promise<void> {
  const v = new asyncio.ContextVar<string>("var", { default: "unset" });

  async function child() {
    await asyncio.sleep(0.01);
    return `child sees ${v.get()} in ${asyncio.currentTask()!.getName()}`;
  }

  async function slow() {
    await asyncio.sleep(1);
    return "slow";
  }

  async function main(label: string) {
    await asyncio.sleep(0);
    const me = asyncio.currentTask()!;
    print(label, "main is", me.getName(), me === asyncio.currentTask());
    v.set(label);
    print(await asyncio.createTask(child));
    try {
      await asyncio.timeout(0.02, async () => {
        await asyncio.sleep(1);
      });
    } catch (e) {
      if (!(e instanceof asyncio.TimeoutError)) throw e;
      print("timeout block: TimeoutError");
    }
    // Started one at a time: a JS call starts its coroutine at once.
    for (const start of [() => asyncio.sleep(1, "slept"), slow]) {
      try {
        await asyncio.waitFor(start(), 0.02);
      } catch (e) {
        if (!(e instanceof asyncio.TimeoutError)) throw e;
        print("wait_for: TimeoutError");
      }
    }
    asyncio.getRunningLoop().callLater(0.02, () => me.cancel("stop"));
    try {
      await asyncio.sleep(1);
    } catch (e) {
      if (!(e instanceof asyncio.CancelledError)) throw e;
      print("main cancelled:", e.message, me.cancelling());
      me.uncancel();
    }
    print("tasks left:", asyncio.allTasks().size);
    return label;
  }

  print("result", await asyncio.run(main("first")));
  print("result", await asyncio.run(main("second")));
}

test("asyncio.run(main()): main's code after its first await is the main task's", async () => {
  const out: string[] = [];
  await program(printer(out));
  assertEquals(out, EXPECTED);
}, { timeout: 30 });

test("CPython prints the same for asyncio.run(main())", () => {
  const ref = pythonReference("run_main_promise");
  if (ref !== null) {
    assertEquals(ref.lines, EXPECTED, `${ref.python} tests/fixtures/py/run_main_promise.py`);
  }
}, { fdCheck: false, timeout: 60 });
