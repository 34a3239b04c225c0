// Keyword arguments ported as options objects (API.md rule 3):
// `new simple_producer(data, { bufferSize: 4 })`, `closeAll({ map: m })`;
// and async_chat.readable() returns 1, as CPython's prints it.
// Checked against CPython (tests/fixtures/py/rp_core2_chat_keywords.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";
import { asynchat, asyncore } from "../mod.ts";
import { bytesRepr } from "../lib/format.ts";

const enc = new TextEncoder();

function join(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

async function app(print: (...args: unknown[]) => void): Promise<void> {
  class Sender extends asynchat.async_chat {
    override collectIncomingData() {}
    override foundTerminator() {}
    override handleClose() {
      print("sender close");
      this.close();
    }
  }
  class Receiver extends asynchat.async_chat {
    chunks: Uint8Array[] = [];
    constructor(sock: asyncio.Socket, map: asyncore.SocketMap) {
      super(sock, { map });
      this.setTerminator(4);
    }
    override collectIncomingData(data: Uint8Array) {
      this.chunks.push(data.slice());
    }
    override foundTerminator() {
      print("record", bytesRepr(join(this.chunks)));
      this.chunks = [];
      this.setTerminator(4);
    }
    override handleClose() {
      print("receiver close, rest", bytesRepr(join(this.chunks)));
      this.close();
    }
  }

  const p = new asynchat.simple_producer(enc.encode("abcdefghij"), { bufferSize: 4 });
  print(bytesRepr(p.more()), bytesRepr(p.more()), bytesRepr(p.more()), bytesRepr(p.more()));
  const m: asyncore.SocketMap = new Map();
  const [a, b] = asyncio.socketpair();
  const s = new Sender(a, { map: m });
  const r = new Receiver(b, m);
  print("readable", s.readable(), r.readable(), Boolean(s.writable()));
  s.pushWithProducer(
    new asynchat.simple_producer(enc.encode("0123456789ABCDE"), { bufferSize: 3 }),
  );
  s.closeWhenDone();
  await asyncore.loop({ timeout: 1, map: m, count: 10 });
  print("left", m.size);
  const m2: asyncore.SocketMap = new Map();
  const [c, d] = asyncio.socketpair();
  new Sender(c, { map: m2 });
  new Receiver(d, m2);
  print("before", m2.size);
  asyncore.closeAll({ map: m2 });
  print("after", m2.size, asyncore.socketMap.size);
}

const EXPECTED = [
  "b'abcd' b'efgh' b'ij' b''",
  "readable 1 1 False",
  "record b'0123'",
  "record b'4567'",
  "record b'89AB'",
  "sender close",
  "receiver close, rest b'CDE'",
  "left 0",
  "before 2",
  "after 0 0",
];

test("simple_producer and closeAll take keywords; async_chat.readable() is 1", async () => {
  const out: string[] = [];
  await app(printer(out));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_core2_chat_keywords.py", () => {
  const ref = pythonReference("rp_core2_chat_keywords");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
