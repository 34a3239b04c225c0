// communicate(input) for a child without a stdin pipe fails as CPython 3.11's
// does, with the AttributeError of `None.write` (a TypeError here), and its
// stdout reader task runs on; empty input still closes stdin. Checked
// against CPython (tests/fixtures/py/rp_subproc6_communicate_input.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const { PIPE } = asyncio.subprocess;
const enc = new TextEncoder();
const bytes = (b: Uint8Array | null) =>
  b === null ? "None" : `b'${new TextDecoder().decode(b).replaceAll("\n", "\\n")}'`;

async function app(print: (...args: unknown[]) => void): Promise<void> {
  let p = await asyncio.createSubprocessExec("sh", "-c", "sleep 0.05; echo late", {
    stdout: PIPE,
  });
  try {
    await p.communicate({ input: enc.encode("ignored") });
  } catch (e) {
    const err = e as Error;
    print(err.name, err instanceof TypeError, err.message);
  }
  try {
    await p.stdout!.read();
  } catch (e) {
    // communicate's reader task still reads.
    if (!(e instanceof asyncio.RuntimeError)) throw e;
    print("RuntimeError", e.message);
  }
  print(await p.wait());
  p = await asyncio.createSubprocessExec("cat", { stdin: PIPE, stdout: PIPE });
  const [out, err] = await p.communicate({ input: new Uint8Array(0) });
  print(`(${bytes(out)}, ${bytes(err)})`, p.returncode);
  p = await asyncio.createSubprocessExec("printf", "abc", { stdout: PIPE });
  const s = p.stdout!;
  print(
    bytes(await s.read(0)),
    bytes(await s.read(1)),
    bytes(await s.read(-1)),
    bytes(await s.read(0)),
  );
  print(await p.wait());
}

const EXPECTED = [
  "AttributeError True 'NoneType' object has no attribute 'write'",
  "RuntimeError read() called while another coroutine is already waiting for incoming data",
  "0",
  "(b'', None) 0",
  "b'' b'a' b'bc' b''",
  "0",
];

test("communicate(input) without a stdin pipe is 3.11's AttributeError; b'' closes stdin", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_subproc6_communicate_input.py", () => {
  const ref = pythonReference("rp_subproc6_communicate_input");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
