// A task step that awaits plain async functions many times without ever
// suspending (a recursive `await fib(n - 1)`, a loop of helper calls) takes
// more microtask rounds than the loop's drain allowed after a step (16): the
// loop went on to the next callback while that step was still running, so
// other tasks' prints came first and the step's code then crept along
// between later steps. The drain now waits for the step's suspension.
// Checked against CPython (tests/fixtures/py/rp_ord3_plain_awaits.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";
import { pyRepr } from "../lib/format.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  async function fib(n: number): Promise<number> {
    if (n < 2) return n;
    return await fib(n - 1) + await fib(n - 2);
  }
  async function double(x: number): Promise<number> {
    return x * 2;
  }
  async function worker(name: string, n: number): Promise<number> {
    print(name, "start");
    const r = await fib(n);
    print(name, "fib", n, "=", r);
    await asyncio.sleep(0);
    let total = 0;
    for (let i = 0; i < 30; i++) total += await double(i);
    print(name, "total", total);
    await asyncio.sleep(0);
    print(name, "end");
    return r;
  }
  async function ticker(n: number): Promise<void> {
    for (let i = 0; i < n; i++) {
      print("tick", i);
      await asyncio.sleep(0);
    }
  }
  const loop = asyncio.getRunningLoop();
  const tk = asyncio.createTask(() => ticker(5));
  const a = asyncio.createTask(() => worker("A", 12));
  loop.callSoon(print, "callback");
  const b = asyncio.createTask(() => worker("B", 5));
  print(pyRepr(await asyncio.gather(a, b, tk)));
}

const EXPECTED = [
  "tick 0",
  "A start",
  "A fib 12 = 144",
  "callback",
  "B start",
  "B fib 5 = 5",
  "tick 1",
  "A total 870",
  "B total 870",
  "tick 2",
  "A end",
  "B end",
  "tick 3",
  "tick 4",
  "[144, 5, None]",
];

test("a step of many non-suspending awaits runs whole before the next callback", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_ord3_plain_awaits.py", () => {
  const ref = pythonReference("rp_ord3_plain_awaits");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
