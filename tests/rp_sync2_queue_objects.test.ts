// A queued instance of a program's own class (a job object) prints in
// `str(queue)` with Python's default repr, `<__main__.Job object at 0x...>`,
// not as a bare `<Job object>`. Checked against CPython
// (tests/fixtures/py/rp_sync2_queue_objects.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

class Job {
  constructor(public name: string) {}
}

class Named {
  constructor(public name: string) {}
  toString(): string {
    return `Named('${this.name}')`;
  }
}

const masked = (x: unknown) => String(x).replace(/0x[0-9a-f]+/g, "0x..");

function app(print: (...args: unknown[]) => void): void {
  const q = new asyncio.Queue<unknown>();
  q.putNowait(new Job("a"));
  q.putNowait(new Named("b"));
  q.putNowait([1, new Job("c")]);
  print(masked(q));
  print((q.getNowait() as object).constructor.name, q.qsize());
  const lq = new asyncio.LifoQueue<unknown>({ maxsize: 2 });
  lq.putNowait(new Job("d"));
  lq.putNowait(null);
  print(masked(lq));
  print(lq.getNowait(), (lq.getNowait() as Job).name);
}

const EXPECTED = [
  "<Queue maxsize=0 _queue=[<__main__.Job object at 0x..>, Named('b'), " +
  "(1, <__main__.Job object at 0x..>)] tasks=3>",
  "Job 2",
  "<LifoQueue maxsize=2 _queue=[<__main__.Job object at 0x..>, None] tasks=2>",
  "None d",
];

test("queued instances of a program's classes show Python's default repr", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_sync2_queue_objects.py", () => {
  const ref = pythonReference("rp_sync2_queue_objects");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
