// `new ValueError(1)` / `new RuntimeError(null)` (a port of Python's
// `raise ValueError(i)`) keep the value as args[0]: the repr shows
// `ValueError(1)`, not `ValueError('1')`, and the message is its str().
// Checked against CPython (tests/fixtures/py/rp_err3_error_args.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { pyRepr } from "../lib/format.ts";
import * as asyncio from "../mod.ts";

async function job(i: number): Promise<number> {
  await asyncio.sleep(0.01);
  if (i === 1) throw new asyncio.ValueError(i);
  if (i === 2) throw new asyncio.RuntimeError(null);
  if (i === 3) throw new asyncio.ValueError([i, "three"]);
  return i;
}

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const res = await asyncio.gather(...[0, 1, 2, 3].map((i) => () => job(i)), {
    returnExceptions: true,
  });
  for (const r of res) {
    if (r instanceof Error) {
      const e = r as asyncio.ValueError;
      print(e.name, pyRepr(e), pyRepr(e.message), `(${e.args.map((a) => pyRepr(a)).join(", ")},)`);
    } else {
      print("result", r);
    }
  }
  const t = asyncio.createTask(() => job(1));
  await asyncio.sleep(0.05);
  print(pyRepr(t.exception()));
}

const EXPECTED = [
  "result 0",
  "ValueError ValueError(1) '1' (1,)",
  "RuntimeError RuntimeError(None) 'None' (None,)",
  `ValueError ValueError([3, 'three']) "[3, 'three']" ([3, 'three'],)`,
  "ValueError(1)",
];

test("ValueError/RuntimeError of a non-string keep it as args[0]", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_err3_error_args.py", () => {
  const ref = pythonReference("rp_err3_error_args");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
