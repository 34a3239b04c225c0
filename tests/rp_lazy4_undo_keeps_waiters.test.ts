// A put made into a task (`createTask(q.put(x))`, `gather(q.put(y),
// q.put(z))`) acted at its call and woke a getter; undone for its task, it
// keeps that getter's place in line, so the getters waiting longest get the
// items in order, as in Python, where the put wakes them when its task
// runs. The same for a get made into a task and the putters of a full
// queue; a woken getter cancelled before it runs passes the item on.
// Checked against CPython (tests/fixtures/py/rp_lazy4_undo_keeps_waiters.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

function list(xs: unknown[]): string {
  return `[${
    xs.map((x) => typeof x === "string" ? `'${x}'` : x == null ? "None" : String(x)).join(", ")
  }]`;
}

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const q = new asyncio.Queue<string>();
  const log: string[] = [];
  async function getter(name: string) {
    let item: string;
    try {
      item = await q.get();
    } catch (e) {
      if (e instanceof asyncio.CancelledError) log.push(`${name} cancelled`);
      throw e;
    }
    log.push(`${name} got ${item}`);
  }
  const gs = [0, 1, 2, 3, 4].map((i) => asyncio.createTask(() => getter(`g${i}`)));
  await asyncio.sleep(0);
  asyncio.createTask(q.put("x"));
  print("made", q.qsize(), String(q));
  await asyncio.sleep(0);
  await asyncio.sleep(0);
  print(list(log), q.qsize());
  const r = await asyncio.gather(q.put("y"), q.put("z"));
  await asyncio.sleep(0);
  print(list(log), list(r), String(q));
  asyncio.createTask(q.put("w"));
  gs[3].cancel();
  await asyncio.sleep(0);
  await asyncio.sleep(0);
  print(list(log), String(q));

  const lq = new asyncio.LifoQueue<string>(1);
  lq.putNowait("full");
  async function putter(name: string) {
    await lq.put(name);
    log.push(`${name} put`);
  }
  log.length = 0;
  const ps = [0, 1].map((i) => asyncio.createTask(() => putter(`p${i}`)));
  await asyncio.sleep(0);
  const t = asyncio.createTask(lq.get());
  print("made", String(lq));
  await asyncio.sleep(0);
  await asyncio.sleep(0);
  print(list(log), t.result(), String(lq));
  print(lq.getNowait());
  await asyncio.gather(...ps);
  print(list(log), String(lq));
}

const EXPECTED = [
  "made 0 <Queue maxsize=0 _getters[5]>",
  "['g0 got x'] 0",
  "['g0 got x', 'g1 got y', 'g2 got z'] [None, None] <Queue maxsize=0 _getters[2] tasks=3>",
  "['g0 got x', 'g1 got y', 'g2 got z', 'g3 cancelled', 'g4 got w'] <Queue maxsize=0 tasks=4>",
  "made <LifoQueue maxsize=1 _queue=['full'] _putters[2] tasks=1>",
  "['p0 put'] full <LifoQueue maxsize=1 _queue=['p0'] _putters[1] tasks=2>",
  "p0",
  "['p0 put', 'p1 put'] <LifoQueue maxsize=1 _queue=['p1'] tasks=3>",
];

test("puts and gets made into tasks wake the waiters in line order", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_lazy4_undo_keeps_waiters.py", () => {
  const ref = pythonReference("rp_lazy4_undo_keeps_waiters");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
