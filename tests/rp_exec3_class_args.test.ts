// A function for a thread given instances of the program's classes (at any
// depth of its arguments) runs on the main thread, with the objects
// themselves, as a Python thread gets them: their methods work and what it
// changes in them is seen afterwards. A Worker got them as structured
// clones, plain objects without methods (`order.total is not a function`).
// Plain data still travels to a Worker. Checked against CPython
// (tests/fixtures/py/rp_exec3_class_args.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { pyRepr } from "../lib/format.ts";
import * as asyncio from "../mod.ts";

class Order {
  constructor(public id: number, public items: [number, number][]) {}
  total(): number {
    return this.items.reduce((s, [p, q]) => s + p * q, 0);
  }
}

// Self-contained: their text names nothing of this module.
function price(order: Order): string {
  return `order ${order.id}: ${order.total()}`;
}

function addItem(order: Order, p: number, q: number): number {
  order.items.push([p, q]);
  return order.items.length;
}

function totals(ordersByDay: Record<string, Order[]>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [day, orders] of Object.entries(ordersByDay)) {
    out[day] = orders.reduce((s, o) => s + o.total(), 0);
  }
  return out;
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const orders = [new Order(1, [[2, 3]]), new Order(2, [[5, 1], [1, 1]])];
  print(pyRepr(await asyncio.gather(...orders.map((o) => asyncio.toThread(price, o)))));
  const n = await loop.runInExecutor(null, addItem, orders[0], 10, 2);
  print("items", n, orders[0].total());
  print(pyRepr(await asyncio.toThread(totals, { mon: orders, tue: [new Order(3, [[1, 1]])] })));
  print(await asyncio.toThread(sum, [1, 2, 3]));
}

const EXPECTED = [
  "['order 1: 6', 'order 2: 6']",
  "items 2 26",
  "{'mon': 32, 'tue': 1}",
  "6",
];

test("class instances given to a thread's function keep their methods and changes", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("plain data still goes to a Worker", async () => {
  const pool = new asyncio.ThreadPoolExecutor({ maxWorkers: 1 });
  const r = await asyncio.run(async () => {
    const loop = asyncio.getRunningLoop();
    return await loop.runInExecutor(pool, sum, [1, 2, 3]);
  });
  assertEquals(r, 6);
  assertEquals(String(pool), "<ThreadPoolExecutor maxWorkers=1 workers=1 queued=0>");
  await pool.shutdown(true);
}, { timeout: 20 });

test("CPython prints the same for rp_exec3_class_args.py", () => {
  const ref = pythonReference("rp_exec3_class_args");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
