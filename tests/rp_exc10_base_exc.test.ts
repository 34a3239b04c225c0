// KeyboardInterrupt and SystemExit raised in a callback or a task end the
// loop: asyncio.run cancels main (its catch/finally run) and rethrows; a
// SystemExit in a task cancels the others; runForever rethrows and stops; a
// Runner stays usable after one. Checked against CPython
// (tests/fixtures/py/rp_exc10_base_exc.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const main = async () => {
    const loop = asyncio.getRunningLoop();
    loop.callSoon(() => {
      throw new asyncio.KeyboardInterrupt();
    });
    try {
      await asyncio.sleep(1);
    } catch (e) {
      if (e instanceof asyncio.CancelledError) print("main cancelled");
      throw e;
    } finally {
      print("main finally");
    }
  };
  try {
    await asyncio.run(main);
  } catch (e) {
    if (!(e instanceof asyncio.KeyboardInterrupt)) throw e;
    print("KeyboardInterrupt out of run");
  }

  const main2 = async () => {
    // "never retrieved" for the SystemExit task is reported when it is
    // collected in CPython: keep quiet.
    asyncio.getRunningLoop().setExceptionHandler(() => {});
    asyncio.createTask(async () => {
      try {
        await asyncio.sleep(5);
      } catch (e) {
        if (e instanceof asyncio.CancelledError) print("bg cancelled");
        throw e;
      }
    });
    asyncio.createTask(async () => {
      await asyncio.sleep(0);
      throw new asyncio.SystemExit(7);
    });
    await asyncio.sleep(1);
    print("not reached");
  };
  try {
    await asyncio.run(main2);
  } catch (e) {
    if (!(e instanceof asyncio.SystemExit)) throw e;
    print("SystemExit out of run", e.code);
  }

  const loop = asyncio.newEventLoop();
  loop.callSoon(() => {
    throw new asyncio.SystemExit(2);
  });
  try {
    await loop.runForever();
  } catch (e) {
    if (!(e instanceof asyncio.SystemExit)) throw e;
    print("run_forever", e.code, loop.isRunning());
  }
  loop.close();

  const r = new asyncio.Runner();
  try {
    try {
      await r.run(async () => {
        throw new asyncio.SystemExit(5);
      });
    } catch (e) {
      if (!(e instanceof asyncio.SystemExit)) throw e;
      print("runner", e.code);
    }
    print(await r.run(() => asyncio.sleep(0, "still usable")));
  } finally {
    await r.close();
  }
}

const EXPECTED = [
  "main cancelled",
  "main finally",
  "KeyboardInterrupt out of run",
  "bg cancelled",
  "SystemExit out of run 7",
  "run_forever 2 False",
  "runner 5",
  "still usable",
];

test(
  "KeyboardInterrupt and SystemExit from callbacks and tasks end run, runForever, Runner.run",
  async () => {
    const out: string[] = [];
    await app(printer(out));
    assertEquals(out, EXPECTED);
  },
  { timeout: 20 },
);

test("CPython prints the same for rp_exc10_base_exc.py", () => {
  const ref = pythonReference("rp_exc10_base_exc");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
