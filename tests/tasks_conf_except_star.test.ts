// Python's `except*` over a TaskGroup's ExceptionGroup, ported with
// ExceptionGroup.split() / subgroup() / derive(); checked against CPython
// (tests/fixtures/py/tconf_except_star.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const { ExceptionGroup, ValueError } = asyncio;
type Group = InstanceType<typeof ExceptionGroup>;

class KeyError extends Error {
  override name = "KeyError";
}

async function fail(exc: Error, delay: number): Promise<never> {
  await asyncio.sleep(delay);
  throw exc;
}

/** Python's `str(eg)`: the message and the count. */
function str(eg: Group): string {
  const n = eg.exceptions.length;
  return `${eg.message} (${n} sub-exception${n === 1 ? "" : "s"})`;
}

function names(eg: Group): string[] {
  return eg.exceptions.map((e) => (e as Error).name);
}

function messages(eg: Group): string[] {
  return eg.exceptions.map((e) => (e as Error).message);
}

async function exceptStar(print: (...args: unknown[]) => void): Promise<void> {
  for (const extra of [false, true]) {
    try {
      await new asyncio.TaskGroup().run((tg) => {
        tg.createTask(() => fail(new ValueError("v1"), 0));
        tg.createTask(() => fail(new TypeError("t1"), 0));
        tg.createTask(() => fail(new ValueError("v2"), 0));
        if (extra) tg.createTask(() => fail(new KeyError("k"), 0));
      });
    } catch (e) {
      if (!(e instanceof ExceptionGroup)) throw e;
      // except* ValueError / except* TypeError / except* Exception, in turn.
      let [match, rest] = e.split(ValueError);
      if (match) {
        print(
          "ValueErrors:",
          `[${messages(match).map((m) => `'${m}'`).join(", ")}]`,
          str(match),
        );
      }
      if (rest) [match, rest] = rest.split(TypeError);
      else match = null;
      if (match) {
        print(
          "TypeErrors:",
          `[${messages(match).map((m) => `'${m}'`).join(", ")}]`,
          str(match),
        );
      }
      if (rest) [match, rest] = rest.split(Error);
      else match = null;
      if (match) print("others:", `['${names(match).join("', '")}']`, str(match));
      if (rest) throw rest;
    }
  }

  const eg = new ExceptionGroup("top", [
    new ValueError("a"),
    new ExceptionGroup("inner", [new TypeError("b"), new ValueError("c")]),
    new asyncio.OSError("d"),
  ]);
  const list = (xs: string[]) => `['${xs.join("', '")}']`;
  const [match, rest] = eg.split(ValueError);
  const inner = match!.exceptions[1] as Group;
  print(str(match!), list(names(match!)), str(inner), list(names(inner)));
  print(str(rest!), list(names(rest!)), list(names(rest!.exceptions[0] as Group)));
  print(list(names(eg.subgroup((e) => e instanceof TypeError || e instanceof asyncio.OSError)!)));
  print(list(names(eg.subgroup([TypeError, asyncio.OSError])!)));
  print(eg.subgroup(Error) === eg, eg.split(ExceptionGroup)[0] === eg, eg.subgroup(KeyError));
  print(eg.split(() => false)[1] === eg);
  print(str(eg.derive([new asyncio.RuntimeError("x")])), str(eg));
  try {
    eg.split(5 as never);
  } catch (e) {
    if (e instanceof TypeError) print("TypeError", e.message);
  }
}

const EXPECTED = [
  "ValueErrors: ['v1', 'v2'] unhandled errors in a TaskGroup (2 sub-exceptions)",
  "TypeErrors: ['t1'] unhandled errors in a TaskGroup (1 sub-exception)",
  "ValueErrors: ['v1', 'v2'] unhandled errors in a TaskGroup (2 sub-exceptions)",
  "TypeErrors: ['t1'] unhandled errors in a TaskGroup (1 sub-exception)",
  "others: ['KeyError'] unhandled errors in a TaskGroup (1 sub-exception)",
  "top (2 sub-exceptions) ['ValueError', 'ExceptionGroup'] inner (1 sub-exception) ['ValueError']",
  "top (2 sub-exceptions) ['ExceptionGroup', 'OSError'] ['TypeError']",
  "['ExceptionGroup', 'OSError']",
  "['ExceptionGroup', 'OSError']",
  "True True None",
  "False",
  "top (1 sub-exception) top (3 sub-exceptions)",
  "TypeError expected a function, exception type or tuple of exception types",
];

test("except* ported with ExceptionGroup.split() and subgroup()", async () => {
  const out: string[] = [];
  await asyncio.run(() => exceptStar(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for tconf_except_star.py", () => {
  const ref = pythonReference("tconf_except_star");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
