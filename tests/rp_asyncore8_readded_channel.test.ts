// A channel moved to another map with delChannel() then addChannel(map)
// sits there under the key null (Python's None: delChannel() forgot its
// fd): a loop that watches it fails with select()'s and poll.register()'s
// TypeError before any handler runs, instead of watching fd 0;
// setSocket(sock, map) puts it back under its fd.
// Checked against CPython (tests/fixtures/py/rp_asyncore8_readded_channel.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";
import { asyncore } from "../mod.ts";
import { bytesRepr, pyRepr } from "../lib/format.ts";

const enc = (s: string) => new TextEncoder().encode(s);

async function app(print: (...args: unknown[]) => void): Promise<void> {
  class Peer extends asyncore.dispatcher {
    name: string;
    watch = true;
    constructor(sock: asyncio.Socket, map: asyncore.SocketMap, name: string) {
      super(sock, map);
      this.name = name;
    }
    override readable() {
      return this.watch;
    }
    override writable() {
      return false;
    }
    override handleRead() {
      print(this.name, "read", bytesRepr(this.recv(64)));
    }
  }
  const [a, b] = asyncio.socketpair();
  const first: asyncore.SocketMap = new Map();
  const g = new Peer(a, first, "g");
  b.send(enc("one"));
  await asyncore.loop({ timeout: 1, map: first, count: 1 });
  g.delChannel();
  const second: asyncore.SocketMap = new Map();
  g.addChannel(second);
  print(first.size, pyRepr([...second.keys()]));
  b.send(enc("two"));
  for (const usePoll of [false, true]) {
    try {
      await asyncore.loop({ timeout: 1, map: second, count: 1, usePoll });
    } catch (e) {
      if (!(e instanceof TypeError)) throw e;
      print(usePoll, e.name, e.message);
    }
  }
  g.watch = false;
  await asyncore.loop({ timeout: 0.05, map: second, count: 1, usePoll: true });
  print("unwatched: no error");
  g.watch = true;
  second.clear();
  g.setSocket(g.socket!, second);
  print(second.size === 1 && second.has(g.socket!.fileno()));
  await asyncore.loop({ timeout: 1, map: second, count: 1 });
  g.close();
  b.close();
  print(second.size);
}

const EXPECTED = [
  "g read b'one'",
  "0 [None]",
  "False TypeError argument must be an int, or have a fileno() method.",
  "True TypeError argument must be an int, or have a fileno() method.",
  "unwatched: no error",
  "True",
  "g read b'two'",
  "1",
];

test("a channel re-added under a null key makes the loop raise select()'s TypeError", async () => {
  const out: string[] = [];
  await app(printer(out));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_asyncore8_readded_channel.py", () => {
  const ref = pythonReference("rp_asyncore8_readded_channel");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
