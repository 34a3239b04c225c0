// Graceful shutdown: workers cancelled, then gathered with
// `{ returnExceptions: true }`. CPython 3.11 gives each cancelled child as
// `CancelledError('')` (a future cancelled with a message: with it), so the
// results' reprs, and the gather future's, show `CancelledError('')`; ours
// showed `CancelledError()`.
// Checked against CPython (tests/fixtures/py/rp_apps_gather_cancelled_repr.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";
import { pyRepr } from "../lib/format.ts";

async function shutdownApp(print: (...args: unknown[]) => void): Promise<void> {
  async function worker(name: string, q: asyncio.Queue<number>) {
    try {
      while (true) {
        const job = await q.get();
        print(name, "got", job);
        q.taskDone();
      }
    } finally {
      print(name, "cleanup");
    }
  }
  const q = new asyncio.Queue<number>();
  const workers = [0, 1].map((i) => asyncio.createTask(() => worker(`w${i}`, q)));
  for (let i = 0; i < 3; i++) q.putNowait(i);
  await q.join();
  workers[0].cancel("shutdown");
  workers[1].cancel();
  const loop = asyncio.getRunningLoop();
  const fut = loop.createFuture();
  fut.cancel("bye");
  const done = loop.createFuture<number>();
  done.setResult(7);
  const gathering = asyncio.gather(...workers, fut, done, { returnExceptions: true });
  const results = await gathering;
  print(pyRepr(results));
  print(String(gathering));
  print(pyRepr(results.map((r) => r instanceof Error ? r.constructor.name : "int")));
  print(pyRepr(results.map((r) => r instanceof Error ? r.message : String(r))));
}

const EXPECTED = [
  "w0 got 0",
  "w0 got 1",
  "w0 got 2",
  "w0 cleanup",
  "w1 cleanup",
  "[CancelledError(''), CancelledError(''), CancelledError('bye'), 7]",
  "<_GatheringFuture finished result=[CancelledError(''), CancelledError(''), CancelledError('bye'), 7]>",
  "['CancelledError', 'CancelledError', 'CancelledError', 'int']",
  "['', '', 'bye', '7']",
];

test("gather's cancelled children are CancelledError('') in reprs", async () => {
  const out: string[] = [];
  await asyncio.run(() => shutdownApp(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_apps_gather_cancelled_repr.py", () => {
  const ref = pythonReference("rp_apps_gather_cancelled_repr");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
