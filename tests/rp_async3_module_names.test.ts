// The library's classes carry their Python module: `simple_producer` and
// `file_wrapper` reprs, and `<class 'asyncore.ExitNow'>` in handleError's
// report of an ExitNow a handler caught and passed on itself.
// Checked against CPython (tests/fixtures/py/rp_async3_module_names.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";
import { asynchat, asyncore } from "../mod.ts";
import { pyRepr } from "../lib/format.ts";

function mask(text: string): string {
  return text
    .replace(
      /\[[^\]|]*\|([^\]|]*)\|\d+\]/g,
      (_m, fn: string) => `[${fn.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase())}]`,
    )
    .replace(/0x[0-9a-f]+/g, "0xADDR");
}

async function app(print: (...args: unknown[]) => void): Promise<void> {
  class Catcher extends asyncore.dispatcher {
    override writable() {
      return false;
    }
    override logInfo(message: unknown, type = "info") {
      print(type, mask(String(message)));
    }
    override handleRead() {
      this.recv(10);
      try {
        throw new asyncore.ExitNow("inner");
      } catch (e) {
        this.handleError(e);
      }
    }
    override handleClose() {
      print("close");
      this.close();
    }
  }
  const m: asyncore.SocketMap = new Map();
  print(mask(pyRepr(new asynchat.simple_producer(new TextEncoder().encode("x")))));
  const [r, w] = asyncio.pipe();
  const fd = new asyncore.file_dispatcher(r, { map: m });
  print(mask(String(fd)), mask(pyRepr(fd.socket)));
  fd.close();
  asyncio.closeFd(r);
  asyncio.closeFd(w);
  const [a, b] = asyncio.socketpair();
  new Catcher(a, { map: m });
  b.send(new TextEncoder().encode("x"));
  await asyncore.loop({ timeout: 1, map: m, count: 1 });
  b.close();
  print(m.size);
}

const EXPECTED = [
  "<asynchat.simple_producer object at 0xADDR>",
  "<asyncore.file_dispatcher connected at 0xADDR> <asyncore.file_wrapper object at 0xADDR>",
  "error uncaptured python exception, closing channel <__main__.Catcher connected '' at 0xADDR> (<class 'asyncore.ExitNow'>:inner [handle_read])",
  "close",
  "0",
];

test("simple_producer, file_wrapper and ExitNow are named by their Python module", async () => {
  const out: string[] = [];
  await app(printer(out));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_async3_module_names.py", () => {
  const ref = pythonReference("rp_async3_module_names");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
