// ProcessPoolExecutor: functions run in child processes of this runtime.
// Checked: results and clone semantics, errors by class, the children are
// ours and are reaped (no /proc entry left), a dying child breaks the pool,
// shutdown and killWorkers, and an idle pool does not keep a script alive.
import { runtime, test } from "./harness.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { existsSync, readFileSync } from "node:fs";
import * as asyncio from "../mod.ts";
import { BrokenProcessPool, moduleFunction, ProcessPoolExecutor } from "../lib/process_pool.ts";
import { CancelledError, RuntimeError, ValueError } from "../lib/exceptions.ts";
import { sys } from "../ffi/mod.ts";
import { runScript } from "./util.ts";

type G = { process: { pid: number; exit(code: number): never } };
const childPid = () => (globalThis as unknown as G).process.pid;

function ppidOf(pid: number): number {
  const t = readFileSync(`/proc/${pid}/stat`, "utf8");
  return Number(t.slice(t.lastIndexOf(")") + 2).split(" ")[1]);
}

function assertReaped(pids: number[]): void {
  for (const pid of pids) assert(!existsSync(`/proc/${pid}`), `child ${pid} left behind`);
}

const opts = { timeout: 60, fdCheck: false };

test("runInExecutor(pool, fn): runs in a child of this process; shutdown reaps it", async () => {
  const pool = new ProcessPoolExecutor({ maxWorkers: 2 });
  let pids: number[] = [];
  await asyncio.run(async () => {
    const loop = asyncio.getRunningLoop();
    const pid = await loop.runInExecutor(pool, () => (globalThis as unknown as G).process.pid);
    assert(pid !== sys().getpid());
    assertEquals(ppidOf(pid), sys().getpid());
    assertEquals(pool.pids, [pid]);
    pids = pool.pids;
  });
  await pool.shutdown(true);
  assertEquals(pool.pids, []);
  assertReaped(pids);
}, opts);

test("arguments and results are structured clones (Map, Uint8Array, bigint, Date)", async () => {
  await using pool = new ProcessPoolExecutor({ maxWorkers: 1 });
  const out = await pool.submit(
    (m: Map<string, number>, bytes: Uint8Array, big: bigint, d: Date) => ({
      sum: [...m.values()].reduce((a, b) => a + b, 0),
      bytes: bytes.map((b) => b * 2),
      big: big * 2n,
      year: d.getUTCFullYear(),
      set: new Set([1, 2]),
    }),
    new Map([["a", 1], ["b", 2]]),
    new Uint8Array([1, 2, 3]),
    2n ** 70n,
    new Date(Date.UTC(2001, 0, 1)),
  );
  assertEquals(out.sum, 3);
  assert(out.bytes instanceof Uint8Array);
  assertEquals([...out.bytes], [2, 4, 6]);
  assertEquals(out.big, 2n ** 71n);
  assertEquals(out.year, 2001);
  assert(out.set instanceof Set && out.set.has(2));
}, opts);

test("errors come back by class, message and fields; closures are a ReferenceError", async () => {
  await using pool = new ProcessPoolExecutor({ maxWorkers: 1 });
  const e1 = await assertRejects(() =>
    pool.submit(() => {
      throw new RangeError("out of range in child");
    }), RangeError);
  assertEquals(e1.message, "out of range in child");
  const e2 = await assertRejects(() =>
    pool.submit(() => {
      class ChildError extends Error {
        override name = "ChildError";
        code = "E_CHILD";
      }
      throw new ChildError("custom");
    })
  ) as Error & { code: string };
  assertEquals([e2.name, e2.message, e2.code], ["ChildError", "custom", "E_CHILD"]);
  const local = 5;
  await assertRejects(() => pool.submit(() => local + 1), ReferenceError);
  // The pool is still whole after errors.
  assertEquals(await pool.submit((x: number) => x + 1, 1), 2);
}, opts);

