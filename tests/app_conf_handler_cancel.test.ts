// A watchdog cancels a server's hung client_connected_cb task: as in 3.11,
// the stream protocol's done callback fails on the cancelled task's
// exception() (reported by the loop) and the connection stays open.
// Checked against CPython (tests/fixtures/py/app_conf_handler_cancel.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function watchdogApp(print: (...args: unknown[]) => void): Promise<void> {
  const handlerTasks: asyncio.Task<unknown>[] = [];
  async function handler(reader: asyncio.StreamReader, _writer: asyncio.StreamWriter) {
    handlerTasks.push(asyncio.currentTask()!);
    try {
      await reader.read(); // hangs: the client never sends EOF
    } catch (e) {
      if (e instanceof asyncio.CancelledError) print("handler cancelled");
      throw e;
    }
  }
  async function watchdog() {
    await asyncio.sleep(0.02);
    for (const t of handlerTasks) print("watchdog cancels", t.cancel() ? "True" : "False");
  }
  const loop = asyncio.getRunningLoop();
  loop.setExceptionHandler((_loop, context) => {
    print(
      "report:",
      String(context.message).split("(")[0],
      (context.exception as Error).constructor.name,
      "transport" in context ? "True" : "False",
    );
  });
  const server = await asyncio.startServer(handler, "127.0.0.1", 0);
  const [host, port] = server.sockets[0].getsockname() as [string, number];
  const [reader, writer] = await asyncio.openConnection(host, port);
  writer.write(new TextEncoder().encode("ping\n"));
  await watchdog();
  await asyncio.sleep(0.02);
  try {
    print("client read", await asyncio.waitFor(reader.read(), 0.2));
  } catch (e) {
    if (!(e instanceof asyncio.TimeoutError)) throw e;
    print("client read timed out: the connection is still open");
  }
  writer.close();
  await writer.waitClosed();
  server.close();
  await server.waitClosed();
  print("done");
}

const EXPECTED = [
  "watchdog cancels True",
  "handler cancelled",
  "report: Exception in callback StreamReaderProtocol.connection_made.<locals>.callback CancelledError False",
  "client read timed out: the connection is still open",
  "done",
];

test(
  "a cancelled client_connected_cb task is reported and its connection left open (3.11)",
  async () => {
    const out: string[] = [];
    await asyncio.run(() => watchdogApp(printer(out)));
    assertEquals(out, EXPECTED);
  },
  { timeout: 20 },
);

test("CPython prints the same for app_conf_handler_cancel.py", () => {
  const ref = pythonReference("app_conf_handler_cancel");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
