// Handles of `console.log`, a port's spelling of Python's builtin print:
// their reprs name `print`, as CPython's do, before and after running and
// cancelling; TimerHandle.when() against loop.time(). Checked against
// CPython's output for tests/fixtures/py/loopc_conf_handles.py.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const EXPECTED = [
  "<Handle print('x', 1)>",
  "<TimerHandle True",
  "print('at')>",
  "x 1",
  "at",
  "False False <Handle print('x', 1)>",
  "<Handle cancelled>",
  "<TimerHandle cancelled True",
];

/** The port of loopc_conf_handles.py, line for line (its prints are console.log). */
async function program(): Promise<void> {
  const loop = asyncio.newEventLoop();
  const py = (b: boolean) => (b ? "True" : "False");
  const h = loop.callSoon(console.log, "x", 1);
  console.log(String(h));
  const t = loop.callLater(10, console.log, [1, null]);
  console.log(String(t).split(" when=")[0], py(t.when() - loop.time() > 9));
  const a = loop.callAt(loop.time() + 0.01, console.log, "at");
  console.log(String(a).split(" when=")[1].split(" ").slice(1).join(" "));
  await loop.runUntilComplete(() => asyncio.sleep(0.05));
  console.log(py(h.cancelled()), py(a.cancelled()), String(h));
  h.cancel();
  t.cancel();
  console.log(String(h));
  console.log(String(t).split(" when=")[0], py(t.cancelled()));
  loop.close();
}

test("handles of console.log show print, as CPython's handles of print do", async () => {
  // The loop calls console.log itself, so the lines are caught there.
  const out: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => out.push(args.join(" "));
  try {
    await program();
  } finally {
    console.log = log;
  }
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for loopc_conf_handles.py", () => {
  const ref = pythonReference("loopc_conf_handles");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
