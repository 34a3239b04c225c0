// A future's cancel, setResult and setException passed as callbacks act on
// their future, as Python's bound methods do (the spec's
// `loop.call_soon_threadsafe(fut.cancel)`); Handles and done-callback lists
// name them as CPython does. Checked against CPython.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function boundMethods(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const fut = loop.createFuture();
  print(loop.callSoonThreadsafe(fut.cancel));
  try {
    await fut;
  } catch (e) {
    if (!(e instanceof asyncio.CancelledError)) throw e;
    print("fut cancelled", fut.cancelled());
  }
  const f = loop.createFuture();
  print(loop.callSoon(f.setResult, 1));
  const later = loop.callLater(10, f.setException, new asyncio.ValueError("v"));
  print(String(later).split(" ").slice(2).join(" "));
  later.cancel();
  print(await f);
  const t = asyncio.createTask(() => asyncio.sleep(1));
  print(loop.callSoon(t.cancel));
  await asyncio.sleep(0);
  print("task cancelled", t.cancelled());
  const g = loop.createFuture();
  g.addDoneCallback(f.setResult);
  g.removeDoneCallback(f.setResult);
  print(g);
  const f2 = loop.createFuture();
  const f3 = loop.createFuture();
  f2.addDoneCallback(f3.cancel as never); // Python calls it with the future as msg, too
  print(f2);
  f2.setResult(null);
  await asyncio.sleep(0);
  print("f3 cancelled", f3.cancelled());
  const f4 = loop.createFuture();
  loop.callLater(0.01, f4.setResult, "later");
  print(await f4);
  const f5 = loop.createFuture();
  loop.callSoon(f5.setException, new asyncio.KeyError("k"));
  try {
    await f5;
  } catch (e) {
    if (!(e instanceof asyncio.KeyError)) throw e;
    print("KeyError", `'${e.message}'`);
  }
  const gathered = asyncio.gather(() => asyncio.sleep(10), () => asyncio.sleep(10));
  print(String(loop.callLater(0.01, gathered.cancel)).split(" ").slice(2).join(" "));
  try {
    await gathered;
  } catch (e) {
    if (!(e instanceof asyncio.CancelledError)) throw e;
    print("gather cancelled");
  }
}

const EXPECTED = [
  "<Handle Future.cancel()>",
  "fut cancelled True",
  "<Handle Future.set_result(1)>",
  "Future.set_exception(ValueError('v'))>",
  "1",
  "<Handle Task.cancel()>",
  "task cancelled False",
  "<Future pending>",
  "<Future pending cb=[Future.cancel()]>",
  "f3 cancelled True",
  "later",
  "KeyError 'k'",
  "_GatheringFuture.cancel()>",
  "gather cancelled",
];

test(
  "fut.cancel, fut.setResult and fut.setException work as callbacks, named as Python's bound methods",
  async () => {
    const out: string[] = [];
    await asyncio.run(() => boundMethods(printer(out)));
    assertEquals(out, EXPECTED);
  },
  { timeout: 20 },
);

test("CPython prints the same for sw_fun_bound_methods.py", () => {
  const ref = pythonReference("sw_fun_bound_methods");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
