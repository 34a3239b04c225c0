// A misspelt option is Python's TypeError naming the keyword as the Python
// code spelt it: `{ returnException: true }` ported from
// `return_exception=True` says 'return_exception', not the camelCase key.
// Checked against CPython (tests/fixtures/py/rp_err3_keyword_names.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

async function work(x: number): Promise<number> {
  await asyncio.sleep(0.01);
  return x;
}

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const t = asyncio.createTask(() => work(1));
  const tries: [string, () => unknown][] = [
    ["gather", () => (asyncio.gather as Any)(t, { returnException: true })],
    ["wait", () => asyncio.wait([t], { returnWhn: asyncio.FIRST_COMPLETED } as Any)],
    ["Queue", () => new asyncio.Queue({ maxSize: 2 } as Any)],
    ["Semaphore", () => new asyncio.Semaphore({ initValue: 2 } as Any)],
    ["StreamReader", () => new asyncio.StreamReader({ bufferLimit: 10 } as Any)],
  ];
  for (const [name, call] of tries) {
    try {
      const aw = call();
      if (aw instanceof Promise) await aw;
      print(name, "accepted");
    } catch (e) {
      if (!(e instanceof TypeError)) throw e;
      print(name, e.name, e.message);
    }
  }
  print("task result", await t);
}

const EXPECTED = [
  "gather TypeError gather() got an unexpected keyword argument 'return_exception'",
  "wait TypeError wait() got an unexpected keyword argument 'return_whn'",
  "Queue TypeError Queue.__init__() got an unexpected keyword argument 'max_size'",
  "Semaphore TypeError Semaphore.__init__() got an unexpected keyword argument 'init_value'",
  "StreamReader TypeError StreamReader.__init__() got an unexpected keyword argument 'buffer_limit'",
  "task result 1",
];

test("a misspelt option's TypeError names the snake_case keyword", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_err3_keyword_names.py", () => {
  const ref = pythonReference("rp_err3_keyword_names");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
