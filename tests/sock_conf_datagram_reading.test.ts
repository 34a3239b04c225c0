// The datagram transport's reading switch (isReading, pauseReading,
// resumeReading) and write-buffer limits, which Python 3.11's
// _SelectorDatagramTransport has from _SelectorTransport, and its max_size
// (a Unix datagram over 64 KiB comes whole); checked against CPython.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

function mask(x: unknown): string {
  return String(x).replace(/fd=\d+/g, "fd=N");
}

async function datagramReading(print: (...args: unknown[]) => void): Promise<void> {
  class Printer extends asyncio.DatagramProtocol {
    override datagramReceived(data: Uint8Array): void {
      print("received", `b'${new TextDecoder().decode(data)}'`);
    }
  }
  const loop = asyncio.getRunningLoop();
  let [t] = await loop.createDatagramEndpoint(() => new Printer(), {
    localAddr: ["127.0.0.1", 0],
  });
  const addr = t.getExtraInfo("sockname") as [string, number];
  print("is_reading", t.isReading());
  t.pauseReading();
  t.pauseReading();
  print("is_reading", t.isReading(), mask(t));
  t.sendto(new TextEncoder().encode("while paused"), addr);
  await asyncio.sleep(0.05);
  print("resuming");
  t.resumeReading();
  t.resumeReading();
  print("is_reading", t.isReading(), mask(t));
  await asyncio.sleep(0.05);
  const limits = () => `(${t.getWriteBufferLimits().join(", ")})`;
  print("limits", limits());
  t.setWriteBufferLimits({ high: 100 });
  print("limits", limits());
  t.setWriteBufferLimits({ low: 10 });
  print("limits", limits());
  try {
    t.setWriteBufferLimits({ high: 1, low: 5 });
  } catch (e) {
    if (!(e instanceof asyncio.ValueError)) throw e;
    print(e.constructor.name, e.message);
  }
  t.close();
  print("is_reading", t.isReading(), mask(t));
  t.resumeReading();
  await asyncio.sleep(0);
  print("is_reading", t.isReading(), mask(t));

  // Paused as soon as it is made, by a protocol that does not want data yet.
  [t] = await loop.createDatagramEndpoint(() => new Printer(), { localAddr: ["127.0.0.1", 0] });
  t.pauseReading();
  print("paused at once", mask(t));
  t.close();
  await asyncio.sleep(0);

  // A Unix datagram bigger than UDP's 64 KiB comes whole (max_size is 256 KiB).
  const d = mkdtempSync(join(tmpdir(), "sockconf-"));
  try {
    const got = loop.createFuture<number>();
    class Sizes extends asyncio.DatagramProtocol {
      override datagramReceived(data: Uint8Array): void {
        got.setResult(data.length);
      }
    }
    const path = join(d, "dgram");
    [t] = await loop.createDatagramEndpoint(() => new Sizes(), {
      localAddr: path,
      family: asyncio.AF_UNIX,
    });
    const s = asyncio.socket(asyncio.AF_UNIX, asyncio.SOCK_DGRAM);
    try {
      s.setsockopt(asyncio.SOL_SOCKET, asyncio.SO_SNDBUF, 400000);
      s.sendto(new Uint8Array(100000).fill(120), path);
      print("unix datagram of", await asyncio.waitFor(got, 5), "bytes");
    } finally {
      s.close();
    }
    t.close();
    await asyncio.sleep(0);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
}

const EXPECTED = [
  "is_reading True",
  "is_reading False <_SelectorDatagramTransport fd=N read=idle write=<idle, bufsize=0>>",
  "resuming",
  "is_reading True <_SelectorDatagramTransport fd=N read=polling write=<idle, bufsize=0>>",
  "received b'while paused'",
  "limits (16384, 65536)",
  "limits (25, 100)",
  "limits (10, 40)",
  "ValueError high (1) must be >= low (5) must be >= 0",
  "is_reading False <_SelectorDatagramTransport closing fd=N read=idle write=<idle, bufsize=0>>",
  "is_reading False <_SelectorDatagramTransport closed fd=N>",
  "paused at once <_SelectorDatagramTransport fd=N read=idle write=<idle, bufsize=0>>",
  "unix datagram of 100000 bytes",
];

test("datagram transport: pauseReading/resumeReading and write-buffer limits", async () => {
  const out: string[] = [];
  await asyncio.run(() => datagramReading(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for sock_conf_datagram_reading.py", () => {
  const ref = pythonReference("sock_conf_datagram_reading");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
