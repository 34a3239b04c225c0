// A chat client's loop: a task made from `reader.readLine()`, one from
// `outbox.get()`, `wait(FIRST_COMPLETED)`, the loser cancelled. Cancelling a
// task made from a read that waits cancels that wait, as Python's task throws
// CancelledError into the readline coroutine; ours left the read parked, so
// the next `readLine()` failed with "readuntil() called while another
// coroutine is already waiting for incoming data".
// Checked against CPython (tests/fixtures/py/rp_apps6_read_task_cancel.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";
import { pyRepr } from "../lib/format.ts";

const enc = (s: string) => new TextEncoder().encode(s);

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const reader = new asyncio.StreamReader();
  const outbox = new asyncio.Queue<string>();
  const loop = asyncio.getRunningLoop();
  // One event per round, queued behind the round's two tasks: timers would
  // let a loaded machine fire two in one round.
  const events = [
    () => outbox.putNowait("typed line"),
    () => reader.feedData(enc("hello from server\n")),
    () => outbox.putNowait("second"),
    () => reader.feedData(enc("bye\n")),
    () => reader.feedEof(),
  ];
  while (true) {
    const readTask = asyncio.createTask(reader.readLine());
    const inputTask = asyncio.createTask(outbox.get());
    loop.callSoon(events.shift()!);
    const [done, pending] = await asyncio.wait(
      new Set<asyncio.Task<unknown>>([readTask, inputTask]),
      { returnWhen: asyncio.FIRST_COMPLETED },
    );
    for (const t of pending) t.cancel();
    const res = await asyncio.gather(...pending, { returnExceptions: true });
    print("cancelled", pyRepr(res.map((r) => (r as Error).constructor.name)));
    if (done.has(readTask)) {
      const line = readTask.result();
      if (line.length === 0) {
        print("server closed");
        break;
      }
      print("received", pyRepr(line));
    }
    if (done.has(inputTask)) print("sending", inputTask.result());
  }
  print("qsize", outbox.qsize(), "at_eof", reader.atEof());
  const r2 = new asyncio.StreamReader();
  const calls = [() => r2.readExactly(4), () => r2.readUntil(enc(";")), () => r2.read(3)];
  for (const call of calls) {
    const t = asyncio.createTask(call());
    await asyncio.sleep(0.01);
    print(t.cancel(), String(r2));
    try {
      await t;
    } catch (e) {
      if (!(e instanceof asyncio.CancelledError)) throw e;
      print("read cancelled", t.cancelled(), String(r2));
    }
  }
  r2.feedData(enc("abcdef;"));
  print(pyRepr(await r2.readExactly(4)), pyRepr(await r2.readUntil(enc(";"))));
}

const EXPECTED = [
  "cancelled ['CancelledError']",
  "sending typed line",
  "cancelled ['CancelledError']",
  "received b'hello from server\\n'",
  "cancelled ['CancelledError']",
  "sending second",
  "cancelled ['CancelledError']",
  "received b'bye\\n'",
  "cancelled ['CancelledError']",
  "server closed",
  "qsize 0 at_eof True",
  "True <StreamReader waiter=<Future cancelled>>",
  "read cancelled True <StreamReader>",
  "True <StreamReader waiter=<Future cancelled>>",
  "read cancelled True <StreamReader>",
  "True <StreamReader waiter=<Future cancelled>>",
  "read cancelled True <StreamReader>",
  "b'abcd' b'ef;'",
];

test("cancelling a task made from a waiting read cancels the read", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_apps6_read_task_cancel.py", () => {
  const ref = pythonReference("rp_apps6_read_task_cancel");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
