// readable() and writable() that return an array or bytes (a queue, a
// buffer), as Python code often does: loop() takes them by Python's truth,
// so an empty one means "not interested", over select and over poll. An
// empty array or Uint8Array counted as true (JS truth), so the loop called
// handleWrite() with nothing queued. The repr's "listening" asks the same
// of addr: an empty array (Python's empty tuple) is false.
// Checked against CPython (tests/fixtures/py/rp_asyncore11_truthy_predicates.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";
import { asyncore, type Socket } from "../mod.ts";
import { bytesRepr } from "../lib/format.ts";

const enc = (s: string) => new TextEncoder().encode(s);

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const m: asyncore.SocketMap = new Map();
  class Q extends asyncore.dispatcher {
    queue: Uint8Array[] = [];
    want: Uint8Array = enc("");
    constructor(sock: Socket) {
      super(sock, { map: m });
    }
    override readable() {
      return this.want;
    }
    override writable() {
      return this.queue;
    }
    override handleWrite() {
      const item = this.queue.shift()!;
      print("write", bytesRepr(item), this.send(item));
    }
    override handleRead() {
      print("read", bytesRepr(this.recv(100)));
    }
  }
  const [a, b] = asyncio.socketpair();
  const q = new Q(a);
  b.send(enc("pending"));
  for (const usePoll of [false, true]) {
    await asyncore.loop({ timeout: 0.1, map: m, count: 1, usePoll });
    print(usePoll ? "True" : "False", "idle pass done");
  }
  q.queue.push(enc("one"));
  q.want = enc("yes");
  await asyncore.loop({ timeout: 1, map: m, count: 1 });
  q.queue.push(enc("two"));
  b.send(enc("more"));
  await asyncore.loop({ timeout: 1, map: m, count: 1, usePoll: true });
  print(bytesRepr(b.recv(100)));
  q.accepting = true;
  (q as { addr: unknown }).addr = [];
  print(String(q).replace(/0x[0-9a-f]+/g, "0xADDR"));
  q.accepting = false;
  q.close();
  b.close();
}

const EXPECTED = [
  "False idle pass done",
  "True idle pass done",
  "read b'pending'",
  "write b'one' 3",
  "read b'more'",
  "write b'two' 3",
  "b'onetwo'",
  "<__main__.Q connected () at 0xADDR>",
];

test(
  "loop() takes readable()/writable() by Python's truth: an empty array or bytes is false",
  async () => {
    const out: string[] = [];
    await app(printer(out));
    assertEquals(out, EXPECTED);
  },
  { timeout: 20 },
);

test("CPython prints the same for rp_asyncore11_truthy_predicates.py", () => {
  const ref = pythonReference("rp_asyncore11_truthy_predicates");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
