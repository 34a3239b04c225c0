// KeyboardInterrupt and SystemExit raised inside tasks, gather, TaskGroup,
// waitFor, shield, wait and a done callback: they leave runUntilComplete() /
// run() at once (the task keeps the exception), and run()'s cleanup then
// cancels what is left, running the queued callbacks on the way. Checked
// against CPython 3.11's output for the same program
// (tests/fixtures/py/baseexc_tasks.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const EXPECTED = [
  "bad start",
  "bad raising",
  "main cancelled",
  "main finally True KeyboardInterrupt()",
  "other finally",
  "run raised KeyboardInterrupt",
  "ruc raised KeyboardInterrupt('bg') w done False running False",
  "done cb KeyboardInterrupt('bg')",
  "waited",
  "main2 finally",
  "run raised KeyboardInterrupt('main2')",
  "main_exit finally",
  "other finally",
  "run raised SystemExit 3",
  "raising in a",
  "ok cancelled b",
  "gather1 caught KeyboardInterrupt('a')",
  "gather1 finally",
  "run raised KeyboardInterrupt('a')",
  "raising in c",
  "ok cancelled d",
  "run raised KeyboardInterrupt('c')",
  "raising in e",
  "gather3 finally",
  "run raised KeyboardInterrupt('e')",
  "raising KeyboardInterrupt",
  "s1 cancelled",
  "group caught KeyboardInterrupt",
  "group finally",
  "run raised KeyboardInterrupt",
  "raising SystemExit",
  "s1 cancelled",
  "group caught SystemExit",
  "group finally",
  "run raised SystemExit",
  "s2 cancelled",
  "group_body caught SystemExit",
  "run raised SystemExit",
  "raising in w",
  "wait_for raised KeyboardInterrupt('w')",
  "run raised KeyboardInterrupt w",
  "raising in s",
  "run raised KeyboardInterrupt s",
  "cb runs",
  "callback_exit finally",
  "run raised SystemExit 7",
  "raising in wait",
  "run raised KeyboardInterrupt wait",
  "end",
];

/** Python's repr of these exceptions. */
function repr(e: unknown): string {
  const err = e as Error;
  return `${err.name}(${err.message ? `'${err.message}'` : ""})`;
}

function isBase(e: unknown): e is Error {
  return e instanceof asyncio.KeyboardInterrupt || e instanceof asyncio.SystemExit;
}

