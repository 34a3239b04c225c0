// When the default exception handler fails itself (a context value whose
// repr raises), the asyncio logger reports "Exception in default exception
// handler"; after a custom handler failed first, its error is printed above
// the default handler's, "During handling of the above exception" (the
// port printed the default handler's error alone). Frame lines and blank
// lines are left out. Checked against CPython (tests/fixtures/py/rp_debug6_handler_chain.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { formatException } from "../lib/log.ts";
import * as asyncio from "../mod.ts";

class Unprintable {
  toString(): string {
    throw new asyncio.RuntimeError("no repr for you");
  }
}

async function app(print: (...args: unknown[]) => void): Promise<void> {
  function failing_handler(_loop: asyncio.AbstractEventLoop, ctx: asyncio.ExceptionContext) {
    print("handler:", ctx.message);
    throw new asyncio.KeyError("handler");
  }
  const show = (record: asyncio.LogRecord) => {
    print("LOG", record.levelName, record.message);
    if (record.exception == null) return;
    for (const line of formatException(record.exception).split("\n")) {
      if (line !== "" && !line.startsWith("  ")) print("   |", line);
    }
  };
  asyncio.logger.addHandler(show);
  try {
    await asyncio.run(() => {
      const loop = asyncio.getRunningLoop();
      loop.callExceptionHandler({ message: "bad value", thing: new Unprintable() });
      loop.setExceptionHandler(failing_handler);
      loop.callExceptionHandler({ message: "both fail", thing: new Unprintable() });
      loop.callExceptionHandler({ message: "custom fails", n: 1 });
      loop.setExceptionHandler(null);
      loop.callExceptionHandler({ message: "default only", thing: [1, "a"] });
      print("end");
    });
  } finally {
    asyncio.logger.removeHandler(show);
  }
}

const EXPECTED = [
  "LOG ERROR Exception in default exception handler",
  "   | Traceback (most recent call last):",
  "   | RuntimeError: no repr for you",
  "handler: both fail",
  "LOG ERROR Exception in default exception handler while handling an unexpected error in custom exception handler",
  "   | Traceback (most recent call last):",
  "   | KeyError: 'handler'",
  "   | During handling of the above exception, another exception occurred:",
  "   | Traceback (most recent call last):",
  "   | RuntimeError: no repr for you",
  "handler: custom fails",
  "LOG ERROR Unhandled error in exception handler\ncontext: {'message': 'custom fails', 'n': 1}",
  "   | Traceback (most recent call last):",
  "   | KeyError: 'handler'",
  "LOG ERROR default only\nthing: [1, 'a']",
  "end",
];

test(
  "a default handler failing after a custom one shows the custom one's error first",
  async () => {
    const out: string[] = [];
    await app(printer(out));
    assertEquals(out, EXPECTED);
  },
  { timeout: 20 },
);

test("CPython prints the same for rp_debug6_handler_chain.py", () => {
  const ref = pythonReference("rp_debug6_handler_chain");
  if (ref !== null) assertEquals(ref.lines.join("\n"), EXPECTED.join("\n"), ref.python);
}, { fdCheck: false, timeout: 30 });
