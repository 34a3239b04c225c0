// Queued datagrams to a Unix peer that went away each fail into
// errorReceived(); a protocol that closes (or aborts) the transport from
// the last of them gets connectionLost() once, not again from the writer
// left registered. After abort() that writer fails as CPython 3.11's does.
// Checked against CPython (tests/fixtures/py/rp_udp8_close_after_send_errors.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { pyRepr } from "../lib/format.ts";
import * as asyncio from "../mod.ts";
import { mkdtempSync, rmdirSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  class Sender extends asyncio.DatagramProtocol {
    t!: asyncio.SelectorDatagramTransport;
    constructor(readonly how: "close" | "abort") {
      super();
    }
    override connectionMade(t: asyncio.SelectorDatagramTransport): void {
      this.t = t;
    }
    override errorReceived(exc: Error): void {
      const size = this.t.getWriteBufferSize();
      print(this.how, "error", exc.constructor.name, size);
      if (size === 0) this.t[this.how]();
    }
    override connectionLost(exc: Error | null): void {
      print(this.how, "lost", exc);
    }
  }
  const loop = asyncio.getRunningLoop();
  loop.setExceptionHandler((_l, ctx) => print("handler:", ctx.message, pyRepr(ctx.exception)));
  const d = mkdtempSync(join(tmpdir(), "rp_udp8_"));
  const path = join(d, "rx.sock");
  try {
    for (const how of ["close", "abort"] as const) {
      const r = asyncio.socket(asyncio.AF_UNIX, asyncio.SOCK_DGRAM);
      r.bind(path);
      const [t] = await loop.createDatagramEndpoint(() => new Sender(how), {
        family: asyncio.AF_UNIX,
        remoteAddr: path,
      });
      while (t.getWriteBufferSize() === 0) t.sendto(new Uint8Array(1000).fill(121));
      t.sendto(new Uint8Array(1000).fill(122));
      print(how, "queued", t.getWriteBufferSize());
      r.close();
      unlinkSync(path);
      await asyncio.sleep(0.1);
      print(how, "closed", t.isClosing());
    }
  } finally {
    rmdirSync(d);
  }
}

const EXPECTED = [
  "close queued 2000",
  "close error ConnectionRefusedError 1000",
  "close error OSError 0",
  "close lost None",
  "close closed True",
  "abort queued 2000",
  "abort error ConnectionRefusedError 1000",
  "abort error OSError 0",
  "abort lost None",
  `handler: Exception in callback _SelectorDatagramTransport._sendto_ready() AttributeError("'NoneType' object has no attribute '_remove_writer'")`,
  "abort closed True",
];

test("datagram close()/abort() from the last send error: connectionLost once", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_udp8_close_after_send_errors.py", () => {
  const ref = pythonReference("rp_udp8_close_after_send_errors");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
