// The spec's event loop, task, future and "Develop with asyncio" examples,
// ported as a user would port them (API.md), in one process, each on a new
// loop; the spec's sleeps scaled by S. Checked against what CPython 3.11
// prints for tests/fixtures/py/specex_tasks.py, the same programs in Python.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const S = 0.02;
type Print = (...args: unknown[]) => void;

/** Python's repr of a list of ints. */
const list = (xs: unknown[]) => `[${xs.join(", ")}]`;
/** Python's repr of a set of objects. */
const setRepr = (s: Set<unknown>) => s.size === 0 ? "set()" : `{${[...s].map(String).join(", ")}}`;

function newLoop(): asyncio.AbstractEventLoop {
  const loop = asyncio.newEventLoop();
  asyncio.setEventLoop(loop);
  return loop;
}

async function helloWorldCallSoon(print: Print) {
  print("== hello_world_callsoon");
  function helloWorld(loop: asyncio.AbstractEventLoop) {
    print("Hello World");
    loop.stop();
  }
  const loop = newLoop();
  loop.callSoon(helloWorld, loop);
  await loop.runForever();
  loop.close();
}

async function displayDateCallLater(print: Print) {
  print("== display_date_calllater");
  const ticks: number[] = [];
  const D = 0.1;
  function displayDate(endTime: number, loop: asyncio.AbstractEventLoop) {
    const t = loop.time();
    ticks.push(t);
    if (t + 1.0 * D < endTime) {
      loop.callLater(1 * D, displayDate, endTime, loop);
    } else {
      loop.stop();
    }
  }
  const loop = newLoop();
  const endTime = loop.time() + 5.0 * D;
  loop.callSoon(displayDate, endTime, loop);
  await loop.runForever();
  loop.close();
  // How many depends on the machine's load (5 when idle); the rule does not.
  const last = ticks.length - 1;
  print(
    "dates printed:",
    ticks.length >= 2,
    ticks.every((t, i) => (t + D < endTime) === (i < last)),
  );
}

async function helloWorldCoroutine(print: Print) {
  print("== hello_world_coroutine");
  // deno-lint-ignore require-await
  async function helloWorld() {
    print("Hello World!");
  }
  await asyncio.run(helloWorld());
}

async function compute(print: Print, x: number, y: number) {
  print(`Compute ${x} + ${y} ...`);
  await asyncio.sleep(1.0 * S);
  return x + y;
}

async function chainCoroutines(print: Print) {
  print("== chain_coroutines");
  async function printSum(x: number, y: number) {
    const result = await compute(print, x, y);
    print(`${x} + ${y} = ${result}`);
  }
  const loop = newLoop();
  // Called at once, as in the spec: the promise runs ahead to its first await.
  await loop.runUntilComplete(printSum(1, 2));
  loop.close();
}

async function slowOperation(future: asyncio.Future<string>) {
  await asyncio.sleep(1 * S);
  future.setResult("Future is done!");
}

async function futureRunUntilComplete(print: Print) {
  print("== future_run_until_complete");
  const loop = newLoop();
  const future = new asyncio.Future<string>();
  asyncio.ensureFuture(slowOperation(future));
  await loop.runUntilComplete(future);
  print(future.result());
  loop.close();
}

async function futureRunForever(print: Print) {
  print("== future_run_forever");
  function gotResult(future: asyncio.Future<string>) {
    print(future.result());
    loop.stop();
  }
  const loop = newLoop();
  const future = new asyncio.Future<string>();
  asyncio.ensureFuture(slowOperation(future));
  future.addDoneCallback(gotResult);
  try {
    await loop.runForever();
  } finally {
    loop.close();
  }
}

async function parallelFactorial(print: Print) {
  print("== parallel_factorial");
  async function factorial(name: string, number: number) {
    let f = 1;
    for (let i = 2; i <= number; i++) {
      print(`Task ${name}: Compute factorial(${i})...`);
      await asyncio.sleep(1 * S);
      f *= i;
    }
    print(`Task ${name}: factorial(${number}) = ${f}`);
  }
  const loop = newLoop();
  await loop.runUntilComplete(asyncio.gather(
    factorial("A", 2),
    factorial("B", 3),
    factorial("C", 4),
  ));
  loop.close();
}

