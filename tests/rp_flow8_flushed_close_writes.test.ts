// A transport closed with data buffered runs connectionLost once the buffer
// is flushed, and Python 3.11 does not count that loss: a later write()
// raises AttributeError ("'NoneType' object has no attribute
// 'call_exception_handler'"), an abort() "... 'call_soon'" (counting the
// loss, so later writes are dropped). The library sent on the closed fd
// (whose number may be another socket's by then) and reported EBADF.
// Checked against CPython (tests/fixtures/py/rp_flow8_flushed_close_writes.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { bytesRepr, pyRepr } from "../lib/format.ts";
import * as asyncio from "../mod.ts";

class P extends asyncio.Protocol {
  t!: asyncio.Transport;
  lost = asyncio.getRunningLoop().createFuture<null>();
  constructor(readonly log: string[]) {
    super();
  }
  override connectionMade(t: asyncio.BaseTransport): void {
    this.t = t as asyncio.Transport;
  }
  override pauseWriting(): void {
    this.log.push("pause");
  }
  override resumeWriting(): void {
    this.log.push("resume");
  }
  override connectionLost(exc: Error | null): void {
    this.log.push(`lost ${pyRepr(exc)}`);
    this.lost.setResult(null);
  }
}

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const log: string[] = [];
  const [a, b] = asyncio.socketpair();
  b.setblocking(false);
  const [t0, p] = await loop.connectAcceptedSocket(() => new P(log), a);
  const t = t0 as asyncio.Transport;
  const big = new Uint8Array(4 << 20).fill(117);
  t.write(big);
  t.close();
  t.write(new TextEncoder().encode("after-close"));
  t.write(new Uint8Array(0));
  print("closing", t.isClosing(), "buffered", t.getWriteBufferSize() > 0);
  let got = 0;
  for (;;) {
    let chunk: Uint8Array;
    try {
      chunk = b.recv(1 << 20);
    } catch (e) {
      if (!(e instanceof asyncio.BlockingIOError)) throw e;
      await asyncio.sleep(0.005);
      continue;
    }
    if (chunk.length === 0) break;
    got += chunk.length;
  }
  await p.lost;
  print("peer got", got === big.length + 11, pyRepr(log));
  for (const data of [new Uint8Array([122]), new Uint8Array(0), new Uint8Array([122])]) {
    try {
      t.write(data);
      print("write", bytesRepr(data), "ok");
    } catch (e) {
      print("write", bytesRepr(data), (e as Error).name, (e as Error).message);
    }
  }
  try {
    t.writeLines([new Uint8Array([97]), new Uint8Array([98])]);
  } catch (e) {
    print("writelines", (e as Error).name, (e as Error).message);
  }
  t.close();
  t.writeEof();
  for (let i = 0; i < 2; i++) {
    try {
      t.abort();
      print("abort ok");
    } catch (e) {
      print("abort", (e as Error).name, (e as Error).message);
    }
  }
  t.write(new TextEncoder().encode("silent"));
  print("closing", t.isClosing(), "size", t.getWriteBufferSize(), t.getProtocol());
  await asyncio.sleep(0.01);
  print(pyRepr(log));
  b.close();

  // The same through a StreamWriter: only a close that had to flush.
  const conns = new asyncio.Queue<asyncio.StreamWriter>();
  const srv = await asyncio.startServer(
    async (_r, w) => {
      await conns.put(w);
    },
    "127.0.0.1",
    0,
  );
  const port = (srv.sockets[0].getsockname() as [string, number])[1];
  for (const size of [10, 8 << 20]) {
    const [cr, cw] = await asyncio.openConnection("127.0.0.1", port);
    const sw = await conns.get();
    sw.write(new Uint8Array(size).fill(100));
    sw.close();
    const reader = asyncio.createTask(() => cr.read());
    await sw.waitClosed();
    print(size, "peer got", (await reader).length === size);
    try {
      sw.write(new Uint8Array([120]));
      print(size, "write ok");
    } catch (e) {
      print(size, "write", (e as Error).name, (e as Error).message);
    }
    try {
      await sw.drain();
    } catch (e) {
      print(size, "drain", (e as Error).name, (e as Error).message);
    }
    cw.close();
    await cw.waitClosed();
  }
  srv.close();
  await srv.waitClosed();
}

const EXPECTED = [
  "closing True buffered True",
  "peer got True ['pause', 'resume', 'lost None']",
  "write b'z' AttributeError 'NoneType' object has no attribute 'call_exception_handler'",
  "write b'' ok",
  "write b'z' AttributeError 'NoneType' object has no attribute 'call_exception_handler'",
  "writelines AttributeError 'NoneType' object has no attribute 'call_exception_handler'",
  "abort AttributeError 'NoneType' object has no attribute 'call_soon'",
  "abort ok",
  "closing True size 0 None",
  "['pause', 'resume', 'lost None']",
  "10 peer got True",
  "10 write ok",
  "10 drain ConnectionResetError Connection lost",
  "8388608 peer got True",
  "8388608 write AttributeError 'NoneType' object has no attribute 'call_exception_handler'",
  "8388608 drain ConnectionResetError Connection lost",
];

test("after a flushed close, write() and abort() fail as Python 3.11's do, never on the fd", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_flow8_flushed_close_writes.py", () => {
  const ref = pythonReference("rp_flow8_flushed_close_writes");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
