// `waitFor(promise, timeout)` in a task cancelled from outside raises
// CancelledError, with the cancel's message, even when the awaited code
// swallows the cancellation and returns a value (Python's wait_for is the
// one cancelled there: it cancels the awaitable's task, waits for it and
// re-raises). The promise runs in place, in the caller's task, so the
// cancel reached its own awaits, and waitFor returned the swallowed value:
// the task ran on as if never cancelled, and an outer `timeout()` or a
// failing TaskGroup sibling did not end the block. On waitFor's own
// timeout the value is still the result, as in Python. Checked against CPython
// (tests/fixtures/py/rp_tmo9_wait_for_swallowed_cancel.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const bytes = (b: Uint8Array) => `b'${new TextDecoder().decode(b)}'`;
const args = (e: unknown) => {
  const a = (e as asyncio.CancelledError).args;
  return a.length === 1 ? `('${a[0]}',)` : "()";
};

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const [a, b] = asyncio.socketpair();
  const [r, w] = await asyncio.openConnection({ sock: a });
  const order: string[] = [];
  const cleanups: string[] = [];
  async function partialReader(label: string) {
    try {
      return await r.readExactly(10);
    } catch (e) {
      if (!(e instanceof asyncio.CancelledError)) throw e;
      cleanups.push(`'${label}'`);
      return enc("partial");
    }
  }
  async function caller(label: string, timeout: number) {
    try {
      const res = await asyncio.waitFor(partialReader(label), timeout);
      order.push(`${label} result ${bytes(res)}`);
    } catch (e) {
      if (e instanceof asyncio.CancelledError) {
        order.push(`${label} CancelledError ${args(e)}`);
        throw e;
      }
      if (!(e instanceof asyncio.TimeoutError)) throw e;
      order.push(`${label} TimeoutError`);
    }
  }
  async function ticker() {
    for (let i = 0; i < 6; i++) {
      order.push(`tick ${i}`);
      await asyncio.sleep(0);
    }
  }
  let t = asyncio.createTask(() => caller("A", 5));
  await asyncio.sleep(0.01);
  t.cancel("outer A");
  const tick = asyncio.createTask(ticker);
  try {
    await t;
  } catch (e) {
    if (!(e instanceof asyncio.CancelledError)) throw e;
    order.push(`A task cancelled ${args(e)} ${t.cancelling()}`);
  }
  await tick;
  await asyncio.createTask(() => caller("B", 0.01));
  t = asyncio.createTask(() => caller("C", 5));
  await asyncio.sleep(0.01);
  t.cancel();
  try {
    await t;
  } catch (e) {
    if (!(e instanceof asyncio.CancelledError)) throw e;
    order.push(`C task cancelled ${args(e)}`);
  }
  async function resilient() {
    try {
      await caller("D", 5);
    } catch (e) {
      if (!(e instanceof asyncio.CancelledError)) throw e;
      asyncio.currentTask()!.uncancel();
      order.push("D resumed");
    }
    b.send(enc("0123456789"));
    order.push(`D next read ${bytes(await r.readExactly(10))}`);
  }
  t = asyncio.createTask(resilient);
  await asyncio.sleep(0.01);
  t.cancel("outer D");
  await t;
  for (const line of order) print(line);
  print("cleanups", `[${cleanups.join(", ")}]`);
  const me = asyncio.currentTask()!;
  let cm!: asyncio.Timeout;
  try {
    await asyncio.timeout(0.02, async (c) => {
      cm = c;
      const res = await asyncio.waitFor(partialReader("E"), 5);
      print("E result (wrong)", bytes(res));
    });
  } catch (e) {
    if (!(e instanceof asyncio.TimeoutError)) throw e;
    print("E outer TimeoutError", String(cm), me.cancelling());
  }
  const boom = async () => {
    await asyncio.sleep(0.01);
    throw new asyncio.ValueError("sibling");
  };
  try {
    await new asyncio.TaskGroup().run(async (tg) => {
      tg.createTask(boom);
      const res = await asyncio.waitFor(partialReader("F"), 5);
      print("F body went on (wrong)", bytes(res));
    });
  } catch (e) {
    if (!(e instanceof asyncio.ExceptionGroup)) throw e;
    const messages = e.exceptions.map((x) => `'${(x as Error).message}'`);
    print("F group", `[${messages.join(", ")}]`, me.cancelling());
  }
  try {
    await asyncio.timeout(0.02, async (c) => {
      cm = c;
      const res = await asyncio.waitFor(partialReader("G"), null);
      print("G no limit: result", bytes(res), String(cm));
    });
  } catch (e) {
    if (!(e instanceof asyncio.TimeoutError)) throw e;
    print("G TimeoutError (wrong)");
  }
  print("G after", String(cm), cm.expired(), me.cancelling());
  w.close();
  await w.waitClosed();
  b.close();
}

const EXPECTED = [
  "tick 0",
  "tick 1",
  "tick 2",
  "A CancelledError ('outer A',)",
  "tick 3",
  "A task cancelled ('outer A',) 1",
  "tick 4",
  "tick 5",
  "B result b'partial'",
  "C CancelledError ()",
  "C task cancelled ()",
  "D CancelledError ('outer D',)",
  "D resumed",
  "D next read b'0123456789'",
  "cleanups ['A', 'B', 'C', 'D']",
  "E outer TimeoutError <Timeout [expired]> 0",
  "F group ['sibling'] 0",
  "G no limit: result b'partial' <Timeout [expiring]>",
  "G after <Timeout [expired]> True 0",
];

test("waitFor cancelled from outside raises CancelledError though the awaitable swallowed it", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_tmo9_wait_for_swallowed_cancel.py", () => {
  const ref = pythonReference("rp_tmo9_wait_for_swallowed_cancel");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
