// What print() shows for locks, context variables, futures and tasks,
// checked against CPython 3.11 (tests/fixtures/py/tconf_reprs.py) with the
// addresses masked, as a ported program's output is compared.
import { test } from "./harness.ts";
import { assertEquals, assertNotEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";
import { ContextVar, copyContext } from "../mod.ts";

function masked(x: unknown): string {
  return String(x).replace(/ at 0x[0-9a-f]+/g, " at 0x");
}

/** A task's repr up to its coroutine, and what it waits for. */
function head(task: asyncio.Task<unknown>): string {
  const s = String(task);
  const w = / wait_for=(<[^>]*>)/.exec(s);
  return s.split(" coro=")[0] + (w ? ` wait_for=${w[1]}` : "");
}

class MyLock extends asyncio.Lock {}

async function reprs(print: (...args: unknown[]) => void): Promise<void> {
  const lock = new asyncio.Lock();
  print(masked(lock));
  await lock.acquire();
  const waiter = asyncio.createTask(() => lock.acquire());
  await asyncio.sleep(0);
  print(masked(lock));
  lock.release();
  await waiter;
  lock.release();
  print(masked(new MyLock()));
  const sem = new asyncio.BoundedSemaphore(2);
  await sem.acquire();
  print(masked(sem), masked(new asyncio.Semaphore(0)));
  const ev = new asyncio.Event();
  ev.set();
  print(masked(ev), masked(new asyncio.Condition()));
  print(masked(new asyncio.Barrier(3)));

  const v = new ContextVar("var", { default: 1 });
  const plain = new ContextVar("plain");
  print(masked(v), masked(plain));
  const token = v.set(2);
  print(masked(token));
  v.reset(token);
  print(masked(token));
  print(masked(copyContext()));
  try {
    plain.get();
  } catch (e) {
    if (e instanceof asyncio.LookupError) print("LookupError", masked(e.message));
  }

  const loop = asyncio.getRunningLoop();
  for (const exc of [new asyncio.ConnectionRefusedError(111), new asyncio.OSError("plain")]) {
    const fut = loop.createFuture();
    fut.setException(exc);
    print(String(fut));
    fut.exception();
  }

  async function sleeper() {
    try {
      await asyncio.sleep(1);
    } catch (e) {
      if (!(e instanceof asyncio.CancelledError)) throw e;
      asyncio.currentTask()!.uncancel();
    }
    await asyncio.sleep(0);
    return "kept going";
  }
  const t = asyncio.createTask(sleeper, { name: "sleeper" });
  await asyncio.sleep(0);
  print(head(t));
  t.cancel();
  print(head(t), t.cancelling());
  await asyncio.sleep(0);
  print(head(t), t.cancelling());
  print(await t, head(t));
  const c = asyncio.createTask(() => asyncio.sleep(1), { name: "early" });
  c.cancel();
  print(head(c));
  try {
    await c;
  } catch (e) {
    if (!(e instanceof asyncio.CancelledError)) throw e;
    print(head(c));
  }
}

const EXPECTED = [
  "<asyncio.locks.Lock object at 0x [unlocked]>",
  "<asyncio.locks.Lock object at 0x [locked, waiters:1]>",
  "<__main__.MyLock object at 0x [unlocked]>",
  "<asyncio.locks.BoundedSemaphore object at 0x [unlocked, value:1]> <asyncio.locks.Semaphore object at 0x [locked]>",
  "<asyncio.locks.Event object at 0x [set]> <asyncio.locks.Condition object at 0x [unlocked]>",
  "<asyncio.locks.Barrier object at 0x [filling, waiters:0/3]>",
  "<ContextVar name='var' default=1 at 0x> <ContextVar name='plain' at 0x>",
  "<Token var=<ContextVar name='var' default=1 at 0x> at 0x>",
  "<Token used var=<ContextVar name='var' default=1 at 0x> at 0x>",
  "<_contextvars.Context object at 0x>",
  "LookupError <ContextVar name='plain' at 0x>",
  "<Future finished exception=ConnectionRefusedError(111, 'Connection refused')>",
  "<Future finished exception=OSError('plain')>",
  "<Task pending name='sleeper' wait_for=<Future pending cb=[Task.task_wakeup()]>",
  "<Task cancelling name='sleeper' wait_for=<Future cancelled> 1",
  "<Task pending name='sleeper' 0",
  "kept going <Task finished name='sleeper'",
  "<Task cancelling name='early'",
  "<Task cancelled name='early'",
];

test("reprs of locks, context variables, futures and tasks read as CPython's", async () => {
  const out: string[] = [];
  await asyncio.run(() => reprs(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython 3.11 prints the same for tconf_reprs.py", () => {
  const ref = pythonReference("tconf_reprs");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });

test("each object keeps one address, and two objects have two", () => {
  const a = new asyncio.Lock();
  const b = new asyncio.Lock();
  assertEquals(String(a), String(a));
  assertNotEquals(String(a).split(" [")[0], String(b).split(" [")[0]);
});
