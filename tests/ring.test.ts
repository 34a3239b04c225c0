// RingQueue, the loop's ready queue: FIFO order across growth, and
// unshift() (a KeyboardInterrupt raised out of a task goes first).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { RingQueue } from "../lib/ring.ts";

function drain(q: RingQueue<number>): number[] {
  const out: number[] = [];
  for (let x = q.shift(); x !== undefined; x = q.shift()) out.push(x);
  return out;
}

test("push/shift keep FIFO order through growth and wrap-around", () => {
  const q = new RingQueue<number>(16);
  for (let i = 0; i < 10; i++) q.push(i);
  for (let i = 0; i < 5; i++) q.shift();
  for (let i = 10; i < 40; i++) q.push(i);
  assertEquals(q.length, 35);
  assertEquals(drain(q), Array.from({ length: 35 }, (_, i) => i + 5));
});

test("unshift puts an item first, also when it fills the ring", () => {
  const q = new RingQueue<number>(16);
  for (let i = 0; i < 15; i++) q.push(i);
  q.unshift(-1); // the 16th item: the ring grows
  q.unshift(-2);
  assertEquals(q.peek(), -2);
  assertEquals(drain(q), [-2, -1, ...Array.from({ length: 15 }, (_, i) => i)]);
  q.unshift(7);
  assertEquals(drain(q), [7]);
});
