// The loop's scheduling methods read as values are bound to their loop, as
// Python's bound methods are: `loop.callLater(d, loop.createTask, coro())`
// and `loop.callSoon(loop.callLater, ...)` schedule on it, and a handle
// names them as CPython does (`<Handle BaseEventLoop.call_soon(...)>`), and
// `asyncio.ensureFuture` as `ensure_future`.
// Checked against CPython (tests/fixtures/py/rp_loop5_bound_scheduling.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const log: string[] = [];
  const note = (x: string) => log.push(x);
  const job = asyncio.coroutine(async function job(n: number) {
    note(`job ${n}`);
    if (n === 1) asyncio.getRunningLoop().stop();
    return n;
  });
  const loop = asyncio.newEventLoop();
  const hs = [
    loop.callSoon(loop.callSoon, note, "soon"),
    loop.callSoon(loop.callLater, 0.02, note, "later"),
    loop.callSoon(loop.callAt, loop.time() - 1, note, "at"),
    loop.callSoon(loop.callSoonThreadsafe, note, "threadsafe"),
    loop.callLater(0.05, loop.createTask, job(1)),
    loop.callSoon(asyncio.ensureFuture, job(2)),
  ];
  for (const h of hs) print(h.constructor.name, String(h).split("(")[0].split(" ").at(-1));
  const guard = loop.callLater(10, loop.stop);
  await loop.runForever();
  guard.cancel();
  print(`[${log.map((x) => `'${x}'`).join(", ")}]`);
  const cancelled = hs.map((h) => (h.cancelled() ? "True" : "False"));
  print(asyncio.allTasks(loop).size, `[${cancelled.join(", ")}]`);
  loop.close();
}

const EXPECTED = [
  "Handle BaseEventLoop.call_soon",
  "Handle BaseEventLoop.call_later",
  "Handle BaseEventLoop.call_at",
  "Handle BaseEventLoop.call_soon_threadsafe",
  "TimerHandle BaseEventLoop.create_task",
  "Handle ensure_future",
  "['soon', 'threadsafe', 'job 2', 'at', 'later', 'job 1']",
  "0 [False, False, False, False, False, False]",
];

test("loop scheduling methods passed as callbacks are bound to their loop", async () => {
  const out: string[] = [];
  await app(printer(out));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_loop5_bound_scheduling.py", () => {
  const ref = pythonReference("rp_loop5_bound_scheduling");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
