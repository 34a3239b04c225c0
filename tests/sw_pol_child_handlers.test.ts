// addChildHandler(pid, callback, ...args) of each Python 3.11 child watcher
// calls callback(pid, returncode, ...args) once the child exits;
// removeChildHandler stops that, except on ThreadedChildWatcher, where it
// does nothing, as in Python. Checked against CPython
// (tests/fixtures/py/sw_pol_child_handlers.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { sys } from "../ffi/mod.ts";
import * as asyncio from "../mod.ts";

/** A child nobody else waits for (Python's `os.posix_spawn`). */
function spawn(code: number): number {
  const argv = ["/bin/sh", "-c", `sleep 0.15; exit ${code}`];
  const pid = sys().spawn("/bin/sh", argv, null, null, [], true);
  if (pid < 0) throw new asyncio.OSError(-pid);
  return pid;
}

async function handlers(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  for (
    const cls of [
      asyncio.ThreadedChildWatcher,
      asyncio.SafeChildWatcher,
      asyncio.FastChildWatcher,
      asyncio.MultiLoopChildWatcher,
      asyncio.PidfdChildWatcher,
    ]
  ) {
    const w = new cls();
    w.attachLoop(loop);
    const fut = loop.createFuture<string>();
    const pid = spawn(7);
    w.addChildHandler(
      pid,
      (p: number, rc: number, tag: string) =>
        fut.setResult(`${p === pid ? "True" : "False"} ${rc} ${tag}`),
      "x",
    );
    print(cls.name, await asyncio.waitFor(fut, 2));
    if (cls === asyncio.FastChildWatcher) {
      // Python's reaps every child (waitpid(-1)), the port's only its own.
      w.close();
      continue;
    }
    const pid2 = spawn(1);
    w.addChildHandler(pid2, (_p: number, rc: number) => print("callback after remove", rc));
    print("removed", w.removeChildHandler(pid2), "again", w.removeChildHandler(pid2));
    await asyncio.sleep(0.3);
    w.close();
    if (cls !== asyncio.ThreadedChildWatcher) {
      const status = new Int32Array(1);
      const r = sys().waitpid(pid2, status, 0);
      if (r !== pid2) throw new asyncio.OSError(-r);
    }
  }
}

const EXPECTED = [
  "ThreadedChildWatcher True 7 x",
  "removed True again True",
  "callback after remove 1",
  "SafeChildWatcher True 7 x",
  "removed True again False",
  "FastChildWatcher True 7 x",
  "MultiLoopChildWatcher True 7 x",
  "removed True again False",
  "PidfdChildWatcher True 7 x",
  "removed True again False",
];

test("child watchers' addChildHandler/removeChildHandler on children of our own", async () => {
  const out: string[] = [];
  await asyncio.run(() => handlers(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for sw_pol_child_handlers.py", () => {
  const ref = pythonReference("sw_pol_child_handlers");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
