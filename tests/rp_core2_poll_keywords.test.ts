// asyncore.poll() and poll2() take Python's keywords as an options object
// (API.md rule 3), `poll({ timeout, map })`, as well as positions.
// Checked against CPython (tests/fixtures/py/rp_core2_poll_keywords.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";
import { asyncore } from "../mod.ts";
import { bytesRepr } from "../lib/format.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  class H extends asyncore.dispatcher {
    override writable() {
      return false;
    }
    override handleRead() {
      print("read", bytesRepr(this.recv(10)));
    }
    override handleClose() {
      print("close");
      this.close();
    }
  }

  const enc = new TextEncoder();
  const m: asyncore.SocketMap = new Map();
  const [a, b] = asyncio.socketpair();
  new H(a, { map: m });
  b.send(enc.encode("one"));
  await asyncore.poll({ timeout: 1, map: m });
  b.send(enc.encode("two"));
  await asyncore.poll2({ timeout: 1, map: m });
  b.send(enc.encode("three"));
  await asyncore.poll(1, m);
  b.close();
  await asyncore.poll2({ map: m, timeout: 1 });
  print(m.size);
  await asyncore.poll({ map: m });
  try {
    await asyncore.poll({ timeot: 1 } as unknown as { timeout: number });
  } catch (e) {
    if (e instanceof TypeError) print(e.message);
  }
}

const EXPECTED = [
  "read b'one'",
  "read b'two'",
  "read b'three'",
  "close",
  "read b''",
  "close",
  "0",
  "poll() got an unexpected keyword argument 'timeot'",
];

test("poll and poll2 take { timeout, map }", async () => {
  const out: string[] = [];
  await app(printer(out));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_core2_poll_keywords.py", () => {
  const ref = pythonReference("rp_core2_poll_keywords");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
