// iscoroutinefunction() of the program's functions and of the library's own,
// against CPython 3.11: Python's `async def` ones are (also where the port
// is a plain function returning a promise), and those returning a future or
// blocking are not (also where the port is an async function).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function main(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  async function coroFn() {}
  function plain() {}
  const P = (cls: { prototype: object }, name: string) =>
    (cls.prototype as Record<string, unknown>)[name];
  const checks: Array<[string, unknown]> = [
    ["async def", coroFn],
    ["def", plain],
    ["lambda", () => null],
    ["5", 5],
    ["sleep", asyncio.sleep],
    ["wait_for", asyncio.waitFor],
    ["wait", asyncio.wait],
    ["gather", asyncio.gather],
    ["shield", asyncio.shield],
    ["as_completed", asyncio.asCompleted],
    ["to_thread", asyncio.toThread],
    ["run", asyncio.run],
    ["create_task", asyncio.createTask],
    ["ensure_future", asyncio.ensureFuture],
    ["timeout", asyncio.timeout],
    ["open_connection", asyncio.openConnection],
    ["Lock.acquire", P(asyncio.Lock, "acquire")],
    ["Event.wait", P(asyncio.Event, "wait")],
    ["Semaphore.acquire", P(asyncio.Semaphore, "acquire")],
    ["Barrier.wait", P(asyncio.Barrier, "wait")],
    ["Condition.wait", P(asyncio.Condition, "wait")],
    ["Queue.get", P(asyncio.Queue, "get")],
    ["Queue.put_nowait", P(asyncio.Queue, "putNowait")],
    ["StreamReader.read", P(asyncio.StreamReader, "read")],
    ["StreamWriter.drain", P(asyncio.StreamWriter, "drain")],
    ["StreamWriter.write", P(asyncio.StreamWriter, "write")],
    ["loop.sock_recv", loop.sockRecv],
    ["loop.create_connection", loop.createConnection],
    ["loop.getaddrinfo", loop.getaddrinfo],
    ["loop.shutdown_asyncgens", loop.shutdownAsyncgens],
    ["loop.run_in_executor", loop.runInExecutor],
    ["loop.run_until_complete", loop.runUntilComplete],
    ["loop.run_forever", loop.runForever],
    ["loop.call_soon", loop.callSoon],
  ];
  for (const [label, f] of checks) print(label, asyncio.iscoroutinefunction(f));
}

const EXPECTED = [
  "async def True",
  "def False",
  "lambda False",
  "5 False",
  "sleep True",
  "wait_for True",
  "wait True",
  "gather False",
  "shield False",
  "as_completed False",
  "to_thread True",
  "run False",
  "create_task False",
  "ensure_future False",
  "timeout False",
  "open_connection True",
  "Lock.acquire True",
  "Event.wait True",
  "Semaphore.acquire True",
  "Barrier.wait True",
  "Condition.wait True",
  "Queue.get True",
  "Queue.put_nowait False",
  "StreamReader.read True",
  "StreamWriter.drain True",
  "StreamWriter.write False",
  "loop.sock_recv True",
  "loop.create_connection True",
  "loop.getaddrinfo True",
  "loop.shutdown_asyncgens True",
  "loop.run_in_executor False",
  "loop.run_until_complete False",
  "loop.run_forever False",
  "loop.call_soon False",
];

test("iscoroutinefunction() answers for the library's functions as for Python's", async () => {
  const out: string[] = [];
  await asyncio.run(() => main(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for sw_task_iscoroutinefunction.py", () => {
  const ref = pythonReference("sw_task_iscoroutinefunction");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
