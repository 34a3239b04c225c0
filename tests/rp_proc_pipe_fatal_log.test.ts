// In debug mode a pipe transport's fatal OS error (EPIPE on write) is
// logged with the error attached, Python's exc_info=True; the message
// alone was logged before. Checked against CPython
// (tests/fixtures/py/rp_proc_pipe_fatal_log.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { runWithDebugLog } from "./debug_log.ts";
import * as asyncio from "../mod.ts";

type Print = (...args: unknown[]) => void;

async function app(print: Print): Promise<void> {
  class P extends asyncio.Protocol {
    override connectionLost(exc: Error | null) {
      const e = exc as asyncio.OSError;
      print("lost", `${e.constructor.name}(${e.errno}, '${e.strerror}')`);
    }
  }
  const loop = asyncio.getRunningLoop();
  const [r, w] = asyncio.pipe();
  asyncio.closeFd(r);
  const [t] = await loop.connectWritePipe(() => new P(), w);
  (t as asyncio.WriteTransport).write(new TextEncoder().encode("x"));
  await asyncio.sleep(0.01);
  print("closing", t.isClosing() ? "True" : "False");
}

const PIPE = "<_UnixWritePipeTransport fd=N idle bufsize=0>";
const EXPECTED = [
  `DEBUG: Write pipe N connected: (${PIPE}, <__main__.P object>)`,
  `DEBUG: ${PIPE}: Fatal write error on pipe transport [BrokenPipeError(32, 'Broken pipe')]`,
  "lost BrokenPipeError(32, 'Broken pipe')",
  "closing True",
  "DEBUG: Close <_UnixSelectorEventLoop running=False closed=False debug=True>",
];

test("debug mode logs a pipe's fatal error with the error attached", async () => {
  const out: string[] = [];
  const print = printer(out);
  await runWithDebugLog(print, () => app(print));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_proc_pipe_fatal_log.py", () => {
  const ref = pythonReference("rp_proc_pipe_fatal_log");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
