// Signals reach one loop, as Python's wakeup fd names one: the last loop to
// add a handler. Another loop's handlers do not run, and once that loop's
// last handler is removed (close() removes them) no loop is told any more.
// Checked against CPython (tests/fixtures/py/rp_io6_signal_wakeup_loop.py).
import process from "node:process";
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const { SIGUSR1, SIGUSR2 } = asyncio.signals;
const kill = (sig: string) => process.kill(process.pid, sig);

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const loopA = asyncio.newEventLoop();
  loopA.addSignalHandler(SIGUSR1, print, "a: usr1");
  const loopB = asyncio.newEventLoop();
  loopB.addSignalHandler(SIGUSR1, print, "b: usr1");
  kill("SIGUSR1");
  await loopB.runUntilComplete(asyncio.sleep(0.05));
  await loopA.runUntilComplete(asyncio.sleep(0.05));
  print("a adds SIGUSR2");
  loopA.addSignalHandler(SIGUSR2, print, "a: usr2");
  kill("SIGUSR1");
  await loopB.runUntilComplete(asyncio.sleep(0.05));
  await loopA.runUntilComplete(asyncio.sleep(0.05));
  print("b closes");
  loopB.close();
  kill("SIGUSR2");
  await loopA.runUntilComplete(asyncio.sleep(0.05));
  print("a adds SIGUSR2 again");
  loopA.addSignalHandler(SIGUSR2, print, "a: usr2 again");
  kill("SIGUSR2");
  await loopA.runUntilComplete(asyncio.sleep(0.05));
  print("a removes", loopA.removeSignalHandler(SIGUSR2));
  print("a removes", loopA.removeSignalHandler(SIGUSR1));
  loopA.close();

  await asyncio.run(async () => {
    const loop = asyncio.getRunningLoop();
    const got = loop.createFuture<string>();
    loop.addSignalHandler(SIGUSR1, (v: string) => got.setResult(v), "run: usr1");
    kill("SIGUSR1");
    print(await got);
  });
}

const EXPECTED = [
  "b: usr1",
  "a adds SIGUSR2",
  "a: usr1",
  "b closes",
  "a adds SIGUSR2 again",
  "a: usr2 again",
  "a removes True",
  "a removes True",
  "run: usr1",
];

test("signals reach the last loop to add a handler, none once its last is removed", async () => {
  const out: string[] = [];
  await app(printer(out));
  assertEquals(out, EXPECTED);
  // Deno's first listener for a signal opens host fds that stay (as in
  // rp_loop2_sigint_handler): no fd check.
}, { fdCheck: false, timeout: 30 });

test("CPython prints the same for rp_io6_signal_wakeup_loop.py", () => {
  const ref = pythonReference("rp_io6_signal_wakeup_loop");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
