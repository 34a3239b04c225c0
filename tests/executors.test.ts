// Executors: ThreadPoolExecutor (Workers, functions sent as source),
// InlineExecutor, the loop's runInExecutor / setDefaultExecutor /
// shutdownDefaultExecutor, and toThread.
//
// No timing assertions: "the loop was not blocked" and "the jobs overlapped"
// are shown through SharedArrayBuffer flags that a job waits on and the
// other side sets, so a wrong implementation hangs or sees the wrong count.
//
// Worker threads have fds of their own (each runtime's per-thread event
// loop), closed a little after the thread stops on Deno: every test that
// starts workers shuts them down and waits for its fds to come back before
// the harness compares.
import { openFds, runtime, skip, test } from "./harness.ts";
import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertMatch,
  assertRejects,
  assertStrictEquals,
  assertThrows,
} from "./assert.ts";
import * as asyncio from "../mod.ts";
import { type Executor, InlineExecutor, ThreadPoolExecutor } from "../lib/executors.ts";
import {
  closeDefaultExecutor,
  runInExecutor,
  setDefaultExecutor,
  shutdownDefaultExecutor,
  toThread,
} from "../lib/threads.ts";
import { runScript } from "./util.ts";

/** Waits (up to 5 s) until the fds open at `before` are all that is open again. */
async function fdsBack(before: Map<number, string>): Promise<void> {
  for (let i = 0; i < 250; i++) {
    const now = openFds();
    let extra = false;
    for (const [fd, target] of now) {
      if (before.get(fd) !== target) extra = true;
    }
    if (!extra) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Runs `fn(pool)`, then shuts the pool down and waits for the workers' fds to close. */
async function withPool<T>(
  opts: { maxWorkers?: number },
  fn: (pool: ThreadPoolExecutor) => Promise<T>,
): Promise<T> {
  const before = openFds();
  const pool = new ThreadPoolExecutor(opts);
  try {
    return await fn(pool);
  } finally {
    await pool.shutdown(true);
    await fdsBack(before);
  }
}

/** `asyncio.run(main)`, shutting the default executor down at the end as Runner.close() does. */
async function runWithExecutor<T>(
  main: (loop: asyncio.AbstractEventLoop) => Promise<T>,
): Promise<T> {
  const before = openFds();
  try {
    return await asyncio.run(async () => {
      const loop = asyncio.getRunningLoop();
      try {
        return await main(loop);
      } finally {
        await shutdownDefaultExecutor(loop);
      }
    });
  } finally {
    await fdsBack(before);
  }
}

function flag(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(8));
}

// ---- functions that run in workers: only their arguments and globals.

/** CPU-bound: counts primes until the main thread raises `stop[0]`. */
function primesUntil(stop: Int32Array): number {
  let count = 0;
  for (let n = 2;; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) {
      if (n % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) count++;
    if ((n & 1023) === 0 && Atomics.load(stop, 0) === 1) return count;
  }
}

/** Enters, then waits (at most `ms`) for `want` jobs to be inside at once; returns how many it saw. */
function meet(counter: Int32Array, want: number, ms: number): number {
  Atomics.add(counter, 0, 1);
  Atomics.notify(counter, 0);
  const end = Date.now() + ms;
  let seen = Atomics.load(counter, 0);
  while (seen < want && Date.now() < end) {
    Atomics.wait(counter, 0, seen, Math.max(1, end - Date.now()));
    seen = Atomics.load(counter, 0);
  }
  return seen;
}

/** Blocks its worker until `gate[0]` is 1; counts itself in `gate[1]`. */
function waitGate(gate: Int32Array, tag: string): string {
  Atomics.add(gate, 1, 1);
  while (Atomics.load(gate, 0) !== 1) Atomics.wait(gate, 0, 0, 50);
  return tag;
}

function open(gate: Int32Array): void {
  Atomics.store(gate, 0, 1);
  Atomics.notify(gate, 0);
}

/** Until `gate[1]` reaches `n`: the jobs have started in their workers. */
async function started(gate: Int32Array, n: number): Promise<void> {
  while (Atomics.load(gate, 1) < n) await new Promise((r) => setTimeout(r, 5));
}

// ---------------------------------------------------------------- ThreadPoolExecutor

test("a CPU-bound job runs in a worker while the loop keeps running its timers", async () => {
  const r = await runWithExecutor(async (loop) => {
    const stop = flag();
    let ticks = 0;
    // The job only ends once this 10 ms timer has ticked 10 times: a loop
    // blocked by the job would never get there, and the test would hang.
    const tick = () => {
      ticks++;
      if (ticks === 10) Atomics.store(stop, 0, 1);
      else loop.callLater(0.01, tick);
    };
    loop.callLater(0.01, tick);
    const count = await runInExecutor(loop, null, primesUntil, stop);
    return { ticks, count };
  });
  assertEquals(r.ticks, 10);
  assert(r.count > 100, `primes found: ${r.count}`);
});

test("maxWorkers 2 runs two jobs at the same time", async () => {
  const seen = await withPool({ maxWorkers: 2 }, (pool) => {
    const counter = flag();
    // Each job waits until both are inside: 2 only if they overlap.
    return Promise.all([
      pool.submit(meet, counter, 2, 10_000),
      pool.submit(meet, counter, 2, 10_000),
    ]);
  });
  assertEquals(seen, [2, 2]);
});

test("maxWorkers 1 runs jobs one after the other, in submission order", async () => {
  const seen = await withPool({ maxWorkers: 1 }, (pool) => {
    const counter = flag();
    // The first would see the second inside if both ran; it gives up after 300 ms.
    return Promise.all([pool.submit(meet, counter, 2, 300), pool.submit(meet, counter, 2, 300)]);
  });
  assertEquals(seen, [1, 2]);
});

test("workers are made lazily and reused", async () => {
  await withPool({ maxWorkers: 4 }, async (pool) => {
    assertMatch(String(pool), /maxWorkers=4 workers=0 /);
    for (let i = 0; i < 3; i++) assertEquals(await pool.submit((x: number) => x + 1, i), i + 1);
    assertMatch(String(pool), /workers=1 /);
  });
});

test("the default size is min(32, cpus + 4); maxWorkers must be positive", () => {
  const n = new ThreadPoolExecutor().maxWorkers;
  assert(n >= 5 && n <= 32, `maxWorkers ${n}`);
  assertThrows(() => new ThreadPoolExecutor({ maxWorkers: 0 }), asyncio.ValueError, "max_workers");
});

test("an exception in the worker rejects with its name, message and stack", async () => {
  await withPool({}, async (pool) => {
    const e = await assertRejects(
      () =>
        pool.submit((n: number) => {
          if (n < 0) throw new RangeError(`negative: ${n}`);
          return n;
        }, -1),
      RangeError,
    );
    assertEquals(e.name, "RangeError");
    assertEquals(e.message, "negative: -1");
    assertMatch(e.stack ?? "", /negative: -1/);

    // Other names are kept on an Error, with primitive fields such as `code`.
    const custom = await assertRejects(() =>
      pool.submit(() => {
        const err = new Error("no such thing") as Error & { code: string };
        err.name = "LookupError";
        err.code = "E_LOOKUP";
        throw err;
      })
    );
    assertEquals(custom.name, "LookupError");
    assertEquals(custom.message, "no such thing");
    assertEquals((custom as Error & { code?: string }).code, "E_LOOKUP");

    // Something thrown that is no Error comes back as itself.
    const thrown = await pool.submit(() => {
      throw { reason: 42 };
    }).then(() => null, (v: unknown) => v);
    assertEquals(thrown, { reason: 42 });
  });
});

test("async functions are awaited in the worker, and may import absolute URLs", async () => {
  await withPool({}, async (pool) => {
    const v = await pool.submit(async (ms: number) => {
      await new Promise((r) => setTimeout(r, ms));
      return "slept";
    }, 20);
    assertEquals(v, "slept");
    const url = new URL(
      runtime === "node" ? "./fixtures/executor_module.js" : "./fixtures/executor_module.ts",
      import.meta.url,
    ).href;
    const got = await pool.submit(async (u: string) => {
      const m = await import(u);
      return m.double(m.answer);
    }, url);
    assertEquals(got, 84);
    await assertRejects(
      () =>
        pool.submit(async () => {
          await null;
          throw new TypeError("after an await");
        }),
      TypeError,
      "after an await",
    );
  });
  // Deno keeps one eventfd + epoll pair of the last worker that imported a
  // module after that worker's thread is gone (and frees it when the next
  // such worker ends): Deno's, not ours, and it does not grow.
}, { fdCheck: runtime !== "deno" });

test("arguments and results are structured-cloned (Uint8Array, Map, Date, SharedArrayBuffer shared)", async () => {
  await withPool({}, async (pool) => {
    const bytes = new Uint8Array([1, 2, 3]);
    const map = new Map<string, number>([["a", 1], ["b", 2]]);
    const shared = flag();
    const [rev, doubled, when] = await pool.submit(
      (b: Uint8Array, m: Map<string, number>, s: Int32Array) => {
        Atomics.store(s, 0, 7);
        const out = new Map<string, number>();
        for (const [k, v] of m) out.set(k, v * 2);
        return [b.reverse(), out, new Date(0)] as const;
      },
      bytes,
      map,
      shared,
    );
    assertInstanceOf(rev, Uint8Array);
    assertEquals([...rev], [3, 2, 1]);
    assertEquals([...bytes], [1, 2, 3], "the caller's array was copied, not moved");
    assertInstanceOf(doubled, Map);
    assertEquals([...doubled], [["a", 2], ["b", 4]]);
    assertInstanceOf(when, Date);
    assertEquals(Atomics.load(shared, 0), 7, "a SharedArrayBuffer is shared");
  });
});

test("what cannot travel fails clearly: closures, unclonable values, native functions", async () => {
  await withPool({}, async (pool) => {
    const secret = { n: 5 };
    // The function's text reaches the worker; `secret` does not.
    await assertRejects(() => pool.submit(() => secret.n + 1), ReferenceError, "secret");
    const e = await assertRejects(() => pool.submit(() => () => 1));
    assertEquals(e.name, "DataCloneError");
    assertMatch(e.message, /cannot be sent back/);
    await assertRejects(() => pool.submit((f: unknown) => typeof f, () => 1));
    assertThrows(() => pool.submit(Math.max, 1, 2), TypeError, "native or bound");
    assertThrows(() => pool.submit(((x: number) => x).bind(null), 1), TypeError, "native or bound");
    // The pool is still usable after all of that.
    assertEquals(await pool.submit((x: number) => x * 3, 3), 9);
  });
});

test("method shorthand functions travel too", async () => {
  await withPool({}, async (pool) => {
    const o = {
      twice(x: number) {
        return x * 2;
      },
      async later(x: number) {
        return await Promise.resolve(x + 1);
      },
    };
    assertEquals(await pool.submit(o.twice, 4), 8);
    assertEquals(await pool.submit(o.later, 4), 5);
  });
});

test("bad input: a non-function is a TypeError", async () => {
  await withPool({}, (pool) => {
    const submit = pool.submit as (fn: unknown, ...args: unknown[]) => unknown;
    assertThrows(
      () => submit.call(pool, 42),
      TypeError,
      "a callable object was expected by submit(), got 42",
    );
    assertThrows(() => submit.call(pool, "x => x"), TypeError, "a callable object");
    return Promise.resolve();
  });
});

test("a worker that dies rejects its job; the pool makes a new worker", async () => {
  const errors: asyncio.LogRecord[] = [];
  const handler = (r: asyncio.LogRecord) => errors.push(r);
  asyncio.logger.addHandler(handler);
  try {
    await withPool({ maxWorkers: 1 }, async (pool) => {
      const e = await assertRejects(() =>
        pool.submit(async () => {
          setTimeout(() => {
            throw new TypeError("uncaught in the worker");
          }, 0);
          await new Promise(() => {});
        })
      );
      assertEquals(e.name, "TypeError");
      assertMatch(e.message, /uncaught in the worker/);
      assertEquals(await pool.submit(() => "still works"), "still works");
    });
  } finally {
    asyncio.logger.removeHandler(handler);
  }
  assertEquals(errors.length, 0, "the failure went to the job, not to the log");
});

// ---------------------------------------------------------------- shutdown

test("shutdown: no new jobs; wait resolves after the running job; workers are terminated", async () => {
  const before = openFds();
  const pool = new ThreadPoolExecutor({ maxWorkers: 2 });
  const gate = flag();
  let settled = false;
  const job = pool.submit(waitGate, gate, "done").then((v) => {
    settled = true;
    return v;
  });
  await started(gate, 1);
  const shut = pool.shutdown();
  assertThrows(
    () => pool.submit(() => 1),
    asyncio.RuntimeError,
    "cannot schedule new futures after shutdown",
  );
  assertEquals(settled, false);
  open(gate);
  await shut;
  assertEquals(settled, true, "shutdown(wait) resolved before the running job finished");
  assertEquals(await job, "done");
  assertMatch(String(pool), /workers=0 queued=0 shutdown/);
  await pool.shutdown(); // idempotent
  await fdsBack(before);
});

test("shutdown without cancelFutures still runs the queued jobs", async () => {
  const before = openFds();
  const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
  const jobs = [1, 2, 3].map((i) => pool.submit((x: number) => x * 10, i));
  await pool.shutdown(false);
  assertEquals(await Promise.all(jobs), [10, 20, 30]);
  await pool.shutdown(true);
  await fdsBack(before);
});

test("shutdown(cancelFutures) cancels the queued jobs; cancel() withdraws one not started", async () => {
  await withPool({ maxWorkers: 1 }, async (pool) => {
    const gate = flag();
    const running = pool.submit(waitGate, gate, "ran");
    const queued = [pool.submit(waitGate, gate, "b"), pool.submit(waitGate, gate, "c")];
    const third = pool.submit(waitGate, gate, "d");
    await started(gate, 1);
    assertEquals(running.cancel(), false, "a running job cannot be withdrawn");
    assertEquals(third.cancel(), true);
    assertEquals(third.cancel(), false);
    await assertRejects(() => third, asyncio.CancelledError);
    const shut = pool.shutdown(true, { cancelFutures: true });
    for (const q of queued) await assertRejects(() => q, asyncio.CancelledError);
    open(gate);
    await shut;
    assertEquals(await running, "ran");
    assertEquals(Atomics.load(gate, 1), 1, "only the first job ever started");
  });
});

test("`await using` shuts the pool down", async () => {
  const before = openFds();
  let kept: ThreadPoolExecutor;
  {
    await using pool = new ThreadPoolExecutor();
    kept = pool;
    assertEquals(await pool.submit(() => 1), 1);
  }
  assertThrows(() => kept.submit(() => 1), asyncio.RuntimeError);
  await fdsBack(before);
});

// ---------------------------------------------------------------- InlineExecutor

test("InlineExecutor: closures and unclonable values, on a later macrotask", async () => {
  const inline = new InlineExecutor();
  const seen: string[] = [];
  const counter = { n: 0 };
  const fn = (add: number, cb: () => string) => {
    counter.n += add;
    seen.push(cb());
    return counter;
  };
  const p = inline.submit(fn, 2, () => "callback ran");
  seen.push("after submit");
  await Promise.resolve();
  seen.push("after a microtask");
  const r = await p;
  assertStrictEquals(r, counter, "the result is the object itself, not a copy");
  assertEquals(seen, ["after submit", "after a microtask", "callback ran"]);
  assertEquals(await inline.submit(Math.max, 1, 5), 5);
  assertEquals(await inline.submit(async (x: number) => await Promise.resolve(x + 1), 1), 2);
  const err = new RangeError("inline");
  const got = await assertRejects(() =>
    inline.submit(() => {
      throw err;
    })
  );
  assertStrictEquals(got, err);
  assertThrows(() => (inline.submit as (f: unknown) => unknown)(1), TypeError);
  await inline.shutdown();
});

test("InlineExecutor: cancel, shutdown(cancelFutures), and wait for running async jobs", async () => {
  const inline = new InlineExecutor();
  let release!: () => void;
  let ran = 0;
  const slow = inline.submit(async () => {
    ran++;
    await new Promise<void>((r) => (release = r));
    return "slow";
  });
  const withdrawn = inline.submit(() => ran++);
  assertEquals(withdrawn.cancel(), true);
  await assertRejects(() => withdrawn, asyncio.CancelledError);
  await new Promise((r) => setTimeout(r, 10));
  assertEquals(slow.cancel(), false);
  const queued = inline.submit(() => ran++);
  let shutDone = false;
  const shut = inline.shutdown(true, { cancelFutures: true }).then(() => (shutDone = true));
  await assertRejects(() => queued, asyncio.CancelledError);
  assertThrows(() => inline.submit(() => 1), asyncio.RuntimeError, "after shutdown");
  await new Promise((r) => setTimeout(r, 10));
  assertEquals(shutDone, false);
  release();
  await shut;
  assertEquals(await slow, "slow");
  assertEquals(ran, 1);
});

// ---------------------------------------------------------------- the loop

test("runInExecutor returns a loop Future; the default executor is made once and reused", async () => {
  await runWithExecutor(async (loop) => {
    const f = runInExecutor(loop, null, (a: number, b: number) => a * b, 6, 7);
    assert(asyncio.isFuture(f));
    assertStrictEquals(f.getLoop(), loop);
    assertEquals(await f, 42);
    assertEquals(await runInExecutor(loop, undefined, () => "again"), "again");
    // An explicit executor is used instead.
    const inline = new InlineExecutor();
    const secret = { n: 1 };
    assertEquals(await runInExecutor(loop, inline, () => secret.n + 1), 2);
    await inline.shutdown();
  });
});

test("cancelling runInExecutor's Future withdraws a queued job", async () => {
  await runWithExecutor(async (loop) => {
    setDefaultExecutor(loop, new ThreadPoolExecutor({ maxWorkers: 1 }));
    const gate = flag();
    const first = runInExecutor(loop, null, waitGate, gate, "first");
    const second = runInExecutor(loop, null, waitGate, gate, "second");
    while (Atomics.load(gate, 1) < 1) await asyncio.sleep(0.005);
    second.cancel();
    assert(second.cancelled());
    open(gate);
    assertEquals(await first, "first");
    await asyncio.sleep(0.05);
    assertEquals(Atomics.load(gate, 1), 1, "the cancelled job never started");
  });
});

test("runInExecutor: bad input and Python's checks", async () => {
  await runWithExecutor(async (loop) => {
    loop.setDebug(false); // whatever ASYNCIO_DEBUG says
    const run = runInExecutor as (l: unknown, e: unknown, f: unknown) => unknown;
    // Outside debug mode Python calls it in the worker: the future fails.
    await assertRejects(
      async () => await (run(loop, null, 42) as Promise<unknown>),
      TypeError,
      "'int' object is not callable",
    );
    // Outside debug mode an async function is awaited in the worker...
    assertEquals(await runInExecutor(loop, null, async () => await Promise.resolve(7)), 7);
    // ...in debug mode it is refused, as Python refuses coroutine functions.
    loop.setDebug(true);
    assertThrows(
      () => run(loop, null, 42),
      TypeError,
      "a callable object was expected by run_in_executor(), got 42",
    );
    const coroutineFunctions: Array<() => unknown> = [
      async () => await Promise.resolve(7),
      asyncio.coroutine(() => 7),
    ];
    for (const f of coroutineFunctions) {
      assertThrows(
        () => runInExecutor(loop, null, f),
        TypeError,
        "coroutines cannot be used with run_in_executor()",
      );
    }
    assertEquals(
      await runInExecutor(loop, null, () => "a plain function is fine"),
      "a plain function is fine",
    );
    // to_thread hides the function behind a partial in Python: accepted.
    assertEquals(await toThread(async () => await Promise.resolve(8)), 8);
    loop.setDebug(false);
    const bad = assertThrows(() => setDefaultExecutor(loop, {} as Executor), TypeError);
    assertEquals(bad.message, "executor must be ThreadPoolExecutor instance"); // Python 3.11's
  });
  const closed = asyncio.newEventLoop();
  closed.close();
  assertThrows(
    () => runInExecutor(closed, null, () => 1),
    asyncio.RuntimeError,
    "Event loop is closed",
  );
});

test("shutdownDefaultExecutor: later default-executor calls are a RuntimeError; explicit ones work", async () => {
  await runWithExecutor(async (loop) => {
    assertEquals(await runInExecutor(loop, null, () => 1), 1);
    await shutdownDefaultExecutor(loop);
    assertThrows(
      () => runInExecutor(loop, null, () => 1),
      asyncio.RuntimeError,
      "Executor shutdown has been called",
    );
    const inline = new InlineExecutor();
    assertEquals(await runInExecutor(loop, inline, () => 2), 2);
    await shutdownDefaultExecutor(loop); // again: nothing left to do
  });
});

test("shutdownDefaultExecutor(timeout) warns and stops waiting for an executor that does not finish", async () => {
  const records: asyncio.LogRecord[] = [];
  const handler = (r: asyncio.LogRecord) => records.push(r);
  const calls: boolean[] = [];
  const stuck: Executor = {
    submit: async (fn, ...args) => await fn(...args),
    shutdown: (wait = true) => {
      calls.push(wait);
      return wait ? new Promise<void>(() => {}) : undefined;
    },
  };
  // A loop of its own, not run(): run() shuts the default executor down
  // again at the end, and this one would keep it waiting for 300 s.
  const loop = asyncio.newEventLoop();
  asyncio.logger.addHandler(handler);
  try {
    setDefaultExecutor(loop, stuck);
    assertEquals(await loop.runUntilComplete(runInExecutor(loop, null, (x: number) => x, 3)), 3);
    await loop.runUntilComplete(shutdownDefaultExecutor(loop, 0.05));
    assertEquals(calls, [true, false]);
  } finally {
    asyncio.logger.removeHandler(handler);
    loop.close();
  }
  assertEquals(records.length, 1);
  assertEquals(records[0].level, asyncio.WARNING);
  assertEquals(
    records[0].message,
    "The executor did not finishing joining its threads within 0.05 seconds.",
  );
});

test("closeDefaultExecutor (loop.close()'s part) shuts the default executor down without waiting", () => {
  const loop = asyncio.newEventLoop();
  const calls: boolean[] = [];
  setDefaultExecutor(loop, {
    submit: async (fn, ...args) => await fn(...args),
    shutdown: (wait = true) => void calls.push(wait),
  });
  closeDefaultExecutor(loop);
  loop.close();
  assertEquals(calls, [false]);
  const fresh = asyncio.newEventLoop();
  closeDefaultExecutor(fresh); // no default executor yet: nothing to do
  fresh.close();
});

// The loop methods are wired by the lead (lib/base_events.ts delegating to
// lib/threads.ts, Runner.close() shutting the default executor down); until
// then this test is skipped.
interface LoopWithExecutors {
  runInExecutor<A extends unknown[], R>(
    executor: Executor | null,
    func: (...args: A) => R,
    ...args: A
  ): asyncio.Future<Awaited<R>>;
}
const loopMethods = typeof (asyncio.BaseEventLoop.prototype as Partial<LoopWithExecutors>)
  .runInExecutor === "function";
if (loopMethods) {
  test("loop.runInExecutor works, and run() shuts the default executor down at the end", async () => {
    const before = openFds();
    let seen: asyncio.AbstractEventLoop | undefined;
    const r = await asyncio.run(async () => {
      const loop = asyncio.getRunningLoop();
      seen = loop;
      const withExecutors = loop as unknown as LoopWithExecutors;
      return await withExecutors.runInExecutor(null, (x: number) => x + 1, 1);
    });
    assertEquals(r, 2);
    assertThrows(() => runInExecutor(seen!, null, () => 1), asyncio.RuntimeError, "closed");
    // Had run() left the pool's idle worker alive, its fds would still be open here.
    await fdsBack(before);
  });
} else {
  skip("loop.runInExecutor and run()'s executor shutdown", "not wired into the loop yet");
}

// ---------------------------------------------------------------- toThread

test("toThread runs a function in the running loop's default executor", async () => {
  const r = await runWithExecutor(async () => {
    // A lazy coroutine, as Python's to_thread(): a task can be made of it.
    const f = toThread((s: string, n: number) => s.repeat(n), "ab", 3);
    assert(asyncio.iscoroutine(f) && !asyncio.isFuture(f));
    return await asyncio.createTask(f);
  });
  assertEquals(r, "ababab");
  // Without a running loop, awaiting it fails (Python: when it first runs).
  await assertRejects(
    async () => await toThread(() => 1),
    asyncio.RuntimeError,
    "no running event loop",
  );
});

test("an idle pool does not keep the process alive; a busy one does", async () => {
  const r = await runScript("tests/fixtures/to_thread_exit.ts", { timeout: 20 });
  assertEquals(
    r.signal,
    null,
    `killed, so the process did not exit by itself:\n${r.stdout}${r.stderr}`,
  );
  assertEquals(r.code, 0, r.stderr);
  assertEquals(r.stdout.trim().split("\n"), [
    "toThread 5",
    "pool IDLE",
    "end of script",
    "busy late",
  ]);
});

// A module-level helper: a Python thread may call its module's functions, a
// worker gets only the function's text.
const helperCalls: number[] = [];
function noteAndDouble(n: number): number {
  helperCalls.push(n);
  return n * 2;
}

test("what cannot go to a worker runs on the main thread: closures, helpers, native functions", async () => {
  await runWithExecutor(async (loop) => {
    helperCalls.length = 0;
    assertEquals(await runInExecutor(loop, null, noteAndDouble, 3), 6);
    assertEquals(await toThread(noteAndDouble, 4), 8);
    const secret = { n: 5 };
    assertEquals(await toThread(() => secret.n + 1), 6);
    assertEquals(await runInExecutor(loop, null, Math.max, 1, 9), 9);
    assertEquals(await toThread(((x: number) => x + 1).bind(null), 1), 2);
    const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    assertEquals(await runInExecutor(loop, pool, noteAndDouble, 7), 14);
    await pool.shutdown();
    assertEquals(helperCalls, [3, 4, 7]);
    // The error of a function that fails on the main thread too is its own.
    const e = await assertRejects(() =>
      toThread(() => {
        throw new asyncio.ValueError(`bad ${secret.n}`);
      })
    );
    assertInstanceOf(e, asyncio.ValueError);
    assertEquals(e.message, "bad 5");
    await assertRejects(() => toThread(() => (undefinedName as number) + 1), ReferenceError);
    // Self-contained functions still run in a worker: their errors come from there.
    await assertRejects(() => toThread(() => (null as unknown as { x: number }).x), TypeError);
  });
});

declare const undefinedName: unknown;

test("toThread's function sees the caller's context variables when it runs on the main thread", async () => {
  const request = new asyncio.ContextVar<string>("request", { default: "none" });
  await runWithExecutor(async () => {
    request.set("r1");
    assertEquals(await toThread((suffix: string) => request.get() + suffix, "!"), "r1!");
    // Its own set() stays in its copy.
    await toThread(() => request.set("changed"));
    assertEquals(request.get(), "r1");
  });
});
