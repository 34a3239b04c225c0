// A PriorityQueue of `[priority, payload]` entries with Uint8Array payloads
// (Python's bytes, API.md rule 5): a tie on the priority orders by the
// bytes, as Python compares them, instead of failing as unorderable; bytes
// against a string is Python's TypeError, naming `bytes`. Checked against
// CPython (tests/fixtures/py/rp_sync2_priority_bytes.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const enc = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** `b'...'` for the bytes used here (no quotes or backslashes among them). */
function bytesRepr(b: Uint8Array): string {
  const body = [...b].map((x) =>
    x >= 0x20 && x < 0x7f ? String.fromCharCode(x) : `\\x${x.toString(16).padStart(2, "0")}`
  );
  return `b'${body.join("")}'`;
}

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const pq = new asyncio.PriorityQueue<[number, Uint8Array]>();
  const entries: [number, string][] = [
    [2, "beta"],
    [1, "zz"],
    [2, "alpha"],
    [1, "z"],
    [2, "alpha"],
    [0, "\xff"],
  ];
  for (const [prio, data] of entries) pq.putNowait([prio, enc(data)]);
  print(String(pq));
  const got: string[] = [];
  while (!pq.empty()) {
    const [prio, data] = pq.getNowait();
    got.push(`(${prio}, ${bytesRepr(data)})`);
  }
  print(`[${got.join(", ")}]`);
  const raw = new asyncio.PriorityQueue<Uint8Array>();
  for (const data of ["b", "", "ab", "\x00", "a"]) await raw.put(enc(data));
  const n = raw.qsize();
  print(`[${Array.from({ length: n }, () => bytesRepr(raw.getNowait())).join(", ")}]`);
  const mixed = new asyncio.PriorityQueue<[number, unknown]>();
  mixed.putNowait([1, "text"]);
  try {
    mixed.putNowait([1, enc("text")]);
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    print("TypeError", e.message, mixed.qsize());
  }
}

const EXPECTED = [
  "<PriorityQueue maxsize=0 _queue=[(0, b'\\xff'), (1, b'zz'), (1, b'z'), (2, b'beta'), " +
  "(2, b'alpha'), (2, b'alpha')] tasks=6>",
  "[(0, b'\\xff'), (1, b'z'), (1, b'zz'), (2, b'alpha'), (2, b'alpha'), (2, b'beta')]",
  "[b'', b'\\x00', b'a', b'ab', b'b']",
  "TypeError '<' not supported between instances of 'bytes' and 'str' 2",
];

test("priority ties between bytes payloads order as Python's bytes", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_sync2_priority_bytes.py", () => {
  const ref = pythonReference("rp_sync2_priority_bytes");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
