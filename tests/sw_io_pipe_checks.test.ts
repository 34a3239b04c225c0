// Pipe transports' checks as CPython 3.11 words them: the write pipe's own
// message for a regular file, and the AssertionError (with the data's repr)
// of its write() for anything but bytes, a subprocess's stdin included.
// Checked against CPython (sw_io_pipe_checks.py).
import { closeSync, mkdtempSync, openSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";
import { pyRepr } from "../lib/format.ts";

// deno-lint-ignore no-explicit-any
const anyData = (x: unknown) => x as any;

async function pipeChecks(print: (...args: unknown[]) => void): Promise<void> {
  const attempt = async (label: string, aw: Promise<unknown>) => {
    try {
      await aw;
      print(label, "ok");
    } catch (e) {
      print(label, (e as Error).name, (e as Error).message);
    }
  };
  const call = (label: string, f: () => unknown) => {
    try {
      f();
      print(label, "ok");
    } catch (e) {
      print(label, (e as Error).name, (e as Error).message);
    }
  };
  const loop = asyncio.getRunningLoop();
  const d = mkdtempSync(join(tmpdir(), "sw-io-"));
  const fd = openSync(join(d, "f"), "w+");
  await attempt("read pipe, regular file", loop.connectReadPipe(asyncio.Protocol, fd));
  await attempt("write pipe, regular file", loop.connectWritePipe(asyncio.Protocol, fd));
  closeSync(fd);
  rmSync(d, { recursive: true });
  const [r, w] = asyncio.pipe();
  const [rt] = await loop.connectReadPipe(asyncio.Protocol, r);
  const [wt] = await loop.connectWritePipe(asyncio.Protocol, w);
  for (const data of ["text", 5, null, [1, 2]]) {
    call(`write(${pyRepr(data)})`, () => wt.write(anyData(data)));
  }
  call("write(b'')", () => wt.write(new Uint8Array(0)));
  call("write(bytearray)", () => wt.write(new Uint8Array([120])));
  wt.close();
  rt.close();
  const p = await asyncio.createSubprocessExec("cat", { stdin: asyncio.PIPE });
  call("stdin.write('text')", () => p.stdin!.write(anyData("text")));
  p.stdin!.close();
  print("exit", await p.wait());
}

const EXPECTED = [
  "read pipe, regular file ValueError Pipe transport is for pipes/sockets only.",
  "write pipe, regular file ValueError Pipe transport is only for pipes, sockets and character devices",
  "write('text') AssertionError 'text'",
  "write(5) AssertionError 5",
  "write(None) AssertionError None",
  "write([1, 2]) AssertionError [1, 2]",
  "write(b'') ok",
  "write(bytearray) ok",
  "stdin.write('text') AssertionError 'text'",
  "exit 0",
];

test(
  "pipe transports: the write pipe's file message, AssertionError for non-bytes writes",
  async () => {
    const out: string[] = [];
    await asyncio.run(() => pipeChecks(printer(out)));
    assertEquals(out, EXPECTED);
  },
  { timeout: 30 },
);

test("CPython prints the same for sw_io_pipe_checks.py", () => {
  const ref = pythonReference("sw_io_pipe_checks");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
