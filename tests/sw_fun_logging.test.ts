// The "asyncio" logger as the spec's Logging section uses it: its level
// (unset: WARNING in effect), setLevel(WARNING), a handler that sees the
// loop's error reports, and `disabled = true` to silence it. Checked
// against CPython.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

function bad(n: number): void {
  throw new asyncio.ValueError(String(n));
}

async function logging(print: (...args: unknown[]) => void): Promise<void> {
  const log = asyncio.logger;
  const loop = asyncio.getRunningLoop();
  print("level", log.level, log.getEffectiveLevel(), log.isEnabledFor(asyncio.ERROR));
  loop.callSoon(bad, 1);
  await asyncio.sleep(0);
  log.setLevel(asyncio.WARNING);
  print("level", log.level, log.getEffectiveLevel(), log.isEnabledFor(asyncio.INFO));
  log.disabled = true;
  print("disabled", log.isEnabledFor(asyncio.CRITICAL));
  loop.callSoon(bad, 2);
  await asyncio.sleep(0);
  log.disabled = false;
  log.setLevel(asyncio.CRITICAL);
  loop.callSoon(bad, 3);
  await asyncio.sleep(0);
  log.setLevel(0);
  loop.callSoon(bad, 4);
  await asyncio.sleep(0);
}

const EXPECTED = [
  "level 0 30 True",
  "ERROR:asyncio:Exception in callback bad(1)",
  "handle: <Handle bad(1)>",
  "level 30 30 False",
  "disabled False",
  "ERROR:asyncio:Exception in callback bad(4)",
  "handle: <Handle bad(4)>",
];

test("the asyncio logger: levels, a handler, disabled", async () => {
  const out: string[] = [];
  const print = printer(out);
  const show = (r: asyncio.LogRecord) => {
    for (const line of `${r.levelName}:${r.name}:${r.message}`.split("\n")) print(line);
  };
  asyncio.logger.addHandler(show);
  try {
    await asyncio.run(() => logging(print));
  } finally {
    asyncio.logger.removeHandler(show);
    asyncio.logger.disabled = false;
    asyncio.logger.setLevel(0);
  }
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for sw_fun_logging.py", () => {
  const ref = pythonReference("sw_fun_logging");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
