// `next(v)` with a value (Python's `asend(v)`) as the first call of an async
// generator is a TypeError, as in Python, where JS would drop the value and
// start the generator; later values arrive at the `yield`, and a lock held
// across the `yield` is released by the `finally`. Checked against CPython
// (tests/fixtures/py/rp_gen3_asend_fresh.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  async function* accumulator(lock: asyncio.Lock) {
    let total = 0;
    try {
      while (true) {
        let got: number | null | undefined;
        {
          await using _ = await lock.acquired();
          await asyncio.sleep(0.01);
          got = yield total;
        }
        if (got === null || got === undefined) break;
        total += got;
      }
    } catch (e) {
      if (!(e instanceof asyncio.ValueError)) throw e;
      print("gen caught", e.name, e.message);
      yield -1;
    } finally {
      print("gen finally; total", total, "locked", lock.locked());
    }
  }
  const lock = new asyncio.Lock();
  const g = accumulator(lock);
  try {
    await g.next(5);
  } catch (e) {
    print("fresh asend", (e as Error).name, (e as Error).message);
  }
  print("first", (await g.next(null)).value);
  print("sent 5", (await g.next(5)).value);
  print("sent 7", (await g.next(7)).value);
  print("thrown", (await g.throw(new asyncio.ValueError("reset"))).value);
  if ((await g.next(1)).done) print("finished");
  const g2 = accumulator(lock);
  print("g2 first", (await g2.next(null)).value);
  if ((await g2.next(null)).done) print("g2 stopped on None");
  print("locked at end", lock.locked());
}

const EXPECTED = [
  "fresh asend TypeError can't send non-None value to a just-started async generator",
  "first 0",
  "sent 5 5",
  "sent 7 12",
  "gen caught ValueError reset",
  "thrown -1",
  "gen finally; total 12 locked False",
  "finished",
  "g2 first 0",
  "gen finally; total 0 locked False",
  "g2 stopped on None",
  "locked at end False",
];

test("a value sent into a fresh async generator is a TypeError", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_gen3_asend_fresh.py", () => {
  const ref = pythonReference("rp_gen3_asend_fresh");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
