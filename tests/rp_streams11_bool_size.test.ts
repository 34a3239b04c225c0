// A Python bool is an int, so StreamReader.read(True) and
// readexactly(True) read one byte and False reads none; booleans were a
// TypeError here. Checked against CPython
// (tests/fixtures/py/rp_streams11_bool_size.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const show = (b: Uint8Array) => `b'${new TextDecoder().decode(b)}'`;

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const r = new asyncio.StreamReader();
  r.feedData(new TextEncoder().encode("abcdef"));
  const t = true as never, f = false as never;
  print(show(await r.read(t)));
  print(show(await r.readExactly(t)));
  print(show(await r.read(f)));
  print(show(await r.readExactly(f)));
  print(show(await r.read({ n: t })));
  r.feedEof();
  print(show(await r.read(t)), show(await r.read(t)), show(await r.read(t)), show(await r.read(t)));
  try {
    await r.readExactly(t);
  } catch (e) {
    const err = e as asyncio.IncompleteReadError;
    print(err.constructor.name, show(err.partial), err.expected == 1);
  }
}

const EXPECTED = [
  "b'a'",
  "b'b'",
  "b''",
  "b''",
  "b'c'",
  "b'd' b'e' b'f' b''",
  "IncompleteReadError b'' True",
];

test("read(true) and readExactly(true) read one byte, false none", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_streams11_bool_size.py", () => {
  const ref = pythonReference("rp_streams11_bool_size");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
