// Process.communicate() as CPython 3.11 runs it: stdin is fed and closed only
// when there is input (3.12 closes it always), and input for a child without
// a stdin pipe fails on the missing writer. Checked against CPython's output.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const { PIPE } = asyncio.subprocess;
const enc = new TextEncoder();
const dec = new TextDecoder();

function bytesRepr(b: Uint8Array | null): string {
  return b === null ? "None" : `b'${dec.decode(b).replaceAll("\n", "\\n")}'`;
}

function pair(r: [Uint8Array | null, Uint8Array | null]): string {
  return `(${bytesRepr(r[0])}, ${bytesRepr(r[1])})`;
}

async function communicateStdin(print: (...args: unknown[]) => void): Promise<void> {
  let proc = await asyncio.createSubprocessExec("cat", { stdin: PIPE, stdout: PIPE });
  try {
    await asyncio.waitFor(proc.communicate(), 0.3);
  } catch (e) {
    if (!(e instanceof asyncio.TimeoutError)) throw e;
    print("communicate() timed out, stdin closing:", proc.stdin!.isClosing());
  }
  proc.stdin!.write(enc.encode("still open\n"));
  proc.stdin!.close();
  print(pair(await proc.communicate()));
  print("returncode", proc.returncode);

  proc = await asyncio.createSubprocessExec("sh", "-c", "exit 5", { stdin: PIPE });
  print(pair(await proc.communicate()), proc.returncode, proc.stdin!.isClosing());

  proc = await asyncio.createSubprocessExec("echo", "hi", { stdout: PIPE });
  try {
    await proc.communicate(enc.encode("input"));
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    print("error:", e.message);
  }
  print("returncode", await proc.wait());
}

const EXPECTED = [
  "communicate() timed out, stdin closing: False",
  "(b'still open\\n', None)",
  "returncode 0",
  "(None, None) 5 True",
  "error: 'NoneType' object has no attribute 'write'",
  "returncode 0",
];

test(
  "communicate() without input leaves stdin open; input without a stdin pipe fails",
  async () => {
    const out: string[] = [];
    await asyncio.run(() => communicateStdin(printer(out)));
    assertEquals(out, EXPECTED);
  },
  { timeout: 20 },
);

test("CPython 3.11 prints the same for subprocess_communicate_stdin.py", () => {
  const ref = pythonReference("subprocess_communicate_stdin");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
