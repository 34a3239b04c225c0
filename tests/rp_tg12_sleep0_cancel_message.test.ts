// sleep(0) is Python's bare yield: a cancel() requested before it (the task
// running, nothing awaited) is delivered at the task's next step with the
// message of the latest cancel() by then, so a later cancel() with no message
// (a callback's, or a timeout(0)'s expiry) replaces the first one's. The
// pending cancellation was cancelled into sleep's future at once, keeping the
// first message ('a', 'extra'). Checked against CPython
// (tests/fixtures/py/rp_tg12_sleep0_cancel_message.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { pyRepr } from "../lib/format.ts";
import * as asyncio from "../mod.ts";

const args = (e: asyncio.CancelledError) => e.args.length ? `(${pyRepr(e.args[0])},)` : "()";
const bool = (b: boolean) => (b ? "True" : "False");

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const log: string[] = [];
  const body = async (plan: (string | null)[]) => {
    const me = asyncio.currentTask()!;
    for (const step of plan) {
      if (step === "soon-cancel") {
        loop.callSoon(() => log.push(`soon cancel -> ${bool(me.cancel())}`));
      } else if (step === "soon-cancel-msg") {
        loop.callSoon(() => log.push(`soon cancel -> ${bool(me.cancel("late"))}`));
      } else if (step === "soon-log") {
        loop.callSoon(() => log.push("soon callback"));
      } else if (step === "uncancel") {
        me.uncancel();
      } else {
        me.cancel(step ?? undefined);
      }
    }
    try {
      await asyncio.sleep(0);
      log.push("sleep(0) returned");
    } catch (e) {
      if (!(e instanceof asyncio.CancelledError)) throw e;
      log.push(`CancelledError${args(e)} cancelling=${me.cancelling()}`);
    }
  };
  const plans: (string | null)[][] = [
    ["a"],
    ["a", "b"],
    ["a", null],
    ["a", "soon-cancel"],
    ["a", "soon-cancel-msg"],
    ["soon-log", "a"],
    ["a", "uncancel"],
    ["a", "uncancel", "soon-cancel-msg"],
  ];
  for (const plan of plans) {
    log.length = 0;
    await asyncio.createTask(() => body(plan));
    print(pyRepr(plan), "->", log.join("; "));
  }
  const me = asyncio.currentTask()!;
  for (const msg of ["extra", null]) {
    try {
      await asyncio.timeout(0, async () => {
        me.cancel(msg ?? undefined);
        await asyncio.sleep(0);
      });
    } catch (e) {
      if (e instanceof asyncio.TimeoutError) {
        print("timeout", msg, "-> TimeoutError");
      } else if (e instanceof asyncio.CancelledError) {
        print("timeout", msg, "-> CancelledError", args(e), me.cancelling());
        me.uncancel();
      } else {
        throw e;
      }
    }
  }
}

const EXPECTED = [
  "['a'] -> CancelledError('a',) cancelling=1",
  "['a', 'b'] -> CancelledError('b',) cancelling=2",
  "['a', None] -> CancelledError() cancelling=2",
  "['a', 'soon-cancel'] -> soon cancel -> True; CancelledError() cancelling=2",
  "['a', 'soon-cancel-msg'] -> soon cancel -> True; CancelledError('late',) cancelling=2",
  "['soon-log', 'a'] -> soon callback; CancelledError('a',) cancelling=1",
  "['a', 'uncancel'] -> CancelledError('a',) cancelling=0",
  "['a', 'uncancel', 'soon-cancel-msg'] -> soon cancel -> True; CancelledError('late',) cancelling=1",
  "timeout extra -> CancelledError () 1",
  "timeout None -> CancelledError () 1",
];

test("sleep(0) delivers a pending cancel with the latest cancel()'s message", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_tg12_sleep0_cancel_message.py", () => {
  const ref = pythonReference("rp_tg12_sleep0_cancel_message");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
