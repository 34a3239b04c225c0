// addReader/addWriter take a callback that is not callable, in debug mode
// too, and it fails when the fd is ready, reported as Python's Handle words
// it; runInExecutor()/wrapFuture() futures show _chain_future's callback in
// their repr. Checked against CPython (sw_io_callbacks.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

// deno-lint-ignore no-explicit-any
const untyped = (x: unknown) => x as any;

function f(x: number): number {
  return x * 2;
}

async function callbacks(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const reports: string[] = [];
  loop.setExceptionHandler((_lp, ctx) => {
    const e = ctx.exception as Error;
    reports.push(`${ctx.message} | ${e.name}: ${e.message}`);
  });
  const [a, b] = asyncio.socketpair();
  for (const debug of [false, true]) {
    loop.setDebug(debug);
    print("debug", debug, "add_reader", loop.addReader(a, untyped(5)));
    print("debug", debug, "add_writer", loop.addWriter(b, untyped(null), "x"));
    b.send(new TextEncoder().encode("?"));
    await asyncio.sleep(0.01);
    print("removed", loop.removeReader(a), loop.removeWriter(b));
    a.recv(10);
  }
  loop.setDebug(false);
  for (const report of [...new Set(reports)].sort()) print(report);
  a.close();
  b.close();
  loop.setExceptionHandler(null);
  const fut = loop.runInExecutor(null, f, 21);
  print(fut);
  print(await fut, fut);
  const pool = new asyncio.ThreadPoolExecutor();
  try {
    const wrapped = asyncio.wrapFuture(pool.submit(f, 2));
    print(wrapped);
    print(await wrapped);
  } finally {
    await pool.shutdown();
  }
}

const EXPECTED = [
  "debug False add_reader None",
  "debug False add_writer None",
  "removed True True",
  "debug True add_reader None",
  "debug True add_writer None",
  "removed True True",
  "Exception in callback 5() | TypeError: 'int' object is not callable",
  "Exception in callback None('x') | TypeError: 'NoneType' object is not callable",
  "<Future pending cb=[_chain_future.<locals>._call_check_cancel()]>",
  "42 <Future finished result=42>",
  "<Future pending cb=[_chain_future.<locals>._call_check_cancel()]>",
  "4",
];

test("fd callbacks that are not callable fail when called; executor futures' repr", async () => {
  const out: string[] = [];
  await asyncio.run(() => callbacks(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 30 });

test("CPython prints the same for sw_io_callbacks.py", () => {
  const ref = pythonReference("sw_io_callbacks");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
