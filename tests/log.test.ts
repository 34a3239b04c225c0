// The "asyncio" logger and the Python-style reprs console.log shows.
import { test } from "./harness.ts";
import { assert, assertEquals } from "./assert.ts";
import { inspect } from "node:util";
import * as asyncio from "../mod.ts";
import { runScript } from "./util.ts";

test("the logger is named asyncio, defaults to WARNING and filters by level", () => {
  const log = asyncio.logger;
  assertEquals(log.name, "asyncio");
  assertEquals(log.getEffectiveLevel(), asyncio.WARNING);
  const got: string[] = [];
  const h = (r: asyncio.LogRecord) => got.push(`${r.levelName}:${r.message}`);
  log.addHandler(h);
  try {
    log.debug("d");
    log.info("i");
    log.warning("w");
    log.setLevel(asyncio.DEBUG);
    log.debug("d2");
    log.setLevel(asyncio.ERROR);
    log.warning("w2");
    log.critical("c");
  } finally {
    log.setLevel(0);
    log.removeHandler(h);
  }
  assertEquals(got, ["WARNING:w", "DEBUG:d2", "CRITICAL:c"]);
});

test("with no handler, WARNING and above go to stderr as bare messages", async () => {
  const r = await runScript("tests/fixtures/log_last_resort.ts", { timeout: 20 });
  assertEquals(r.code, 0);
  assertEquals(r.stderr, "shown: warning\nshown: error\n");
});

test("console.log shows loops, futures and handles as Python prints them", () => {
  const loop = asyncio.newEventLoop();
  try {
    assertEquals(inspect(loop), "<_UnixSelectorEventLoop running=False closed=False debug=False>");
    const f = loop.createFuture();
    f.setResult([1, "a", null, true]);
    assertEquals(inspect(f), "<Future finished result=[1, 'a', None, True]>");
    assertEquals(inspect(loop.callSoon(function hi() {}, 3)), "<Handle hi(3)>");
  } finally {
    loop.close();
  }
});

test("console.log shows queues, locks, context variables and the rest as Python prints them", async () => {
  await asyncio.run(async () => {
    const q = new asyncio.Queue<unknown>(2);
    q.putNowait(1);
    q.putNowait([2, "x"]);
    // Python's str(queue), what print() shows: no address in it; a queued
    // array is a ported tuple (API.md rule 6), so it prints as one.
    assertEquals(inspect(q), "<Queue maxsize=2 _queue=[1, (2, 'x')] tasks=2>");
    assertEquals(
      inspect([q]).replace(/\s+/g, " "),
      "[ <Queue maxsize=2 _queue=[1, (2, 'x')] tasks=2> ]",
    );
    // Python's reprs, with the address masked as a ported program's output is.
    const masked = (x: unknown) => inspect(x).replace(/ at 0x[0-9a-f]+/g, " at 0x");
    const lock = new asyncio.Lock();
    await lock.acquire();
    assertEquals(masked(lock), "<asyncio.locks.Lock object at 0x [locked]>");
    lock.release();
    assertEquals(masked(new asyncio.Event()), "<asyncio.locks.Event object at 0x [unset]>");
    assertEquals(
      masked(new asyncio.Semaphore(2)),
      "<asyncio.locks.Semaphore object at 0x [unlocked, value:2]>",
    );
    assertEquals(
      masked(new asyncio.Barrier(3)),
      "<asyncio.locks.Barrier object at 0x [filling, waiters:0/3]>",
    );
    assertEquals(
      masked(new asyncio.ContextVar("v", { default: 1 })),
      "<ContextVar name='v' default=1 at 0x>",
    );
    // Every class with a Python repr answers console.log with it.
    for (
      const x of [
        new asyncio.TaskGroup(),
        new asyncio.Timeout(null),
        new asyncio.Condition(),
        asyncio.copyContext(),
      ]
    ) {
      assertEquals(inspect(x), String(x));
      assert(String(x).startsWith("<"), String(x));
    }
  });
});

test("an exception of null logs no traceback (Python's exc_info=None)", async () => {
  const r = await runScript("tests/fixtures/log_no_exception.ts", { timeout: 20 });
  assertEquals(r.code, 0);
  assertEquals(r.stderr, "multi\na: 2\nz: 1\nbare\n");
  const loop = asyncio.newEventLoop();
  const got: unknown[] = [];
  const h = (rec: asyncio.LogRecord) => got.push(rec.exception);
  asyncio.logger.addHandler(h);
  try {
    loop.callExceptionHandler({ message: "m", exception: null } as never);
  } finally {
    asyncio.logger.removeHandler(h);
    loop.close();
  }
  assertEquals(got, [undefined]);
});
