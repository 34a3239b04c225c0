// A `cancel("")` message is still a message, as in Python: the
// CancelledError carries it, args `('',)` and repr `CancelledError('')`, for
// a future, a running or unstarted task, a task of a promise and a lock's
// acquire; no message gives `CancelledError()`. An empty message was taken
// as none (args `()`). Checked against CPython
// (tests/fixtures/py/rp_tasks11_cancel_empty_msg.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { errorArgs, pyRepr } from "../lib/format.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const show = (label: string, e: unknown) => {
    const args = errorArgs(e as Error).map((a) => pyRepr(a));
    const tuple = args.length === 1 ? `(${args[0]},)` : `(${args.join(", ")})`;
    print(label, pyRepr(e), tuple, pyRepr((e as Error).message));
  };

  const f = loop.createFuture();
  f.cancel("");
  for (let i = 0; i < 2; i++) {
    try {
      f.result();
    } catch (e) {
      show("future", e);
    }
  }
  try {
    f.exception();
  } catch (e) {
    show("future exception()", e);
  }

  async function sleeper() {
    try {
      await asyncio.sleep(10);
    } catch (e) {
      show("inside", e);
      throw e;
    }
  }

  let t: asyncio.Task<unknown> = asyncio.createTask(sleeper);
  await asyncio.sleep(0);
  t.cancel("");
  try {
    await t;
  } catch (e) {
    show("running task", e);
  }

  t = asyncio.createTask(sleeper);
  t.cancel("");
  try {
    await t;
  } catch (e) {
    show("unstarted task", e);
  }

  // A task of a foreign promise ends on the next iteration once cancelled.
  t = asyncio.createTask(new Promise<void>(() => {}));
  await asyncio.sleep(0);
  t.cancel("");
  try {
    await t;
  } catch (e) {
    show("promise task", e);
  }

  const lock = new asyncio.Lock();
  await lock.acquire();
  t = asyncio.createTask(lock.acquire());
  await asyncio.sleep(0);
  t.cancel("");
  try {
    await t;
  } catch (e) {
    show("lock acquire", e);
  }

  t = asyncio.createTask(sleeper);
  await asyncio.sleep(0);
  t.cancel();
  try {
    await t;
  } catch (e) {
    show("no message", e);
  }

  t = asyncio.createTask(sleeper);
  const g = asyncio.gather(t, { returnExceptions: true });
  await asyncio.sleep(0);
  t.cancel("");
  print("gather", `[${(await g).map((x) => pyRepr(x)).join(", ")}]`);
}

const EXPECTED = [
  "future CancelledError('') ('',) ''",
  "future CancelledError('') ('',) ''",
  "future exception() CancelledError('') ('',) ''",
  "inside CancelledError('') ('',) ''",
  "running task CancelledError('') ('',) ''",
  "unstarted task CancelledError('') ('',) ''",
  "promise task CancelledError('') ('',) ''",
  "lock acquire CancelledError('') ('',) ''",
  "inside CancelledError() () ''",
  "no message CancelledError() () ''",
  "inside CancelledError('') ('',) ''",
  "gather [CancelledError('')]",
];

test("cancel(\"\") keeps its empty message: CancelledError('')", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_tasks11_cancel_empty_msg.py", () => {
  const ref = pythonReference("rp_tasks11_cancel_empty_msg");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
