// A function for a thread that uses its module's helpers and constants is
// told by its text and runs on the main thread from the start: what it
// prints before it uses them comes out once (not first in a Worker, then
// again after the Worker's ReferenceError), and a queued job of that kind
// waits for its turn in the pool and can be withdrawn. Checked against CPython.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { outerNames } from "../lib/free_names.ts";
import * as asyncio from "../mod.ts";

const PREFIX = "job";
let print: (...args: unknown[]) => void = () => {};

function label(n: number): string {
  return `${PREFIX}-${n}`;
}

function work(n: number): string {
  print("working", n);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50); // time.sleep(0.05)
  return label(n);
}

function block(seconds: number): string {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, seconds * 1000);
  return "blocked";
}

async function moduleScope(): Promise<void> {
  const loop = asyncio.getRunningLoop();
  print(await asyncio.toThread(work, 1));
  print(await loop.runInExecutor(null, work, 2));
  const results = await asyncio.gather(asyncio.toThread(label, 3), asyncio.toThread(label, 4));
  print(results.join(" "));
  {
    await using pool = new asyncio.ThreadPoolExecutor({ maxWorkers: 1 });
    const first = loop.runInExecutor(pool, block, 0.2);
    const queued = loop.runInExecutor(pool, work, 5);
    await asyncio.sleep(0.05);
    print(queued.cancel(), await first);
  }
  print("end");
}

const EXPECTED = [
  "working 1",
  "job-1",
  "working 2",
  "job-2",
  "job-3 job-4",
  "True blocked",
  "end",
];

test("a function using its module's scope runs once, on the main thread, in its turn", async () => {
  const out: string[] = [];
  print = printer(out);
  await asyncio.run(moduleScope);
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("outerNames: what a function's text uses from outside itself", () => {
  const limits = { max: 3 }; // an object: Bun inlines a constant number into the text
  const cases: Array<[(...a: never[]) => unknown, string[]]> = [
    [(n: number) => label(n) + Math.max(n, limits.max), ["label", "limits"]],
    [block, []],
    [(s: string, n: number) => `${s.repeat(n)} ${JSON.stringify({ a: n, b: [1] })}`, []],
    [(a: number) =>
      /\d+/g.test(String(a))
        ? {
          get x() {
            return 1;
          },
          y() {},
        }
        : null, []],
    [(...xs: number[]) => xs.reduce((a, b) => a + b, 0), []],
    [(o: Record<string, number>) => {
      let t = 0;
      for (const [k, v] of Object.entries(o)) t += k.length + v;
      outer: for (let i = 0; i < t; i++) if (i > 2) break outer;
      return t;
    }, []],
    [function primes(limit: number): number {
      let count = 0, k = 0;
      for (let i = 2; i < limit; i++) {
        let prime = true;
        for (let d = 2; d * d <= i; d++) if (i % d === 0) prime = false;
        if (prime) count++;
      }
      try {
        JSON.parse("{");
      } catch (e) {
        k = String(e).length > 0 ? 1 : 0;
      }
      return count + k + (primes.length - 1);
    }, []],
  ];
  for (const [f, want] of cases) assertEquals(outerNames(String(f)), want, String(f));
});

test("CPython prints the same for exec_conf_module_scope.py", () => {
  const ref = pythonReference("exec_conf_module_scope");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
