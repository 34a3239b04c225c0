// Two producers write and drain() lines that never fill the transport's
// buffer: such a drain() does not suspend a Python task, so each producer's
// loop runs in one step, before the other's. The loop's microtask drain used
// to cut the step off after a few rounds and interleave the producers.
// Checked against CPython (tests/fixtures/py/rp_str_drain_steps.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function producersApp(print: (...args: unknown[]) => void): Promise<void> {
  const enc = (s: string) => new TextEncoder().encode(s);
  async function handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) {
    let n = 0;
    for await (const _line of reader) n++;
    print("server got", n);
    writer.close();
  }
  async function produce(i: number, port: number) {
    const [reader, writer] = await asyncio.openConnection("127.0.0.1", port);
    await asyncio.sleep(0.01);
    for (let j = 0; j < 40; j++) {
      writer.write(enc(`line ${j}\n`));
      await writer.drain();
      if (j % 10 === 9) print("producer", i, "wrote", j + 1);
    }
    writer.writeEof();
    await reader.read();
    writer.close();
    await writer.waitClosed();
  }
  const server = await asyncio.startServer(handle, "127.0.0.1", 0);
  const port = (server.sockets[0].getsockname() as [string, number])[1];
  await asyncio.gather(() => produce(0, port), () => produce(1, port));
  server.close();
  await server.waitClosed();
}

const EXPECTED = [
  "producer 0 wrote 10",
  "producer 0 wrote 20",
  "producer 0 wrote 30",
  "producer 0 wrote 40",
  "producer 1 wrote 10",
  "producer 1 wrote 20",
  "producer 1 wrote 30",
  "producer 1 wrote 40",
  "server got 40",
  "server got 40",
];

test("a drain() that need not wait does not end a task's step", async () => {
  const out: string[] = [];
  await asyncio.run(() => producersApp(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_str_drain_steps.py", () => {
  const ref = pythonReference("rp_str_drain_steps");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
