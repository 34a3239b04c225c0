// In debug mode a read pipe transport logs "<transport> pauses reading" and
// "<transport> resumes reading", its repr taken after the selector change
// (idle, then polling), as CPython 3.11's does; calls that change nothing
// log nothing. These two lines were missing. Fds are masked; slow-step
// warnings are left out. Checked
// against CPython (tests/fixtures/py/rp_unix8_pipe_pause_debug.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  class Sink extends asyncio.Protocol {
    lost = loop.createFuture<Error | null>();
    override dataReceived(data: Uint8Array) {
      print("data", `b'${new TextDecoder().decode(data)}'`);
    }
    override connectionLost(exc: Error | null) {
      this.lost.setResult(exc);
    }
    override toString() {
      return "<Sink>";
    }
  }
  const [r, w] = asyncio.pipe();
  const [rt, rp] = await loop.connectReadPipe(() => new Sink(), r);
  const [wt, wp] = await loop.connectWritePipe(() => new Sink(), w);
  rt.pauseReading();
  rt.pauseReading();
  wt.write(new TextEncoder().encode("held"));
  await asyncio.sleep(0.05);
  print("reading", rt.isReading());
  rt.resumeReading();
  rt.resumeReading();
  await asyncio.sleep(0.05);
  wt.close();
  print("lost", await rp.lost, await wp.lost);
  rt.pauseReading();
  rt.resumeReading();
  print("reading", rt.isReading());
}

const EXPECTED = [
  "DEBUG Read pipe N connected: (<_UnixReadPipeTransport fd=N polling>, <Sink>)",
  "DEBUG Write pipe N connected: (<_UnixWritePipeTransport fd=N idle bufsize=0>, <Sink>)",
  "DEBUG <_UnixReadPipeTransport fd=N idle> pauses reading",
  "reading False",
  "DEBUG <_UnixReadPipeTransport fd=N polling> resumes reading",
  "data b'held'",
  "INFO <_UnixReadPipeTransport fd=N polling> was closed by peer",
  "lost None None",
  "reading False",
];

test("debug mode logs a read pipe's pause_reading() and resume_reading()", async () => {
  const out: string[] = [];
  const print = printer(out);
  const show = (rec: asyncio.LogRecord) => {
    const msg = rec.message.replace(/fd=\d+/g, "fd=N").replace(/pipe \d+/g, "pipe N");
    if (msg.startsWith("Executing ")) return; // a slow step, on a loaded machine
    if (!msg.includes("selector") && !msg.includes("Close <")) print(rec.levelName, msg);
  };
  asyncio.logger.addHandler(show);
  asyncio.logger.setLevel(asyncio.DEBUG);
  try {
    await asyncio.run(() => app(print), { debug: true });
  } finally {
    asyncio.logger.removeHandler(show);
    asyncio.logger.setLevel(0);
  }
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_unix8_pipe_pause_debug.py", () => {
  const ref = pythonReference("rp_unix8_pipe_pause_debug");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