/** The port of baseexc_tasks.py, line for line. */
async function program(print: (...args: unknown[]) => void): Promise<void> {
  async function bad() {
    print("bad start");
    await asyncio.sleep(0.01);
    print("bad raising");
    throw new asyncio.KeyboardInterrupt();
  }
  async function other() {
    try {
      await asyncio.sleep(1);
      print("other done");
    } finally {
      print("other finally");
    }
  }
  async function main() {
    const t = asyncio.createTask(bad);
    asyncio.createTask(other);
    try {
      await asyncio.sleep(1);
      print("main after sleep");
    } catch (e) {
      if (e instanceof asyncio.CancelledError) print("main cancelled");
      throw e;
    } finally {
      print("main finally", t.done(), t.done() && repr(t.exception()));
    }
  }
  try {
    await asyncio.run(main);
  } catch (e) {
    if (!(e instanceof asyncio.KeyboardInterrupt)) throw e;
    print("run raised", e.name);
  }

  const loop = asyncio.newEventLoop();
  async function bg() {
    await asyncio.sleep(0);
    throw new asyncio.KeyboardInterrupt("bg");
  }
  async function waiter() {
    const t = loop.createTask(bg);
    t.addDoneCallback((f) => print("done cb", repr(f.exception())));
    await asyncio.sleep(0.05);
    return "waited";
  }
  const w = loop.createTask(waiter);
  try {
    print(await loop.runUntilComplete(w));
  } catch (e) {
    if (!(e instanceof asyncio.KeyboardInterrupt)) throw e;
    print("ruc raised", repr(e), "w done", w.done(), "running", loop.isRunning());
  }
  print(await loop.runUntilComplete(w));
  loop.close();

  async function main2() {
    try {
      throw new asyncio.KeyboardInterrupt("main2");
    } finally {
      print("main2 finally");
    }
  }
  try {
    await asyncio.run(main2);
  } catch (e) {
    if (!(e instanceof asyncio.KeyboardInterrupt)) throw e;
    print("run raised", repr(e));
  }

  async function mainExit() {
    asyncio.createTask(other);
    await asyncio.sleep(0.01);
    try {
      throw new asyncio.SystemExit(3);
    } finally {
      print("main_exit finally");
    }
  }
  try {
    await asyncio.run(mainExit);
  } catch (e) {
    if (!(e instanceof asyncio.SystemExit)) throw e;
    print("run raised SystemExit", e.code);
  }

  async function ki(delay: number, name: string) {
    await asyncio.sleep(delay);
    print("raising in", name);
    throw new asyncio.KeyboardInterrupt(name);
  }
  async function ok(delay: number, name: string) {
    try {
      await asyncio.sleep(delay);
      print("ok done", name);
      return name;
    } catch (e) {
      if (e instanceof asyncio.CancelledError) print("ok cancelled", name);
      throw e;
    }
  }
  async function gather1() {
    try {
      const r = await asyncio.gather(() => ki(0.01, "a"), () => ok(0.5, "b"));
      print("gather returned", r);
    } catch (e) {
      if (e instanceof asyncio.KeyboardInterrupt) {
        print("gather1 caught", repr(e));
        return "caught";
      }
      if (e instanceof asyncio.CancelledError) print("gather1 cancelled");
      throw e;
    } finally {
      print("gather1 finally");
    }
  }
  async function gather2() {
    const r = await asyncio.gather(() => ki(0.01, "c"), () => ok(0.02, "d"), {
      returnExceptions: true,
    });
    print("gather returned", r);
    return r;
  }
  async function gather3() {
    try {
      await asyncio.gather(() => ki(0.01, "e"), () => ki(0.01, "f"));
    } finally {
      print("gather3 finally");
    }
  }
  for (const f of [gather1, gather2, gather3] as Array<() => Promise<unknown>>) {
    try {
      print("run returned", await asyncio.run(f));
    } catch (e) {
      if (!(e instanceof asyncio.KeyboardInterrupt)) throw e;
      print("run raised", repr(e));
    }
  }

  async function raiser(delay: number, exc: Error) {
    await asyncio.sleep(delay);
    print("raising", exc.name);
    throw exc;
  }
  async function sleeper(name: string) {
    try {
      await asyncio.sleep(1);
    } catch (e) {
      if (e instanceof asyncio.CancelledError) print(name, "cancelled");
      throw e;
    }
  }
  async function group(exc: Error) {
    try {
      await new asyncio.TaskGroup().run((tg) => {
        tg.createTask(() => raiser(0.01, exc));
        tg.createTask(() => sleeper("s1"));
        tg.createTask(() => raiser(0.02, new asyncio.ValueError("v")));
      });
    } catch (e) {
      print("group caught", (e as Error).name);
      throw e;
    } finally {
      print("group finally");
    }
  }
  for (const exc of [new asyncio.KeyboardInterrupt("k"), new asyncio.SystemExit(2)]) {
    try {
      await asyncio.run(() => group(exc));
    } catch (e) {
      print("run raised", (e as Error).name);
    }
  }
  async function groupBody() {
    try {
      await new asyncio.TaskGroup().run(async (tg) => {
        tg.createTask(() => sleeper("s2"));
        await asyncio.sleep(0.01);
        throw new asyncio.SystemExit(4);
      });
    } catch (e) {
      print("group_body caught", (e as Error).name);
      throw e;
    }
  }
  try {
    await asyncio.run(groupBody);
  } catch (e) {
    print("run raised", (e as Error).name);
  }

  async function waitForKi() {
    try {
      await asyncio.waitFor(() => ki(0.01, "w"), 1);
    } catch (e) {
      if (!(e instanceof asyncio.KeyboardInterrupt)) throw e;
      print("wait_for raised", repr(e));
    }
    return "wait_for_ki done";
  }
  async function shieldKi() {
    const inner = asyncio.ensureFuture(() => ki(0.01, "s"));
    try {
      await asyncio.shield(inner);
    } catch (e) {
      if (!(e instanceof asyncio.KeyboardInterrupt)) throw e;
      print("shield raised", repr(e));
    }
  }
  async function callbackExit() {
    const fut = asyncio.getRunningLoop().createFuture();
    fut.addDoneCallback(() => {
      print("cb runs");
      throw new asyncio.SystemExit(7);
    });
    fut.setResult(1);
    try {
      await asyncio.sleep(0.1);
      print("callback_exit slept");
    } finally {
      print("callback_exit finally");
    }
  }
  async function waitKi() {
    const t = asyncio.createTask(() => ki(0.01, "wait"));
    const [done, pending] = await asyncio.wait([t], { timeout: 1 });
    print("wait returned", done.size, pending.size);
  }
  for (const f of [waitForKi, shieldKi, callbackExit, waitKi] as Array<() => Promise<unknown>>) {
    try {
      print("run returned", await asyncio.run(f));
    } catch (e) {
      if (!isBase(e)) throw e;
      print("run raised", e.name, e.message);
    }
  }
  print("end");
}

