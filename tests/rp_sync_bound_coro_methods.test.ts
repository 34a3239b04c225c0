// `createTask(q.get)`, `createTask(q.join)`, `createTask(q.put, ...)`-style
// ports: a queue's coroutine methods are bound on read, as a lock's and an
// event's are, and a task made from one shows Python's name in its repr
// (`coro=<Queue.get()>`, `coro=<Lock.acquire()>`), not JS's `bound get`.
// Checked against CPython (tests/fixtures/py/rp_sync_bound_coro_methods.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const q = new asyncio.Queue<string>();
  const lock = new asyncio.Lock();
  const ev = new asyncio.Event();
  const getter = asyncio.createTask(q.get, { name: "getter" });
  const joiner = asyncio.createTask(q.join, { name: "joiner" });
  const acq = asyncio.createTask(lock.acquire, { name: "acq" });
  const waiter = asyncio.createTask(ev.wait, { name: "waiter" });
  const putter = asyncio.createTask(() => q.put("job"), { name: "putter" });
  const coro = (t: asyncio.Task<unknown>) => /coro=<([^(]*)\(/.exec(String(t))![1];
  for (const t of [getter, joiner, acq, waiter]) print(t.getName(), coro(t));
  // A lambda's task is named by the lambda: only the port knows it stands for Queue.put.
  print(putter.getName(), coro(putter) === "<lambda>" ? "Queue.put" : coro(putter));
  await asyncio.sleep(0);
  await asyncio.sleep(0);
  print(getter.result(), joiner.done(), acq.result(), lock.locked(), waiter.done());
  q.taskDone();
  ev.set();
  await asyncio.gather(joiner, waiter);
  print(joiner.result(), waiter.result(), putter.result());
}

const EXPECTED = [
  "getter Queue.get",
  "joiner Queue.join",
  "acq Lock.acquire",
  "waiter Event.wait",
  "putter Queue.put",
  "job True True True False",
  "None True None",
];

test("tasks made from bound queue and lock methods", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_sync_bound_coro_methods.py", () => {
  const ref = pythonReference("rp_sync_bound_coro_methods");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
