// startServer() looks its hosts up in one task each, gathered, and skips an
// iteration once serving, as Python's create_server does: four loop
// iterations for a numeric host. Each accepted connection uses up a Task-N
// number (Python's _accept_connection2 task), so handler tasks and later
// ones get Python's names. Checked against CPython 3.11. The lookups run on
// the server's loop, also when it is not running yet.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function acceptTasks(print: (...args: unknown[]) => void): Promise<void> {
  const ticker = async (n: number) => {
    for (let i = 0; i < n; i++) {
      print("tick", i);
      await asyncio.sleep(0);
    }
  };
  // deno-lint-ignore require-await
  const handle = async (_r: asyncio.StreamReader, w: asyncio.StreamWriter) => {
    print("handler", asyncio.currentTask()!.getName());
    w.close();
  };
  let t = asyncio.createTask(() => ticker(6));
  await asyncio.sleep(0);
  print("start_server");
  const server = await asyncio.startServer(handle, "127.0.0.1", 0);
  print("started");
  await t;
  const [, port] = server.sockets[0].getsockname() as [string, number];
  for (let i = 0; i < 2; i++) {
    const [reader, writer] = await asyncio.openConnection("127.0.0.1", port);
    await reader.read();
    writer.close();
    await writer.waitClosed();
  }
  print("next task", asyncio.createTask(() => asyncio.sleep(0)).getName());
  t = asyncio.createTask(() => ticker(4));
  await asyncio.sleep(0);
  print("two hosts, not serving");
  const other = await asyncio.startServer(handle, ["127.0.0.1", "127.0.0.1"], 0, {
    startServing: false,
  });
  print("made", other.sockets.length);
  await t;
  print("next task", asyncio.createTask(() => asyncio.sleep(0)).getName());
  for (const s of [server, other]) {
    s.close();
    await s.waitClosed();
  }
}

const EXPECTED = [
  "tick 0",
  "start_server",
  "tick 1",
  "tick 2",
  "tick 3",
  "tick 4",
  "started",
  "tick 5",
  "handler Task-5",
  "handler Task-7",
  "next task Task-8",
  "tick 0",
  "two hosts, not serving",
  "tick 1",
  "tick 2",
  "tick 3",
  "made 1",
  "next task Task-12",
];

test("startServer takes Python's loop iterations and task numbers", async () => {
  const out: string[] = [];
  await asyncio.run(() => acceptTasks(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("loop.runUntilComplete(loop.createServer(...)) on a loop not yet running", async () => {
  // The lookup tasks belong to that loop, not to whatever loop is current.
  const loop = asyncio.newEventLoop();
  try {
    const f = () => new asyncio.Protocol();
    const server = await loop.runUntilComplete(loop.createServer(f, "127.0.0.1", 0));
    assertEquals(server.isServing(), true);
    assertEquals(server.sockets.length, 1);
    server.close();
    await loop.runUntilComplete(server.waitClosed());
  } finally {
    loop.close();
  }
}, { timeout: 20 });

test("CPython prints the same for srv_conf_accept_tasks.py", () => {
  const ref = pythonReference("srv_conf_accept_tasks");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
