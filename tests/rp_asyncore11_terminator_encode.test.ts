// A string terminator that the channel's encoding cannot encode
// (useEncoding on): Python's UnicodeEncodeError, a ValueError, whose message
// escapes the character as \xNN, \uNNNN or \UNNNNNNNN and names a run of
// such characters by its positions. It was a plain ValueError, escaping
// every character as \uNNNN and naming only the first of a run.
// Checked against CPython (tests/fixtures/py/rp_asyncore11_terminator_encode.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { asynchat, ValueError } from "../mod.ts";
import { bytesRepr } from "../lib/format.ts";

function app(print: (...args: unknown[]) => void): void {
  class C extends asynchat.async_chat {
    override useEncoding = 1;
    override collectIncomingData(_data: Uint8Array) {}
    override foundTerminator() {}
  }
  const c = new C();
  for (
    const [encoding, term] of [
      ["ascii", "\xe9"],
      ["ascii", "a\xe9\u20acx\u{1f600}"],
      ["ascii", "x\u20ac"],
      ["ascii", "\u{1f600}"],
      ["latin-1", "ab\u20ac\u{1f600}\xe9"],
      ["latin-1", "a\u{1f600}"],
      ["latin-1", "\xe9;"],
    ]
  ) {
    c.encoding = encoding;
    try {
      c.setTerminator(term);
      print(encoding, "ok", bytesRepr(c.getTerminator() as Uint8Array));
    } catch (e) {
      if (!(e instanceof ValueError)) throw e;
      print(encoding, e.name, "True", e.message);
    }
  }
}

const EXPECTED = [
  "ascii UnicodeEncodeError True 'ascii' codec can't encode character '\\xe9' in position 0: ordinal not in range(128)",
  "ascii UnicodeEncodeError True 'ascii' codec can't encode characters in position 1-2: ordinal not in range(128)",
  "ascii UnicodeEncodeError True 'ascii' codec can't encode character '\\u20ac' in position 1: ordinal not in range(128)",
  "ascii UnicodeEncodeError True 'ascii' codec can't encode character '\\U0001f600' in position 0: ordinal not in range(128)",
  "latin-1 UnicodeEncodeError True 'latin-1' codec can't encode characters in position 2-3: ordinal not in range(256)",
  "latin-1 UnicodeEncodeError True 'latin-1' codec can't encode character '\\U0001f600' in position 1: ordinal not in range(256)",
  "latin-1 ok b'\\xe9;'",
];

test("a string terminator the encoding cannot encode: Python's UnicodeEncodeError", () => {
  const out: string[] = [];
  app(printer(out));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_asyncore11_terminator_encode.py", () => {
  const ref = pythonReference("rp_asyncore11_terminator_encode");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
