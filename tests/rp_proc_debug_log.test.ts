// In debug mode the loop logs each child it starts (the program and the
// streams given, then the transport once its pipes are connected), each
// pipe it connects, each step of communicate() and the reaping of the
// child, as CPython 3.11 does; none of these lines were logged. Pids and
// fds are masked; exit lines, whose place races with the pipes' EOF, are
// only counted; slow-step warnings are left out. Checked against CPython
// (tests/fixtures/py/rp_proc_debug_log.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const { DEVNULL, PIPE, STDOUT } = asyncio;

async function app(print: (...args: unknown[]) => void, exits: string[]): Promise<void> {
  const loop = asyncio.getRunningLoop();
  let p = await asyncio.createSubprocessExec("cat", { stdin: PIPE, stdout: PIPE });
  const [out] = await p.communicate(new TextEncoder().encode("hi\n"));
  const text = new TextDecoder().decode(out!).replace("\n", "\\n");
  print("out", `b'${text}'`, "rc", p.returncode, "exit lines", exits.length);

  exits.length = 0;
  p = await asyncio.createSubprocessShell("echo x; exit 3", { stdout: DEVNULL, stderr: STDOUT });
  print("rc", await p.wait(), "exit lines", exits.length);

  exits.length = 0;
  class Quiet extends asyncio.SubprocessProtocol {
    lost = loop.createFuture<void>();
    override connectionLost() {
      this.lost.setResult(undefined);
    }
  }
  const [t, proto] = await loop.subprocessExec(() => new Quiet(), "cat", {
    stdout: DEVNULL,
    stderr: DEVNULL,
  });
  t.getPipeTransport(0)!.close();
  await proto.lost;
  t.close();
  print("closed", "exit lines", exits.length);

  class Sink extends asyncio.Protocol {
    override toString() {
      return "<Sink>";
    }
  }
  const [r, w] = asyncio.pipe();
  const [rt] = await loop.connectReadPipe(() => new Sink(), { fileno: () => r });
  const [wt] = await loop.connectWritePipe(() => new Sink(), { fileno: () => w });
  wt.close();
  await asyncio.sleep(0.05);
  rt.close();
}

const EXPECTED = [
  "DEBUG execute program 'cat' stdin=<pipe> stdout=<pipe>",
  "DEBUG process 'cat' created: pid N",
  "DEBUG Write pipe N connected: (<_UnixWritePipeTransport fd=N idle bufsize=0>, <WriteSubprocessPipeProto fd=N pipe=<_UnixWritePipeTransport fd=N idle bufsize=0>>)",
  "DEBUG Read pipe N connected: (<_UnixReadPipeTransport fd=N polling>, <ReadSubprocessPipeProto fd=N pipe=<_UnixReadPipeTransport fd=N polling>>)",
  "INFO execute program 'cat': <_UnixSubprocessTransport pid=N running stdin=<_UnixWritePipeTransport fd=N idle bufsize=0> stdout=<_UnixReadPipeTransport fd=N polling>>",
  "DEBUG <Process N> communicate: feed stdin (3 bytes)",
  "DEBUG <Process N> communicate: close stdin",
  "DEBUG <Process N> communicate: read stdout",
  "INFO <_UnixReadPipeTransport fd=N polling> was closed by peer",
  "DEBUG <Process N> communicate: close stdout",
  "out b'hi\\n' rc 0 exit lines 2",
  "DEBUG run shell command 'echo x; exit 3' stdout=stderr=-3",
  "DEBUG process 'echo x; exit 3' created: pid N",
  "INFO run shell command 'echo x; exit 3': <_UnixSubprocessTransport pid=N running>",
  "rc 3 exit lines 2",
  "DEBUG execute program 'cat' stdin=<pipe> stdout=-3 stderr=-3",
  "DEBUG process 'cat' created: pid N",
  "DEBUG Write pipe N connected: (<_UnixWritePipeTransport fd=N idle bufsize=0>, <WriteSubprocessPipeProto fd=N pipe=<_UnixWritePipeTransport fd=N idle bufsize=0>>)",
  "INFO execute program 'cat': <_UnixSubprocessTransport pid=N running stdin=<_UnixWritePipeTransport fd=N idle bufsize=0>>",
  "closed exit lines 2",
  "DEBUG Read pipe N connected: (<_UnixReadPipeTransport fd=N polling>, <Sink>)",
  "DEBUG Write pipe N connected: (<_UnixWritePipeTransport fd=N idle bufsize=0>, <Sink>)",
  "INFO <_UnixReadPipeTransport fd=N polling> was closed by peer",
];

test("debug mode logs the children started, their pipes and communicate()", async () => {
  const out: string[] = [];
  const exits: string[] = [];
  const print = printer(out);
  const show = (r: asyncio.LogRecord) => {
    const msg = r.message
      .replace(/\b(pid|fd)=\d+/g, "$1=N")
      .replace(/(pipe|pid|process) \d+/g, "$1 N")
      .replace(/<Process \d+>/g, "<Process N>");
    if (msg.includes("exited with return")) exits.push(msg);
    else if (msg.startsWith("Executing ")) return; // a slow step, on a loaded machine
    else if (r.level >= asyncio.INFO || !msg.includes("selector") && !msg.includes("Close <")) {
      print(r.levelName, msg);
    }
  };
  asyncio.logger.addHandler(show);
  asyncio.logger.setLevel(asyncio.DEBUG);
  try {
    await asyncio.run(() => app(print, exits), { debug: true });
  } finally {
    asyncio.logger.removeHandler(show);
    asyncio.logger.setLevel(0);
  }
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_proc_debug_log.py", () => {
  const ref = pythonReference("rp_proc_debug_log");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
