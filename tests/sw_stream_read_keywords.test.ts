// StreamReader's reads take their one parameter as Python's keyword too
// (API.md rule 3): read({ n }), readExactly({ n }), readUntil({ separator });
// an unknown key is Python's TypeError naming the method. Checked against
// CPython 3.11 (tests/fixtures/py/sw_stream_read_keywords.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

function bytesRepr(b: Uint8Array): string {
  return `b'${dec.decode(b).replaceAll("\n", "\\n")}'`;
}

async function readKeywords(print: (...args: unknown[]) => void): Promise<void> {
  const r = new asyncio.StreamReader();
  r.feedData(enc.encode("abcd--def--ghi\nrest"));
  r.feedEof();
  print(bytesRepr(await r.read({ n: 2 })), bytesRepr(await r.readExactly({ n: 2 })));
  const sep = enc.encode("--");
  print(
    bytesRepr(await r.readUntil({ separator: sep })),
    bytesRepr(await r.readUntil({ separator: sep })),
  );
  print(bytesRepr(await r.readUntil({})), bytesRepr(await r.read({})));
  const calls: Array<[string, () => Promise<unknown>]> = [
    ["read", () => r.read({ m: 1 } as never)],
    ["readexactly", () => r.readExactly({ size: 1 } as never)],
    ["readuntil", () => r.readUntil({ sep: enc.encode("x") } as never)],
  ];
  for (const [name, call] of calls) {
    try {
      await call();
    } catch (e) {
      if (!(e instanceof TypeError)) throw e;
      print(name, "TypeError", e.message);
    }
  }
}

const EXPECTED = [
  "b'ab' b'cd'",
  "b'--' b'def--'",
  "b'ghi\\n' b'rest'",
  "read TypeError StreamReader.read() got an unexpected keyword argument 'm'",
  "readexactly TypeError StreamReader.readexactly() got an unexpected keyword argument 'size'",
  "readuntil TypeError StreamReader.readuntil() got an unexpected keyword argument 'sep'",
];

test("StreamReader reads take n and separator as keywords", async () => {
  const out: string[] = [];
  await asyncio.run(() => readKeywords(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for sw_stream_read_keywords.py", () => {
  const ref = pythonReference("sw_stream_read_keywords");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
