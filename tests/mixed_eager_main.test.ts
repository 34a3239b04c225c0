// asyncio.run(main()) with main called first (the form a porter writes):
// main's first `await` is startServer, so it runs before any loop does. The
// server must be made on the loop run() then runs (not on getEventLoop()'s,
// which never runs), and the TaskGroup and timeout() blocks that follow,
// outside any task, must work as in Python. Checked against CPython.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

function program(print: (...args: unknown[]) => void) {
  const handle = async (reader: asyncio.StreamReader, writer: asyncio.StreamWriter) => {
    const line = await reader.readLine();
    if (dec.decode(line).startsWith("slow")) await asyncio.sleep(0.2);
    writer.write(enc.encode(dec.decode(line).toUpperCase()));
    await writer.drain();
    writer.close();
  };

  async function ask(port: number, text: string) {
    const [reader, writer] = await asyncio.openConnection("127.0.0.1", port);
    writer.write(enc.encode(text + "\n"));
    const reply = await reader.readLine();
    writer.close();
    await writer.waitClosed();
    print("reply", dec.decode(reply).trim());
    return reply;
  }

  async function main() {
    const server = await asyncio.startServer(handle, "127.0.0.1", 0);
    const port = (server.sockets[0].getsockname() as [string, number])[1];
    print("serving");
    await new asyncio.TaskGroup().run((tg) => {
      tg.createTask(() => ask(port, "one"));
      tg.createTask(() => ask(port, "two"));
    });
    print("group done");
    try {
      await asyncio.timeout(0.05, () => ask(port, "slow"));
    } catch (e) {
      if (!(e instanceof asyncio.TimeoutError)) throw e;
      print("slow request timed out");
    }
    const proc = await asyncio.createSubprocessExec("echo", "child", {
      stdout: asyncio.subprocess.PIPE,
    });
    const [out] = await proc.communicate();
    print("child said", dec.decode(out!).trim(), "rc", proc.returncode);
    server.close();
    await server.waitClosed();
    await asyncio.sleep(0.2);
    print("done");
  }

  return main;
}

const EXPECTED = [
  "serving",
  "reply ONE",
  "reply TWO",
  "group done",
  "slow request timed out",
  "child said child rc 0",
  "done",
];

test(
  "asyncio.run(main()): a server started before the loop runs serves on run()'s loop",
  async () => {
    const out: string[] = [];
    const main = program(printer(out));
    await asyncio.run(main());
    assertEquals(out, EXPECTED);
  },
  { timeout: 20 },
);

test("loop.runUntilComplete(startServer(...)) on a loop that is not the current one", async () => {
  const loop = asyncio.newEventLoop();
  try {
    const server = await loop.runUntilComplete(
      asyncio.startServer((_r, w) => w.close(), "127.0.0.1", 0),
    );
    assertEquals(server.getLoop(), loop);
    server.close();
    await loop.runUntilComplete(server.waitClosed());
  } finally {
    loop.close();
  }
}, { timeout: 20 });

test("CPython prints the same for mixed_eager_main.py", () => {
  const ref = pythonReference("mixed_eager_main");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
