// `umask` sets the child's file mode creation mask, as Popen's does (a
// negative one, the default, leaves it as ours); ours is unchanged after,
// and a mask that is no integer is Python's TypeError. The option was
// accepted and ignored. Checked against CPython
// (tests/fixtures/py/rp_proc2_umask.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import process from "node:process";
import * as asyncio from "../mod.ts";

const PIPE = asyncio.PIPE;

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const text = (b: Uint8Array | null) => new TextDecoder().decode(b!);
  // process.umask() without an argument is deprecated in Node: set and put back.
  const ours = process.umask(0o022);
  process.umask(ours);
  for (const mask of [0o077, 0o027, 0, -1]) {
    const p = await asyncio.createSubprocessShell("umask", { stdout: PIPE, umask: mask });
    const [out] = await p.communicate();
    const want = (mask >= 0 ? mask : ours).toString(8).padStart(4, "0") + "\n";
    print(mask, text(out) === want);
  }
  const p = await asyncio.createSubprocessExec("sh", "-c", "umask", { stdout: PIPE, umask: 0o007 });
  const [out, err] = await p.communicate();
  print(`(b'${text(out).replace("\n", "\\n")}', ${err === null ? "None" : "bytes"})`);
  const now = process.umask(0o022);
  process.umask(now);
  print("ours unchanged", now === ours);
  for (const bad of ["0o22", 1.5]) {
    try {
      await asyncio.createSubprocessExec("true", { umask: bad as number });
    } catch (e) {
      if (!(e instanceof TypeError)) throw e;
      print("TypeError", e.message);
    }
  }
}

const EXPECTED = [
  "63 True",
  "23 True",
  "0 True",
  "-1 True",
  "(b'0007\\n', None)",
  "ours unchanged True",
  "TypeError 'str' object cannot be interpreted as an integer",
  "TypeError 'float' object cannot be interpreted as an integer",
];

test("umask= sets the child's mask, and only the child's", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_proc2_umask.py", () => {
  const ref = pythonReference("rp_proc2_umask");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
