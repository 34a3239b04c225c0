// print() of a file_dispatcher's file_wrapper and of a simple_producer (and
// of a subclass of it) shows Python's default repr, which is also str():
// `<asyncore.file_wrapper object at 0x...>`, as a list item too.
// Checked against CPython (tests/fixtures/py/rp_asyncore8_print_objects.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";
import { asynchat, asyncore } from "../mod.ts";
import { bytesRepr, pyRepr } from "../lib/format.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const mask = (x: unknown) => String(x).replace(/0x[0-9a-f]+/g, "0xADDR");

function app(print: (...args: unknown[]) => void): void {
  class Chunks extends asynchat.simple_producer {}
  const [r, w] = asyncio.pipe();
  const m: asyncore.SocketMap = new Map();
  const fd = new asyncore.file_dispatcher(r, { map: m });
  print(mask(fd.socket));
  print(mask(String(fd.socket)), mask(pyRepr([fd.socket])));
  const p = new asynchat.simple_producer(enc("abcdef"), 4);
  print(mask(p), bytesRepr(p.more()), mask(p));
  print(mask(new Chunks(enc("x"))), mask(pyRepr([new Chunks(enc("y"))])));
  fd.close();
  print(mask(fd.socket), (fd.socket as asyncore.file_wrapper).fd);
  asyncio.closeFd(r);
  asyncio.closeFd(w);
}

const EXPECTED = [
  "<asyncore.file_wrapper object at 0xADDR>",
  "<asyncore.file_wrapper object at 0xADDR> [<asyncore.file_wrapper object at 0xADDR>]",
  "<asynchat.simple_producer object at 0xADDR> b'abcd' <asynchat.simple_producer object at 0xADDR>",
  "<__main__.Chunks object at 0xADDR> [<__main__.Chunks object at 0xADDR>]",
  "<asyncore.file_wrapper object at 0xADDR> -1",
];

test("file_wrapper and simple_producer print as Python's default repr", () => {
  const out: string[] = [];
  app(printer(out));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_asyncore8_print_objects.py", () => {
  const ref = pythonReference("rp_asyncore8_print_objects");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
