// SystemExit and KeyboardInterrupt thrown in a protocol callback are no
// transport failure: no "Fatal error" report, no connectionLost; they leave
// the loop and asyncio.run() throws them, after cancelling the main task.
// Checked against CPython (tests/fixtures/py/rp_proto3_base_errors.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";
import { pyRepr } from "../lib/format.ts";

type Print = (...args: unknown[]) => void;

class Srv extends asyncio.Protocol {
  constructor(readonly where: string, readonly print: Print) {
    super();
  }
  override connectionMade(): void {
    if (this.where === "connection_made") {
      this.print("connection_made raises");
      throw new asyncio.SystemExit("bye");
    }
  }
  override dataReceived(d: Uint8Array): void {
    if (this.where === "data_received") {
      this.print("data_received raises", pyRepr(d));
      throw new asyncio.SystemExit(3);
    }
    if (this.where === "eof_received") this.print("data_received", pyRepr(d));
  }
  override eofReceived(): void {
    if (this.where === "eof_received") {
      this.print("eof_received raises");
      throw new asyncio.KeyboardInterrupt();
    }
  }
  override connectionLost(exc: Error | null): void {
    this.print("lost", pyRepr(exc));
  }
}

class Writer extends asyncio.Protocol {
  constructor(readonly print: Print) {
    super();
  }
  override pauseWriting(): void {
    this.print("pause_writing raises");
    throw new asyncio.SystemExit(4);
  }
}

// The servers the interrupted runs leave open (Python's garbage collector
// closes their sockets), closed by the test once each run is over.
const servers: asyncio.Server[] = [];

async function main(where: string, print: Print): Promise<void> {
  const loop = asyncio.getRunningLoop();
  loop.setExceptionHandler((_loop, ctx) => print("HANDLER", ctx.message));
  const server = await loop.createServer(() => new Srv(where, print), "127.0.0.1", 0);
  servers.push(server);
  const port = (server.sockets[0].getsockname() as [string, number])[1];
  const [t] = await loop.createConnection(() => new Writer(print), "127.0.0.1", port);
  try {
    if (where === "pause_writing") {
      t.setWriteBufferLimits(0);
      t.write(new Uint8Array(10_000_000));
      print("not reached");
    }
    t.write(new TextEncoder().encode("quit"));
    if (where === "eof_received") {
      await asyncio.sleep(0.05);
      t.writeEof();
    }
    await asyncio.sleep(1);
    print("not reached");
  } finally {
    print("main finally");
  }
}

async function app(print: Print): Promise<void> {
  for (const where of ["data_received", "eof_received", "connection_made", "pause_writing"]) {
    try {
      await asyncio.run(() => main(where, print));
    } catch (e) {
      if (e instanceof asyncio.SystemExit) print(where, "SystemExit", e.code);
      else if (e instanceof asyncio.KeyboardInterrupt) print(where, "KeyboardInterrupt");
      else throw e;
    }
    for (const server of servers.splice(0)) server.close();
  }
}

const EXPECTED = [
  "data_received raises b'quit'",
  "main finally",
  "data_received SystemExit 3",
  "data_received b'quit'",
  "eof_received raises",
  "main finally",
  "eof_received raises",
  "eof_received KeyboardInterrupt",
  "connection_made raises",
  "lost None",
  "connection_made SystemExit bye",
  "pause_writing raises",
  "main finally",
  "pause_writing SystemExit 4",
];

test("SystemExit and KeyboardInterrupt in protocol callbacks leave the loop", async () => {
  const out: string[] = [];
  await app(printer(out));
  assertEquals(out, EXPECTED);
}, { timeout: 30 });

test("CPython prints the same for rp_proto3_base_errors.py", () => {
  const ref = pythonReference("rp_proto3_base_errors");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
