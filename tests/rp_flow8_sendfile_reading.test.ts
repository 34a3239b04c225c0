// loop.sendfile() pauses the transport's reading until the file is sent, as
// Python's `_sendfile_native` does: isReading() is false meanwhile, what the
// peer sends then reaches dataReceived() afterwards, and a transport the
// user had paused stays paused. The library kept reading throughout.
// Checked against CPython (tests/fixtures/py/rp_flow8_sendfile_reading.py).
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { bytesRepr, pyRepr } from "../lib/format.ts";
import * as asyncio from "../mod.ts";

class P extends asyncio.Protocol {
  t!: asyncio.Transport;
  constructor(readonly log: string[]) {
    super();
  }
  override connectionMade(t: asyncio.BaseTransport): void {
    this.t = t as asyncio.Transport;
  }
  override dataReceived(d: Uint8Array): void {
    this.log.push(`data ${bytesRepr(d)}`);
  }
}

async function drainPeer(b: asyncio.Socket, total: number): Promise<number> {
  let got = 0;
  while (got < total) {
    try {
      got += b.recv(1 << 20).length;
    } catch (e) {
      if (!(e instanceof asyncio.BlockingIOError)) throw e;
      await asyncio.sleep(0.005);
    }
  }
  return got;
}

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const log: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), "flow8-"));
  const path = join(dir, "f");
  writeFileSync(path, new Uint8Array(1 << 20).fill(70));
  const f = openSync(path, "r");
  try {
    const [a, b] = asyncio.socketpair();
    b.setblocking(false);
    const [t0] = await loop.connectAcceptedSocket(() => new P(log), a);
    const t = t0 as asyncio.Transport;
    print("reading before", t.isReading());
    t.write(new Uint8Array(4 << 20).fill(104));
    let task = asyncio.createTask(() => loop.sendfile(t, f));
    await asyncio.sleep(0.01);
    print("reading during", t.isReading(), "buffered", t.getWriteBufferSize() > 0);
    try {
      t.write(new Uint8Array([120]));
    } catch (e) {
      if (!(e instanceof asyncio.RuntimeError)) throw e;
      print("write during:", e.message);
    }
    b.sendall(new TextEncoder().encode("ping"));
    let peer = asyncio.createTask(() => drainPeer(b, 5 << 20));
    const sent = await task;
    print("sent", sent, "reading after", t.isReading(), pyRepr(log));
    print("peer got", await peer);
    await asyncio.sleep(0.02);
    print(pyRepr(log));
    t.pauseReading();
    task = asyncio.createTask(() => loop.sendfile(t, f, 0, 10));
    peer = asyncio.createTask(() => drainPeer(b, 10));
    print("sent", await task, "reading", t.isReading(), "peer got", await peer);
    t.close();
    b.close();
  } finally {
    closeSync(f);
    rmSync(dir, { recursive: true, force: true });
  }
}

const EXPECTED = [
  "reading before True",
  "reading during False buffered True",
  "write during: unable to write; sendfile is in progress",
  "sent 1048576 reading after True []",
  "peer got 5242880",
  "[\"data b'ping'\"]",
  "sent 10 reading False peer got 10",
];

test("loop.sendfile pauses reading while the file goes out, as Python does", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_flow8_sendfile_reading.py", () => {
  const ref = pythonReference("rp_flow8_sendfile_reading");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
