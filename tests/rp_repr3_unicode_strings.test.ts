// Python's repr escapes the characters that are not printable beyond ASCII
// (a no-break space from scraped text, a zero-width space, a BOM, a line
// separator, a lone surrogate) as \xa0, \u200b, \ufeff, \u2028, \ud800, and
// leaves printable ones (accents, symbols, emoji) as they are: in a queue,
// a future's result, a callback's arguments and a task's name.
// Checked against CPython (tests/fixtures/py/rp_repr3_unicode_strings.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

function noop(..._args: unknown[]): void {}

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const q = new asyncio.Queue<string>();
  for (
    const title of [
      "Caf\xe9\xa0Menu",
      "zero\u200bwidth",
      "\ufeffBOM",
      "line\u2028sep",
      "ok \u2713 \u{1f600}",
    ]
  ) {
    q.putNowait(title);
  }
  print(q);
  const fut = loop.createFuture();
  fut.setResult({ "soft\xadhyphen": "\ud800", ctl: "\x85" });
  print(fut);
  const h = loop.callSoon(noop, "tag\u{e0001}", "\u00a0".repeat(40));
  print(h);
  h.cancel();
  const t = asyncio.createTask(() => asyncio.sleep(0), { name: "job\u200b1" });
  print(String(t).split(" coro=")[0]);
  await t;
}

const EXPECTED = [
  "<Queue maxsize=0 _queue=['Café\\xa0Menu', 'zero\\u200bwidth', '\\ufeffBOM', 'line\\u2028sep', 'ok ✓ 😀'] tasks=5>",
  "<Future finished result={'ctl': '\\x85', 'soft\\xadhyphen': '\\ud800'}>",
  "<Handle noop('tag\\U000e0001', '\\xa0\\xa0\\xa0...0\\xa0\\xa0\\xa0')>",
  "<Task pending name='job\\u200b1'",
];

test("reprs escape the characters Python does not print", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_repr3_unicode_strings.py", () => {
  const ref = pythonReference("rp_repr3_unicode_strings");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
