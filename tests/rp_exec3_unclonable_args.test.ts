// A function for a thread that takes what a structured clone refuses (the
// loop, an Event, a Future, a callback) runs on the main thread instead,
// sharing those objects as a Python thread does, so its
// callSoonThreadsafe calls reach the loop. It used to fail with the
// Worker's DataCloneError. Checked against CPython
// (tests/fixtures/py/rp_exec3_unclonable_args.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { pyRepr } from "../lib/format.ts";
import * as asyncio from "../mod.ts";

function notify(loop: asyncio.AbstractEventLoop, ev: asyncio.Event, items: number[]): string {
  for (let i = 0; i < 3; i++) loop.callSoonThreadsafe((v: number) => items.push(v), i);
  loop.callSoonThreadsafe(() => ev.set());
  return "notified";
}

function resolve(
  loop: asyncio.AbstractEventLoop,
  fut: asyncio.Future<number>,
  value: number,
): null {
  loop.callSoonThreadsafe(fut.setResult, value * 2);
  return null;
}

function apply(fn: (x: number) => number, x: number): number {
  return fn(x);
}

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const ev = new asyncio.Event();
  const items: number[] = [];
  const r = await asyncio.toThread(notify, loop, ev, items);
  await ev.wait();
  print(r, pyRepr(items));
  const fut = loop.createFuture<number>();
  print(await loop.runInExecutor(null, resolve, loop, fut, 21));
  print("future", await fut);
  print("applied", await loop.runInExecutor(null, apply, (x: number) => x + 1, 41));
}

const EXPECTED = [
  "notified [0, 1, 2]",
  "None",
  "future 42",
  "applied 42",
];

test("a thread's unclonable arguments are shared, not a DataCloneError", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_exec3_unclonable_args.py", () => {
  const ref = pythonReference("rp_exec3_unclonable_args");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
