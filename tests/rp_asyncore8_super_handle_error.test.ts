// A handleError() override that takes no exception and delegates to the
// base class: the base still reports the error the loop is handing over
// (Python's sys.exc_info()), over select and poll, for a dispatcher and for
// an async_chat whose foundTerminator() failed.
// Checked against CPython (tests/fixtures/py/rp_asyncore8_super_handle_error.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";
import { asynchat, asyncore } from "../mod.ts";
import { bytesRepr } from "../lib/format.ts";
import { maskCompactTraceback as mask } from "./util.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

async function app(print: (...args: unknown[]) => void): Promise<void> {
  class Counting extends asyncore.dispatcher {
    static errors = 0;
    override writable() {
      return false;
    }
    override handleRead() {
      const data = this.recv(10);
      if (dec(data) === "bad") throw new asyncio.ValueError("bad input");
      print("read", bytesRepr(data));
    }
    override handleError() {
      Counting.errors += 1;
      print(`handle_error #${Counting.errors}`);
      super.handleError();
    }
    override logInfo(message: unknown, type = "info") {
      print(type, mask(String(message)));
    }
    override handleClose() {
      print("closing");
      this.close();
    }
  }
  class Chat extends asynchat.async_chat {
    cmd: Uint8Array = new Uint8Array(0);
    constructor(sock: asyncio.Socket, m: asyncore.SocketMap) {
      super(sock, { map: m });
      this.setTerminator(enc(";"));
    }
    override collectIncomingData(data: Uint8Array) {
      this.cmd = data;
    }
    override foundTerminator() {
      // Python's int(self.cmd), which adds no frame of its own.
      if (!/^\d+$/.test(dec(this.cmd))) {
        throw new asyncio.ValueError(
          `invalid literal for int() with base 10: ${bytesRepr(this.cmd)}`,
        );
      }
      print("command", Number(dec(this.cmd)));
    }
    override handleError() {
      print("chat error, delegating");
      super.handleError();
    }
    override logInfo(message: unknown, type = "info") {
      print(type, mask(String(message)));
    }
  }
  const m: asyncore.SocketMap = new Map();
  for (const usePoll of [false, true]) {
    const [a, b] = asyncio.socketpair();
    new Counting(a, { map: m });
    b.send(enc("bad"));
    await asyncore.loop({ timeout: 1, map: m, count: 1, usePoll });
    b.close();
    const [c, d] = asyncio.socketpair();
    new Chat(c, m);
    d.send(enc("12;x1;"));
    await asyncore.loop({ timeout: 1, map: m, count: 1, usePoll });
    d.close();
    print("left", m.size);
  }
}

const report = (cls: string, msg: string, outer: string, frames: string) =>
  `error uncaptured python exception, closing channel <__main__.${cls} connected '' at 0xADDR> (<class 'ValueError'>:${msg} [${outer}] [handle_read_event] [handle_read]${frames})`;
const INT = "invalid literal for int() with base 10: b'x1'";

const EXPECTED = [
  "handle_error #1",
  report("Counting", "bad input", "read", ""),
  "closing",
  "command 12",
  "chat error, delegating",
  report("Chat", INT, "read", " [found_terminator]"),
  "left 0",
  "handle_error #2",
  report("Counting", "bad input", "readwrite", ""),
  "closing",
  "command 12",
  "chat error, delegating",
  report("Chat", INT, "readwrite", " [found_terminator]"),
  "left 0",
];

test("super.handleError() without the error reports the one the loop hands over", async () => {
  const out: string[] = [];
  await app(printer(out));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_asyncore8_super_handle_error.py", () => {
  const ref = pythonReference("rp_asyncore8_super_handle_error");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
