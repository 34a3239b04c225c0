// Python 3.11's child watchers (asyncio.get_child_watcher() and the watcher
// classes): the default ThreadedChildWatcher, watchers attached by
// setEventLoop() (which run() calls), and the RuntimeError for a subprocess
// started while the policy's watcher is not active. Checked against CPython
// (tests/fixtures/py/sw_pol_child_watcher.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function watchers(print: (...args: unknown[]) => void): Promise<void> {
  const w = asyncio.getChildWatcher();
  print(w.constructor.name, w.isActive(), w === asyncio.getChildWatcher());
  print(w instanceof asyncio.AbstractChildWatcher);
  print(w.removeChildHandler(12345), w.attachLoop(null), w.close());
  print(String(w).replace(/0x[0-9a-f]+/g, "0x..."));
  try {
    w.addChildHandler(12345, print);
  } catch (e) {
    if (!(e instanceof asyncio.RuntimeError)) throw e;
    print("RuntimeError", e.message);
  }
  // deno-lint-ignore no-explicit-any
  const a = new (asyncio.AbstractEventLoopPolicy as any)() as asyncio.AbstractEventLoopPolicy;
  try {
    a.getChildWatcher();
  } catch (e) {
    if (!(e instanceof asyncio.NotImplementedError)) throw e;
    print("get_child_watcher NotImplementedError");
  }
  for (
    const cls of [
      asyncio.SafeChildWatcher,
      asyncio.FastChildWatcher,
      asyncio.PidfdChildWatcher,
      asyncio.MultiLoopChildWatcher,
      asyncio.ThreadedChildWatcher,
    ]
  ) {
    const x = new cls();
    print(cls.name, x.isActive(), x.removeChildHandler(1));
    x.close();
  }

  const runChild = async (tag: string, script = "exit 3") => {
    const proc = await asyncio.createSubprocessExec("/bin/sh", "-c", script);
    print(tag, "returncode", await proc.wait());
  };

  // A SafeChildWatcher set before run(): run() attaches it to its loop.
  const sw = new asyncio.SafeChildWatcher();
  asyncio.setChildWatcher(sw);
  print("safe active before run", sw.isActive());
  await asyncio.run(() => runChild("safe"));
  print("safe active after run", sw.isActive());

  // Set inside main without attaching: not active, so no subprocess.
  await asyncio.run(async () => {
    const pw = new asyncio.PidfdChildWatcher();
    asyncio.setChildWatcher(pw);
    print("pidfd active", pw.isActive());
    try {
      await runChild("pidfd-unattached");
    } catch (e) {
      if (!(e instanceof asyncio.RuntimeError)) throw e;
      print("RuntimeError", e.message);
    }
    pw.attachLoop(asyncio.getRunningLoop());
    print("pidfd active", pw.isActive());
    await runChild("pidfd");
    print(sw.isActive());
  });

  // The setup of older programs: a loop of their own, the watcher attached to it.
  const loop = asyncio.newEventLoop();
  asyncio.setEventLoop(loop);
  const watcher = new asyncio.SafeChildWatcher();
  watcher.attachLoop(loop);
  asyncio.setChildWatcher(watcher);
  await loop.runUntilComplete(() => runChild("old-style"));
  loop.close();

  await asyncio.run(async () => {
    const mw = new asyncio.MultiLoopChildWatcher();
    asyncio.setChildWatcher(mw);
    print("multi active", mw.isActive());
    mw.attachLoop(asyncio.getRunningLoop());
    print("multi active", mw.isActive());
    // A child that outlives addChildHandler(), as in the fixture, where
    // CPython's own SIGCHLD handler races that method for a child already gone.
    await runChild("multi", "sleep 0.2; exit 3");
    asyncio.setChildWatcher(null);
    print(asyncio.getChildWatcher().constructor.name);
    await runChild("default");
  });
  try {
    asyncio.setChildWatcher(42 as never);
  } catch (e) {
    if (!(e instanceof asyncio.AssertionError)) throw e;
    print("AssertionError", `'${e.message}'`);
  }
}

const EXPECTED = [
  "ThreadedChildWatcher True True",
  "True",
  "True None None",
  "<asyncio.unix_events.ThreadedChildWatcher object at 0x...>",
  "RuntimeError no running event loop",
  "get_child_watcher NotImplementedError",
  "SafeChildWatcher False False",
  "FastChildWatcher False False",
  "PidfdChildWatcher False False",
  "MultiLoopChildWatcher False False",
  "ThreadedChildWatcher True True",
  "safe active before run False",
  "safe returncode 3",
  "safe active after run False",
  "pidfd active False",
  "RuntimeError asyncio.get_child_watcher() is not activated, subprocess support is not installed.",
  "pidfd active True",
  "pidfd returncode 3",
  "False",
  "old-style returncode 3",
  "multi active False",
  "multi active True",
  "multi returncode 3",
  "ThreadedChildWatcher",
  "default returncode 3",
  "AssertionError ''",
];

test("child watchers: the default, attached by run(), an inactive one's RuntimeError", async () => {
  const out: string[] = [];
  try {
    await watchers(printer(out));
  } finally {
    asyncio.setEventLoopPolicy(null);
  }
  assertEquals(out, EXPECTED);
}, { timeout: 30 });

test("CPython prints the same for sw_pol_child_watcher.py", () => {
  const ref = pythonReference("sw_pol_child_watcher");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
