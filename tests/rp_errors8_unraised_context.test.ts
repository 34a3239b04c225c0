// loop.callExceptionHandler() / defaultExceptionHandler() given an
// exception made right in the context (`exception: new ValueError("v")`,
// never raised) log it with no traceback, only its last line, as CPython
// does an exception whose `__traceback__` is None; one that was thrown and
// caught keeps its `Traceback (most recent call last):` header.
// Checked against CPython (tests/fixtures/py/rp_errors8_unraised_context.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { formatException } from "../lib/log.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  // The asyncio logger's lines, frame lines left out.
  const lines = (r: asyncio.LogRecord) => {
    let text = r.message;
    if (r.exception != null) text += "\n" + formatException(r.exception);
    for (const line of text.split("\n")) if (!line.startsWith("  ")) print("log:", line);
  };
  asyncio.logger.addHandler(lines);
  try {
    const loop = asyncio.getRunningLoop();
    loop.callExceptionHandler({ message: "made here", exception: new asyncio.ValueError("v") });
    loop.callExceptionHandler({ exception: new asyncio.KeyError("k") } as asyncio.ExceptionContext);
    loop.callExceptionHandler({
      message: "spread over lines",
      code: 7,
      exception: new asyncio.RuntimeError("r"),
    });
    try {
      throw new asyncio.OSError(2, "No such file or directory");
    } catch (e) {
      loop.callExceptionHandler({ message: "raised", exception: e });
    }
    loop.defaultExceptionHandler({ message: "direct", exception: new asyncio.LookupError("l") });
    loop.setExceptionHandler((l, ctx) => {
      print("handler", `[${Object.keys(ctx).sort().map((k) => `'${k}'`).join(", ")}]`, ctx.message);
      l.defaultExceptionHandler({ ...ctx, seen_by: "handler" });
    });
    loop.callExceptionHandler({ message: "passed on", exception: new TypeError("t") });
    print("end");
  } finally {
    asyncio.logger.removeHandler(lines);
  }
}

const EXPECTED = [
  "log: made here",
  "log: ValueError: v",
  "log: Unhandled exception in event loop",
  "log: KeyError: 'k'",
  "log: spread over lines",
  "log: code: 7",
  "log: RuntimeError: r",
  "log: raised",
  "log: Traceback (most recent call last):",
  "log: FileNotFoundError: [Errno 2] No such file or directory",
  "log: direct",
  "log: LookupError: l",
  "handler ['exception', 'message'] passed on",
  "log: passed on",
  "log: seen_by: 'handler'",
  "log: TypeError: t",
  "end",
];

test("an exception made in the handler's context logs no traceback", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_errors8_unraised_context.py", () => {
  const ref = pythonReference("rp_errors8_unraised_context");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
