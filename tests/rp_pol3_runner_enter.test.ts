// `await using runner = new asyncio.Runner()` makes the runner's loop where
// the block starts, as Python's `with asyncio.Runner() as runner:` does on
// entry (`__enter__`): the loop factory is called then, and the loop is the
// current one (`getEventLoop()`) in the block. The loop was made at the
// first run() or getLoop() only. Entering a closed runner is a RuntimeError.
// Checked against CPython (tests/fixtures/py/rp_pol3_runner_enter.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const made: string[] = [];
  class Spy extends asyncio.DefaultEventLoopPolicy {
    override newEventLoop() {
      made.push("policy");
      print("policy makes a loop");
      return super.newEventLoop();
    }
  }
  function factory() {
    print("factory called");
    return new asyncio.SelectorEventLoop();
  }
  async function where() {
    return asyncio.getRunningLoop().isRunning();
  }
  asyncio.setEventLoopPolicy(new Spy());
  try {
    asyncio.setEventLoop(null);
    {
      await using r1 = new asyncio.Runner({ loopFactory: factory });
      print("block 1 starts");
      print(await r1.run(where));
    }
    const runner = new asyncio.Runner({ debug: true });
    let loop: asyncio.AbstractEventLoop;
    {
      await using r2 = runner;
      print("block 2 starts", r2 === runner);
      loop = asyncio.getEventLoop();
      print("current is the runner's", loop === runner.getLoop(), loop.getDebug());
      print(loop.isRunning(), loop.isClosed());
    }
    print("closed", loop.isClosed(), made.length);
    try {
      await using _again = runner;
      print("not reached");
    } catch (e) {
      if (!(e instanceof asyncio.RuntimeError)) throw e;
      print("RuntimeError:", e.message);
    }
    const unused = new asyncio.Runner();
    await unused.close();
    {
      await using _u = unused;
      print("an unused runner closed before: entered", made.length);
    }
  } finally {
    asyncio.setEventLoopPolicy(null);
  }
}

const EXPECTED = [
  "factory called",
  "block 1 starts",
  "True",
  "policy makes a loop",
  "block 2 starts True",
  "current is the runner's True True",
  "False False",
  "closed True 1",
  "RuntimeError: Runner is closed",
  "policy makes a loop",
  "an unused runner closed before: entered 2",
];

test("await using a Runner makes its loop where the block starts", async () => {
  const out: string[] = [];
  await app(printer(out));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_pol3_runner_enter.py", () => {
  const ref = pythonReference("rp_pol3_runner_enter");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
