// A function run in a thread (toThread, runInExecutor with the default
// executor or a pool) that reaches the loop with runCoroutineThreadsafe
// and blocks on result(timeout), as a Python thread handed the loop does:
// ported per the README, it is handed `bridge.link()` of a LoopBridge and
// calls `connectLoop(link)` there. A link cannot be cloned (its port must
// be transferred), so the function ran on the main thread in the thread's
// stead, where result() cannot wait (RuntimeError); the executor now
// transfers a link's port to the Worker. On Node (compiled by tsc) the
// `import(mod)` became a call of tsc's import-rewriting helper, which was
// taken for a name of the module's scope: the function stayed on the main
// thread too. Checked against CPython
// (tests/fixtures/py/rp_exec12_thread_threadsafe_link.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

// The library's entry beside this test (mod.js beside the compiled test on Node).
const MOD = new URL(import.meta.url.endsWith(".js") ? "../mod.js" : "../mod.ts", import.meta.url)
  .href;

async function fetch(n: number): Promise<string> {
  await asyncio.sleep(0.01);
  return `item${n}`;
}

async function fail(n: number): Promise<never> {
  await asyncio.sleep(0);
  throw new asyncio.ValueError(`no item${n}`);
}

// Self-contained: it runs in a Worker, importing the library there.
async function worker(mod: string, link: asyncio.LoopLink, n: number): Promise<string> {
  const { connectLoop } = await import(mod);
  const loop = connectLoop(link);
  try {
    let r = loop.runCoroutineThreadsafe("fetch", n).result(5);
    try {
      loop.runCoroutineThreadsafe("fail", n).result(5);
    } catch (e) {
      r += ` / ${(e as Error).name}: ${(e as Error).message}`;
    }
    return r;
  } finally {
    loop.close();
  }
}

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const bridge = new asyncio.LoopBridge(loop, { fetch, fail });
  try {
    print(await asyncio.toThread(worker, MOD, bridge.link(), 1));
    const both = await asyncio.gather(
      ...[2, 3].map((i) => asyncio.toThread(worker, MOD, bridge.link(), i)),
    );
    for (const r of both) print(r);
    print(await loop.runInExecutor(null, worker, MOD, bridge.link(), 4));
    const pool = new asyncio.ThreadPoolExecutor({ maxWorkers: 1 });
    try {
      print(await loop.runInExecutor(pool, worker, MOD, bridge.link(), 5));
    } finally {
      await pool.shutdown();
    }
    print("done");
  } finally {
    bridge.close();
  }
}

const EXPECTED = [
  "item1 / ValueError: no item1",
  "item2 / ValueError: no item2",
  "item3 / ValueError: no item3",
  "item4 / ValueError: no item4",
  "item5 / ValueError: no item5",
  "done",
];

test("a thread's function reaches the loop through a LoopLink it is given", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { fdCheck: false, timeout: 30 }); // Deno frees a Worker's own fds after it ends

test("CPython prints the same for rp_exec12_thread_threadsafe_link.py", () => {
  const ref = pythonReference("rp_exec12_thread_threadsafe_link");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
