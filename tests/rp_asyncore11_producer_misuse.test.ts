// async_chat.initiateSend() with what is not a producer in the queue:
// pushWithProducer(42) throws Python's AttributeError of `first.more()`
// (it threw JS's "first.more is not a function", worded per runtime); a
// string (queued, or returned by a producer's more()) is sliced and refused
// by the socket's send() with its TypeError, as Python's str is; a
// producer whose more() returns null is dropped; a falsy entry (0) is
// dropped before its more() fails. Bytes given to pushWithProducer() are
// sent as they are.
// Checked against CPython (tests/fixtures/py/rp_asyncore11_producer_misuse.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";
import { asynchat, asyncore } from "../mod.ts";
import { bytesRepr, pyRepr } from "../lib/format.ts";

const enc = (s: string) => new TextEncoder().encode(s);

function app(print: (...args: unknown[]) => void): void {
  const m: asyncore.SocketMap = new Map();
  class C extends asynchat.async_chat {
    override acOutBufferSize = 4;
    override collectIncomingData(_data: Uint8Array) {}
    override foundTerminator() {}
  }
  const attempt = (label: string, f: () => void) => {
    try {
      f();
      print(label, "ok");
    } catch (e) {
      print(label, (e as Error).name, (e as Error).message);
    }
  };
  class Text {
    more() {
      return "text";
    }
  }
  class Nothing {
    more() {
      return null;
    }
  }
  class Chunks {
    n = 0;
    more() {
      this.n += 1;
      return [enc(""), enc("chunk1"), enc("chunk22")][this.n % 3];
    }
  }
  const [a, b] = asyncio.socketpair();
  const c = new C(a, m);
  const pwp = (x: unknown) => () => c.pushWithProducer(x as asynchat.Producer);
  attempt("int", pwp(42));
  print(c.producerFifo.length);
  c.discardBuffers();
  attempt("str", pwp("str"));
  print(c.producerFifo.length);
  c.discardBuffers();
  attempt("str producer", pwp(new Text()));
  print(c.producerFifo.length);
  c.discardBuffers();
  attempt("None producer", pwp(new Nothing()));
  print(c.producerFifo.length);
  attempt("zero", pwp(0));
  print(c.producerFifo.length);
  attempt("bytes", pwp(enc("rawbytes")));
  print(bytesRepr(b.recv(100)), c.producerFifo.length);
  c.discardBuffers();
  c.pushWithProducer(new Chunks());
  const sent = [b.recv(100)];
  for (let i = 0; i < 3; i++) {
    c.initiateSend();
    sent.push(b.recv(100));
  }
  print(pyRepr(sent), c.producerFifo.length);
  c.close();
  b.close();
}

const EXPECTED = [
  "int AttributeError 'int' object has no attribute 'more'",
  "1",
  "str TypeError a bytes-like object is required, not 'str'",
  "1",
  "str producer TypeError a bytes-like object is required, not 'str'",
  "2",
  "None producer ok",
  "0",
  "zero AttributeError 'int' object has no attribute 'more'",
  "0",
  "bytes ok",
  "b'rawb' 1",
  "[b'chun', b'k1', b'chun', b'k22'] 1",
];

test("pushWithProducer() of what is not a producer fails as Python's initiate_send", () => {
  const out: string[] = [];
  app(printer(out));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_asyncore11_producer_misuse.py", () => {
  const ref = pythonReference("rp_asyncore11_producer_misuse");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
