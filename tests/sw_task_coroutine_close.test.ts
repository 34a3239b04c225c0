// A lazy Coroutine's close(), as Python's coroutine.close(), checked against
// CPython 3.11: closed before it started, its body never runs and awaiting
// it fails; closing a finished one, or twice, does nothing. Its repr, with
// the address masked.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function main(print: (...args: unknown[]) => void): Promise<void> {
  const work = asyncio.coroutine(async function work() {
    print("work runs");
    return 1;
  });
  const c = work();
  c.close();
  try {
    await c;
  } catch (e) {
    if (!(e instanceof asyncio.RuntimeError)) throw e;
    print("RuntimeError", e.message);
  }
  const c2 = work();
  print(await c2);
  c2.close();
  print("closed after the end");
  const c3 = work();
  c3.close();
  c3.close();
  const t = asyncio.createTask(c3);
  await asyncio.sleep(0);
  const exc = t.exception() as Error;
  print(t.done(), `${exc.name}('${exc.message}')`);
  const c4 = work();
  print(String(c4).replace(/ at 0x[0-9a-f]+/, " at 0x"), asyncio.iscoroutine(c4));
  c4.close();
}

const EXPECTED = [
  "RuntimeError cannot reuse already awaited coroutine",
  "work runs",
  "1",
  "closed after the end",
  "True RuntimeError('cannot reuse already awaited coroutine')",
  "<coroutine object work at 0x> True",
];

test("close() of a lazy coroutine: never started, it never runs", async () => {
  const out: string[] = [];
  await asyncio.run(() => main(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for sw_task_coroutine_close.py", () => {
  const ref = pythonReference("sw_task_coroutine_close");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
