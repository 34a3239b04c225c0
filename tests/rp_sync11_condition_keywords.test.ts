// `cond.notify({ n: 2 })` and `cond.waitFor({ predicate })`, the ported
// keyword forms of Python's `notify(n=2)` and `wait_for(predicate=...)`
// (API.md rule 3), were taken as the count and the predicate themselves:
// notify compared a dict with an int, waitFor called a dict. A misspelt
// keyword is Python's TypeError (notify's even without the lock, as Python
// binds arguments first), and `waitFor()` names the missing predicate
// instead of calling None. Checked against CPython
// (tests/fixtures/py/rp_sync11_condition_keywords.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const quoted = (xs: string[]) => `[${xs.map((x) => `'${x}'`).join(", ")}]`;

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const cond = new asyncio.Condition();
  const items: string[] = [];
  const woke: string[] = [];
  // The calls below are the ones a program run without type checking makes.
  const loose = cond as unknown as {
    notify(kw: unknown): void;
    waitFor(kw?: unknown): Promise<unknown>;
  };
  const consumer = (i: number) =>
    cond.withLock(async () => {
      const got = await cond.waitFor({ predicate: () => items.length });
      woke.push(`c${i} saw ${got} took ${items.pop()}`);
    });
  const ts = [0, 1, 2].map((i) => asyncio.createTask(() => consumer(i)));
  await asyncio.sleep(0);
  await cond.withLock(() => {
    items.push("x", "y", "z");
    cond.notify({ n: 2 });
  });
  await asyncio.sleep(0);
  print(quoted(woke), cond.locked());
  await cond.withLock(() => cond.notify({ n: 5 }));
  await asyncio.gather(...ts);
  print(quoted(woke));
  const unlocked: [string, () => void][] = [
    ["notify(m=1) unlocked", () => loose.notify({ m: 1 })],
    ["notify(n=1) unlocked", () => cond.notify({ n: 1 })],
  ];
  for (const [label, call] of unlocked) {
    try {
      call();
    } catch (e) {
      print(label, (e as Error).constructor.name, (e as Error).message);
    }
  }
  await cond.withLock(async () => {
    const calls: [string, () => Promise<unknown>][] = [
      ["wait_for()", () => loose.waitFor()],
      ["wait_for(pred=)", () => loose.waitFor({ pred: (x: unknown[]) => x.length })],
      ["wait_for(predicate=) true", () => cond.waitFor({ predicate: () => "ready" })],
    ];
    for (const [label, call] of calls) {
      try {
        print(label, await call());
      } catch (e) {
        print(label, (e as Error).constructor.name, (e as Error).message);
      }
    }
  });
}

const EXPECTED = [
  "['c0 saw 3 took z', 'c1 saw 2 took y'] False",
  "['c0 saw 3 took z', 'c1 saw 2 took y', 'c2 saw 1 took x']",
  "notify(m=1) unlocked TypeError Condition.notify() got an unexpected keyword argument 'm'",
  "notify(n=1) unlocked RuntimeError cannot notify on un-acquired lock",
  "wait_for() TypeError Condition.wait_for() missing 1 required positional argument: 'predicate'",
  "wait_for(pred=) TypeError Condition.wait_for() got an unexpected keyword argument 'pred'",
  "wait_for(predicate=) true ready",
];

test("Condition.notify({ n }) and waitFor({ predicate }) are Python's keyword forms", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_sync11_condition_keywords.py", () => {
  const ref = pythonReference("rp_sync11_condition_keywords");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
