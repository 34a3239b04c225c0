// A pool thread keeps its own context from job to job: a context variable
// that a function run in the executor sets (a per-thread connection, made
// lazily) is still set for the next job of that thread, as in CPython,
// while each toThread job runs in a copy of its caller's context and leaves
// the thread's own context alone. A function that stays on the main thread
// in a thread's stead (it uses its module's scope: the ContextVar) got a
// new empty context for every job, so it made a connection each time.
// Checked against CPython (tests/fixtures/py/rp_exec12_thread_context_kept.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const conn = new asyncio.ContextVar<string | null>("conn");
const made: string[] = [];

function query(q: string): string {
  let c = conn.get(null);
  if (c === null) {
    c = `conn${made.length}`;
    made.push(c);
    conn.set(c);
  }
  return `${q} via ${c}`;
}

function peek(): string | null {
  return conn.get("unset");
}

const list = (xs: string[]) => `[${xs.map((x) => `'${x}'`).join(", ")}]`;

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const pool = new asyncio.ThreadPoolExecutor({ maxWorkers: 1 });
  for (const q of ["a", "b", "c"]) print(await loop.runInExecutor(pool, query, q));
  print(list(await asyncio.gather(...["d", "e"].map((q) => loop.runInExecutor(pool, query, q)))));
  print("made", list(made));
  // One thread: which thread takes a job is then certain.
  loop.setDefaultExecutor(new asyncio.ThreadPoolExecutor({ maxWorkers: 1 }));
  for (const q of ["e", "f"]) print(await loop.runInExecutor(null, query, q));
  print("made", list(made));
  conn.set("caller");
  print(await asyncio.toThread(query, "g"));
  print(await asyncio.toThread(peek));
  print(await loop.runInExecutor(null, peek));
  print("caller", conn.get());
  await pool.shutdown();
}

const EXPECTED = [
  "a via conn0",
  "b via conn0",
  "c via conn0",
  "['d via conn0', 'e via conn0']",
  "made ['conn0']",
  "e via conn1",
  "f via conn1",
  "made ['conn0', 'conn1']",
  "g via caller",
  "caller",
  "conn1",
  "caller caller",
];

test("a pool thread's context is kept from job to job", async () => {
  made.length = 0;
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_exec12_thread_context_kept.py", () => {
  const ref = pythonReference("rp_exec12_thread_context_kept");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
