// Bytes arguments, a bytes shell command and bytes environment values reach
// the child as they are, bytes that are not UTF-8 too (they were decoded and
// re-encoded, so `b"\xff"` arrived as U+FFFD); a NUL in them is a ValueError.
// Checked against CPython (tests/fixtures/py/rp_proc4_bytes_args.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { bytesRepr } from "../lib/format.ts";
import * as asyncio from "../mod.ts";

const PIPE = asyncio.subprocess.PIPE;
const SHOW = "import sys, os; print([os.fsencode(a) for a in sys.argv[1:]])";
const enc = (s: string) => new TextEncoder().encode(s);
const bytes = (...parts: Array<string | number[]>) =>
  new Uint8Array(parts.flatMap((p) => typeof p === "string" ? [...enc(p)] : p));

async function app(print: (...args: unknown[]) => void): Promise<void> {
  let p = await asyncio.createSubprocessExec(
    "python3",
    "-c",
    SHOW,
    bytes([0x80], "abc"),
    "\xe9",
    new Uint8Array(0),
    bytes([0xff, 0xfe]),
    { stdout: PIPE },
  );
  const [out] = await p.communicate();
  print(new TextDecoder().decode(out!).trim(), p.returncode);
  p = await asyncio.createSubprocessShell(bytes("printf '", [0xfe, 0xff], '|\'; echo "$0"'), {
    stdout: PIPE,
  });
  const [o, e] = await p.communicate();
  print(`(${bytesRepr(o!)}, ${e === null ? "None" : "?"})`);
  p = await asyncio.createSubprocessExec("sh", "-c", 'echo "$V|$W"', {
    env: { V: bytes([0xff, 0xfe]), W: "\xe9" },
    stdout: PIPE,
  });
  const [o2, e2] = await p.communicate();
  print(`(${bytesRepr(o2!)}, ${e2 === null ? "None" : "?"})`);
  const loop = asyncio.getRunningLoop();
  const done = loop.createFuture<null>();
  class P extends asyncio.SubprocessProtocol {
    override pipeDataReceived(fd: number, data: Uint8Array): void {
      print("data", fd, bytesRepr(data));
    }
    override processExited(): void {
      done.setResult(null);
    }
  }
  const [t] = await loop.subprocessExec(() => new P(), "echo", bytes([0xc3], "("), {
    stdin: null,
    stderr: null,
  });
  await done;
  await asyncio.sleep(0.05);
  t.close();
  for (const arg of [bytes("a", [0], "b"), "a\0b"]) {
    try {
      await asyncio.createSubprocessExec("echo", arg);
    } catch (e) {
      print("exec", (e as Error).constructor.name, (e as Error).message);
    }
  }
  try {
    await asyncio.createSubprocessShell(bytes("echo ", [0]));
  } catch (e) {
    print("shell", (e as Error).constructor.name, (e as Error).message);
  }
  try {
    await asyncio.createSubprocessExec("true", { env: { V: bytes([0]) } });
  } catch (e) {
    print("env", (e as Error).constructor.name, (e as Error).message);
  }
}

const EXPECTED = [
  "[b'\\x80abc', b'\\xc3\\xa9', b'', b'\\xff\\xfe'] 0",
  "(b'\\xfe\\xff|/bin/sh\\n', None)",
  "(b'\\xff\\xfe|\\xc3\\xa9\\n', None)",
  "data 1 b'\\xc3(\\n'",
  "exec ValueError embedded null byte",
  "exec ValueError embedded null byte",
  "shell ValueError embedded null byte",
  "env ValueError embedded null byte",
];

test("bytes arguments, shell commands and env values reach the child unchanged", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_proc4_bytes_args.py", () => {
  const ref = pythonReference("rp_proc4_bytes_args");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
