// createSocket({ family, type }) and logInfo(msg, { type }) by keyword (API.md
// rule 3), and dispatcher_with_send.writable(), which is Python's
// `(not self.connected) or len(self.out_buffer)`: true, or a byte count.
// Checked against CPython (tests/fixtures/py/rp_core2_dispatcher_keywords.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";
import { asyncore } from "../mod.ts";
import { bytesRepr } from "../lib/format.ts";

const enc = new TextEncoder();

async function app(print: (...args: unknown[]) => void): Promise<void> {
  class Sender extends asyncore.dispatcher_with_send {
    override handleRead() {
      const data = this.recv(100);
      this.logInfo(`read ${bytesRepr(data)}`, { type: "data" });
    }
    override handleClose() {
      this.logInfo("closing", { type: "error" });
      this.logInfo("hidden", { type: "warning" });
      this.close();
    }
  }

  const m: asyncore.SocketMap = new Map();
  const d = new asyncore.dispatcher({ map: m });
  d.createSocket({ family: asyncio.AF_INET, type: asyncio.SOCK_DGRAM });
  const [fam, type] = d.familyAndType!;
  print(fam === asyncio.AF_INET && type === asyncio.SOCK_DGRAM);
  d.close();
  d.createSocket({ type: asyncio.SOCK_STREAM });
  const [fam2, type2] = d.familyAndType!;
  print(fam2 === asyncio.AF_INET && type2 === asyncio.SOCK_STREAM, m.size);
  d.close();

  let s = new Sender({ map: m });
  print("unconnected", s.writable());
  s.close();
  const [a, b] = asyncio.socketpair();
  s = new Sender(a, { map: m });
  print("connected", s.writable());
  s.outBuffer = enc.encode("12345");
  print("pending", s.writable());
  s.outBuffer = new Uint8Array(0);
  s.send(enc.encode("hello"));
  print("sent", s.writable(), bytesRepr(b.recv(10)));
  b.send(enc.encode("ping"));
  await asyncore.loop({ timeout: 1, map: m, count: 1 });
  b.close();
  await asyncore.loop({ timeout: 1, map: m, count: 2 });
  print("after close", s.writable(), m.size);
}

const EXPECTED = [
  "True",
  "True 1",
  "unconnected True",
  "connected 0",
  "pending 5",
  "sent 0 b'hello'",
  "data: read b'ping'",
  "error: closing",
  "data: read b''",
  "after close True 0",
];

test("createSocket and logInfo take keywords; dispatcher_with_send.writable() is a count", async () => {
  const out: string[] = [];
  const print = printer(out);
  // logInfo prints to stdout, as Python's print(): collected in order.
  const log = console.log;
  console.log = (...args: unknown[]) => print(...args);
  try {
    await app(print);
  } finally {
    console.log = log;
  }
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_core2_dispatcher_keywords.py", () => {
  const ref = pythonReference("rp_core2_dispatcher_keywords");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
