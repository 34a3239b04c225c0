// Queue, PriorityQueue, LifoQueue: the order of wake-ups and results against
// CPython (tests/fixtures/py/queue_*.py), errors and messages, cancelled
// getters and putters losing nothing, shutdown(), loop binding.
import { test } from "./harness.ts";
import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertRejects,
  assertStrictEquals,
  assertThrows,
} from "./assert.ts";
import { printer, type PythonOutput, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";
import {
  LifoQueue,
  PriorityQueue,
  Queue,
  QueueEmpty,
  QueueFull,
  QueueShutDown,
} from "../lib/queues.ts";

const { CancelledError, RuntimeError, ValueError } = asyncio;

const FIXTURES = [
  "queue_basic",
  "queue_cancel",
  "queue_order",
  "queue_shutdown",
  "queue_steps",
];
const cpython = new Map<string, PythonOutput | null>();

/**
 * The TS port printed `actual`; it and CPython's output of the same program
 * (when a recent enough python3 was found) must both be `expected`.
 */
function expectLines(name: string, actual: string[], expected: string[]): void {
  assertEquals(actual, expected, `the TypeScript port of ${name}.py`);
  const ref = cpython.get(name);
  if (ref === undefined) throw new Error(`${name} is not in FIXTURES`);
  if (ref !== null) assertEquals(ref.lines, expected, `${ref.python} tests/fixtures/py/${name}.py`);
}

/** Awaits each task; a cancelled one is fine. */
async function settle(tasks: asyncio.Task<unknown>[]): Promise<void> {
  for (const t of tasks) {
    try {
      await t;
    } catch (e) {
      if (!(e instanceof CancelledError)) throw e;
    }
  }
}

function spawn(names: string, fn: (name: string) => Promise<unknown>): asyncio.Task<unknown>[] {
  return [...names].map((n) => asyncio.createTask(() => fn(n)));
}

/** Python's `repr(str(e))` for the messages printed here. */
function quoted(e: unknown): string {
  return `'${(e as Error).message}'`;
}

function drain<T>(q: Queue<T>): T[] {
  const out: T[] = [];
  while (!q.empty()) out.push(q.getNowait());
  return out;
}

// ---------------------------------------------------------------- CPython order

// All CPython runs happen here, once: the fds of a child process may close a
// moment after it exits (Bun), which must not count against the tests below.
// (By hand on Deno, set DENO_NO_UPDATE_CHECK=1 as `npm test` does.)
test("CPython runs the reference programs (when a recent enough python3 is found)", () => {
  for (const name of FIXTURES) cpython.set(name, pythonReference(name));
}, { fdCheck: false, timeout: 120 });

test("Queue: bounded producer / consumer, join, errors, repr (queue_basic.py)", async () => {
  const out: string[] = [];
  const print = printer(out);
  await asyncio.run(async () => {
    const q = new Queue<number | string>(2);
    print("maxsize", q.maxsize, "empty", q.empty(), "full", q.full());
    const c = asyncio.createTask(async () => {
      for (let i = 0; i < 6; i++) {
        print("got", await q.get());
        await asyncio.sleep(0);
        q.taskDone();
      }
    });
    const p = asyncio.createTask(async () => {
      for (let i = 0; i < 6; i++) {
        await q.put(i);
        print("put", i, "qsize", q.qsize(), "full", q.full());
      }
    });
    // Nothing was put yet, so join() returns at once (as in Python).
    await q.join();
    print("joined, qsize", q.qsize());
    await p;
    await c;

    print("-- errors");
    try {
      q.getNowait();
    } catch (e) {
      print((e as Error).name, quoted(e));
    }
    q.putNowait("a");
    q.putNowait("b");
    print(String(q));
    try {
      q.putNowait("c");
    } catch (e) {
      print((e as Error).name, quoted(e));
    }
    print(q.getNowait(), q.getNowait());
    print(String(q));
    q.taskDone();
    q.taskDone();
    try {
      q.taskDone();
    } catch (e) {
      print((e as Error).name, (e as Error).message);
    }
    await q.join();
    print("joined again", String(q));
    const g = asyncio.createTask(() => q.get());
    await asyncio.sleep(0);
    print(String(q));
    q.putNowait(7);
    print("g got", await g, String(q));
    const u = new Queue<number>();
    for (let i = 0; i < 100; i++) u.putNowait(i);
    print("unbounded", u.qsize(), u.full());
  });
  expectLines("queue_basic", out, [
    "maxsize 2 empty True full False",
    "joined, qsize 0",
    "put 0 qsize 1 full False",
    "put 1 qsize 2 full True",
    "got 0",
    "put 2 qsize 2 full True",
    "got 1",
    "put 3 qsize 2 full True",
    "got 2",
    "put 4 qsize 2 full True",
    "got 3",
    "put 5 qsize 2 full True",
    "got 4",
    "got 5",
    "-- errors",
    "QueueEmpty ''",
    "<Queue maxsize=2 _queue=['a', 'b'] tasks=2>",
    "QueueFull ''",
    "a b",
    "<Queue maxsize=2 tasks=2>",
    "ValueError task_done() called too many times",
    "joined again <Queue maxsize=2>",
    "<Queue maxsize=2 _getters[1]>",
    "g got 7 <Queue maxsize=2 tasks=1>",
    "unbounded 100 False",
  ]);
});

test("Queue: a getter or putter cancelled just after its wake-up loses nothing (queue_cancel.py)", async () => {
  const out: string[] = [];
  const print = printer(out);
  await asyncio.run(async () => {
    print("-- woken getter cancelled");
    let q = new Queue<number | string>();
    const getter = async (name: string) => {
      let x: number | string;
      try {
        x = await q.get();
      } catch (e) {
        if (e instanceof CancelledError) print(name, "cancelled");
        throw e;
      }
      print(name, "got", x);
    };
    let ts = spawn("abc", getter);
    await asyncio.sleep(0);
    q.putNowait(1);
    ts[0].cancel(); // put() has just woken it: the item must go to b
    await asyncio.sleep(0);
    await asyncio.sleep(0);
    q.putNowait(2);
    await settle(ts);
    print("qsize", q.qsize());

    print("-- lone woken getter cancelled: the item stays");
    ts = spawn("d", getter);
    await asyncio.sleep(0);
    q.putNowait(3);
    ts[0].cancel();
    await settle(ts);
    print("qsize", q.qsize(), "item", q.getNowait());

    print("-- woken putter cancelled");
    q = new Queue<number | string>(1);
    q.putNowait("x");
    ts = spawn("pqr", async (name) => {
      try {
        await q.put(name.toUpperCase());
      } catch (e) {
        if (e instanceof CancelledError) print(name, "cancelled");
        throw e;
      }
      print(name, "put", name.toUpperCase());
    });
    await asyncio.sleep(0);
    print("got", q.getNowait());
    ts[0].cancel(); // get() has just woken it: the free slot must go to q
    await asyncio.sleep(0);
    await asyncio.sleep(0);
    print("got", q.getNowait());
    await asyncio.sleep(0);
    await asyncio.sleep(0);
    print("got", q.getNowait());
    await settle(ts);
    print("qsize", q.qsize());
  });
  expectLines("queue_cancel", out, [
    "-- woken getter cancelled",
    "a cancelled",
    "b got 1",
    "c got 2",
    "qsize 0",
    "-- lone woken getter cancelled: the item stays",
    "d cancelled",
    "qsize 1 item 3",
    "-- woken putter cancelled",
    "got x",
    "p cancelled",
    "q put Q",
    "got Q",
    "r put R",
    "got R",
    "qsize 0",
  ]);
});

test("Queue: put() with room and get() with an item do not suspend the task (queue_steps.py)", async () => {
  const out: string[] = [];
  const print = printer(out);
  await asyncio.run(async () => {
    const q = new Queue<number>(25);
    const log: string[] = [];
    const producer = async () => {
      for (let i = 0; i < 60; i++) {
        await q.put(i);
        log.push("put");
      }
    };
    const consumer = async () => {
      for (let i = 0; i < 60; i++) {
        assertEquals(await q.get(), i);
        log.push("got");
      }
    };
    await asyncio.gather(asyncio.createTask(producer), asyncio.createTask(consumer));
    const runs: [string, number][] = [];
    for (const what of log) {
      if (runs.length && runs[runs.length - 1][0] === what) runs[runs.length - 1][1]++;
      else runs.push([what, 1]);
    }
    for (const [what, n] of runs) print(what, n);
  });
  expectLines("queue_steps", out, ["put 25", "got 25", "put 25", "got 25", "put 10", "got 10"]);
});

test("PriorityQueue / LifoQueue: order, ties as heapq, TypeError (queue_order.py)", async () => {
  const out: string[] = [];
  const print = printer(out);
  await asyncio.run(() => {
    const pq = new PriorityQueue<Array<number | string>>();
    for (
      const item of [[3, "c"], [1, "b"], [2, "x"], [1, "a"], [2, "b"], [5, ""], [0, "z"], [
        1,
        "a",
        0,
      ]]
    ) {
      pq.putNowait(item);
    }
    print(drain(pq).map((t) => t.join(":")).join(" "));

    const sq = new PriorityQueue<string>();
    for (const s of ["b", "a", "ab", "", "\uffff", "\u{1F600}", "\ud7ff"]) sq.putNowait(s);
    print(
      drain(sq).map((s) => [...s].map((c) => c.codePointAt(0)!.toString(16)).join("+") || "-").join(
        " ",
      ),
    );

    // Job.__lt__ compares priorities only, so equal ones come out in heap order.
    interface Job {
      prio: number;
      name: string;
    }
    const jq = new PriorityQueue<Job>({ compare: (a, b) => a.prio - b.prio });
    const jobs: Array<[number, string]> = [
      [2, "a"],
      [1, "b"],
      [2, "c"],
      [1, "d"],
      [2, "e"],
      [1, "f"],
      [3, "g"],
      [1, "h"],
      [2, "i"],
      [1, "j"],
      [2, "k"],
      [1, "l"],
    ];
    let order = "";
    jobs.forEach(([prio, name], i) => {
      jq.putNowait({ prio, name });
      if (i % 3 === 2) order += jq.getNowait().name;
    });
    order += drain(jq).map((j) => j.name).join("");
    print(order);

    const lq = new LifoQueue<number>();
    for (let i = 0; i < 4; i++) lq.putNowait(i);
    print(lq.getNowait(), lq.getNowait());
    lq.putNowait(9);
    print(`[${drain(lq).join(", ")}]`);

    const mixed = new PriorityQueue<number | string>();
    mixed.putNowait(1);
    try {
      mixed.putNowait("a");
    } catch (e) {
      print((e as Error).name, (e as Error).message);
    }
    print("qsize", mixed.qsize());
  });
  expectLines("queue_order", out, [
    "0:z 1:a 1:a:0 1:b 2:b 2:x 3:c 5:",
    "- 61 61+62 62 d7ff ffff 1f600",
    "bdfhjlaicekg",
    "3 2",
    "[9, 1, 0]",
    "TypeError '<' not supported between instances of 'str' and 'int'",
    "qsize 2",
  ]);
});

test("Queue.shutdown(): drain then QueueShutDown, blocked callers woken, immediate (queue_shutdown.py)", async () => {
  const out: string[] = [];
  const print = printer(out);
  await asyncio.run(async () => {
    print("-- shutdown");
    let q = new Queue<number | string>();
    let ts = spawn("ab", async (name) => {
      try {
        for (;;) {
          print(name, "got", await q.get());
          q.taskDone();
        }
      } catch (e) {
        if (!(e instanceof QueueShutDown)) throw e;
        print(name, e.name, quoted(e));
      }
    });
    await asyncio.sleep(0);
    q.putNowait(1);
    q.putNowait(2);
    q.putNowait(3);
    q.shutdown();
    try {
      q.putNowait(4);
    } catch (e) {
      print("put_nowait", (e as Error).name);
    }
    await settle(ts);
    try {
      q.getNowait();
    } catch (e) {
      print("get_nowait", (e as Error).name);
    }
    await q.join();
    print("joined");

    print("-- blocked putters");
    q = new Queue<number | string>(1);
    q.putNowait("x");
    ts = spawn("pq", async (name) => {
      try {
        await q.put(name);
        print(name, "put");
      } catch (e) {
        if (!(e instanceof QueueShutDown)) throw e;
        print(name, e.name);
      }
    });
    await asyncio.sleep(0);
    q.shutdown();
    await settle(ts);
    print("left", q.getNowait(), q.qsize());

    print("-- immediate");
    q = new Queue<number | string>();
    for (let i = 0; i < 3; i++) q.putNowait(i);
    print("first", q.getNowait());
    const j = asyncio.createTask(async () => {
      await q.join();
      print("join released");
    });
    await asyncio.sleep(0);
    q.shutdown(true);
    print("qsize", q.qsize());
    try {
      await q.get();
    } catch (e) {
      print("get", (e as Error).name);
    }
    q.taskDone();
    await j;
    print(String(q));
  });
  expectLines("queue_shutdown", out, [
    "-- shutdown",
    "put_nowait QueueShutDown",
    "a got 1",
    "a got 2",
    "a got 3",
    "a QueueShutDown ''",
    "b QueueShutDown ''",
    "get_nowait QueueShutDown",
    "joined",
    "-- blocked putters",
    "p QueueShutDown",
    "q QueueShutDown",
    "left x 0",
    "-- immediate",
    "first 0",
    "qsize 0",
    "get QueueShutDown",
    "join released",
    "<Queue maxsize=0 shutdown>",
  ]);
});

// ---------------------------------------------------------------- Queue

test("Queue: constructor, maxsize, full(), error classes", () => {
  assertThrows(
    () => new Queue("2" as unknown as number),
    TypeError,
    "maxsize must be a number, got '2'",
  );
  assertThrows(() => new Queue(null as unknown as number), TypeError);
  assertEquals(new Queue().maxsize, 0);
  const neg = new Queue<number>(-1);
  for (let i = 0; i < 5; i++) neg.putNowait(i);
  assert(!neg.full(), "maxsize <= 0 is unbounded");
  const q = new Queue<number>(1.5);
  q.putNowait(1);
  assert(!q.full());
  q.putNowait(2);
  assert(q.full());
  assertThrows(() => q.putNowait(3), QueueFull);
  for (
    const [E, name] of [[QueueEmpty, "QueueEmpty"], [QueueFull, "QueueFull"], [
      QueueShutDown,
      "QueueShutDown",
    ]] as const
  ) {
    const e = new E();
    assertInstanceOf(e, Error);
    assert(!(e instanceof RuntimeError));
    assertEquals(e.name, name);
    assertEquals(e.message, "");
  }
  assertThrows(() => new Queue().taskDone(), ValueError, "task_done() called too many times");
});

test("Queue: getters are served in arrival order; get() without waiting needs no loop", async () => {
  const q = new Queue<number>();
  q.putNowait(1);
  assertEquals(await q.get(), 1); // no running loop needed when an item is there
  await assertRejects(() => q.get(), RuntimeError, "no running event loop");
  await asyncio.run(async () => {
    const got: string[] = [];
    const ts = spawn("abcde", async (name) => got.push(`${name}${await q.get()}`));
    await asyncio.sleep(0);
    assertEquals(String(q), "<Queue maxsize=0 _getters[5] tasks=1>"); // no taskDone() yet
    for (let i = 1; i <= 5; i++) q.putNowait(i);
    await settle(ts);
    assertEquals(got, ["a1", "b2", "c3", "d4", "e5"]);
  });
});

test("Queue: putters are served in arrival order; a cancelled putter adds nothing", async () => {
  await asyncio.run(async () => {
    const q = new Queue<string>(1);
    q.putNowait("first");
    const ts = spawn("abc", (name) => q.put(name));
    await asyncio.sleep(0);
    assertEquals(String(q), "<Queue maxsize=1 _queue=['first'] _putters[3] tasks=1>");
    ts[1].cancel();
    await asyncio.sleep(0);
    assertEquals(String(q), "<Queue maxsize=1 _queue=['first'] _putters[2] tasks=1>");
    const got: string[] = [];
    while (got.length < 3) {
      got.push(await q.get());
      await asyncio.sleep(0);
    }
    await settle(ts);
    assert(ts[1].cancelled());
    assertEquals(got, ["first", "a", "c"]);
    assertEquals(q.qsize(), 0);
  });
});

test("Queue: waitFor(q.get(), t) timing out leaves no getter behind to eat a later item", async () => {
  await asyncio.run(async () => {
    const q = new Queue<number>();
    const seen: string[] = [];
    // Python's polling consumer: `await asyncio.wait_for(q.get(), 0.01)`.
    for (let round = 0; round < 3; round++) {
      try {
        seen.push(`got ${await asyncio.waitFor(q.get(), 0.01)}`);
      } catch (e) {
        assertInstanceOf(e, asyncio.TimeoutError);
        seen.push("timeout");
      }
    }
    assertEquals(String(q), "<Queue maxsize=0>", "no getter left");
    q.putNowait(1);
    q.putNowait(2);
    await asyncio.sleep(0);
    seen.push(`got ${await asyncio.waitFor(q.get(), 0.01)}`);
    seen.push(`got ${await asyncio.waitFor(q.get(), 0.01)}`);
    assertEquals(seen, ["timeout", "timeout", "timeout", "got 1", "got 2"]);
    // The same for put() on a full queue.
    const full = new Queue<number>(1);
    full.putNowait(0);
    await assertRejects(() => asyncio.waitFor(full.put(1), 0.01), asyncio.TimeoutError);
    assertEquals(full.getNowait(), 0);
    await asyncio.sleep(0);
    assertEquals(full.qsize(), 0, "the timed-out put added nothing");
  });
});

test("Queue: join() waits for every taskDone(); several joiners", async () => {
  await asyncio.run(async () => {
    const q = new Queue<number>();
    const log: string[] = [];
    await q.join(); // nothing unfinished: at once
    q.putNowait(1);
    q.putNowait(2);
    const joiners = spawn("xy", async (n) => {
      await q.join();
      log.push(`${n} joined`);
    });
    await asyncio.sleep(0);
    q.getNowait();
    q.taskDone();
    await asyncio.sleep(0);
    assertEquals(log, []);
    q.getNowait();
    q.taskDone();
    await settle(joiners);
    assertEquals(log, ["x joined", "y joined"]);
  });
});

test("Queue: bound to the first loop that waits on it", async () => {
  const q = new Queue<number>();
  await asyncio.run(async () => {
    const t = asyncio.createTask(() => q.get());
    await asyncio.sleep(0);
    q.putNowait(1);
    assertEquals(await t, 1);
  });
  await asyncio.run(async () => {
    q.putNowait(2);
    assertEquals(await q.get(), 2); // no wait, no loop check
    // Python's message has the repr, with the address: `<Queue at 0x7f... maxsize=0 tasks=2>`.
    await assertRejects(
      () => q.get(),
      RuntimeError,
      "maxsize=0 tasks=2> is bound to a different event loop",
    );
  });
});

test("Queue: long FIFO runs keep their order", () => {
  const q = new Queue<number>();
  let next = 0, expect = 0;
  for (let round = 0; round < 200; round++) {
    for (let i = 0; i < round % 17; i++) q.putNowait(next++);
    for (let i = 0; i < round % 13 && !q.empty(); i++) assertEquals(q.getNowait(), expect++);
  }
  assertEquals(drain(q), Array.from({ length: next - expect }, (_, i) => expect + i));
});

// ---------------------------------------------------------------- PriorityQueue

test("PriorityQueue: options forms, blocking when full, heap order matches a sort", async () => {
  const byLen = new PriorityQueue<string>({ compare: (a, b) => a.length - b.length });
  for (const s of ["ccc", "a", "bb"]) byLen.putNowait(s);
  assertEquals(drain(byLen), ["a", "bb", "ccc"]);
  const desc = new PriorityQueue<number>(2, { compare: (a, b) => b - a });
  assertEquals(desc.maxsize, 2);
  desc.putNowait(1);
  desc.putNowait(5);
  assertThrows(() => desc.putNowait(3), QueueFull);
  assertEquals(drain(desc), [5, 1]);
  assertThrows(
    () => new PriorityQueue<number>({ compare: 1 as unknown as (a: number, b: number) => number }),
    TypeError,
    "compare must be a function",
  );
  assertThrows(
    () => new PriorityQueue("x" as unknown as number),
    TypeError,
    "maxsize must be a number",
  );
  assertEquals(new PriorityQueue().maxsize, 0);
  assertEquals(new PriorityQueue(undefined, {}).maxsize, 0);

  // A pseudo-random mix of puts and gets: what comes out is always the minimum.
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pq = new PriorityQueue<number>();
  const model: number[] = [];
  for (let i = 0; i < 2000; i++) {
    if (rnd() < 0.6 || model.length === 0) {
      const v = Math.floor(rnd() * 100);
      pq.putNowait(v);
      model.push(v);
    } else {
      model.sort((a, b) => a - b);
      assertEquals(pq.getNowait(), model.shift());
    }
  }
  assertEquals(drain(pq), model.sort((a, b) => a - b));

  await asyncio.run(async () => {
    const q = new PriorityQueue<[number, string]>(1);
    q.putNowait([9, "z"]);
    const t = asyncio.createTask(() => q.put([1, "a"]));
    await asyncio.sleep(0);
    assert(!t.done());
    assertEquals(await q.get(), [9, "z"]);
    await t;
    assertEquals(await q.get(), [1, "a"]);
  });
});

test("PriorityQueue: Python's default order and its TypeErrors", () => {
  const q = new PriorityQueue<unknown>();
  const items: unknown[] = [[2, [1, 2]], [2, [1]], [1, "b"], [true, "x"], [1n, "a"], [0.5], []];
  for (const it of items) q.putNowait(it);
  assertEquals(drain(q), [[], [0.5], [1n, "a"], [1, "b"], [true, "x"], [2, [1]], [2, [1, 2]]]);
  q.putNowait({ a: 1 });
  assertThrows(
    () => q.putNowait({ b: 2 }),
    TypeError,
    "'<' not supported between instances of 'dict' and 'dict'",
  );
  drain(q);
  // Equal dicts in entries are equal, as in Python's tuples; unequal ones
  // must be ordered, which dicts cannot be.
  const dq = new PriorityQueue();
  dq.putNowait([1, { a: 1 }]);
  dq.putNowait([1, { a: 1 }]);
  assertThrows(
    () => dq.putNowait([1, { a: 2 }]),
    TypeError,
    "'<' not supported between instances of 'dict' and 'dict'",
  );
  drain(q);
  q.putNowait([1, "x"]);
  assertThrows(
    () => q.putNowait([1, 2]),
    TypeError,
    "'<' not supported between instances of 'int' and 'str'",
  );
  drain(q);
  q.putNowait(null);
  assertThrows(
    () => q.putNowait(1.5),
    TypeError,
    "'<' not supported between instances of 'float' and 'NoneType'",
  );
  drain(q);
  // Bare, even the same value: Python's `None < None` is a TypeError (the
  // item is in the heap already, as heapq leaves it).
  q.putNowait(null);
  assertThrows(
    () => q.putNowait(null),
    TypeError,
    "'<' not supported between instances of 'NoneType' and 'NoneType'",
  );
  assertEquals(q.qsize(), 2);
  drain(q);
  // In a tuple, the same object compares equal to itself, as in Python.
  const o = {};
  q.putNowait([1, o]);
  q.putNowait([1, o]);
  q.putNowait([0, {}]);
  assertEquals(drain(q).length, 3);
});

// ---------------------------------------------------------------- LifoQueue

test("LifoQueue: last in first out, blocking get and put, repr", async () => {
  await asyncio.run(async () => {
    const q = new LifoQueue<number>(2);
    const g = asyncio.createTask(() => q.get());
    await asyncio.sleep(0);
    q.putNowait(1);
    assertStrictEquals(await g, 1);
    q.putNowait(2);
    q.putNowait(3);
    assertEquals(String(q), "<LifoQueue maxsize=2 _queue=[2, 3] tasks=3>");
    const p = asyncio.createTask(() => q.put(4));
    await asyncio.sleep(0);
    assertEquals(q.getNowait(), 3);
    await p;
    assertEquals(drain(q), [4, 2]);
  });
});
