// async_chat and strings: push()'s TypeError message, string terminators
// encoded with `encoding`, and the _collectIncomingData/_getData
// helpers, checked against CPython 3.11's output for the same program
// (tests/fixtures/py/asyncore_asynchat_str.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { asynchat, asyncore, type Socket, socketpair, ValueError } from "../mod.ts";
import { bytesRepr } from "../lib/format.ts";

const enc = new TextEncoder();

function list(items: Uint8Array[]): string {
  return `[${items.map(bytesRepr).join(", ")}]`;
}

function termRepr(t: asynchat.Terminator): string {
  return t instanceof Uint8Array ? bytesRepr(t) : String(t);
}

async function strings(print: (...args: unknown[]) => void): Promise<void> {
  class Lines extends asynchat.async_chat {
    override useEncoding = 1;
    constructor(sock: Socket, map: asyncore.SocketMap) {
      super(sock, map);
      this.setTerminator("\r\n");
      print("terminator", termRepr(this.getTerminator()));
    }
    override collectIncomingData(data: Uint8Array) {
      this._collectIncomingData(data);
    }
    override foundTerminator() {
      print("line", bytesRepr(this._getData()), "incoming", list(this.incoming));
    }
    override handleClose() {
      print("close, incoming", list(this.incoming));
      this.close();
    }
  }

  class Plain extends asynchat.async_chat {
    override collectIncomingData(data: Uint8Array) {
      print("collect", bytesRepr(data));
    }
    override foundTerminator() {
      print("found");
    }
  }

  const m: asyncore.SocketMap = new Map();
  let [a, b] = socketpair();
  const p = new Plain(a, m);
  for (const data of ["text", 7, null]) {
    try {
      p.push(data as unknown as Uint8Array);
    } catch (e) {
      if (e instanceof TypeError) print("TypeError", e.message);
    }
  }
  for (const term of ["é", "€"]) {
    p.useEncoding = 1;
    try {
      p.setTerminator(term);
      print("encoded", termRepr(p.getTerminator()));
    } catch (e) {
      if (e instanceof ValueError) print("ValueError", true, e.message);
    }
  }
  p.encoding = "utf-8";
  p.setTerminator("€");
  print("utf-8", termRepr(p.getTerminator()));
  p.close();
  b.close();

  [a, b] = socketpair();
  new Lines(a, m);
  b.sendall(enc.encode("one\r\ntwo\r"));
  b.sendall(enc.encode("\nrest"));
  b.close();
  await asyncore.loop({ timeout: 1, map: m });
  print("map", m.size);
}

const EXPECTED = [
  "TypeError ('data argument must be byte-ish (%r)', <class 'str'>)",
  "TypeError ('data argument must be byte-ish (%r)', <class 'int'>)",
  "TypeError ('data argument must be byte-ish (%r)', <class 'NoneType'>)",
  "encoded b'\\xe9'",
  "ValueError True 'latin-1' codec can't encode character '\\u20ac' in position 0: ordinal not in range(256)",
  "utf-8 b'\\xe2\\x82\\xac'",
  "terminator b'\\r\\n'",
  "line b'one' incoming []",
  "line b'two' incoming []",
  "close, incoming [b'rest']",
  "map 0",
];

test("the fixture prints these lines under CPython 3.11", () => {
  const ref = pythonReference("asyncore_asynchat_str");
  if (ref) assertEquals(ref.lines, EXPECTED, ref.python);
});

test(
  "async_chat: push() rejects a str with CPython's message; a str terminator is encoded",
  async () => {
    const out: string[] = [];
    await strings(printer(out));
    assertEquals(out, EXPECTED);
  },
  { timeout: 10 },
);
