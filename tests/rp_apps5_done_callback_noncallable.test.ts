// addDoneCallback() takes what it is given, as CPython 3.11 does: a
// coroutine object (`fut.addDoneCallback(notify())`, the `()` too many) or
// another non-callable shows in the future's repr (`cb=[notify()]`) and
// fails when it is called, through the loop's exception handler, with
// "'coroutine' object is not callable". Ours threw at once ("a callable
// object was expected by add_done_callback()", CPython 3.14's check).
// Checked against CPython (tests/fixtures/py/rp_apps5_done_callback_noncallable.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";
import { pyRepr } from "../lib/format.ts";

const notify = asyncio.coroutine(async function notify(who: string) {
  await asyncio.sleep(0);
  return who;
});

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  loop.setExceptionHandler((_loop, context) => {
    print("handler:", context.message, pyRepr(context.exception));
  });
  const fut = loop.createFuture<string>();
  const coro = notify("ops");
  fut.addDoneCallback(coro as never);
  print(String(fut));
  fut.setResult("done");
  await asyncio.sleep(0);
  coro.close();
  const done = loop.createFuture<number>();
  done.setResult(2);
  done.addDoneCallback(5 as never);
  done.addDoneCallback(null as never);
  await asyncio.sleep(0);
  const task = asyncio.ensureFuture(asyncio.sleep(0, "slept"));
  task.addDoneCallback("text" as never);
  print(await task, task.removeDoneCallback("text" as never));
  await asyncio.sleep(0);
  const c2 = notify("exec");
  try {
    await loop.runInExecutor(null, c2 as never);
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    print("run_in_executor:", e.message);
  }
  c2.close();
}

const EXPECTED = [
  "<Future pending cb=[notify()]>",
  `handler: Exception in callback notify(<Future finis...result='done'>) TypeError("'coroutine' object is not callable")`,
  `handler: Exception in callback 5(<Future finished result=2>) TypeError("'int' object is not callable")`,
  `handler: Exception in callback None(<Future finished result=2>) TypeError("'NoneType' object is not callable")`,
  `handler: Exception in callback 'text'(<Task finishe...esult='slept'>) TypeError("'str' object is not callable")`,
  "slept 0",
  "run_in_executor: 'coroutine' object is not callable",
];

test("a non-callable done callback fails when called, as in CPython 3.11", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_apps5_done_callback_noncallable.py", () => {
  const ref = pythonReference("rp_apps5_done_callback_noncallable");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
