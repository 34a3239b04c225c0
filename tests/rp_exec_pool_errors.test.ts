// A pool hands back the exception its worker raised with its class: the
// library's Python classes (ValueError, KeyError, ConnectionRefusedError...)
// thrown in a ProcessPoolExecutor's child come back as those classes, so
// `instanceof asyncio.ValueError` (Python's `except ValueError:`) catches
// them, and an OSError keeps its errno. They used to come back as plain
// Errors named "ValueError". Checked against CPython
// (tests/fixtures/py/rp_exec_pool_errors.py).
import { runtime, test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const url = new URL(
  runtime === "node" ? "./fixtures/rp_exec_pool_errors.js" : "./fixtures/rp_exec_pool_errors.ts",
  import.meta.url,
);
const fib = asyncio.moduleFunction<[number], number>(url, "fib");
const lookup = asyncio.moduleFunction<[string], never>(url, "lookup");
const connect = asyncio.moduleFunction<[number], never>(url, "connect");

async function poolApp(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  await using pool = new asyncio.ProcessPoolExecutor({ maxWorkers: 2 });
  const both = await asyncio.gather(...[10, 20].map((n) => loop.runInExecutor(pool, fib, n)));
  print(`[${both.join(", ")}]`);
  try {
    await loop.runInExecutor(pool, fib, -1);
  } catch (e) {
    if (!(e instanceof asyncio.ValueError)) throw e;
    print("ValueError caught:", e.message);
  }
  try {
    await loop.runInExecutor(pool, lookup, "k");
  } catch (e) {
    if (!(e instanceof asyncio.LookupError)) throw e;
    print("LookupError caught:", e.name, e.message);
  }
  try {
    await loop.runInExecutor(pool, connect, 1);
  } catch (e) {
    if (!(e instanceof asyncio.ConnectionError)) throw e;
    print("ConnectionError caught:", e.name, e.errno, e instanceof asyncio.OSError);
    print(e.message);
  }
  const r = await asyncio.gather(
    loop.runInExecutor(pool, fib, -2),
    loop.runInExecutor(pool, fib, 5),
    { returnExceptions: true },
  );
  const names = r.map((x) => x instanceof Error ? x.name : "int");
  print(`[${names.map((n) => `'${n}'`).join(", ")}]`, r[0] instanceof asyncio.ValueError);
}

const EXPECTED = [
  "[55, 6765]",
  "ValueError caught: negative: -1",
  "LookupError caught: KeyError k",
  "ConnectionError caught: ConnectionRefusedError 111 True",
  "[Errno 111] Connection refused",
  "['ValueError', 'int'] True",
];

test("a pool's child raises the library's Python errors back as their classes", async () => {
  const out: string[] = [];
  await asyncio.run(() => poolApp(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_exec_pool_errors.py", () => {
  const ref = pythonReference("rp_exec_pool_errors");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
