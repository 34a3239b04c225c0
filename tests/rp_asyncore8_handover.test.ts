// A dispatcher handing its socket to a new channel: delChannel() takes
// whatever channel is under the fd out of the map, as Python's does, so
// called after the new channel was made it drops that one (and so does
// close() of one of two channels over one socket); called first, the new
// channel serves the socket.
// Checked against CPython (tests/fixtures/py/rp_asyncore8_handover.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";
import { asynchat, asyncore } from "../mod.ts";
import { bytesRepr, pyRepr } from "../lib/format.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

async function app(print: (...args: unknown[]) => void): Promise<void> {
  class Chat extends asynchat.async_chat {
    buf = "";
    constructor(sock: asyncio.Socket, m: asyncore.SocketMap) {
      super(sock, { map: m });
      this.setTerminator(enc("\n"));
    }
    override collectIncomingData(data: Uint8Array) {
      this.buf += dec(data);
    }
    override foundTerminator() {
      print("chat line", bytesRepr(enc(this.buf)));
      this.buf = "";
    }
  }
  class Greeter extends asyncore.dispatcher {
    m: asyncore.SocketMap;
    order: string;
    constructor(sock: asyncio.Socket, m: asyncore.SocketMap, order: string) {
      super(sock, { map: m });
      this.m = m;
      this.order = order;
    }
    override writable() {
      return false;
    }
    override handleRead() {
      const data = this.recv(8);
      print("greeter", bytesRepr(data));
      if (dec(data) === "upgrade\n") {
        if (this.order === "del first") {
          this.delChannel();
          new Chat(this.socket as asyncio.Socket, this.m);
        } else {
          new Chat(this.socket as asyncio.Socket, this.m);
          this.delChannel();
        }
        print("map now", pyRepr([...this.m.values()].map((x) => x.constructor.name)));
      }
    }
  }
  for (const order of ["del first", "new first"]) {
    const m: asyncore.SocketMap = new Map();
    const [a, b] = asyncio.socketpair();
    new Greeter(a, m, order);
    b.send(enc("upgrade\n"));
    await asyncore.loop({ timeout: 0.2, map: m, count: 1 });
    b.send(enc("hello\n"));
    await asyncore.loop({ timeout: 0.2, map: m, count: 1 });
    print(order, "left", m.size);
    a.close();
    b.close();
  }
  const m: asyncore.SocketMap = new Map();
  const [a, b] = asyncio.socketpair();
  const one = new asyncore.dispatcher(a, { map: m });
  const two = new asyncore.dispatcher(a, { map: m });
  print(m.size, m.get(a.fileno()) === two);
  one.close();
  print("after one.close", m.size, two.connected);
  a.close();
  b.close();
}

const EXPECTED = [
  "greeter b'upgrade\\n'",
  "map now ['Chat']",
  "chat line b'hello'",
  "del first left 1",
  "greeter b'upgrade\\n'",
  "map now []",
  "new first left 0",
  "1 True",
  "after one.close 0 True",
];

test("delChannel() and close() take out whatever channel is under the fd", async () => {
  const out: string[] = [];
  await app(printer(out));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_asyncore8_handover.py", () => {
  const ref = pythonReference("rp_asyncore8_handover");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
