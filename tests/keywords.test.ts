// Python's keyword form of positional parameters (API.md rule 3): a Python
// user ports `Queue(maxsize=2)` as `new Queue({ maxsize: 2 })` and
// `wait_for(aw, timeout=1)` as `waitFor(aw, { timeout: 1 })`; both forms
// behave alike, and a misspelt keyword is Python's TypeError, not ignored.
import { test } from "./harness.ts";
import { assert, assertEquals, assertRejects, assertThrows } from "./assert.ts";
import * as asyncio from "../mod.ts";
import { socketpair } from "../lib/socket.ts";

const enc = (s: string) => new TextEncoder().encode(s);
/** The keyword forms are typed; this lets a test pass what plain JS (or a typo) would. */
const untyped = (x: unknown) => x as never;

test("queues take { maxsize } as Python's keyword; a misspelt keyword is a TypeError", async () => {
  await asyncio.run(async () => {
    for (const Q of [asyncio.Queue, asyncio.LifoQueue, asyncio.PriorityQueue]) {
      const q = new Q<number>({ maxsize: 2 });
      assertEquals(q.maxsize, 2);
      q.putNowait(1);
      q.putNowait(2);
      assert(q.full());
      assertThrows(() => q.putNowait(3), asyncio.QueueFull);
      assertEquals(new Q({}).maxsize, 0);
      assertThrows(
        () => new Q(untyped({ maxSize: 2 })),
        TypeError,
        // Python names the base class's __init__ for the subclasses too.
        "Queue.__init__() got an unexpected keyword argument 'max_size'",
      );
    }
    const pq = new asyncio.PriorityQueue<number>({ maxsize: 1, compare: (a, b) => b - a });
    assertEquals(pq.maxsize, 1);
    pq.putNowait(1);
    assertThrows(() => pq.putNowait(2), asyncio.QueueFull);
    const big = new asyncio.PriorityQueue<number>({ compare: (a, b) => b - a });
    for (const n of [1, 3, 2]) big.putNowait(n);
    assertEquals([big.getNowait(), big.getNowait(), big.getNowait()], [3, 2, 1]);
    assertThrows(() => new asyncio.Queue(untyped({ compare: () => 0 })), TypeError);
  });
});

test("Semaphore, BoundedSemaphore, Barrier and Condition take their keyword forms", async () => {
  await asyncio.run(async () => {
    const sem = new asyncio.Semaphore({ value: 2 });
    await sem.acquire();
    await sem.acquire();
    assert(sem.locked());
    assert(!new asyncio.Semaphore({}).locked(), "value defaults to 1");
    const bounded = new asyncio.BoundedSemaphore({ value: 1 });
    await bounded.acquire();
    bounded.release();
    assertThrows(() => bounded.release(), asyncio.ValueError, "released too many times");
    assertThrows(() => new asyncio.Semaphore({ value: -1 }), asyncio.ValueError);
    assertThrows(
      () => new asyncio.Semaphore(untyped({ permits: 1 })),
      TypeError,
      "Semaphore.__init__() got an unexpected keyword argument 'permits'",
    );

    const barrier = new asyncio.Barrier({ parties: 2 });
    assertEquals(barrier.parties, 2);
    const arrived = await asyncio.gather(barrier.wait(), barrier.wait());
    assertEquals([...arrived].sort(), [0, 1]);

    const lock = new asyncio.Lock();
    const cond = new asyncio.Condition({ lock });
    await lock.acquire();
    assert(cond.locked(), "the condition shares the lock it was given");
    lock.release();
    assert(!new asyncio.Condition({}).locked());
    assertThrows(() => new asyncio.Condition(untyped({ lock: 1 })), TypeError);
  });
});

test("StreamReader takes { limit }: the line limit applies as with the positional form", async () => {
  await asyncio.run(async () => {
    for (const reader of [new asyncio.StreamReader({ limit: 10 }), new asyncio.StreamReader(10)]) {
      reader.feedData(enc("0123456789abcdef\nxyz"));
      await assertRejects(
        () => reader.readLine(),
        asyncio.ValueError,
        "Separator is found, but chunk is longer than limit",
      );
    }
    const plain = new asyncio.StreamReader({});
    plain.feedData(enc("0123456789abcdef\n"));
    assertEquals(await plain.readLine(), enc("0123456789abcdef\n"));
    assertThrows(() => new asyncio.StreamReader(untyped({ limt: 1 })), TypeError, "'limt'");
  });
});

test("waitFor(aw, { timeout }) times out as waitFor(aw, timeout) does", async () => {
  await asyncio.run(async () => {
    assertEquals(await asyncio.waitFor(asyncio.sleep(0.001, "ok"), { timeout: 5 }), "ok");
    const inner = asyncio.createTask(() => asyncio.sleep(10));
    await assertRejects(() => asyncio.waitFor(inner, { timeout: 0.01 }), asyncio.TimeoutError);
    assert(inner.cancelled(), "the awaited task was cancelled at the timeout");
    assertEquals(await asyncio.waitFor(asyncio.sleep(0.001, 7), { timeout: null }), 7);
    await assertRejects(
      () => asyncio.waitFor(asyncio.sleep(0), untyped({ timout: 1 })),
      TypeError,
      "wait_for() got an unexpected keyword argument 'timout'",
    );
  });
});

test("Process.communicate({ input }) feeds stdin as communicate(input) does", async () => {
  await asyncio.run(async () => {
    const p = await asyncio.createSubprocessExec("cat", {
      stdin: asyncio.subprocess.PIPE,
      stdout: asyncio.subprocess.PIPE,
    });
    assert(p instanceof asyncio.subprocess.Process);
    const [out, err] = await p.communicate({ input: enc("piped\n") });
    assertEquals(new TextDecoder().decode(out!), "piped\n");
    assertEquals(err, null);
    assertEquals(p.returncode, 0);
  });
});

test("transport.setWriteBufferLimits({ high, low }) sets the water marks", async () => {
  await asyncio.run(async () => {
    const loop = asyncio.getRunningLoop();
    const [a, b] = socketpair();
    const [t] = await (loop as asyncio.SelectorEventLoop).createConnection(
      () => new asyncio.Protocol(),
      null,
      null,
      { sock: a },
    );
    const tr = t as asyncio.Transport;
    tr.setWriteBufferLimits({ high: 4096, low: 1024 });
    assertEquals(tr.getWriteBufferLimits(), [1024, 4096]);
    tr.setWriteBufferLimits({ high: 8000 });
    assertEquals(tr.getWriteBufferLimits(), [2000, 8000]);
    tr.setWriteBufferLimits({ low: 100 });
    assertEquals(tr.getWriteBufferLimits(), [100, 400]);
    assertThrows(() => tr.setWriteBufferLimits({ high: 1, low: 2 }), asyncio.ValueError);
    assertThrows(
      () => tr.setWriteBufferLimits(untyped({ hi: 1 })),
      TypeError,
      "set_write_buffer_limits() got an unexpected keyword argument 'hi'",
    );
    tr.close();
    b.close();
    await asyncio.sleep(0);
  });
});
