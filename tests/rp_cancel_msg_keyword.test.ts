// `task.cancel(msg="...")`, the keyword form the docs show, ported by rule 3
// of API.md as `task.cancel({ msg: "..." })`: the message used to be the
// object itself, printed as "[object Object]". Also on a future and a
// gather(); a misspelt keyword is Python's TypeError.
// Checked against CPython (tests/fixtures/py/rp_cancel_msg_keyword.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

/** Python's repr of a CancelledError. */
function repr(e: unknown): string {
  const msg = (e as Error).message;
  return msg === "" ? `${(e as Error).name}()` : `${(e as Error).name}('${msg}')`;
}

async function keywordApp(print: (...args: unknown[]) => void): Promise<void> {
  async function worker(name: string) {
    try {
      await asyncio.sleep(10);
    } catch (e) {
      if (e instanceof asyncio.CancelledError) print(name, "sees", repr(e));
      throw e;
    }
  }
  const loop = asyncio.getRunningLoop();
  let t = asyncio.createTask(() => worker("task"));
  await asyncio.sleep(0);
  print("cancel ->", t.cancel({ msg: "shutting down" }));
  try {
    await t;
  } catch (e) {
    print("main sees", repr(e));
  }

  const fut = loop.createFuture();
  fut.cancel({ msg: "no longer needed" });
  try {
    await fut;
  } catch (e) {
    print("future:", repr(e));
  }

  const g = asyncio.gather(() => worker("child"));
  await asyncio.sleep(0);
  print("gather cancel ->", g.cancel({ msg: "stop all" }));
  try {
    await g;
  } catch (e) {
    print("gather:", repr(e));
  }

  t = asyncio.createTask(() => worker("never"));
  for (const obj of [t, loop.createFuture()]) {
    try {
      obj.cancel({ mesage: "typo" } as never);
    } catch (e) {
      if (!(e instanceof TypeError)) throw e;
      print("TypeError:", e.message);
    }
  }
  print("still pending:", !t.done());
  t.cancel({ msg: null });
  try {
    await t;
  } catch (e) {
    print("msg=None:", repr(e));
  }
}

const EXPECTED = [
  "cancel -> True",
  "task sees CancelledError('shutting down')",
  "main sees CancelledError('shutting down')",
  "future: CancelledError('no longer needed')",
  "gather cancel -> True",
  "child sees CancelledError('stop all')",
  "gather: CancelledError('stop all')",
  "TypeError: 'mesage' is an invalid keyword argument for cancel()",
  "TypeError: 'mesage' is an invalid keyword argument for cancel()",
  "still pending: True",
  "msg=None: CancelledError()",
];

test("cancel({ msg }) is Python's cancel(msg=...)", async () => {
  const out: string[] = [];
  await asyncio.run(() => keywordApp(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_cancel_msg_keyword.py", () => {
  const ref = pythonReference("rp_cancel_msg_keyword");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
