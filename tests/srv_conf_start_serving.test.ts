// Server.startServing() skips one loop iteration after it starts listening,
// as Python's start_serving() does (`await tasks.sleep(0)`): a task that is
// ready runs before the caller resumes. On a closed server it raises
// Python's TypeError (and leaves it marked serving, as Python does).
// Checked against CPython.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function startServing(print: (...args: unknown[]) => void): Promise<void> {
  const handle = (_r: asyncio.StreamReader, w: asyncio.StreamWriter) => w.close();
  const ticker = async () => {
    for (let i = 0; i < 3; i++) {
      print("tick", i);
      await asyncio.sleep(0);
    }
  };
  const server = await asyncio.startServer(handle, "127.0.0.1", 0, { startServing: false });
  print("serving", server.isServing());
  const t = asyncio.createTask(ticker);
  print("start_serving");
  let r = await server.startServing();
  print("started", r, server.isServing());
  r = await server.startServing();
  print("again", r);
  await t;
  server.close();
  await server.waitClosed();
  print("closed", server.isServing());
  try {
    await server.startServing();
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    print("TypeError", e.message);
  }
  print("serving", server.isServing());
  print("again", await server.startServing(), server.isServing());
}

const EXPECTED = [
  "serving False",
  "start_serving",
  "tick 0",
  "started None True",
  "tick 1",
  "again None",
  "tick 2",
  "closed False",
  "TypeError 'NoneType' object is not iterable",
  "serving True",
  "again None True",
];

test("startServing() lets ready tasks run before the caller resumes", async () => {
  const out: string[] = [];
  await asyncio.run(() => startServing(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for srv_conf_start_serving.py", () => {
  const ref = pythonReference("srv_conf_start_serving");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
