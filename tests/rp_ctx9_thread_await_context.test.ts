// An async function that toThread or runInExecutor runs on the main thread
// (in a Python thread's stead) keeps its context past its awaits, as a
// Python thread's function keeps its thread's context past its blocking
// calls: it sees its own sets, no running loop, asyncio.run() there copies
// that context, and its callSoonThreadsafe callbacks run in it. Only the part
// before its first await used to: after it, the function saw the caller's
// task's context (or the root one) and the caller's loop as running.
// Checked against CPython (tests/fixtures/py/rp_ctx9_thread_await_context.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const v = new asyncio.ContextVar<string>("v", { default: "default" });

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();

  const report = (tag: string) => print(tag, "threadsafe callback", v.get());

  const inner = async () => v.get();

  // Python's time.sleep() in the thread: a host timer here.
  const block = () => new Promise((r) => setTimeout(r, 5));

  async function job(tag: string): Promise<string> {
    const before = v.get();
    v.set(tag + " job");
    await block();
    let running: string;
    try {
      asyncio.getRunningLoop();
      running = "a running loop";
    } catch (e) {
      if (!(e instanceof asyncio.RuntimeError)) throw e;
      running = e.message;
    }
    print(tag, "before", before, "after", v.get(), "|", running);
    print(tag, "asyncio.run sees", await asyncio.run(inner));
    await block();
    loop.callSoonThreadsafe(report, tag);
    return v.get();
  }

  v.set("main");
  print("to_thread returned", await asyncio.toThread(job, "to_thread"));
  print("run_in_executor returned", await loop.runInExecutor(null, job, "run_in_executor"));
  print("main", v.get());
}

const EXPECTED = [
  "to_thread before main after to_thread job | no running event loop",
  "to_thread asyncio.run sees to_thread job",
  "to_thread threadsafe callback to_thread job",
  "to_thread returned to_thread job",
  "run_in_executor before default after run_in_executor job | no running event loop",
  "run_in_executor asyncio.run sees run_in_executor job",
  "run_in_executor threadsafe callback run_in_executor job",
  "run_in_executor returned run_in_executor job",
  "main main",
];

test("an executor's async function keeps its thread's context past its awaits", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_ctx9_thread_await_context.py", () => {
  const ref = pythonReference("rp_ctx9_thread_await_context");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
