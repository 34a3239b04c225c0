// Signal handling belongs to the main thread, and a function that toThread
// runs on the main thread in a thread's stead (it uses its module's scope)
// is another thread in Python. A loop it runs could add signal handlers;
// now that is Python's RuntimeError (set_wakeup_fd: main thread only),
// before and after the function's first await. Its asyncio.run() installed
// a SIGINT handler, and its loop listened for SIGINT to raise
// KeyboardInterrupt: Ctrl+C cancelled the thread's main task (or broke its
// run) instead of only the program's. Now, as in Python, Ctrl+C cancels the
// program's main task, the thread's loop runs on to its end, and run()
// raises KeyboardInterrupt after the thread is done. Checked against
// CPython (tests/fixtures/py/rp_sig9_signals_in_thread.py).
import process from "node:process";
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const { SIGUSR1, SIGUSR2 } = asyncio.signals;

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const show = (label: string, e: unknown) =>
    print(label, (e as Error).constructor.name, (e as Error).message);
  const threadLoop = () => {
    const m = async () => {
      const loop = asyncio.getRunningLoop();
      try {
        loop.addSignalHandler(SIGUSR1, print);
        print("thread: added");
      } catch (e) {
        show("thread: add", e);
      }
      await asyncio.sleep(0);
      try {
        loop.addSignalHandler(SIGUSR1, print);
        print("thread: added after an await");
      } catch (e) {
        show("thread: add after an await", e);
      }
      print("thread: remove", loop.removeSignalHandler(SIGUSR1));
      return "m done";
    };
    return asyncio.run(m);
  };
  const threadNewLoop = () => {
    const loop = asyncio.newEventLoop();
    try {
      loop.addSignalHandler(SIGUSR2, print);
      print("thread: new loop added");
    } catch (e) {
      show("thread: new loop add", e);
    } finally {
      loop.close();
    }
  };
  await asyncio.run(async () => {
    print("main:", await asyncio.toThread(threadLoop));
    await asyncio.toThread(threadNewLoop);
  });

  const nestedMain = async () => {
    try {
      process.kill(process.pid, "SIGINT");
      await asyncio.sleep(0.2);
      print("nested main finished");
      return "nested ok";
    } catch (e) {
      if (e instanceof asyncio.CancelledError) print("nested main cancelled");
      throw e;
    }
  };
  const threadFn = async () => {
    try {
      print("thread: nested run returned", await asyncio.run(nestedMain));
    } catch (e) {
      print("thread: nested run raised", (e as Error).constructor.name);
      throw e;
    }
  };
  const main2 = async () => {
    try {
      await asyncio.toThread(threadFn);
    } catch (e) {
      if (e instanceof asyncio.CancelledError) print("main cancelled");
      throw e;
    }
  };
  try {
    await asyncio.run(main2);
  } catch (e) {
    if (!(e instanceof asyncio.KeyboardInterrupt)) throw e;
    print("KeyboardInterrupt out of run()");
  }
}

const EXPECTED = [
  "thread: add RuntimeError set_wakeup_fd only works in main thread of the main interpreter",
  "thread: add after an await RuntimeError set_wakeup_fd only works in main thread of the main interpreter",
  "thread: remove False",
  "main: m done",
  "thread: new loop add RuntimeError set_wakeup_fd only works in main thread of the main interpreter",
  "main cancelled",
  "nested main finished",
  "thread: nested run returned nested ok",
  "KeyboardInterrupt out of run()",
];

test(
  "a loop in a toThread function has no signal handlers; Ctrl+C is the main task's",
  async () => {
    const out: string[] = [];
    await app(printer(out));
    assertEquals(out, EXPECTED);
  },
  { timeout: 20 },
);

test("CPython prints the same for rp_sig9_signals_in_thread.py", () => {
  const ref = pythonReference("rp_sig9_signals_in_thread");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
