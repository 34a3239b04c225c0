// CPython 3.11's default child watcher (a thread) posts a child's exit from
// a new thread's empty context: `processExited` and the `connectionLost` it
// brings on see none of the program's context variables, while
// `connectionMade` and the pipe callbacks see the context the subprocess was
// started in. The exit used to be reported in whichever context scheduled
// it last (at times the starter's).
// Checked against CPython (tests/fixtures/py/rp_ctx3_exit_context.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const v = new asyncio.ContextVar<string>("v", { default: "unset" });
  const bytes = (d: Uint8Array) => `b'${new TextDecoder().decode(d)}'`;
  class P extends asyncio.SubprocessProtocol {
    constructor(readonly done: asyncio.Future<null>) {
      super();
    }
    override connectionMade(_t: asyncio.BaseTransport) {
      print("made", v.get());
      v.set("made");
    }
    override pipeDataReceived(fd: number, data: Uint8Array) {
      print("data", fd, bytes(data), v.get());
    }
    override pipeConnectionLost(fd: number, _exc: Error | null) {
      print("pipe lost", fd, v.get());
    }
    override processExited() {
      print("exited", v.get());
      v.set("exited");
    }
    override connectionLost(_exc: Error | null) {
      print("lost", v.get());
      this.done.setResult(null);
    }
  }
  const loop = asyncio.getRunningLoop();
  v.set("main");
  const done = loop.createFuture<null>();
  const [tr] = await loop.subprocessExec(
    () => new P(done),
    "sh",
    "-c",
    "printf hi; exec >&-; sleep 0.1",
    {
      stdin: null,
      stderr: null,
    },
  );
  v.set("main2");
  await done;
  tr.close();
  const proc = await asyncio.createSubprocessExec("sh", "-c", "exit 3", {
    stdout: asyncio.DEVNULL,
  });
  print("wait", await proc.wait(), v.get());
}

const EXPECTED = [
  "made main",
  "data 1 b'hi' main",
  "pipe lost 1 main",
  "exited unset",
  "lost unset",
  "wait 3 main2",
];

test("a child's exit is reported in an empty context, as 3.11's watcher thread does", async () => {
  for (let i = 0; i < 3; i++) {
    const out: string[] = [];
    await asyncio.run(() => app(printer(out)));
    assertEquals(out, EXPECTED);
  }
});

test("CPython prints the same for rp_ctx3_exit_context.py", () => {
  const ref = pythonReference("rp_ctx3_exit_context");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
