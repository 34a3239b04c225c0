// Writes to a child's stdin pipe once it is closed (by us, or because the
// child exited) are dropped, and the transport warns from the sixth such
// write on. Closing the pipe used to count as the first lost write, so the
// warning came one write early. Checked against CPython
// (tests/fixtures/py/rp_proc_pipe_closed_writes.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const PIPE = asyncio.PIPE;

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const line = new TextEncoder().encode("line\n");
  let p = await asyncio.createSubprocessExec("true", { stdin: PIPE });
  print("exited", await p.wait());
  for (let i = 0; i < 7; i++) {
    print("write", i + 1);
    p.stdin!.write(line);
  }
  p.stdin!.close();

  p = await asyncio.createSubprocessExec("cat", { stdin: PIPE, stdout: PIPE });
  p.stdin!.write(new TextEncoder().encode("last\n"));
  p.stdin!.close();
  await p.stdin!.waitClosed();
  const out = new TextDecoder().decode(await p.stdout!.read());
  print("closed", `b'${out.replace("\n", "\\n")}'`);
  for (let i = 0; i < 6; i++) {
    print("write", i + 1);
    p.stdin!.write(line);
  }
  print("exited", await p.wait());
}

const WARNING = "LOG WARNING pipe closed by peer or os.write(pipe, data) raised exception.";
const EXPECTED = [
  "exited 0",
  ...["write 1", "write 2", "write 3", "write 4", "write 5", "write 6"],
  WARNING,
  "write 7",
  WARNING,
  "closed b'last\\n'",
  ...["write 1", "write 2", "write 3", "write 4", "write 5", "write 6"],
  WARNING,
  "exited 0",
];

test("writes to a closed stdin pipe warn from the sixth on", async () => {
  const out: string[] = [];
  const print = printer(out);
  const show = (r: asyncio.LogRecord) => print("LOG", r.levelName, r.message);
  asyncio.logger.addHandler(show);
  try {
    await asyncio.run(() => app(print));
  } finally {
    asyncio.logger.removeHandler(show);
  }
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_proc_pipe_closed_writes.py", () => {
  const ref = pythonReference("rp_proc_pipe_closed_writes");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
