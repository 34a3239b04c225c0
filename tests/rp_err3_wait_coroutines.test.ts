// Python 3.11's wait() refuses coroutine objects: a lazy `Coroutine` (or a
// generator) in `fs` is its TypeError, checked after the empty and
// return_when checks, while functions and promises are still wrapped.
// Checked against CPython (tests/fixtures/py/rp_err3_wait_coroutines.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const work = asyncio.coroutine(async (x: number) => {
  await asyncio.sleep(0.01);
  return x;
});

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const c = work(1);
  try {
    await asyncio.wait([c]);
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    print("wait([coro])", e.name, e.message);
  }
  c.close();
  const t = asyncio.createTask(() => work(2));
  const c2 = work(3);
  try {
    await asyncio.wait(new Set<unknown>([t, c2]) as Set<asyncio.Task<number>>, {
      returnWhen: asyncio.FIRST_COMPLETED,
    });
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    print("wait({task, coro})", e.name, e.message);
  }
  c2.close();
  const c3 = work(4);
  try {
    // deno-lint-ignore no-explicit-any
    await asyncio.wait([c3], { returnWhen: "sometime" as any });
  } catch (e) {
    if (!(e instanceof asyncio.ValueError)) throw e;
    print("bad return_when first:", e.message);
  }
  c3.close();
  const [done, pending] = await asyncio.wait([t]);
  print("tasks still fine", `[${[...done].map((f) => f.result()).join(", ")}]`, pending.size);
}

const EXPECTED = [
  "wait([coro]) TypeError Passing coroutines is forbidden, use tasks explicitly.",
  "wait({task, coro}) TypeError Passing coroutines is forbidden, use tasks explicitly.",
  "bad return_when first: Invalid return_when value: sometime",
  "tasks still fine [2] 0",
];

test("wait() refuses coroutine objects as Python 3.11 does", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("wait() still wraps functions and promises in tasks", async () => {
  await asyncio.run(async () => {
    const [done, pending] = await asyncio.wait([
      () => work(5),
      (async () => await asyncio.sleep(0, 6))(),
    ]);
    assertEquals(pending.size, 0);
    assertEquals([...done].map((f) => f.result()).sort(), [5, 6]);
  });
});

test("CPython prints the same for rp_err3_wait_coroutines.py", () => {
  const ref = pythonReference("rp_err3_wait_coroutines");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
