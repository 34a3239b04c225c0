// readLine() past the limit throws a ValueError raised inside Python's
// `except LimitOverrunError` clause, not `from` it: the overrun is the
// ValueError's `__context__`, so a traceback (a handler's "Unhandled
// exception in client_connected_cb" report) says "During handling of the
// above exception, another exception occurred", and its `cause` (Python's
// `__cause__`) is None. It was `cause`, printed as "The above exception was
// the direct cause of the following exception". Frame lines left out.
// Checked against CPython (tests/fixtures/py/rp_streams3_readline_context.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";
import { bytesRepr } from "../lib/format.ts";
import { formatException } from "../lib/log.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  // Python's traceback.format_exception(e), less its frame lines.
  const report = (e: Error) => {
    for (const line of formatException(e).split("\n")) {
      if (!line.startsWith("  ")) print("|", line);
    }
  };
  const r = new asyncio.StreamReader({ limit: 4 });
  r.feedData(new TextEncoder().encode("0123456789\nok\nabcdefgh"));
  for (let i = 0; i < 3; i++) {
    try {
      print(bytesRepr(await r.readLine()));
    } catch (e) {
      if (!(e instanceof asyncio.ValueError)) throw e;
      print(e.name, e.message, "cause:", e.cause ?? null);
      report(e);
    }
  }
  r.feedEof();
  print(bytesRepr(await r.readLine()), r.atEof());
}

const EXPECTED = [
  "ValueError Separator is found, but chunk is longer than limit cause: None",
  "| Traceback (most recent call last):",
  "| asyncio.exceptions.LimitOverrunError: Separator is found, but chunk is longer than limit",
  "| ",
  "| During handling of the above exception, another exception occurred:",
  "| ",
  "| Traceback (most recent call last):",
  "| ValueError: Separator is found, but chunk is longer than limit",
  "b'ok\\n'",
  "ValueError Separator is not found, and chunk exceed the limit cause: None",
  "| Traceback (most recent call last):",
  "| asyncio.exceptions.LimitOverrunError: Separator is not found, and chunk exceed the limit",
  "| ",
  "| During handling of the above exception, another exception occurred:",
  "| ",
  "| Traceback (most recent call last):",
  "| ValueError: Separator is not found, and chunk exceed the limit",
  "b'' True",
];

test("readLine's ValueError has the overrun as context, not cause", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_streams3_readline_context.py", () => {
  const ref = pythonReference("rp_streams3_readline_context");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
