// async_chat.writable() returns the non-empty output queue itself, as
// Python's `self.producer_fifo or (not self.connected)` does, and the queue
// prints as Python's deque: `print(chat.writable())` shows
// `deque([b'hello\n', ...])` while a connect is pending or after
// closeWhenDone(), a bool otherwise.
// Checked against CPython (tests/fixtures/py/rp_async5_chat_writable.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";
import { asynchat, asyncore } from "../mod.ts";
import { bytesRepr } from "../lib/format.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const mask = (x: unknown) => String(x).replace(/0x[0-9a-f]+/g, "0xADDR");

async function app(print: (...args: unknown[]) => void): Promise<void> {
  class Chat extends asynchat.async_chat {
    lines: Uint8Array[] = [];
    constructor(sock: asyncio.Socket | null = null, map: asyncore.SocketMap | null = null) {
      super(sock, { map });
      this.setTerminator(enc("\n"));
    }
    override collectIncomingData(data: Uint8Array) {
      this.lines.push(data);
    }
    override foundTerminator() {
      print("line", bytesRepr(enc(this.lines.map(dec).join(""))));
      this.lines = [];
    }
    override handleConnect() {
      print("connected, queued", this.producerFifo.length);
    }
    override handleClose() {
      print("close, writable", this.writable());
      this.close();
    }
  }
  const m: asyncore.SocketMap = new Map();
  const srv = asyncio.socket();
  srv.bind(["127.0.0.1", 0]);
  srv.listen(1);
  const cli = new Chat(null, m);
  cli.createSocket();
  print("new", cli.writable(), cli.producerFifo);
  cli.connect(srv.getsockname() as [string, number]);
  cli.push(enc("hello\n"));
  cli.pushWithProducer(new asynchat.simple_producer(enc("more\n")));
  print("queued", mask(cli.writable()));
  print(bytesRepr(cli.producerFifo[0] as Uint8Array), cli.producerFifo.length);
  srv.setblocking(true);
  const [conn] = srv.accept();
  const peer = new Chat(conn, m);
  print("peer", peer.writable(), peer.producerFifo);
  await asyncore.loop({ timeout: 1, map: m, count: 4 });
  print("sent", cli.writable(), cli.producerFifo);
  cli.closeWhenDone();
  print("closing", cli.writable(), cli.producerFifo);
  await asyncore.loop({ timeout: 1, map: m, count: 4 });
  cli.discardBuffers();
  print("discarded", cli.writable(), cli.producerFifo);
  srv.close();
}

const EXPECTED = [
  "new True deque([])",
  "queued deque([b'hello\\n', <asynchat.simple_producer object at 0xADDR>])",
  "b'hello\\n' 2",
  "peer False deque([])",
  "connected, queued 2",
  "line b'hello'",
  "line b'more'",
  "sent False deque([])",
  "closing deque([None]) deque([None])",
  "close, writable False",
  "close, writable False",
  "discarded True deque([])",
];

test("async_chat.writable() is the queue while it holds anything; the queue prints as a deque", async () => {
  const out: string[] = [];
  await app(printer(out));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_async5_chat_writable.py", () => {
  const ref = pythonReference("rp_async5_chat_writable");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
