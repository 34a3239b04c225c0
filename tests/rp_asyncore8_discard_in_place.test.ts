// async_chat empties its buffers in place: _getData() and discardBuffers()
// clear the same incoming array and producerFifo queue a program kept a
// reference to (writable() returns that queue while it holds anything).
// Checked against CPython (tests/fixtures/py/rp_asyncore8_discard_in_place.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";
import { asynchat, asyncore } from "../mod.ts";
import { bytesRepr, pyRepr } from "../lib/format.ts";

const enc = (s: string) => new TextEncoder().encode(s);

async function app(print: (...args: unknown[]) => void): Promise<void> {
  class Chat extends asynchat.async_chat {
    override collectIncomingData(data: Uint8Array) {
      this._collectIncomingData(data);
    }
    override foundTerminator() {
      print("line", bytesRepr(this._getData()));
    }
  }
  const m: asyncore.SocketMap = new Map();
  const [a, b] = asyncio.socketpair();
  const c = new Chat(a, { map: m });
  c.setTerminator(enc("\n"));
  c.acOutBufferSize = 2;
  const incoming = c.incoming, fifo = c.producerFifo;
  b.send(enc("one\ntw"));
  await asyncore.loop({ timeout: 0.5, map: m, count: 1 });
  print("incoming", pyRepr(incoming), incoming === c.incoming);
  c.push(enc("abcdef"));
  print("queued", fifo, c.writable() === fifo);
  c.discardBuffers();
  print(
    "after",
    fifo,
    pyRepr(incoming),
    fifo === c.producerFifo,
    incoming === c.incoming,
    c.writable(),
  );
  b.send(enc("o\n"));
  await asyncore.loop({ timeout: 0.5, map: m, count: 1 });
  print(bytesRepr(b.recv(10)));
  c.close();
  b.close();
}

const EXPECTED = [
  "line b'one'",
  "incoming [b'tw'] True",
  "queued deque([b'cd', b'ef']) True",
  "after deque([]) [] True True False",
  "line b'o'",
  "b'ab'",
];

test("async_chat empties incoming and producerFifo in place", async () => {
  const out: string[] = [];
  await app(printer(out));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_asyncore8_discard_in_place.py", () => {
  const ref = pythonReference("rp_asyncore8_discard_in_place");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