test("an argument that cannot be cloned rejects the job; the pool goes on", async () => {
  await using pool = new ProcessPoolExecutor({ maxWorkers: 1 });
  await assertRejects(() => pool.submit((f: unknown) => typeof f, () => 1));
  await assertRejects(() => pool.submit(() => () => 1)); // the result cannot travel back
  assertEquals(await pool.submit(() => "ok"), "ok");
  await assertRejects(() => Promise.resolve().then(() => pool.submit(Math.max)), TypeError);
}, opts);

test("what a job prints goes to stderr, never into the replies", async () => {
  await using pool = new ProcessPoolExecutor({ maxWorkers: 1 });
  const r = await runScriptFree(pool);
  assertEquals(r, 4950);
}, opts);

async function runScriptFree(pool: ProcessPoolExecutor): Promise<number> {
  return await pool.submit(() => {
    let s = 0;
    for (let i = 0; i < 100; i++) {
      console.log(`\u0000\u0000\u0000\u0004junk line ${i}`);
      s += i;
    }
    return s;
  });
}

test("moduleFunction: an export of a module, by URL and name", async () => {
  await using pool = new ProcessPoolExecutor({ maxWorkers: 1 });
  const url = new URL(
    runtime === "node" ? "./fixtures/executor_module.js" : "./fixtures/executor_module.ts",
    import.meta.url,
  );
  const double = moduleFunction<[number], number>(url, "double");
  assertEquals(await pool.submit(double, 21), 42);
  await assertRejects(() => pool.submit(moduleFunction(url, "nope")), TypeError);
}, opts);

test("maxWorkers bounds the children; jobs beyond wait their turn", async () => {
  const pool = new ProcessPoolExecutor({ maxWorkers: 2 });
  const slow = async (i: number) => {
    await new Promise((r) => setTimeout(r, 100));
    return [i, (globalThis as unknown as G).process.pid];
  };
  const results = await Promise.all([0, 1, 2, 3, 4].map((i) => pool.submit(slow, i)));
  assertEquals(results.map(([i]) => i), [0, 1, 2, 3, 4]);
  const pids = [...new Set(results.map(([, pid]) => pid))];
  assert(pids.length <= 2, `${pids.length} children for maxWorkers 2`);
  await pool.shutdown(true);
  assertReaped(pids);
  assertRejects(async () => pool.submit(() => 1), RuntimeError);
  assert(new ProcessPoolExecutor().maxWorkers >= 1);
  let threw = false;
  try {
    new ProcessPoolExecutor({ maxWorkers: 0 });
  } catch (e) {
    threw = e instanceof ValueError;
  }
  assert(threw);
}, opts);

test(
  "a child that dies breaks the pool: pending jobs and later submits get BrokenProcessPool",
  async () => {
    const pool = new ProcessPoolExecutor({ maxWorkers: 2 });
    const first = await pool.submit(childPid);
    const dying = pool.submit(() => (globalThis as unknown as G).process.exit(3));
    const waiting = pool.submit(() => new Promise((r) => setTimeout(r, 5000)));
    await assertRejects(() => dying, BrokenProcessPool);
    await assertRejects(() => waiting, BrokenProcessPool);
    let threw: unknown = null;
    try {
      pool.submit(() => 1);
    } catch (e) {
      threw = e;
    }
    assert(threw instanceof BrokenProcessPool && threw instanceof RuntimeError);
    await pool.shutdown(true);
    assertReaped([first]);
    assertEquals(pool.pids, []);
  },
  opts,
);

test("killWorkers: a running job rejects, queued ones too, every child reaped", async () => {
  const pool = new ProcessPoolExecutor({ maxWorkers: 1 });
  const pid = await pool.submit(childPid);
  const running = assertRejects(
    () => pool.submit(() => new Promise((r) => setTimeout(r, 30_000))),
    BrokenProcessPool,
  );
  const queued = assertRejects(() => pool.submit(() => 1), BrokenProcessPool);
  await new Promise((r) => setTimeout(r, 100));
  await pool.killWorkers();
  await running;
  await queued;
  assertReaped([pid]);
}, opts);

