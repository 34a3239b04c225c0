// ExceptionGroup's argument checks as a porter of `except*` code meets them:
// a message that is not a string is refused in CPython 3.11's words, which
// name its type (`... argument 1 must be str, not int`; "None" for None),
// where the library said only "argument 1 must be str"; the exceptions must
// be a non-empty sequence of non-base errors; split() and subgroup() of a
// TaskGroup's group keep its shape. Checked against CPython
// (tests/fixtures/py/rp_fut10_exception_group_args.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

function show(x: unknown): string {
  if (x === null) return "None";
  if (x instanceof asyncio.ExceptionGroup) {
    return `EG('${x.message}', [${x.exceptions.map(show).join(", ")}])`;
  }
  return `${(x as Error).constructor.name}('${(x as Error).message}')`;
}

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const make = (message: unknown, exceptions: unknown) =>
    new asyncio.ExceptionGroup(message as string, exceptions as unknown[]);
  for (const msg of [1, 1.5, null, ["m"]]) {
    try {
      make(msg, [new asyncio.ValueError("v")]);
    } catch (e) {
      print("message", (e as Error).constructor.name, (e as Error).message);
    }
  }
  for (const excs of [[], null]) {
    try {
      make("m", excs);
    } catch (e) {
      print("exceptions", (e as Error).constructor.name, (e as Error).message);
    }
  }
  try {
    make("m", [new asyncio.KeyboardInterrupt()]);
  } catch (e) {
    print("base", (e as Error).constructor.name, (e as Error).message);
  }
  const fail = async (e: Error) => {
    throw e;
  };
  try {
    await new asyncio.TaskGroup().run((tg) => {
      tg.createTask(() => fail(new asyncio.ValueError("a")));
      tg.createTask(() => fail(new TypeError("b")));
    });
  } catch (e) {
    const eg = e as asyncio.ExceptionGroup;
    // Python's str(eg): the message and the count, without the class name.
    print("group", String(eg).slice("ExceptionGroup: ".length));
    const [match, rest] = eg.split(asyncio.ValueError);
    print("split", show(match), show(rest));
    print("subgroup", show(eg.subgroup(TypeError)), eg.subgroup(Error) === eg);
  }
}

const EXPECTED = [
  "message TypeError BaseExceptionGroup.__new__() argument 1 must be str, not int",
  "message TypeError BaseExceptionGroup.__new__() argument 1 must be str, not float",
  "message TypeError BaseExceptionGroup.__new__() argument 1 must be str, not None",
  "message TypeError BaseExceptionGroup.__new__() argument 1 must be str, not list",
  "exceptions ValueError second argument (exceptions) must be a non-empty sequence",
  "exceptions TypeError second argument (exceptions) must be a sequence",
  "base TypeError Cannot nest BaseExceptions in an ExceptionGroup",
  "group unhandled errors in a TaskGroup (2 sub-exceptions)",
  "split EG('unhandled errors in a TaskGroup', [ValueError('a')]) EG('unhandled errors in a TaskGroup', [TypeError('b')])",
  "subgroup EG('unhandled errors in a TaskGroup', [TypeError('b')]) True",
];

test("ExceptionGroup refuses bad arguments in CPython's words", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 10 });

test("CPython prints the same for rp_fut10_exception_group_args.py", () => {
  const ref = pythonReference("rp_fut10_exception_group_args");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
