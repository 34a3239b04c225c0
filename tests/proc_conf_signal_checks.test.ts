// addSignalHandler checks its arguments as CPython 3.11's add_signal_handler:
// 32 and 33 are no valid signals, a coroutine object is refused like a
// coroutine function, and a non-callable is taken (it fails when the signal
// comes). Checked against CPython.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import process from "node:process";
import * as asyncio from "../mod.ts";

async function signalChecks(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const describe = (e: unknown) => `${(e as Error).constructor.name} ${(e as Error).message}`;
  for (const sig of [0, 31, 32, 33, 65]) {
    try {
      loop.addSignalHandler(sig, console.log);
      print(sig, "ok", loop.removeSignalHandler(sig));
    } catch (e) {
      if (!(e instanceof asyncio.ValueError || e instanceof asyncio.RuntimeError)) throw e;
      print(sig, describe(e));
    }
  }
  for (const sig of [32, 33]) {
    try {
      loop.removeSignalHandler(sig);
    } catch (e) {
      if (!(e instanceof asyncio.ValueError)) throw e;
      print("remove", sig, describe(e));
    }
  }
  const co = asyncio.coroutine(async () => {});
  try {
    loop.addSignalHandler(asyncio.signals.SIGUSR2, co() as never);
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    print("coroutine object:", describe(e));
  }
  const errors: string[] = [];
  loop.setExceptionHandler((_, ctx) => errors.push(String(ctx.message)));
  loop.addSignalHandler(asyncio.signals.SIGUSR2, 5 as never);
  print("non-callable taken");
  process.kill(process.pid, "SIGUSR2");
  for (let i = 0; i < 100; i++) {
    await asyncio.sleep(0.01);
    if (errors.length) break;
  }
  print("when it came:", `[${errors.map((m) => `'${m}'`).join(", ")}]`);
  print(loop.removeSignalHandler(asyncio.signals.SIGUSR2));
}

const EXPECTED = [
  "0 ValueError invalid signal number 0",
  "31 ok True",
  "32 ValueError invalid signal number 32",
  "33 ValueError invalid signal number 33",
  "65 ValueError invalid signal number 65",
  "remove 32 ValueError invalid signal number 32",
  "remove 33 ValueError invalid signal number 33",
  "coroutine object: TypeError coroutines cannot be used with add_signal_handler()",
  "non-callable taken",
  "when it came: ['Exception in callback 5()']",
  "True",
];

test(
  "addSignalHandler: signals 32/33 invalid, coroutine objects refused, non-callables taken",
  async () => {
    const out: string[] = [];
    await asyncio.run(() => signalChecks(printer(out)));
    assertEquals(out, EXPECTED);
  },
  { timeout: 20 },
);

test("CPython prints the same for proc_conf_signal_checks.py", () => {
  const ref = pythonReference("proc_conf_signal_checks");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
