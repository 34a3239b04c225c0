// gather()'s options object: a misspelt key is Python's TypeError for an
// unexpected keyword argument (not silently ignored), raised before any
// awaitable is scheduled; checked against CPython.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function gatherKeywords(print: (...args: unknown[]) => void): Promise<void> {
  const ran: number[] = [];
  const job = (n: number) => async () => {
    ran.push(n);
    return n;
  };
  try {
    // The port of `return_exception=True`: the key Python names in its message.
    await asyncio.gather(job(1), { return_exception: true } as asyncio.GatherOptions);
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    print("TypeError", e.message);
  }
  await asyncio.sleep(0);
  print("ran", `[${ran.join(", ")}]`);
  print(`[${(await asyncio.gather(job(2), { returnExceptions: false })).join(", ")}]`);
  print(`[${(await asyncio.gather({ returnExceptions: true })).join(", ")}]`);
}

const EXPECTED = [
  "TypeError gather() got an unexpected keyword argument 'return_exception'",
  "ran []",
  "[2]",
  "[]",
];

test("gather: a misspelt option is a TypeError; the right one works", async () => {
  const out: string[] = [];
  await asyncio.run(() => gatherKeywords(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for ord_conf_gather_keywords.py", () => {
  const ref = pythonReference("ord_conf_gather_keywords");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
