// An async_chat has no terminator until setTerminator(): getTerminator()
// throws Python's AttributeError (a TypeError named so), and the first read
// meets it too, which handleError reports as Python does.
// Checked against CPython (tests/fixtures/py/rp_async3_unset_terminator.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";
import { asynchat, asyncore } from "../mod.ts";
import { bytesRepr } from "../lib/format.ts";
import { maskCompactTraceback as mask } from "./util.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  class Chat extends asynchat.async_chat {
    override collectIncomingData(data: Uint8Array) {
      print("collect", bytesRepr(data));
    }
    override foundTerminator() {
      print("found");
    }
    override logInfo(message: unknown, type = "info") {
      print(type, mask(String(message)));
    }
    override handleClose() {
      print("close");
      this.close();
    }
  }
  const m: asyncore.SocketMap = new Map();
  const [a, b] = asyncio.socketpair();
  const c = new Chat(a, { map: m });
  try {
    c.getTerminator();
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    print(e.name, e.message);
  }
  b.send(new TextEncoder().encode("data"));
  await asyncore.loop({ timeout: 1, map: m, count: 1 });
  print("left", m.size);
  const [a2, b2] = asyncio.socketpair();
  const c2 = new Chat(a2, { map: m });
  c2.setTerminator(null);
  print("terminator", c2.getTerminator());
  b2.send(new TextEncoder().encode("data"));
  await asyncore.loop({ timeout: 1, map: m, count: 1 });
  c2.close();
  b.close();
  b2.close();
}

const EXPECTED = [
  "AttributeError 'Chat' object has no attribute 'terminator'",
  "error uncaptured python exception, closing channel <__main__.Chat connected '' at 0xADDR> (<class 'AttributeError'>:'Chat' object has no attribute 'terminator' [read] [handle_read_event] [handle_read] [get_terminator])",
  "close",
  "left 0",
  "terminator None",
  "collect b'data'",
];

test("getTerminator() before setTerminator() is Python's AttributeError", async () => {
  const out: string[] = [];
  await app(printer(out));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_async3_unset_terminator.py", () => {
  const ref = pythonReference("rp_async3_unset_terminator");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
