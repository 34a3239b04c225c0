// close() with datagrams queued calls connectionLost once they are sent,
// without counting the transport as lost: a later sendto(), connected or
// not, raises Python 3.11's AttributeError (its socket and loop are None),
// not an errorReceived(EBADF); so does the first abort(), instead of a
// second connectionLost. Checked against CPython
// (tests/fixtures/py/rp_udp8_sendto_after_drain.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { pyRepr } from "../lib/format.ts";
import * as asyncio from "../mod.ts";
// Not exported (API.md lists no AttributeError): what Python raises here.
import { AttributeError } from "../lib/exceptions.ts";
import { mkdtempSync, rmdirSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  class S extends asyncio.DatagramProtocol {
    override errorReceived(exc: Error): void {
      print("error_received", pyRepr(exc));
    }
    override connectionLost(exc: Error | null): void {
      print("lost", exc);
    }
  }
  const loop = asyncio.getRunningLoop();
  const d = mkdtempSync(join(tmpdir(), "rp_udp8_"));
  const path = join(d, "rx.sock");
  const r = asyncio.socket(asyncio.AF_UNIX, asyncio.SOCK_DGRAM);
  r.bind(path);
  r.setblocking(false);
  try {
    for (const how of ["connected", "unconnected"]) {
      const connected = how === "connected";
      const [t] = await loop.createDatagramEndpoint(
        () => new S(),
        connected ? { family: asyncio.AF_UNIX, remoteAddr: path } : { family: asyncio.AF_UNIX },
      );
      const addr = connected ? null : path;
      while (t.getWriteBufferSize() === 0) t.sendto(new Uint8Array(1000).fill(121), addr);
      t.close();
      print(how, "closing", t.getWriteBufferSize() > 0);
      while (t.getWriteBufferSize()) await loop.sockRecv(r, 2000);
      await asyncio.sleep(0.01);
      while (true) {
        try {
          r.recv(2000);
        } catch (e) {
          if (e instanceof asyncio.BlockingIOError) break;
          throw e;
        }
      }
      for (const data of ["after drain", "again"]) {
        try {
          t.sendto(new TextEncoder().encode(data), addr);
          print(how, "sendto returned");
        } catch (e) {
          if (!(e instanceof AttributeError)) throw e;
          print(how, "sendto raised", e.constructor.name, e.message);
        }
      }
      for (const m of ["abort", "close", "abort"] as const) {
        try {
          t[m]();
          print(how, m, "returned");
        } catch (e) {
          if (!(e instanceof AttributeError)) throw e;
          print(how, m, "raised", e.message);
        }
      }
      await asyncio.sleep(0.01);
    }
  } finally {
    r.close();
    unlinkSync(path);
    rmdirSync(d);
  }
}

const RAISED = "sendto raised AttributeError 'NoneType' object has no attribute " +
  "'call_exception_handler'";
const EXPECTED = [
  "connected closing True",
  "lost None",
  `connected ${RAISED}`,
  `connected ${RAISED}`,
  "connected abort raised 'NoneType' object has no attribute 'call_soon'",
  "connected close returned",
  "connected abort returned",
  "unconnected closing True",
  "lost None",
  `unconnected ${RAISED}`,
  `unconnected ${RAISED}`,
  "unconnected abort raised 'NoneType' object has no attribute 'call_soon'",
  "unconnected close returned",
  "unconnected abort returned",
];

test("sendto after a close() that drained the queue raises AttributeError", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_udp8_sendto_after_drain.py", () => {
  const ref = pythonReference("rp_udp8_sendto_after_drain");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
