// dispatcher.log(message) writes `log: ` + Python's str(message) to stderr:
// an error shows its message (a KeyError its key's repr), not its repr.
// Checked against CPython (tests/fixtures/py/rp_core2_log_str.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";
import { asyncore } from "../mod.ts";

function app(): void {
  const d = new asyncore.dispatcher({ map: new Map() });
  d.log("plain");
  d.log(new asyncio.ValueError("bad value"));
  d.log(new asyncio.FileNotFoundError(2, "No such file"));
  d.log(new asyncio.KeyError("k"));
  d.log(new asyncio.RuntimeError());
  d.log(new asyncio.ExceptionGroup("eg", [new asyncio.ValueError("x"), new asyncio.KeyError("y")]));
  d.log([1, new TextEncoder().encode("x"), null]);
  d.log(3.5);
}

const EXPECTED = [
  "log: plain",
  "log: bad value",
  "log: [Errno 2] No such file",
  "log: 'k'",
  "log: ",
  "log: eg (2 sub-exceptions)",
  "log: [1, b'x', None]",
  "log: 3.5",
];

test("dispatcher.log() writes str(message), an error's message", () => {
  const out: string[] = [];
  const print = printer(out);
  // The fixture sends stderr to stdout; here stderr lines are collected.
  const error = console.error;
  console.error = (...args: unknown[]) => print(...args);
  try {
    app();
  } finally {
    console.error = error;
  }
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_core2_log_str.py", () => {
  const ref = pythonReference("rp_core2_log_str");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
