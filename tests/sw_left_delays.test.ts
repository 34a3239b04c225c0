// A bool delay is Python's int (true is 1 second) in sleep and callLater;
// a NaN delay is taken, and its timer runs when heapq brings it to the top
// of the timer heap (at once when it went in first, after the others when
// it went in behind one), as in CPython; so do waitFor, wait, asCompleted
// and timeout. Non-numbers stay TypeErrors.
// Checked against CPython.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

/** The delays are typed as numbers; this passes what plain JS would. */
const untyped = (x: unknown) => x as never;

/** Python's `round(x, 1)` as it prints: `1.0`, `0.2`. */
const r1 = (x: number) => (Math.round(x * 10) / 10).toFixed(1);

async function delays(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  // Times as a bound each side, not rounded: a loaded machine runs late.
  let t0 = loop.time();
  print(await asyncio.sleep(untyped(true), "slept True"), loop.time() - t0 >= 0.9);
  t0 = loop.time();
  print(await asyncio.sleep(untyped(false), "slept False"), loop.time() - t0 < 0.5);
  t0 = loop.time();
  print(await asyncio.sleep(NaN, "slept nan"), loop.time() - t0 < 0.5);
  const out: string[] = [];
  const rec = (tag: string) => {
    const early = loop.time() - t0 < 0.15;
    out.push(`'${early ? `${tag} at once` : tag}'`);
  };
  t0 = loop.time();
  let fut = loop.createFuture();
  const h = loop.callLater(untyped(true), () => fut.setResult(null));
  print("when - time", r1(h.when() - loop.time()));
  await fut;
  rec("true");
  print(`[${out.join(", ")}]`);
  out.length = 0;
  for (const firstNan of [true, false]) {
    t0 = loop.time();
    fut = loop.createFuture();
    if (firstNan) loop.callLater(NaN, rec, "nan");
    loop.callLater(0.5, rec, "0.5");
    if (!firstNan) loop.callLater(NaN, rec, "nan");
    loop.callLater(0.2, rec, "0.2");
    const f = fut;
    loop.callLater(0.6, () => f.setResult(null));
    await fut;
    print(`[${out.join(", ")}]`);
    out.length = 0;
  }
  // The task functions' timeouts take them too (a 0.3 s job, a 1 s limit).
  const job = () => asyncio.sleep(0.3, "job");
  print("wait_for True", await asyncio.waitFor(job, untyped(true)));
  try {
    await asyncio.waitFor(job, NaN);
  } catch (e) {
    if (!(e instanceof asyncio.TimeoutError)) throw e;
    print("wait_for nan TimeoutError");
  }
  const [done, pending] = await asyncio.wait([asyncio.ensureFuture(job)], {
    timeout: untyped(true),
  });
  print("wait True", done.size, pending.size);
  for (const c of asyncio.asCompleted([job], { timeout: untyped(true) })) {
    print("as_completed True", await c);
  }
  await asyncio.timeout(untyped(true), async () => print("timeout True", await job()));
  try {
    await asyncio.timeout(NaN, job);
  } catch (e) {
    if (!(e instanceof asyncio.TimeoutError)) throw e;
    print("timeout nan TimeoutError");
  }
  for (const bad of ["1", null]) {
    const label = bad === null ? "None" : `'${bad}'`;
    try {
      loop.callLater(untyped(bad), () => {});
    } catch (e) {
      if (!(e instanceof TypeError)) throw e;
      print("call_later", label, e.message);
    }
    try {
      await asyncio.sleep(untyped(bad));
    } catch (e) {
      if (!(e instanceof TypeError)) throw e;
      print("sleep", label, e.message);
    }
  }
}

const EXPECTED = [
  "slept True True",
  "slept False True",
  "slept nan True",
  "when - time 1.0",
  "['true']",
  "['nan at once', '0.2', '0.5']",
  "['0.2', '0.5', 'nan']",
  "wait_for True job",
  "wait_for nan TimeoutError",
  "wait True 1 0",
  "as_completed True job",
  "timeout True job",
  "timeout nan TimeoutError",
  "call_later '1' unsupported operand type(s) for +: 'float' and 'str'",
  "sleep '1' '<=' not supported between instances of 'str' and 'int'",
  "call_later None delay must not be None",
  "sleep None '<=' not supported between instances of 'NoneType' and 'int'",
];

test("bool delays are ints and NaN delays run as CPython's do", async () => {
  const out: string[] = [];
  await asyncio.run(() => delays(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 30 });

test("CPython prints the same for sw_left_delays.py", () => {
  const ref = pythonReference("sw_left_delays");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
