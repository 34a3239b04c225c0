// A function or class inside a repr (a work queue of callables, a
// callback's argument, a future's result) shows Python's repr,
// `<function job at 0x...>` and `<class '__main__.Job'>`, not a bare
// `<function job>`. Checked against CPython
// (tests/fixtures/py/rp_repr3_function_reprs.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

/** Addresses, and what a shortened repr leaves of one at its end. */
const masked = (x: unknown) => String(x).replace(/0?x[0-9a-f]{6,}/g, "0x..");

function fetch(): string {
  return "fetched";
}

function parse(): string {
  return "parsed";
}

class Job {}

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const apply = (fn: () => string) => print("apply", fn());
  const loop = asyncio.getRunningLoop();
  const q = new asyncio.Queue<() => string>();
  q.putNowait(fetch);
  q.putNowait(parse);
  print(masked(q));
  const h = loop.callSoon(apply, fetch);
  print(masked(h));
  await asyncio.sleep(0);
  let fut = loop.createFuture();
  fut.setResult(Job);
  print(masked(fut));
  fut = loop.createFuture();
  fut.setResult(asyncio.Lock);
  print(masked(fut));
  while (!q.empty()) print(q.getNowait()(), masked(q));
}

const EXPECTED = [
  "<Queue maxsize=0 _queue=[<function fetch at 0x..>, <function parse at 0x..>] tasks=2>",
  "<Handle apply(<function fet...0x..>)>",
  "apply fetched",
  "<Future finished result=<class '__main__.Job'>>",
  "<Future finished result=<class 'asyncio.locks.Lock'>>",
  "fetched <Queue maxsize=0 _queue=[<function parse at 0x..>] tasks=2>",
  "parsed <Queue maxsize=0 tasks=2>",
];

test("functions and classes in reprs read as Python's", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_repr3_function_reprs.py", () => {
  const ref = pythonReference("rp_repr3_function_reprs");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
