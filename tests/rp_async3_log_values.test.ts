// dispatcher.logInfo(message) prints Python's str(message) whatever it is
// (bytes as b'...', None, a list, an error's message), and a channel added
// again after delChannel() is taken out of its map by close().
// Checked against CPython (tests/fixtures/py/rp_async3_log_values.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";
import { asyncore } from "../mod.ts";
import { bytesRepr } from "../lib/format.ts";

function app(print: (...args: unknown[]) => void): void {
  const m: asyncore.SocketMap = new Map();
  const d = new asyncore.dispatcher({ map: m });
  d.ignoreLogTypes = new Set();
  d.logInfo(new TextEncoder().encode("bytes msg"));
  d.logInfo(null);
  d.logInfo(["a", 1, null]);
  d.logInfo(2, "count");
  d.logInfo(new asyncio.ValueError("ve"), { type: "error" });

  const srv = asyncio.socket();
  srv.bind(["127.0.0.1", 0]);
  srv.listen(1);
  const d3 = new asyncore.dispatcher(srv, { map: m });
  print("wrapped", m.size);
  d3.delChannel();
  print("del_channel", m.size);
  d3.addChannel();
  print("add_channel", m.size);
  d3.close();
  print("closed", m.size);
  const [a, b] = asyncio.socketpair();
  const d4 = new asyncore.dispatcher(a, { map: m });
  d4.ignoreLogTypes = new Set();
  b.close();
  print("recv at eof", bytesRepr(d4.recv(5)), m.size);
}

const EXPECTED = [
  "info: b'bytes msg'",
  "info: None",
  "info: ['a', 1, None]",
  "count: 2",
  "error: ve",
  "wrapped 1",
  "del_channel 0",
  "add_channel 1",
  "closed 0",
  "warning: unhandled close event",
  "recv at eof b'' 0",
];

test("logInfo prints str(message); close() takes out a channel added again", () => {
  const out: string[] = [];
  const print = printer(out);
  // logInfo writes to stdout with console.log: collected in order.
  const log = console.log;
  console.log = (...args: unknown[]) => print(...args);
  try {
    app(print);
  } finally {
    console.log = log;
  }
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_async3_log_values.py", () => {
  const ref = pythonReference("rp_async3_log_values");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