async function futureDoneCallback(print: Print) {
  print("== future_done_callback");
  await asyncio.run(async () => {
    const loop = asyncio.getRunningLoop();
    // functools.partial(print, "Future:") is a closure in TypeScript.
    const cb = (f: asyncio.Future<unknown>) => print("Future:", String(f));
    let fut = loop.createFuture<unknown>();
    print(String(fut));
    fut.addDoneCallback(cb);
    fut.setResult(42);
    print(String(fut));
    await asyncio.sleep(0);
    fut = loop.createFuture();
    fut.addDoneCallback(cb);
    fut.setException(new asyncio.ValueError("bad"));
    await asyncio.sleep(0);
    const exc = fut.exception() as Error;
    print(`${exc.name}('${exc.message}')`);
    fut = loop.createFuture();
    fut.addDoneCallback(cb);
    fut.cancel();
    await asyncio.sleep(0);
  });
}

function developFiles(print: Print) {
  async function create() {
    await asyncio.sleep(3.0 * S);
    print("(1) create file");
  }
  async function write() {
    await asyncio.sleep(1.0 * S);
    print("(2) write into file");
  }
  // deno-lint-ignore require-await
  async function close() {
    print("(3) close file");
  }
  return { create, write, close };
}

async function developChainBuggy(print: Print) {
  print("== develop_chain_buggy");
  const { create, write, close } = developFiles(print);
  async function test() {
    asyncio.ensureFuture(create);
    asyncio.ensureFuture(write);
    asyncio.ensureFuture(close);
    await asyncio.sleep(2.0 * S);
    loop.stop();
  }
  const loop = newLoop();
  asyncio.ensureFuture(test);
  await loop.runForever();
  const pending = asyncio.allTasks(loop);
  const names = [...pending].map((t) => `'${(t.getCoro() as { name?: string }).name}'`);
  print(`Pending tasks at exit: ${pending.size}, ${list(names)}`);
  for (const t of pending) t.cancel();
  await loop.runUntilComplete(asyncio.sleep(0));
  loop.close();
}

async function developChainFixed(print: Print) {
  const { create, write, close } = developFiles(print);
  for (const variant of ["ensure_future", "await"]) {
    print("== develop_chain_fixed", variant);
    const test = async () => {
      if (variant === "ensure_future") {
        await asyncio.ensureFuture(create);
        await asyncio.ensureFuture(write);
        await asyncio.ensureFuture(close);
      } else {
        await create();
        await write();
        await close();
      }
      await asyncio.sleep(2.0 * S);
      loop.stop();
    };
    const loop = newLoop();
    asyncio.ensureFuture(test);
    await loop.runForever();
    print(`Pending tasks at exit: ${setRepr(asyncio.allTasks(loop))}`);
    loop.close();
  }
}

async function developExceptionConsumed(print: Print) {
  print("== develop_exception_consumed");
  // deno-lint-ignore require-await
  async function bug() {
    throw new Error("not consumed");
  }
  async function handleException() {
    try {
      await bug();
    } catch {
      print("exception consumed");
    }
  }
  const loop = newLoop();
  asyncio.ensureFuture(handleException);
  loop.callLater(1 * S, () => loop.stop());
  await loop.runForever();
  const task = asyncio.ensureFuture(bug);
  try {
    await loop.runUntilComplete(task);
  } catch {
    print("exception consumed");
  }
  print((task.exception() as Error).message);
  loop.close();
}