test("shutdown(cancelFutures): queued jobs are cancelled, the running one finishes", async () => {
  const pool = new ProcessPoolExecutor({ maxWorkers: 1 });
  const running = pool.submit(async () => {
    await new Promise((r) => setTimeout(r, 200));
    return "finished";
  });
  const queued = pool.submit(() => "never");
  const pids = await new Promise<number[]>((r) => setTimeout(() => r(pool.pids), 50));
  await pool.shutdown(true, { cancelFutures: true });
  assertEquals(await running, "finished");
  await assertRejects(() => queued, CancelledError);
  assertReaped(pids);
}, opts);

test("a job withdrawn by cancelling the loop's future never runs", () =>
  asyncio.run(async () => {
    const pool = new ProcessPoolExecutor({ maxWorkers: 1 });
    const loop = asyncio.getRunningLoop();
    const busy = loop.runInExecutor(pool, () => new Promise((r) => setTimeout(r, 200)));
    const later = loop.runInExecutor(pool, () => "ran");
    later.cancel();
    await busy;
    assert(later.cancelled());
    await pool.shutdown(true);
  }), opts);

test("a script that leaves an idle pool open still exits; its children exit too", async () => {
  const r = await runScript("tests/fixtures/pool_exit.ts", { timeout: 30 });
  assertEquals(r.code, 0, r.stderr);
  const pids = JSON.parse(r.stdout.trim()) as number[];
  assertEquals(pids.length, 2);
  // They read EOF when the parent went; give them a moment to go.
  for (let i = 0; i < 100 && pids.some((p) => existsSync(`/proc/${p}`)); i++) {
    await new Promise((res) => setTimeout(res, 50));
  }
  for (const pid of pids) {
    if (!existsSync(`/proc/${pid}`)) continue;
    // Reparented to init, which reaps it: anything but a live child of ours is fine.
    assert(ppidOf(pid) !== sys().getpid());
  }
}, opts);

test("initializer runs first in every child, with initargs", async () => {
  const pool = new ProcessPoolExecutor({
    maxWorkers: 2,
    initializer: (seed: number, tag: string) => {
      (globalThis as unknown as { __init: string }).__init = `${tag}:${seed}`;
    },
    initargs: [7, "seeded"],
  });
  const seen = await Promise.all([0, 1, 2, 3].map(() =>
    pool.submit(async () => {
      await new Promise((r) => setTimeout(r, 50));
      return (globalThis as unknown as { __init?: string }).__init ?? "none";
    })
  ));
  assertEquals(seen, ["seeded:7", "seeded:7", "seeded:7", "seeded:7"]);
  const pids = pool.pids;
  await pool.shutdown(true);
  assertReaped(pids);
}, opts);

test("an initializer that throws breaks the pool", async () => {
  const pool = new ProcessPoolExecutor({
    maxWorkers: 1,
    initializer: () => {
      throw new Error("cannot init");
    },
  });
  const e = await assertRejects(() => pool.submit(() => 1), BrokenProcessPool);
  assert(e.message.includes("cannot init"), e.message);
  let threw = false;
  try {
    pool.submit(() => 2);
  } catch (err) {
    threw = err instanceof BrokenProcessPool;
  }
  assert(threw);
  await pool.shutdown(true);
  assertEquals(pool.pids, []);
  let bad = false;
  try {
    new ProcessPoolExecutor({ initializer: () => {}, initargs: [() => 1] });
  } catch {
    bad = true;
  }
  assert(bad, "unclonable initargs are refused at once");
}, opts);

test(
  "maxTasksPerChild: a child is replaced after that many jobs; the old ones are reaped",
  async () => {
    const pool = new ProcessPoolExecutor({ maxWorkers: 1, maxTasksPerChild: 2 });
    const pids: number[] = [];
    for (let i = 0; i < 5; i++) pids.push(await pool.submit(childPid));
    assertEquals(pids[0], pids[1]);
    assertEquals(pids[2], pids[3]);
    assert(pids[1] !== pids[2] && pids[3] !== pids[4], `pids ${pids}`);
    await pool.shutdown(true);
    assertReaped([...new Set(pids)]);
    let threw = false;
    try {
      new ProcessPoolExecutor({ maxTasksPerChild: 0 });
    } catch (e) {
      threw = e instanceof ValueError;
    }
    assert(threw);
  },
  opts,
);
