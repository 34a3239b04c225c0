// A callback that throws `new X(..., { cause: e })` (Python's `raise X(...)
// from e`): the cause reaches the exception handler and the report prints
// both exceptions. KeyError, LookupError, OSError (with errno and filename,
// made into FileNotFoundError) and TimeoutError used to drop the option.
// Checked against CPython (tests/fixtures/py/rp_loop5_callback_cause.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { pyRepr } from "../lib/format.ts";
import { formatException } from "../lib/log.ts";
import * as asyncio from "../mod.ts";

/** The report less its frames, which name files only the port has. */
function lines(e: unknown): string[] {
  return formatException(e).split("\n").filter((x) => x !== "" && !x.startsWith("  "));
}

function tuple(items: unknown[]): string {
  return `(${items.map((x) => pyRepr(x)).join(", ")}${items.length === 1 ? "," : ""})`;
}

async function app(print: (...args: unknown[]) => void): Promise<void> {
  function lookup(table: Record<string, unknown>, key: string) {
    try {
      if (!(key in table)) throw new asyncio.KeyError(key);
      return table[key];
    } catch (e) {
      throw new asyncio.LookupError(`no entry ${pyRepr(key)}`, { cause: e });
    }
  }
  function readConfig(path: string) {
    try {
      lookup({}, path);
    } catch (e) {
      throw new asyncio.OSError(2, "No such file or directory", path, { cause: e });
    }
  }
  function waitReply() {
    try {
      throw new asyncio.OSError(111, "Connection refused");
    } catch (e) {
      throw new asyncio.TimeoutError("no reply", { cause: e });
    }
  }
  function pick(n: number) {
    try {
      throw new asyncio.ValueError(`bad index ${n}`);
    } catch (e) {
      throw new asyncio.KeyError(n, { cause: e });
    }
  }
  const loop = asyncio.newEventLoop();
  loop.setExceptionHandler((_loop, ctx) => {
    const e = ctx.exception as Error & { args: unknown[] };
    print(ctx.message);
    print("  ", e.constructor.name, tuple(e.args), pyRepr(e.cause));
    for (const x of lines(e)) print("   |", x);
  });
  loop.callSoon(readConfig, "app.cfg");
  loop.callSoon(waitReply);
  loop.callSoon(pick, 3);
  await loop.runUntilComplete(asyncio.sleep(0));
  loop.close();
}

const EXPECTED = [
  "Exception in callback readConfig('app.cfg')",
  "   FileNotFoundError (2, 'No such file or directory') LookupError(\"no entry 'app.cfg'\")",
  "   | Traceback (most recent call last):",
  "   | KeyError: 'app.cfg'",
  "   | The above exception was the direct cause of the following exception:",
  "   | Traceback (most recent call last):",
  "   | LookupError: no entry 'app.cfg'",
  "   | The above exception was the direct cause of the following exception:",
  "   | Traceback (most recent call last):",
  "   | FileNotFoundError: [Errno 2] No such file or directory: 'app.cfg'",
  "Exception in callback waitReply()",
  "   TimeoutError ('no reply',) ConnectionRefusedError(111, 'Connection refused')",
  "   | Traceback (most recent call last):",
  "   | ConnectionRefusedError: [Errno 111] Connection refused",
  "   | The above exception was the direct cause of the following exception:",
  "   | Traceback (most recent call last):",
  "   | TimeoutError: no reply",
  "Exception in callback pick(3)",
  "   KeyError (3,) ValueError('bad index 3')",
  "   | Traceback (most recent call last):",
  "   | ValueError: bad index 3",
  "   | The above exception was the direct cause of the following exception:",
  "   | Traceback (most recent call last):",
  "   | KeyError: 3",
];

/** Python's callback names (`read_config`) where the port's are camelCase. */
function snake(line: string): string {
  return line.replace("readConfig", "read_config").replace("waitReply", "wait_reply");
}

test("a callback's error made with { cause } reports its cause", async () => {
  const out: string[] = [];
  await app(printer(out));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_loop5_callback_cause.py", () => {
  const ref = pythonReference("rp_loop5_callback_cause");
  if (ref !== null) assertEquals(ref.lines, EXPECTED.map(snake), ref.python);
}, { fdCheck: false, timeout: 30 });
