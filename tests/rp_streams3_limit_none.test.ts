// `{ limit: null }` is Python's `limit=None`, not an omitted limit: the
// reader compares it with 0 and throws Python's TypeError, for a bare
// `StreamReader` and for `openConnection` / `openUnixConnection` (before
// they connect). The library took a null limit as the 64 KiB default.
// Checked against CPython (tests/fixtures/py/rp_streams3_limit_none.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { mkdtempSync, rmdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  // Python's `None`, where the options type says number.
  const none = null as unknown as number;
  try {
    new asyncio.StreamReader({ limit: none });
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    print("StreamReader:", e.name, e.message);
  }
  print(String(new asyncio.StreamReader()), String(new asyncio.StreamReader({ limit: 7 })));
  try {
    await asyncio.openConnection("127.0.0.1", 1, { limit: none });
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    print("open_connection:", e.message);
  }
  const dir = mkdtempSync(join(tmpdir(), "asyncio-rp-streams3-"));
  try {
    await asyncio.openUnixConnection(join(dir, "none.sock"), { limit: none });
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    print("open_unix_connection:", e.message);
  }
  for (const bad of [0, -1]) {
    try {
      await asyncio.openConnection("127.0.0.1", 1, { limit: bad });
    } catch (e) {
      if (!(e instanceof asyncio.ValueError)) throw e;
      print("limit", bad, e.name, e.message);
    }
  }
  rmdirSync(dir);
}

const EXPECTED = [
  "StreamReader: TypeError '<=' not supported between instances of 'NoneType' and 'int'",
  "<StreamReader> <StreamReader limit=7>",
  "open_connection: '<=' not supported between instances of 'NoneType' and 'int'",
  "open_unix_connection: '<=' not supported between instances of 'NoneType' and 'int'",
  "limit 0 ValueError Limit cannot be <= 0",
  "limit -1 ValueError Limit cannot be <= 0",
];

test("a null limit is Python's limit=None: a TypeError, not the default", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_streams3_limit_none.py", () => {
  const ref = pythonReference("rp_streams3_limit_none");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
