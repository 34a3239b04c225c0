// `createTask(server.serveForever())`, the tutorial's Python idiom, makes
// a task that runs the serving: cancelling it closes the server, as in
// CPython (an eager call ran detached and the server kept serving).
// Checked against CPython (tests/fixtures/py/rp_tutor8_serve_forever_task.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

async function handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter): Promise<void> {
  const line = await reader.readLine();
  writer.write(enc.encode(dec.decode(line).toUpperCase()));
  await writer.drain();
  writer.close();
}

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const server = await asyncio.startServer(handle, "127.0.0.1", 0);
  const port = (server.sockets[0].getsockname() as [string, number])[1];
  const coro = server.serveForever();
  print("coroutine", asyncio.iscoroutine(coro), "serving", server.isServing());
  const serve = asyncio.createTask(coro);
  await asyncio.sleep(0);
  print("serving", server.isServing());
  const [r, w] = await asyncio.openConnection("127.0.0.1", port);
  w.write(enc.encode("ping\n"));
  print(`b'${dec.decode(await r.readLine()).replace("\n", "\\n")}'`);
  w.close();
  await w.waitClosed();
  serve.cancel();
  try {
    await serve;
  } catch (e) {
    if (!(e instanceof asyncio.CancelledError)) throw e;
    print("cancelled", serve.cancelled(), "serving", server.isServing());
  }
  await server.waitClosed();
  print("sockets", server.sockets.length);
  try {
    await server.serveForever();
  } catch (e) {
    if (!(e instanceof asyncio.RuntimeError)) throw e;
    print("RuntimeError:", e.message);
  }
  try {
    await asyncio.openConnection("127.0.0.1", port);
  } catch (e) {
    if (!(e instanceof asyncio.ConnectionRefusedError)) throw e;
    print("refused", e.errno);
  }
}

const EXPECTED = [
  "coroutine True serving True",
  "serving True",
  "b'PING\\n'",
  "cancelled True serving False",
  "sockets 0",
  "RuntimeError: server <Server sockets=()> is closed",
  "refused 111",
];

test("cancelling the task of serveForever() closes the server", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 30 });

test("CPython prints the same for rp_tutor8_serve_forever_task.py", () => {
  const ref = pythonReference("rp_tutor8_serve_forever_task");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
