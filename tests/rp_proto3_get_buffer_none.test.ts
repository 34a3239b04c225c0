// BufferedProtocol.getBuffer() returns null by default, as Python's returns
// None; a transport takes its len() and fails with that TypeError (not the
// RuntimeError of an empty buffer), also for an override that forgets to
// return its buffer.
// Checked against CPython (tests/fixtures/py/rp_proto3_get_buffer_none.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

type Print = (...args: unknown[]) => void;

class NoBuffer extends asyncio.BufferedProtocol {
  constructor(readonly log: string[]) {
    super();
  }
  override connectionMade(): void {
    this.log.push("made");
  }
  override bufferUpdated(n: number): void {
    this.log.push(`updated ${n}`);
  }
  override connectionLost(exc: Error | null): void {
    this.log.push(`lost ${exc?.constructor.name}: ${exc?.message}`);
  }
}

class Forgot extends NoBuffer {
  buf = new Uint8Array(0);
  // The ported bug: no `return this.buf`.
  override getBuffer(_hint: number): Uint8Array {
    this.buf = new Uint8Array(16);
    this.log.push("get_buffer without return");
    return undefined as unknown as Uint8Array;
  }
}

class Empty extends NoBuffer {
  override getBuffer(_hint: number): Uint8Array {
    return new Uint8Array(0);
  }
}

async function app(print: Print): Promise<void> {
  const loop = asyncio.getRunningLoop();
  loop.setExceptionHandler((_loop, ctx) => {
    const e = ctx.exception as Error;
    print("HANDLER", ctx.message, e.constructor.name, e.message);
  });
  print(new asyncio.BufferedProtocol().getBuffer(10));
  for (const cls of [NoBuffer, Forgot, Empty]) {
    const log: string[] = [];
    const server = await loop.createServer(() => new cls(log), "127.0.0.1", 0);
    const port = (server.sockets[0].getsockname() as [string, number])[1];
    const [t] = await loop.createConnection(() => new asyncio.Protocol(), "127.0.0.1", port);
    t.write(new TextEncoder().encode("data"));
    await asyncio.sleep(0.05);
    print(cls.name, `[${log.map((s) => s.includes("'") ? `"${s}"` : `'${s}'`).join(", ")}]`);
    t.close();
    server.close();
    await server.waitClosed();
  }
}

const EXPECTED = [
  "None",
  "HANDLER Fatal error: protocol.get_buffer() call failed. TypeError object of type 'NoneType' has no len()",
  `NoBuffer ['made', "lost TypeError: object of type 'NoneType' has no len()"]`,
  "HANDLER Fatal error: protocol.get_buffer() call failed. TypeError object of type 'NoneType' has no len()",
  `Forgot ['made', 'get_buffer without return', "lost TypeError: object of type 'NoneType' has no len()"]`,
  "HANDLER Fatal error: protocol.get_buffer() call failed. RuntimeError get_buffer() returned an empty buffer",
  "Empty ['made', 'lost RuntimeError: get_buffer() returned an empty buffer']",
];

test("a getBuffer() that returns no buffer fails as Python's len(None)", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_proto3_get_buffer_none.py", () => {
  const ref = pythonReference("rp_proto3_get_buffer_none");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
