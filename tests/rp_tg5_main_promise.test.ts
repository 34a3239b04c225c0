// `asyncio.run(main())` passes main's promise: main ran before the loop
// did, so a main opening with a TaskGroup or a timeout block got there with
// no loop running and failed with "no running event loop". They now wait
// for the loop, as sleep() does, and the block runs in main's task (the
// only task; children numbered right after it), as in Python. Checked
// against CPython (tests/fixtures/py/rp_tg5_main_promise.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const number = (t: asyncio.Task<unknown>) => Number(t.getName().split("-")[1]);

  async function work(n: number, base: number, fail = false) {
    await asyncio.sleep(0.01 * n);
    if (fail) throw new asyncio.ValueError(`w${n}`);
    print("work", n, number(asyncio.currentTask()!) - base);
    return n;
  }

  async function groupFirst() {
    try {
      await new asyncio.TaskGroup().run((tg) => {
        const base = number(asyncio.currentTask()!);
        print("body", asyncio.allTasks().size, String(tg));
        tg.createTask(() => work(1, base));
        tg.createTask(() => work(2, base, true));
        tg.createTask(() => work(1000, base));
      });
    } catch (eg) {
      if (!(eg instanceof asyncio.ExceptionGroup)) throw eg;
      const [match, rest] = eg.split(asyncio.ValueError);
      const messages = match!.exceptions.map((e) => `'${(e as Error).message}'`);
      print("eg", `[${messages.join(", ")}]`, asyncio.currentTask()!.cancelling());
      if (rest) throw rest;
    }
    return "group_first";
  }

  async function timeoutFirst() {
    let cm!: asyncio.Timeout;
    try {
      await asyncio.timeout(0.03, async (c) => {
        cm = c;
        print("timeout", asyncio.allTasks().size, String(cm).split(" when=")[0]);
        await asyncio.sleep(10);
      });
    } catch (e) {
      if (!(e instanceof asyncio.TimeoutError)) throw e;
      print("timed out", cm.expired(), asyncio.currentTask()!.cancelling());
    }
    return "timeout_first";
  }

  async function timeoutAtFirst() {
    await asyncio.timeoutAt(null, (cm) => {
      print("timeout_at", asyncio.allTasks().size, String(cm));
    });
    return "timeout_at_first";
  }

  print(await asyncio.run(groupFirst()));
  print(await asyncio.run(timeoutFirst()));
  print(await asyncio.run(timeoutAtFirst()));
}

const EXPECTED = [
  "body 1 <TaskGroup entered>",
  "work 1 1",
  "eg ['w2'] 1",
  "group_first",
  "timeout 1 <Timeout [active]",
  "timed out True 0",
  "timeout_first",
  "timeout_at 1 <Timeout [active] when=None>",
  "timeout_at_first",
];

test("a TaskGroup or timeout opening main's promise runs in main's task", async () => {
  const out: string[] = [];
  await app(printer(out));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_tg5_main_promise.py", () => {
  const ref = pythonReference("rp_tg5_main_promise");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
