// handleError's "uncaptured python exception" line ends its traceback where
// the error was raised, as CPython's compact_traceback does: the library's
// socket, syscall and error helpers (C code in Python) add no frame.
// Checked against CPython (tests/fixtures/py/rp_core2_traceback_frames.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";
import { maskCompactTraceback as mask } from "./util.ts";
import { asyncore } from "../mod.ts";

const enc = new TextEncoder();

async function app(print: (...args: unknown[]) => void): Promise<void> {
  class Base extends asyncore.dispatcher {
    override writable() {
      return false;
    }
    override logInfo(message: string, type = "info") {
      print(type, mask(message));
    }
    override handleClose() {
      print(this.constructor.name, "close");
      this.close();
    }
  }
  class NegRecv extends Base {
    override handleRead() {
      this.recv(-1);
    }
  }
  class StrSend extends Base {
    override handleRead() {
      this.recv(10);
      this.send("text" as unknown as Uint8Array);
    }
  }
  class Sockopt extends Base {
    override handleRead() {
      this.recv(10);
      (this.socket as asyncio.Socket).getsockopt(asyncio.SOL_SOCKET, 9999);
    }
  }
  function helper(x: string): never {
    throw new asyncio.ValueError(x);
  }
  class Deep extends Base {
    override handleRead() {
      this.recv(10);
      helper("k");
    }
  }
  class Refused extends Base {
    constructor(port: number, map: asyncore.SocketMap) {
      super({ map });
      this.createSocket();
      this.connect(["127.0.0.1", port]);
    }
    override writable() {
      return true;
    }
  }

  for (const Cls of [NegRecv, StrSend, Sockopt, Deep]) {
    const [a, b] = asyncio.socketpair();
    const m: asyncore.SocketMap = new Map();
    new Cls(a, { map: m });
    b.send(enc.encode("data"));
    await asyncore.loop({ timeout: 1, map: m, count: 2 });
    print(m.size);
    b.close();
  }
  const s = asyncio.socket();
  s.bind(["127.0.0.1", 0]);
  const port = (s.getsockname() as [string, number])[1];
  s.close();
  const m: asyncore.SocketMap = new Map();
  new Refused(port, m);
  await asyncore.loop({ timeout: 1, map: m, count: 2 });
  print(m.size);
}

const EXPECTED = [
  "error uncaptured python exception, closing channel <__main__.NegRecv connected '' at 0xADDR> (<class 'ValueError'>:negative buffersize in recv [read] [handle_read_event] [handle_read] [recv])",
  "NegRecv close",
  "0",
  "error uncaptured python exception, closing channel <__main__.StrSend connected '' at 0xADDR> (<class 'TypeError'>:a bytes-like object is required, not 'str' [read] [handle_read_event] [handle_read] [send])",
  "StrSend close",
  "0",
  "error uncaptured python exception, closing channel <__main__.Sockopt connected '' at 0xADDR> (<class 'OSError'>:[Errno 92] Protocol not available [read] [handle_read_event] [handle_read])",
  "Sockopt close",
  "0",
  "error uncaptured python exception, closing channel <__main__.Deep connected '' at 0xADDR> (<class 'ValueError'>:k [read] [handle_read_event] [handle_read] [helper])",
  "Deep close",
  "0",
  "error uncaptured python exception, closing channel <__main__.Refused 127.0.0.1:PORT at 0xADDR> (<class 'ConnectionRefusedError'>:[Errno 111] Connection refused [read] [handle_read_event] [handle_connect_event])",
  "Refused close",
  "0",
];

test("handleError's traceback ends where the error was raised, without the library's socket frames", async () => {
  const out: string[] = [];
  await app(printer(out));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_core2_traceback_frames.py", () => {
  const ref = pythonReference("rp_core2_traceback_frames");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
