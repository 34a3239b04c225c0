// A transport reads into a protocol's buffers only when it is a
// BufferedProtocol (Python's isinstance test): a Protocol with a helper
// method named getBuffer still gets dataReceived(), and a BufferedProtocol
// with a method named dataReceived still gets getBuffer() / bufferUpdated().
// Checked against CPython (tests/fixtures/py/rp_proto3_buffered_by_class.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";
import { pyRepr } from "../lib/format.ts";

type Print = (...args: unknown[]) => void;
type Done = asyncio.Future<[string, string]>;

class Collector extends asyncio.Protocol {
  buf: number[] = [];
  constructor(readonly done: Done) {
    super();
  }
  override dataReceived(d: Uint8Array): void {
    this.buf.push(...d);
  }
  getBuffer(): Uint8Array {
    return new Uint8Array(this.buf);
  }
  override eofReceived(): void {
    this.done.setResult(["Collector", pyRepr(this.getBuffer())]);
  }
}

class Chunks extends asyncio.BufferedProtocol {
  mem = new Uint8Array(4);
  parts: Uint8Array[] = [];
  constructor(readonly done: Done) {
    super();
  }
  override getBuffer(_hint: number): Uint8Array {
    return this.mem;
  }
  override bufferUpdated(n: number): void {
    this.dataReceived(this.mem.slice(0, n));
  }
  dataReceived(d: Uint8Array): void {
    this.parts.push(d);
  }
  override eofReceived(): void {
    this.done.setResult(["Chunks", `[${this.parts.map((p) => pyRepr(p)).join(", ")}]`]);
  }
}

async function app(print: Print): Promise<void> {
  const loop = asyncio.getRunningLoop();
  for (const cls of [Collector, Chunks]) {
    const done: Done = loop.createFuture();
    const server = await loop.createServer(() => new cls(done), "127.0.0.1", 0);
    const port = (server.sockets[0].getsockname() as [string, number])[1];
    const [t] = await loop.createConnection(() => new asyncio.Protocol(), "127.0.0.1", port);
    t.write(new TextEncoder().encode("hello world"));
    t.writeEof();
    const [name, got] = await asyncio.waitFor(done, 5);
    print(name, got);
    t.close();
    server.close();
    await server.waitClosed();
  }
}

const EXPECTED = [
  "Collector b'hello world'",
  "Chunks [b'hell', b'o wo', b'rld']",
];

test("only a BufferedProtocol is read into its own buffers", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_proto3_buffered_by_class.py", () => {
  const ref = pythonReference("rp_proto3_buffered_by_class");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
