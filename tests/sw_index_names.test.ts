// Names of asyncio.__all__ in the modules that the spec's index lists:
// isfuture() and AbstractServer, the base class of Server; checked against
// CPython (tests/fixtures/py/sw_index_names.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

/** The port of sw_index_names.py, line for line. */
async function program(print: (...args: unknown[]) => void): Promise<void> {
  const kase = (label: string, f: () => unknown) => {
    try {
      print(label, "->", f());
    } catch (e) {
      print(label, "raised", (e as Error).name, `'${(e as Error).message}'`);
    }
  };
  const loop = asyncio.getRunningLoop();
  const fut = loop.createFuture();
  const task = asyncio.createTask(asyncio.sleep(0));
  print(
    "isfuture",
    asyncio.isfuture(fut),
    asyncio.isfuture(task),
    asyncio.isfuture(asyncio.Future),
    asyncio.isfuture(null),
    asyncio.isfuture(1),
  );
  await task;
  fut.cancel();
  const server = await asyncio.startServer(() => {}, "127.0.0.1", 0);
  print("Server is AbstractServer", server instanceof asyncio.AbstractServer);
  {
    await using _ = server;
    print("serving", server.isServing());
  }
  print("serving", server.isServing());
  const base = new asyncio.AbstractServer();
  const masked = (x: unknown) => String(x).replace(/0x[0-9a-f]+/, "0x...");
  print(masked(base));
  class MyServer extends asyncio.AbstractServer {
    override isServing(): boolean {
      return "mine" as unknown as boolean;
    }
  }
  print(masked(new MyServer()), new MyServer().isServing());
  kase("close", () => base.close());
  kase("get_loop", () => base.getLoop());
  kase("is_serving", () => base.isServing());
  for (
    const [name, f] of [
      ["start_serving", () => base.startServing()],
      ["serve_forever", () => base.serveForever()],
      ["wait_closed", () => base.waitClosed()],
    ] as const
  ) {
    try {
      await f();
    } catch (e) {
      if (!(e instanceof asyncio.NotImplementedError)) throw e;
      print(name, "raised NotImplementedError", `'${e.message}'`);
    }
  }
  try {
    await using _ = base;
    print("body runs");
  } catch (e) {
    if (!(e instanceof asyncio.NotImplementedError)) throw e;
    print("exit raised NotImplementedError");
  }
}

const EXPECTED = [
  "isfuture True True False False False",
  "Server is AbstractServer True",
  "serving True",
  "serving False",
  "<asyncio.events.AbstractServer object at 0x...>",
  "<__main__.MyServer object at 0x...> mine",
  "close raised NotImplementedError ''",
  "get_loop raised NotImplementedError ''",
  "is_serving raised NotImplementedError ''",
  "start_serving raised NotImplementedError ''",
  "serve_forever raised NotImplementedError ''",
  "wait_closed raised NotImplementedError ''",
  "body runs",
  "exit raised NotImplementedError",
];

test("isfuture() and AbstractServer, as Python's asyncio exports them", async () => {
  const out: string[] = [];
  await asyncio.run(() => program(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for sw_index_names.py", () => {
  const ref = pythonReference("sw_index_names");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
