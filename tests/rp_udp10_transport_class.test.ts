// Python 3.11's datagram transport derives from _SelectorTransport alone:
// it is a Transport (so a ReadTransport and a WriteTransport), not a
// DatagramTransport (3.12 added that base). Its write(), writeLines(),
// writeEof() and canWriteEof() raise NotImplementedError, and its maxSize
// (Python's max_size) is 256 KiB; the library's transport was a
// DatagramTransport without those methods. Checked against CPython
// (tests/fixtures/py/rp_udp10_transport_class.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const [t] = await loop.createDatagramEndpoint(() => new asyncio.DatagramProtocol(), {
    localAddr: ["127.0.0.1", 0],
  });
  const classes: [string, abstract new (...args: never[]) => unknown][] = [
    ["DatagramTransport", asyncio.DatagramTransport],
    ["Transport", asyncio.Transport],
    ["ReadTransport", asyncio.ReadTransport],
    ["WriteTransport", asyncio.WriteTransport],
    ["BaseTransport", asyncio.BaseTransport],
  ];
  for (const [name, cls] of classes) print(name, t instanceof cls);
  // Python's methods, as a port calls them on the transport it was given.
  const w = t as unknown as asyncio.Transport;
  const enc = (s: string) => new TextEncoder().encode(s);
  const calls: [string, () => unknown][] = [
    ["write", () => w.write(enc("x"))],
    ["writelines", () => w.writeLines([enc("x"), enc("y")])],
    ["write_eof", () => w.writeEof()],
    ["can_write_eof", () => w.canWriteEof()],
  ];
  for (const [name, call] of calls) {
    try {
      call();
    } catch (e) {
      if (!(e instanceof asyncio.NotImplementedError)) throw e;
      print(name, e.constructor.name, `'${e.message}'`);
    }
  }
  print("max_size", t.maxSize);
  print("is_closing", t.isClosing());
  t.close();
  await asyncio.sleep(0);
}

const EXPECTED = [
  "DatagramTransport False",
  "Transport True",
  "ReadTransport True",
  "WriteTransport True",
  "BaseTransport True",
  "write NotImplementedError ''",
  "writelines NotImplementedError ''",
  "write_eof NotImplementedError ''",
  "can_write_eof NotImplementedError ''",
  "max_size 262144",
  "is_closing False",
];

test("the datagram transport is a Transport, not a DatagramTransport, as in 3.11", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_udp10_transport_class.py", () => {
  const ref = pythonReference("rp_udp10_transport_class");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