async function fragments(print: Print) {
  print("== fragments");
  async function* ticker(delay: number, to: number) {
    for (let i = 0; i < to; i++) {
      yield i;
      await asyncio.sleep(delay);
    }
  }
  async function fun(x: number) {
    await asyncio.sleep(S * (4 - x));
    return x;
  }
  async function condition() {
    await asyncio.sleep(0);
    return true;
  }
  async function slowOp(fut: asyncio.Future<string>) {
    if (fut.cancelled()) return null;
    await fut;
    return null;
  }
  class Echo extends asyncio.Protocol {}

  await asyncio.run(async () => {
    for await (const i of ticker(S / 2, 3)) print("tick", i);
    let result: number[] = [];
    for await (const i of ticker(0, 6)) if (i % 2) result.push(i);
    print(list(result));
    const funcs = [0, 1, 2, 3].map((i) => () => fun(i));
    result = [];
    for (const f of funcs) if (await condition()) result.push(await f());
    print(list(result));

    for (const f of asyncio.asCompleted([0, 1, 2, 3].map((i) => fun(i)))) {
      const result = await f;
      print("as_completed", result);
    }

    const lock = new asyncio.Lock();
    await lock.acquire();
    try {
      print("locked", lock.locked());
    } finally {
      lock.release();
    }
    await lock.acquire();
    try {
      print("locked", lock.locked());
    } finally {
      lock.release();
    }
    print("locked", lock.locked());

    const loop = asyncio.getRunningLoop();
    const srv = await loop.createServer(() => new Echo(), "127.0.0.1", 0);
    {
      await using _ = srv;
      print("serving", srv.isServing());
    }
    print("serving", srv.isServing());

    let fut = loop.createFuture<string>();
    fut.cancel();
    print(await slowOp(fut));
    fut = loop.createFuture<string>();
    const t = asyncio.createTask(slowOp(fut));
    await asyncio.sleep(0);
    if (!fut.cancelled()) fut.setResult("done");
    print(await t, t.done(), fut.result());

    loop.callSoonThreadsafe(print, "threadsafe", 1, 2);
    await asyncio.sleep(0);
  });
}

const EXPECTED = [
  "== hello_world_callsoon",
  "Hello World",
  "== display_date_calllater",
  "dates printed: True True",
  "== hello_world_coroutine",
  "Hello World!",
  "== chain_coroutines",
  "Compute 1 + 2 ...",
  "1 + 2 = 3",
  "== future_run_until_complete",
  "Future is done!",
  "== future_run_forever",
  "Future is done!",
  "== parallel_factorial",
  "Task A: Compute factorial(2)...",
  "Task B: Compute factorial(2)...",
  "Task C: Compute factorial(2)...",
  "Task A: factorial(2) = 2",
  "Task B: Compute factorial(3)...",
  "Task C: Compute factorial(3)...",
  "Task B: factorial(3) = 6",
  "Task C: Compute factorial(4)...",
  "Task C: factorial(4) = 24",
  "== future_done_callback",
  "<Future pending>",
  "<Future finished result=42>",
  "Future: <Future finished result=42>",
  "Future: <Future finished exception=ValueError('bad')>",
  "ValueError('bad')",
  "Future: <Future cancelled>",
  "== develop_chain_buggy",
  "(3) close file",
  "(2) write into file",
  "Pending tasks at exit: 1, ['create']",
  "== develop_chain_fixed ensure_future",
  "(1) create file",
  "(2) write into file",
  "(3) close file",
  "Pending tasks at exit: set()",
  "== develop_chain_fixed await",
  "(1) create file",
  "(2) write into file",
  "(3) close file",
  "Pending tasks at exit: set()",
  "== develop_exception_consumed",
  "exception consumed",
  "exception consumed",
  "not consumed",
  "== fragments",
  "tick 0",
  "tick 1",
  "tick 2",
  "[1, 3, 5]",
  "[0, 1, 2, 3]",
  "as_completed 3",
  "as_completed 2",
  "as_completed 1",
  "as_completed 0",
  "locked True",
  "locked True",
  "locked False",
  "serving True",
  "serving False",
  "None",
  "None True done",
  "threadsafe 1 2",
];

test("the spec's loop, task, future and develop examples print what Python prints", async () => {
  const out: string[] = [];
  const print = printer(out);
  try {
    for (
      const example of [
        helloWorldCallSoon,
        displayDateCallLater,
        helloWorldCoroutine,
        chainCoroutines,
        futureRunUntilComplete,
        futureRunForever,
        parallelFactorial,
        futureDoneCallback,
        developChainBuggy,
        developChainFixed,
        developExceptionConsumed,
        fragments,
      ]
    ) await example(print);
  } finally {
    asyncio.setEventLoop(null);
  }
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for specex_tasks.py", () => {
  const ref = pythonReference("specex_tasks");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
