// handleError's report names the error's class as Python's repr(class):
// built-ins bare (`Exception` for a plain Error), asyncio's with their
// module, the program's own classes in `__main__`; a KeyError shows its
// key's repr, an ExceptionGroup its count; a channel whose repr throws is
// `<__repr__(self) failed for object at 7f...>` (Python's '%0x' % id).
// Checked against CPython (tests/fixtures/py/rp_core2_error_classes.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";
import { asyncore } from "../mod.ts";

/** Python's masking, and the frames' function names in snake_case, as the fixture's. */
function mask(text: string): string {
  return text
    .replace(
      /\[[^\]|]*\|([^\]|]*)\|\d+\]/g,
      (_m, fn: string) => `[${fn.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase())}]`,
    )
    .replace(/ at 0x[0-9a-f]+>/g, " at 0xADDR>")
    .replace(/object at [0-9a-f]{8,}>/g, "object at ADDR>");
}

class AppError extends Error {}

class Sub extends asyncio.ValueError {}

async function app(print: (...args: unknown[]) => void): Promise<void> {
  class Raiser extends asyncore.dispatcher {
    constructor(sock: asyncio.Socket, map: asyncore.SocketMap, readonly i: number) {
      super(sock, { map });
    }
    override writable() {
      return false;
    }
    override handleRead() {
      this.recv(10);
      const i = this.i;
      if (i === 0) throw new AppError("app failed");
      if (i === 1) throw new AppError();
      if (i === 2) throw new Sub("sub");
      if (i === 3) throw new asyncio.KeyError("key");
      if (i === 4) throw new Error("plain");
      if (i === 5) throw new asyncio.CancelledError();
      if (i === 6) throw new asyncio.InvalidStateError("bad state");
      if (i === 8) throw new asyncio.AssertionError("bad");
      if (i === 9) throw new asyncio.EOFError();
      if (i === 10) throw new asyncio.ExceptionGroup("eg", [new asyncio.ValueError("x")]);
      throw new asyncio.TimeoutError("late");
    }
    override logInfo(message: string, type = "info") {
      print(type, mask(message));
    }
    override handleClose() {
      this.close();
    }
  }
  class BadRepr extends Raiser {
    override toString(): string {
      throw new asyncio.ValueError("no repr");
    }
  }

  for (let i = 0; i < 12; i++) {
    const [a, b] = asyncio.socketpair();
    const m: asyncore.SocketMap = new Map();
    new (i === 11 ? BadRepr : Raiser)(a, m, i);
    b.send(new TextEncoder().encode("x"));
    await asyncore.loop({ timeout: 1, map: m, count: 1 });
    print(m.size);
    b.close();
  }
}

const HEAD = "error uncaptured python exception, closing channel";
const CH = "<__main__.Raiser connected '' at 0xADDR>";
const TB = "[read] [handle_read_event] [handle_read])";
const EXPECTED = [
  `${HEAD} ${CH} (<class '__main__.AppError'>:app failed ${TB}`,
  "0",
  `${HEAD} ${CH} (<class '__main__.AppError'>: ${TB}`,
  "0",
  `${HEAD} ${CH} (<class '__main__.Sub'>:sub ${TB}`,
  "0",
  `${HEAD} ${CH} (<class 'KeyError'>:'key' ${TB}`,
  "0",
  `${HEAD} ${CH} (<class 'Exception'>:plain ${TB}`,
  "0",
  `${HEAD} ${CH} (<class 'asyncio.exceptions.CancelledError'>: ${TB}`,
  "0",
  `${HEAD} ${CH} (<class 'asyncio.exceptions.InvalidStateError'>:bad state ${TB}`,
  "0",
  `${HEAD} ${CH} (<class 'TimeoutError'>:late ${TB}`,
  "0",
  `${HEAD} ${CH} (<class 'AssertionError'>:bad ${TB}`,
  "0",
  `${HEAD} ${CH} (<class 'EOFError'>: ${TB}`,
  "0",
  `${HEAD} ${CH} (<class 'ExceptionGroup'>:eg (1 sub-exception) ${TB}`,
  "0",
  `${HEAD} <__repr__(self) failed for object at ADDR> (<class 'TimeoutError'>:late ${TB}`,
  "0",
];

test("handleError names the error's class and a failed repr as CPython does", async () => {
  const out: string[] = [];
  await app(printer(out));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_core2_error_classes.py", () => {
  const ref = pythonReference("rp_core2_error_classes");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
