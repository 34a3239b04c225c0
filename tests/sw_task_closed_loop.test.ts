// A future of a closed loop, against CPython 3.11: with callbacks to
// schedule, setResult(), setException() and cancel() throw RuntimeError
// "Event loop is closed" (Python's call_soon refuses them), the future done
// all the same; addDoneCallback() on a done future throws it too.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

function closedLoop(print: (...args: unknown[]) => void): void {
  const kase = (label: string, f: () => unknown) => {
    try {
      const r = f();
      print(label, "->", r);
    } catch (e) {
      if (!(e instanceof asyncio.RuntimeError)) throw e;
      print(label, "RuntimeError", e.message);
    }
  };
  const cb = (f: asyncio.Future<unknown>) => print(String(f));
  const loop = asyncio.newEventLoop();
  const a = loop.createFuture();
  a.addDoneCallback(cb);
  const b = loop.createFuture();
  b.addDoneCallback(cb);
  const c = loop.createFuture();
  c.addDoneCallback(cb);
  loop.close();
  kase("set_result", () => a.setResult(1));
  print(String(a));
  kase("set_exception", () => b.setException(new asyncio.KeyError("k")));
  print(String(b), "KeyError('k')");
  kase("cancel", () => c.cancel("m"));
  print(String(c));
  kase("cancel again", () => c.cancel());
  const d = loop.createFuture();
  kase("no callbacks set_result", () => d.setResult(2));
  kase("add_done_callback done", () => d.addDoneCallback(cb));
  const e = loop.createFuture();
  kase("add_done_callback pending", () => e.addDoneCallback(cb));
  kase("then set_result", () => e.setResult(3));
  print(String(e));
  // Read, as Python's print of b.exception() did.
  b.exception();
}

const EXPECTED = [
  "set_result RuntimeError Event loop is closed",
  "<Future finished result=1>",
  "set_exception RuntimeError Event loop is closed",
  "<Future finished exception=KeyError('k')> KeyError('k')",
  "cancel RuntimeError Event loop is closed",
  "<Future cancelled>",
  "cancel again -> False",
  "no callbacks set_result -> None",
  "add_done_callback done RuntimeError Event loop is closed",
  "add_done_callback pending -> None",
  "then set_result RuntimeError Event loop is closed",
  "<Future finished result=3>",
];

test("a closed loop's futures refuse to schedule their callbacks, done all the same", () => {
  const out: string[] = [];
  closedLoop(printer(out));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for sw_task_closed_loop.py", () => {
  const ref = pythonReference("sw_task_closed_loop");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
