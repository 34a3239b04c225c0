// One lazy coroutine (`coroutine(fn)(...)`) awaited by two tasks: CPython
// refuses the second await, while the first is suspended in it, with
// "coroutine is being awaited already", and only once it has ended (or was
// closed) with "cannot reuse already awaited coroutine"; ours said the
// latter in both cases.
// Checked against CPython (tests/fixtures/py/rp_tasks2_coroutine_awaited_twice.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const job = asyncio.coroutine(async (tag: string) => {
  await asyncio.sleep(0.01);
  return tag;
});

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const c = job("shared");
  async function awaiter(name: string) {
    try {
      const r = await c;
      print(name, "got", r);
    } catch (e) {
      if (!(e instanceof asyncio.RuntimeError)) throw e;
      print(name, e.constructor.name, e.message);
    }
  }
  await asyncio.gather(() => awaiter("first"), () => awaiter("second"));
  await awaiter("third");
  const closed = job("closed");
  closed.close();
  try {
    await closed;
  } catch (e) {
    if (!(e instanceof asyncio.RuntimeError)) throw e;
    print("closed", e.message);
  }
  const c2 = job("via tasks");
  const t1 = asyncio.createTask(c2);
  await asyncio.sleep(0);
  const t2 = asyncio.createTask(async () => await c2);
  const res = await asyncio.gather(t1, t2, { returnExceptions: true });
  print(
    `[${
      res.map((r) =>
        typeof r === "string"
          ? `'${r}'`
          : `'${(r as Error).constructor.name}: ${(r as Error).message}'`
      )
        .join(", ")
    }]`,
  );
}

const EXPECTED = [
  "second RuntimeError coroutine is being awaited already",
  "first got shared",
  "third RuntimeError cannot reuse already awaited coroutine",
  "closed cannot reuse already awaited coroutine",
  "['via tasks', 'RuntimeError: coroutine is being awaited already']",
];

test("a coroutine awaited while it runs is 'being awaited already'", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_tasks2_coroutine_awaited_twice.py", () => {
  const ref = pythonReference("rp_tasks2_coroutine_awaited_twice");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
