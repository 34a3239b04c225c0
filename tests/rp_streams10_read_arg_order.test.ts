// The order of a read's checks, as CPython 3.11's: the stream's error comes
// before any check of read()'s size (a bad size was reported instead); a
// string separator is measured (empty: ValueError, not TypeError), then
// waits for data or ends at EOF as bytes would, and fails only once
// `bytearray.find()` would get it; a fractional size waits too, then fails
// to slice, and readExactly reports a short stream first. They all failed
// at once, whatever the stream held. Checked against CPython
// (tests/fixtures/py/rp_streams10_read_arg_order.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { bytesRepr } from "../lib/format.ts";
import * as asyncio from "../mod.ts";

const enc = (s: string) => new TextEncoder().encode(s);

/** The reader as a port would call it with Python's wrong arguments. */
type Loose = {
  read(n?: unknown): Promise<Uint8Array>;
  readExactly(n: unknown): Promise<Uint8Array>;
  readUntil(sep: unknown): Promise<Uint8Array>;
};

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const failed = (label: string, e: unknown) =>
    print(label, (e as Error).constructor.name, (e as Error).message);
  let r = new asyncio.StreamReader();
  r.setException(new asyncio.OSError("gone"));
  let loose = r as unknown as Loose;
  const calls: [string, () => Promise<unknown>][] = [
    ["read str", () => loose.read("3")],
    ["read None", () => loose.read(null)],
    ["read float", () => loose.read(1.5)],
    ["readexactly str", () => loose.readExactly("3")],
    ["readexactly float", () => loose.readExactly(1.5)],
    ["readuntil str", () => loose.readUntil("x")],
    ["readuntil empty str", () => loose.readUntil("")],
  ];
  for (const [label, f] of calls) {
    try {
      await f();
    } catch (e) {
      failed(label, e);
    }
  }

  r = new asyncio.StreamReader();
  loose = r as unknown as Loose;
  let t = asyncio.createTask(() => loose.readUntil("abc"));
  await asyncio.sleep(0);
  print("str separator waits", t.done());
  r.feedData(enc("x"));
  await asyncio.sleep(0);
  print("still waits", t.done());
  r.feedData(enc("yz"));
  try {
    await t;
  } catch (e) {
    print("readuntil str", (e as Error).constructor.name, (e as Error).message, String(r));
  }
  r.feedEof();
  try {
    await loose.readUntil("abcd");
  } catch (e) {
    const partial = (e as asyncio.IncompleteReadError).partial;
    print("readuntil str at eof", bytesRepr(partial), String(r));
  }

  r = new asyncio.StreamReader();
  loose = r as unknown as Loose;
  t = asyncio.createTask(() => loose.read(2.5));
  await asyncio.sleep(0);
  print("read float waits", t.done());
  r.feedData(enc("abc"));
  try {
    await t;
  } catch (e) {
    print("read float", (e as Error).message, String(r));
  }
  loop.callSoon((d: Uint8Array) => r.feedData(d), enc("def"));
  try {
    await r.readExactly(4.5);
  } catch (e) {
    print("readexactly float", (e as Error).message, String(r));
  }
  r.feedEof();
  try {
    await r.readExactly(7.5);
  } catch (e) {
    const err = e as asyncio.IncompleteReadError;
    print("readexactly float at eof", err.message, bytesRepr(err.partial));
  }
  print(bytesRepr(await r.read(-0.5)), r.atEof());
}

const EXPECTED = [
  "read str OSError gone",
  "read None OSError gone",
  "read float OSError gone",
  "readexactly str TypeError '<' not supported between instances of 'str' and 'int'",
  "readexactly float OSError gone",
  "readuntil str OSError gone",
  "readuntil empty str ValueError Separator should be at least one-byte string",
  "str separator waits False",
  "still waits False",
  "readuntil str TypeError argument should be integer or bytes-like object, not 'str' <StreamReader 3 bytes>",
  "readuntil str at eof b'xyz' <StreamReader eof>",
  "read float waits False",
  "read float slice indices must be integers or None or have an __index__ method <StreamReader 3 bytes>",
  "readexactly float slice indices must be integers or None or have an __index__ method <StreamReader 6 bytes>",
  "readexactly float at eof 6 bytes read on a total of 7.5 expected bytes b'abcdef'",
  "b'' True",
];

test(
  "a read checks the stream's error first; str separators and fractional sizes wait as in Python",
  async () => {
    const out: string[] = [];
    await asyncio.run(() => app(printer(out)));
    assertEquals(out, EXPECTED);
  },
  { timeout: 20 },
);

test("CPython prints the same for rp_streams10_read_arg_order.py", () => {
  const ref = pythonReference("rp_streams10_read_arg_order");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