test(
  "KeyboardInterrupt and SystemExit in tasks, gather, TaskGroup, waitFor, shield, wait and done callbacks leave run() at once, as in CPython",
  async () => {
    const out: string[] = [];
    // "Task exception was never retrieved" reports go to the logger, as in Python.
    const quiet = asyncio.logger.level;
    asyncio.logger.setLevel(asyncio.CRITICAL);
    try {
      await program(printer(out));
    } finally {
      asyncio.logger.setLevel(quiet);
    }
    assertEquals(out, EXPECTED);
  },
  { timeout: 20 },
);

test("CPython prints the same for baseexc_tasks.py", () => {
  const ref = pythonReference("baseexc_tasks");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, `${ref.python} baseexc_tasks.py`);
}, { fdCheck: false, timeout: 60 });

const LOOP_EXPECTED = [
  "ruc raised KeyboardInterrupt('ruc')",
  "reused",
  "a",
  "run_forever raised SystemExit 6",
  "b",
  "reused",
];

/** The port of baseexc_loop.py, line for line. */
async function loopProgram(print: (...args: unknown[]) => void): Promise<void> {
  async function ki() {
    await asyncio.sleep(0.01);
    throw new asyncio.KeyboardInterrupt("ruc");
  }
  async function later() {
    await asyncio.sleep(0.02);
    return "reused";
  }
  function exitNow(): never {
    throw new asyncio.SystemExit(6);
  }
  const loop = asyncio.newEventLoop();
  loop.setExceptionHandler((_l, c) => print("handler:", c.message));
  try {
    await loop.runUntilComplete(asyncio.coroutine(ki)());
  } catch (e) {
    if (!(e instanceof asyncio.KeyboardInterrupt)) throw e;
    print("ruc raised", repr(e));
  }
  print(await loop.runUntilComplete(asyncio.coroutine(later)()));
  loop.callSoon(print, "a");
  loop.callSoon(exitNow);
  loop.callSoon(print, "b");
  try {
    await loop.runForever();
  } catch (e) {
    if (!(e instanceof asyncio.SystemExit)) throw e;
    print("run_forever raised SystemExit", e.code);
  }
  print(await loop.runUntilComplete(asyncio.coroutine(later)()));
  loop.close();
}

test(
  "runUntilComplete() of a coroutine raising KeyboardInterrupt leaves the loop usable; a callback's SystemExit leaves runForever(), not logged",
  async () => {
    const out: string[] = [];
    await loopProgram(printer(out));
    assertEquals(out, LOOP_EXPECTED);
  },
  { timeout: 10 },
);

test("CPython prints the same for baseexc_loop.py", () => {
  const ref = pythonReference("baseexc_loop");
  if (ref !== null) assertEquals(ref.lines, LOOP_EXPECTED, `${ref.python} baseexc_loop.py`);
}, { fdCheck: false, timeout: 60 });
