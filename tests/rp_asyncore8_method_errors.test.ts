// Errors raised by a dispatcher's own methods: an AttributeError (by name,
// and in handleError's report) from a channel that has no socket yet, and
// connect()'s OSError for a failure at once. handleError's traceback ends
// in the method that raised (send, connect), not in a helper of the module.
// Checked against CPython (tests/fixtures/py/rp_asyncore8_method_errors.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";
import { asyncore } from "../mod.ts";
import { bytesRepr } from "../lib/format.ts";
import { maskCompactTraceback as mask } from "./util.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

async function app(print: (...args: unknown[]) => void): Promise<void> {
  class Relay extends asyncore.dispatcher {
    target: asyncore.dispatcher_with_send;
    constructor(
      sock: asyncio.Socket,
      target: asyncore.dispatcher_with_send,
      m: asyncore.SocketMap,
    ) {
      super(sock, { map: m });
      this.target = target;
    }
    override writable() {
      return false;
    }
    override handleRead() {
      const data = this.recv(10);
      print("relay", bytesRepr(data));
      if (dec(data) === "dial") {
        this.target.createSocket(asyncio.AF_UNIX, asyncio.SOCK_STREAM);
        this.target.connect("/nonexistent/asyncore8.sock");
      }
      this.target.send(data);
    }
    override logInfo(message: unknown, type = "info") {
      print(type, mask(String(message)));
    }
    override handleClose() {
      print("relay close");
      this.close();
    }
  }
  const m: asyncore.SocketMap = new Map();
  for (const data of ["data", "dial"]) {
    const [a, b] = asyncio.socketpair();
    const target = new asyncore.dispatcher_with_send({ map: new Map() });
    new Relay(a, target, m);
    b.send(enc(data));
    await asyncore.loop({ timeout: 1, map: m, count: 1 });
    print(bytesRepr(target.outBuffer), m.size);
    target.close();
    b.close();
  }
  const d = new asyncore.dispatcher({ map: new Map() });
  const calls: [string, () => unknown][] = [
    ["listen", () => d.listen(5)],
    ["connect", () => d.connect(["127.0.0.1", 1])],
    ["reuse", () => d.setReuseAddr()],
    ["accept", () => d.accept()],
  ];
  for (const [name, call] of calls) {
    try {
      call();
    } catch (e) {
      if (!(e instanceof TypeError)) throw e;
      print(name, e.name, e.message);
    }
  }
}

const EXPECTED = [
  "relay b'data'",
  "error uncaptured python exception, closing channel <__main__.Relay connected '' at 0xADDR> (<class 'AttributeError'>:'NoneType' object has no attribute 'send' [read] [handle_read_event] [handle_read] [send] [initiate_send] [send])",
  "relay close",
  "b'data' 0",
  "relay b'dial'",
  "error uncaptured python exception, closing channel <__main__.Relay connected '' at 0xADDR> (<class 'FileNotFoundError'>:[Errno 2] ENOENT [read] [handle_read_event] [handle_read] [connect])",
  "relay close",
  "b'' 0",
  "listen AttributeError 'NoneType' object has no attribute 'listen'",
  "connect AttributeError 'NoneType' object has no attribute 'connect_ex'",
  "reuse AttributeError 'NoneType' object has no attribute 'setsockopt'",
  "accept AttributeError 'NoneType' object has no attribute 'accept'",
];

test("a socketless channel's AttributeError and connect()'s OSError, as handleError reports them", async () => {
  const out: string[] = [];
  await app(printer(out));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_asyncore8_method_errors.py", () => {
  const ref = pythonReference("rp_asyncore8_method_errors");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
