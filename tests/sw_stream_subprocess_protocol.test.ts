// SubprocessStreamProtocol prints as CPython's repr: the streams of the
// child's pipes (stdin, stdout, stderr, each only when it is a pipe), with
// their transports' states. Checked against CPython 3.11
// (tests/fixtures/py/sw_stream_subprocess_protocol.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const dec = new TextDecoder();

function bytesRepr(b: Uint8Array): string {
  return `b'${dec.decode(b).replaceAll("\n", "\\n")}'`;
}

function mask(p: unknown): string {
  return String(p).replace(/fd=\d+/g, "fd=N");
}

async function protocolReprs(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const factory = () => new asyncio.subprocess.SubprocessStreamProtocol(2 ** 16, loop);
  let [t, p] = await loop.subprocessExec(factory, "cat");
  print(mask(p));
  p.stdin!.write(new TextEncoder().encode("hi\n"));
  print(bytesRepr(await p.stdout!.readLine()));
  p.stdin!.close();
  print(bytesRepr(await p.stdout!.read()), bytesRepr(await p.stderr!.read()));
  print(await t._wait());
  print(mask(p));
  t.close();
  [t, p] = await loop.subprocessExec(factory, "sleep", "5", { stdin: null, stdout: null });
  print(mask(p));
  t.kill();
  print(bytesRepr(await p.stderr!.read()), await t._wait());
  t.close();
  [t, p] = await loop.subprocessExec(factory, "true", { stdin: null, stdout: null, stderr: null });
  print(mask(p));
  print(await t._wait());
  t.close();
}

const EXPECTED = [
  "<SubprocessStreamProtocol stdin=<StreamWriter transport=<_UnixWritePipeTransport fd=N idle " +
  "bufsize=0>> stdout=<StreamReader transport=<_UnixReadPipeTransport fd=N polling>> " +
  "stderr=<StreamReader transport=<_UnixReadPipeTransport fd=N polling>>>",
  "b'hi\\n'",
  "b'' b''",
  "0",
  "<SubprocessStreamProtocol stdin=<StreamWriter transport=<_UnixWritePipeTransport closed fd=N " +
  "closed>> stdout=<StreamReader eof transport=<_UnixReadPipeTransport closed fd=N closed>> " +
  "stderr=<StreamReader eof transport=<_UnixReadPipeTransport closed fd=N closed>>>",
  "<SubprocessStreamProtocol stderr=<StreamReader transport=<_UnixReadPipeTransport fd=N polling>>>",
  "b'' -9",
  "<SubprocessStreamProtocol>",
  "0",
];

test("SubprocessStreamProtocol prints CPython's repr with its pipes' streams", async () => {
  const out: string[] = [];
  await asyncio.run(() => protocolReprs(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for sw_stream_subprocess_protocol.py", () => {
  const ref = pythonReference("sw_stream_subprocess_protocol");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
