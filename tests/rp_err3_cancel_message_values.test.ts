// cancel(msg) with a message that is not a string (`task.cancel(123)`):
// the CancelledError keeps the value as args[0] and its message is the
// value's str(), not JS's String() ("a,1" for a list).
// Checked against CPython (tests/fixtures/py/rp_err3_cancel_message_values.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { pyRepr } from "../lib/format.ts";
import * as asyncio from "../mod.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

/** Python's `e.args`, printed as the tuple it is. */
function tuple(args: unknown[]): string {
  return args.length === 1 ? `(${pyRepr(args[0])},)` : `(${args.map((a) => pyRepr(a)).join(", ")})`;
}

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const show = (tag: string, e: unknown) => {
    if (!(e instanceof asyncio.CancelledError)) throw e;
    print(tag, pyRepr(e.message), tuple(e.args));
  };
  const t = asyncio.createTask(() => asyncio.sleep(1));
  await asyncio.sleep(0);
  print(t.cancel(123 as Any), t.cancelling());
  try {
    await t;
  } catch (e) {
    show("task", e);
  }
  const f = loop.createFuture();
  f.cancel(["a", 1] as Any);
  try {
    f.result();
  } catch (e) {
    show("future", e);
  }
  const g = asyncio.gather(() => asyncio.sleep(1));
  await asyncio.sleep(0);
  g.cancel(2.5 as Any);
  try {
    await g;
  } catch (e) {
    show("gather", e);
  }
  const f2 = loop.createFuture();
  f2.cancel(null as Any);
  try {
    await f2;
  } catch (e) {
    show("none", e);
  }
}

const EXPECTED = [
  "True 1",
  "task '123' (123,)",
  `future "['a', 1]" (['a', 1],)`,
  "gather '2.5' (2.5,)",
  "none '' ()",
];

test("a non-string cancel message stays the CancelledError's args[0]", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_err3_cancel_message_values.py", () => {
  const ref = pythonReference("rp_err3_cancel_message_values");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
