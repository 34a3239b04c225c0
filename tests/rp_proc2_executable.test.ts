// `executable` names the file to run, as Popen's does: the program name stays
// argv[0] for exec, and a shell command runs in that shell instead of
// /bin/sh; a missing one is the FileNotFoundError named after it. The option
// was accepted and ignored: the program, or /bin/sh, ran instead. Checked
// against CPython (tests/fixtures/py/rp_proc2_executable.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const PIPE = asyncio.PIPE;
const sh = new TextEncoder().encode("sh");

function bytes(b: Uint8Array | null): string {
  return b === null ? "None" : `b'${new TextDecoder().decode(b).replaceAll("\n", "\\n")}'`;
}

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const run = async (start: Promise<asyncio.Process>) => {
    let p: asyncio.Process;
    try {
      p = await start;
    } catch (e) {
      if (!(e instanceof asyncio.OSError)) throw e;
      print(e.constructor.name, e.message, `'${e.filename}'`);
      return;
    }
    const [out] = await p.communicate();
    print(p.returncode, bytes(out));
  };
  await run(asyncio.createSubprocessShell("echo $0", { stdout: PIPE }));
  await run(asyncio.createSubprocessShell("echo $0", { executable: "sh", stdout: PIPE }));
  await run(asyncio.createSubprocessShell("echo $0", { executable: sh, stdout: PIPE }));
  await run(
    asyncio.createSubprocessExec("fancy-name", "-c", "echo $0", {
      executable: "/bin/sh",
      stdout: PIPE,
    }),
  );
  await run(asyncio.createSubprocessExec("sh", "-c", "exit 3", { executable: "/nope/sh" }));
  await run(asyncio.createSubprocessShell("echo hi", { executable: "no-such-shell" }));
  await run(asyncio.createSubprocessShell("echo hi", { executable: "" }));
  const loop = asyncio.getRunningLoop() as asyncio.BaseSelectorEventLoop;
  const fut = loop.createFuture<Error | null>();
  class Proto extends asyncio.SubprocessProtocol {
    override pipeDataReceived(fd: number, data: Uint8Array): void {
      print("proto", fd, bytes(data));
    }
    override connectionLost(exc: Error | null): void {
      fut.setResult(exc);
    }
  }
  const [tr] = await loop.subprocessShell(() => new Proto(), "echo $0", {
    executable: "sh",
    stdin: null,
    stderr: null,
  });
  await fut;
  tr.close();
}

const EXPECTED = [
  "0 b'/bin/sh\\n'",
  "0 b'sh\\n'",
  "0 b'sh\\n'",
  "0 b'fancy-name\\n'",
  "FileNotFoundError [Errno 2] No such file or directory: '/nope/sh' '/nope/sh'",
  "FileNotFoundError [Errno 2] No such file or directory: 'no-such-shell' 'no-such-shell'",
  "PermissionError [Errno 13] Permission denied: '' ''",
  "proto 1 b'sh\\n'",
];

test("executable= runs that file, with the program name as argv[0]", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_proc2_executable.py", () => {
  const ref = pythonReference("rp_proc2_executable");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
