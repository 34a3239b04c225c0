// What the "asyncio" logger records in debug mode, message lines only:
// "Using selector: EpollSelector" (DEBUG) when any selector loop is made,
// "Close <...>" when a debug loop closes, and slow callbacks and task steps.
// PYTHONASYNCIODEBUG and run(debug=) switch debug mode. Checked against
// CPython, whose source locations and timings are masked.
import process from "node:process";
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

function busy(): void {
  const end = performance.now() + 60;
  while (performance.now() < end) { /* busy on purpose */ }
}

function slow(_n: number): void {
  busy();
}

async function stepper(): Promise<void> {
  busy();
  await asyncio.sleep(0);
  busy();
}

async function debugLog(print: (...args: unknown[]) => void): Promise<void> {
  const log = asyncio.logger;
  print("level", log.level, log.getEffectiveLevel());
  const show = (r: asyncio.LogRecord) => {
    const msg = r.message.split("\n")[0];
    // A step slowed by a busy machine, not by the program.
    if (r.level === asyncio.WARNING && !msg.includes("slow")) return;
    print(`${r.levelName}:${r.name}:${msg.replace(/took \d+\.\d+ seconds/, "took N seconds")}`);
  };
  log.addHandler(show);
  log.setLevel(asyncio.DEBUG);
  const saved = process.env.PYTHONASYNCIODEBUG;
  try {
    const main = async () => {
      const loop = asyncio.getRunningLoop();
      print("debug", loop.getDebug(), loop.slowCallbackDuration);
      loop.slowCallbackDuration = 0.05;
      loop.callSoon(slow, 1);
      await asyncio.sleep(0.01);
      await asyncio.createTask(stepper, { name: "slowpoke" });
    };
    print("run debug=True");
    await asyncio.run(main, { debug: true });
    print("run");
    await asyncio.run(main);
    process.env.PYTHONASYNCIODEBUG = "1";
    print("run with PYTHONASYNCIODEBUG=1");
    await asyncio.run(main);
    print("run(debug=False) with PYTHONASYNCIODEBUG=1");
    await asyncio.run(main, { debug: false });
    delete process.env.PYTHONASYNCIODEBUG;
    const loop = asyncio.newEventLoop();
    print("set_debug", loop.getDebug(), loop.setDebug(true), loop.getDebug());
    loop.close();
  } finally {
    if (saved === undefined) delete process.env.PYTHONASYNCIODEBUG;
    else process.env.PYTHONASYNCIODEBUG = saved;
    log.removeHandler(show);
    log.setLevel(0);
  }
}

const SELECTOR = "DEBUG:asyncio:Using selector: EpollSelector";
const CLOSE = "DEBUG:asyncio:Close <_UnixSelectorEventLoop running=False closed=False debug=True>";
const SLOW = [
  "WARNING:asyncio:Executing <Handle slow(1)> took N seconds",
  "WARNING:asyncio:Executing <Task pending name='slowpoke' coro=<stepper()> " +
  "cb=[Task.task_wakeup()]> took N seconds",
  "WARNING:asyncio:Executing <Task finished name='slowpoke' coro=<stepper()> result=None> " +
  "took N seconds",
];
const EXPECTED = [
  "level 0 30",
  "run debug=True",
  SELECTOR,
  "debug True 0.1",
  ...SLOW,
  CLOSE,
  "run",
  SELECTOR,
  "debug False 0.1",
  "run with PYTHONASYNCIODEBUG=1",
  SELECTOR,
  "debug True 0.1",
  ...SLOW,
  CLOSE,
  "run(debug=False) with PYTHONASYNCIODEBUG=1",
  SELECTOR,
  "debug False 0.1",
  SELECTOR,
  "set_debug False None True",
  CLOSE,
];

test(
  "debug mode's log records: the selector in use, slow callbacks and steps, the closing loop",
  async () => {
    const out: string[] = [];
    await debugLog(printer(out));
    assertEquals(out, EXPECTED);
  },
  { timeout: 30 },
);

test("CPython prints the same for sw_fun_debug_log.py", () => {
  const ref = pythonReference("sw_fun_debug_log");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
