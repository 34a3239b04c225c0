// A task's traceback shows the code that raised, not the library's
// exception constructor: `new OSError(errno, ...)` (which makes the errno's
// subclass) and, on Bun, a ValueError's constructor were listed as an
// `__init__` frame. Checked against CPython
// (tests/fixtures/py/rp_err3_raise_frames.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { pyRepr } from "../lib/format.ts";
import * as asyncio from "../mod.ts";

const ENOENT = 2;

async function fail_value(): Promise<never> {
  await asyncio.sleep(0);
  throw new asyncio.ValueError(7);
}

async function fail_os(): Promise<never> {
  await asyncio.sleep(0);
  throw new asyncio.OSError(ENOENT, "no such thing");
}

async function app(print: (...args: unknown[]) => void): Promise<void> {
  for (const fn of [fail_value, fail_os]) {
    const t = asyncio.createTask(fn);
    await asyncio.sleep(0.01);
    const e = t.exception() as Error;
    const names = t.getStack().map((f) => `'${f.name}'`);
    print(fn.name, `[${names.join(", ")}]`, pyRepr(e), e.message);
  }
}

const EXPECTED = [
  "fail_value ['fail_value'] ValueError(7) 7",
  "fail_os ['fail_os'] FileNotFoundError(2, 'no such thing') [Errno 2] no such thing",
];

test("a failed task's stack has no exception-constructor frame", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_err3_raise_frames.py", () => {
  const ref = pythonReference("rp_err3_raise_frames");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
