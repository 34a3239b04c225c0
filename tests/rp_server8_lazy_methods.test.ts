// `server.startServing()` and `server.waitClosed()` are lazy, as Python's
// coroutines are: `createTask(server.waitClosed())` made before `close()`
// but first run after it returns at once (3.11), where an eager call had
// registered its waiter and waited for the open connections; and
// `createTask(server.startServing())` does not serve before its task runs.
// Checked against CPython (tests/fixtures/py/rp_server8_lazy_methods.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter): Promise<void> {
  await reader.read();
  writer.close();
}

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const server = await asyncio.startServer(handle, "127.0.0.1", 0, { startServing: false });
  const t = asyncio.createTask(server.startServing());
  print("after create_task", server.isServing());
  print("start_serving ->", await t, server.isServing());
  const port = (server.sockets[0].getsockname() as [string, number])[1];
  const [_r, w] = await asyncio.openConnection("127.0.0.1", port);
  await asyncio.sleep(0.05);
  const early = asyncio.createTask(server.waitClosed());
  await asyncio.sleep(0);
  const late = asyncio.createTask(server.waitClosed());
  server.close();
  await asyncio.sleep(0.05);
  print("started before close", early.done(), "started after", late.done());
  w.close();
  await w.waitClosed();
  await asyncio.sleep(0.05);
  print("client closed", early.done(), late.result());
  print("again", await server.waitClosed());
}

const EXPECTED = [
  "after create_task False",
  "start_serving -> None True",
  "started before close False started after True",
  "client closed True None",
  "again None",
];

test("createTask(server.waitClosed() / startServing()) runs in its task", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 30 });

test("CPython prints the same for rp_server8_lazy_methods.py", () => {
  const ref = pythonReference("rp_server8_lazy_methods");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
