// A handler that catches an error itself and calls handleError(e) (directly
// or through an override calling super.handleError(e)) reports a traceback
// that starts in that handler, as Python's sys.exc_info() does, not in
// asyncore's read(); so does async_chat.handleRead's own catch of a recv()
// error (a UDP channel's refused datagram). Checked against CPython
// (tests/fixtures/py/rp_core2_caught_traceback.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";
import { maskCompactTraceback as mask } from "./util.ts";
import { asynchat, asyncore } from "../mod.ts";
import { bytesRepr } from "../lib/format.ts";

function parse(data: Uint8Array): number {
  const text = new TextDecoder().decode(data);
  if (!/^\d+$/.test(text)) throw new asyncio.ValueError(`not a number: ${bytesRepr(data)}`);
  return Number(text);
}

async function app(print: (...args: unknown[]) => void): Promise<void> {
  class H extends asyncore.dispatcher {
    override writable() {
      return false;
    }
    override handleRead() {
      try {
        const data = this.recv(10);
        print("value", parse(data));
      } catch (e) {
        if (!(e instanceof asyncio.ValueError)) throw e;
        this.handleError(e);
      }
    }
    override logInfo(message: string, type = "info") {
      print(type, mask(message));
    }
    override handleClose() {
      print("close");
      this.close();
    }
  }
  class H2 extends H {
    override handleError(e: unknown) {
      print("custom handle_error");
      super.handleError(e);
    }
  }

  const m: asyncore.SocketMap = new Map();
  const enc = new TextEncoder();
  for (const Cls of [H, H2]) {
    const [a, b] = asyncio.socketpair();
    new Cls(a, { map: m });
    b.send(enc.encode("12"));
    await asyncore.loop({ timeout: 1, map: m, count: 1 });
    b.send(enc.encode("zz"));
    await asyncore.loop({ timeout: 1, map: m, count: 1 });
    print(m.size);
    b.close();
  }

  class Udp extends asynchat.async_chat {
    constructor(port: number, map: asyncore.SocketMap) {
      super({ map });
      this.createSocket(asyncio.AF_INET, asyncio.SOCK_DGRAM);
      this.connect(["127.0.0.1", port]);
      this.setTerminator(enc.encode("\n"));
    }
    override collectIncomingData(data: Uint8Array) {
      print("data", bytesRepr(data));
    }
    override foundTerminator() {}
    override logInfo(message: string, type = "info") {
      print(type, mask(message));
    }
    override handleClose() {
      print("udp close");
      this.close();
    }
  }

  const s = asyncio.socket(asyncio.AF_INET, asyncio.SOCK_DGRAM);
  s.bind(["127.0.0.1", 0]);
  const port = (s.getsockname() as [string, number])[1];
  s.close();
  new Udp(port, m).push(enc.encode("ping\n"));
  await asyncore.loop({ timeout: 1, map: m, count: 3 });
  print(m.size);
}

const EXPECTED = [
  "value 12",
  "error uncaptured python exception, closing channel <__main__.H connected '' at 0xADDR> (<class 'ValueError'>:not a number: b'zz' [handle_read] [parse])",
  "close",
  "0",
  "value 12",
  "custom handle_error",
  "error uncaptured python exception, closing channel <__main__.H2 connected '' at 0xADDR> (<class 'ValueError'>:not a number: b'zz' [handle_read] [parse])",
  "close",
  "0",
  "warning unhandled connect event",
  "error uncaptured python exception, closing channel <__main__.Udp connected 127.0.0.1:PORT at 0xADDR> (<class 'ConnectionRefusedError'>:[Errno 111] Connection refused [handle_read] [recv])",
  "udp close",
  "0",
];

test("handleError called from a handler's catch starts the traceback in that handler", async () => {
  const out: string[] = [];
  await app(printer(out));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_core2_caught_traceback.py", () => {
  const ref = pythonReference("rp_core2_caught_traceback");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
