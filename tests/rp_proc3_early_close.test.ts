// A child that closes its stdout (or its stdin) early and keeps running:
// pipe_connection_lost comes at once, process_exited and connection_lost
// when it exits, and the transport's repr shows each step.
// Checked against CPython (tests/fixtures/py/rp_proc3_early_close.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { bytesRepr, pyRepr } from "../lib/format.ts";
import * as asyncio from "../mod.ts";

const mask = (s: string) => s.replace(/(fd|pid)=\d+/g, "$1=N");

class P extends asyncio.SubprocessProtocol {
  log: string[] = [];
  t!: asyncio.SubprocessTransport;
  constructor(public done: asyncio.Future<string[]>) {
    super();
  }
  override connectionMade(t: asyncio.BaseTransport): void {
    this.t = t as asyncio.SubprocessTransport;
    this.log.push("made");
  }
  override pipeDataReceived(fd: number, data: Uint8Array): void {
    this.log.push(`data ${fd} ${bytesRepr(data)}`);
  }
  override pipeConnectionLost(fd: number, exc: Error | null): void {
    this.log.push(`lost ${fd} ${pyRepr(exc)}`);
  }
  override processExited(): void {
    this.log.push(`exited ${this.t.getReturncode()}`);
  }
  override connectionLost(_exc: Error | null): void {
    this.log.push("conn_lost");
    this.done.setResult(this.log);
  }
}

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  let done = loop.createFuture<string[]>();
  let [t, p] = await loop.subprocessShell(
    () => new P(done),
    "echo hello; exec 1>&-; sleep 0.5; exit 5",
    { stdin: null, stderr: null },
  );
  await asyncio.sleep(0.25);
  print(pyRepr(p.log));
  print(mask(String(t)));
  print(pyRepr(await done));
  print(mask(String(t)));
  t.close();
  print(mask(String(t)));

  let proc = await asyncio.createSubprocessExec(
    "sh",
    "-c",
    "echo early; exec 1>&-; sleep 0.3; exit 2",
    { stdout: asyncio.PIPE },
  );
  print(bytesRepr(await proc.stdout!.read()), proc.stdout!.atEof(), proc.returncode);
  print(await proc.wait());

  done = loop.createFuture<string[]>();
  [t, p] = await loop.subprocessExec(() => new P(done), "sh", "-c", "exec 0<&-; sleep 0.4", {
    stdout: null,
    stderr: null,
  });
  await asyncio.sleep(0.2);
  print(pyRepr(p.log), t.getPipeTransport(0)!.isClosing());
  print(pyRepr(await done));
  t.close();

  proc = await asyncio.createSubprocessExec("sh", "-c", "exec 0<&-; sleep 0.4", {
    stdin: asyncio.PIPE,
  });
  await asyncio.sleep(0.2);
  try {
    proc.stdin!.write(new Uint8Array(10).fill(120));
    await proc.stdin!.drain();
  } catch (e) {
    if (!(e instanceof asyncio.ConnectionResetError)) throw e;
    print(e.constructor.name, e.message);
  }
  print(await proc.wait());
}

const EXPECTED = [
  `['made', "data 1 b'hello\\\\n'", 'lost 1 None']`,
  "<_UnixSubprocessTransport pid=N running stdout=<_UnixReadPipeTransport closed fd=N closed>>",
  `['made', "data 1 b'hello\\\\n'", 'lost 1 None', 'exited 5', 'conn_lost']`,
  "<_UnixSubprocessTransport pid=N returncode=5 stdout=<_UnixReadPipeTransport closed fd=N closed>>",
  "<_UnixSubprocessTransport closed pid=N returncode=5 stdout=<_UnixReadPipeTransport closed fd=N closed>>",
  "b'early\\n' True None",
  "2",
  "['made', 'lost 0 None'] True",
  "['made', 'lost 0 None', 'exited 0', 'conn_lost']",
  "ConnectionResetError Connection lost",
  "0",
];

test("a child closing stdout or stdin early: pipe lost first, exit later", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_proc3_early_close.py", () => {
  const ref = pythonReference("rp_proc3_early_close");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
