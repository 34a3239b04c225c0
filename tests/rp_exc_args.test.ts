// Exceptions carry Python's `args` (an array for the tuple), and their repr
// is built from it: `[]` for no argument, `[msg]`, `[errno, strerror]` for
// an OSError, `[code]` for SystemExit, `[message, errors]` for an
// ExceptionGroup, a KeyError's key as given, the ContextVar itself for
// `ContextVar.get()` without a value.
// Checked against CPython (tests/fixtures/py/rp_exc_args.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { bytesRepr, pyRepr } from "../lib/format.ts";
import * as asyncio from "../mod.ts";

const cv = new asyncio.ContextVar("req");

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const show = (e: Error & { args: unknown[] }) =>
    print(e.constructor.name, e.args.length, ...e.args.map((a) => pyRepr(a)));
  const q = new asyncio.Queue({ maxsize: 1 });
  try {
    q.getNowait();
  } catch (e) {
    show(e as asyncio.QueueEmpty);
  }
  try {
    await asyncio.waitFor(asyncio.sleep(1), 0.02);
  } catch (e) {
    const err = e as asyncio.TimeoutError;
    show(err);
    print(pyRepr(err), err.errno ?? null, err.strerror ?? null);
  }
  const t = asyncio.createTask(() => asyncio.sleep(1));
  await asyncio.sleep(0);
  t.cancel("bye");
  try {
    await t;
  } catch (e) {
    show(e as asyncio.CancelledError);
  }
  try {
    cv.get();
  } catch (e) {
    const err = e as asyncio.LookupError;
    print(err.constructor.name, err.args.length, err.args[0] === cv);
    print(pyRepr(err).replace(/0x[0-9a-f]+/g, "0x?"));
  }
  try {
    throw new asyncio.KeyError(2);
  } catch (e) {
    const err = e as asyncio.KeyError;
    show(err);
    print(pyRepr(err), (err.args[0] as number) + 1);
  }
  const r = new asyncio.StreamReader();
  r.feedData(new TextEncoder().encode("abc"));
  r.feedEof();
  try {
    await r.readExactly(5);
  } catch (e) {
    const err = e as asyncio.IncompleteReadError;
    show(err);
    print(bytesRepr(err.partial), err.expected);
  }
  const ose = new asyncio.OSError(2, "No such file", "f.txt");
  show(ose);
  print(ose.filename, pyRepr(ose));
  show(new asyncio.InvalidStateError("invalid state"));
  const eg = new asyncio.ExceptionGroup("two", [
    new asyncio.ValueError("1"),
    new asyncio.KeyError("a"),
  ]);
  print(eg.constructor.name, eg.args.length, pyRepr(eg.args[0]), (eg.args[1] as unknown[]).length);
  print(pyRepr(eg));
  for (
    const e of [
      new asyncio.SystemExit(4),
      new asyncio.SystemExit(),
      new asyncio.SystemExit("msg"),
      new asyncio.KeyboardInterrupt(),
    ]
  ) {
    show(e);
    print(pyRepr(e));
  }
}

const EXPECTED = [
  "QueueEmpty 0",
  "TimeoutError 0",
  "TimeoutError() None None",
  "CancelledError 1 'bye'",
  "LookupError 1 True",
  "LookupError(<ContextVar name='req' at 0x?>)",
  "KeyError 1 2",
  "KeyError(2) 3",
  "IncompleteReadError 1 '3 bytes read on a total of 5 expected bytes'",
  "b'abc' 5",
  "FileNotFoundError 2 2 'No such file'",
  "f.txt FileNotFoundError(2, 'No such file')",
  "InvalidStateError 1 'invalid state'",
  "ExceptionGroup 2 'two' 2",
  "ExceptionGroup('two', [ValueError('1'), KeyError('a')])",
  "SystemExit 1 4",
  "SystemExit(4)",
  "SystemExit 0",
  "SystemExit()",
  "SystemExit 1 'msg'",
  "SystemExit('msg')",
  "KeyboardInterrupt 0",
  "KeyboardInterrupt()",
];

test("exceptions carry Python's args, and their repr shows them", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_exc_args.py", () => {
  const ref = pythonReference("rp_exc_args");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
