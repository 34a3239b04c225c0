// A subprocess transport's extra info "subprocess" is Python's Popen object:
// its args as given (a tuple for exec, the command for a shell), pid,
// returncode (set as the exit is reported), poll() and its repr, cut at 80
// characters. It was a bare `{ pid }`. Checked against CPython
// (tests/fixtures/py/rp_proc2_popen_info.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";
import type { Popen } from "../lib/unix_subprocess.ts";

class P extends asyncio.SubprocessProtocol {
  done = asyncio.getRunningLoop().createFuture<null>();
  override processExited(): void {
    this.done.setResult(null);
  }
}

async function app(print: (...args: unknown[]) => void): Promise<void> {
  // Bytes, as Python takes them (the loop's types say string; it takes both).
  const enc = (s: string) => new TextEncoder().encode(s) as unknown as string;
  const loop = asyncio.getRunningLoop() as asyncio.BaseSelectorEventLoop;
  const none = { stdin: null, stdout: null, stderr: null };
  let [tr, pr] = await loop.subprocessExec(() => new P(), "sh", "-c", "sleep 0.2; exit 4", none);
  let popen = tr.getExtraInfo("subprocess") as Popen;
  const args = (popen.args as string[]).map((a) => `'${a}'`).join(", ");
  print(popen.constructor.name, `(${args})`, popen.pid === tr.getPid(), popen.returncode);
  print(String(popen), popen.stdin, popen.stdout, popen.stderr);
  await pr.done;
  print(String(popen), popen.poll(), tr.getReturncode());
  tr.close();
  const long = "sleep 0.2; echo a rather long shell command line that goes past eighty characters";
  [tr, pr] = await loop.subprocessShell(() => new P(), long, { stdout: asyncio.DEVNULL });
  popen = tr.getExtraInfo("subprocess") as Popen;
  print(String(popen), popen.args === long);
  print(popen.stdin !== null, popen.stdout, popen.stderr !== null);
  await pr.done;
  tr.close();
  [tr, pr] = await loop.subprocessExec(() => new P(), enc("sleep"), enc("0.2"), none);
  print(String(tr.getExtraInfo("subprocess")));
  await pr.done;
  tr.close();
}

const EXPECTED = [
  "Popen ('sh', '-c', 'sleep 0.2; exit 4') True None",
  "<Popen: returncode: None args: ('sh', '-c', 'sleep 0.2; exit 4')> None None None",
  "<Popen: returncode: 4 args: ('sh', '-c', 'sleep 0.2; exit 4')> 4 4",
  "<Popen: returncode: None args: 'sleep 0.2; echo a rather long shell command ...> True",
  "True None True",
  "<Popen: returncode: None args: (b'sleep', b'0.2')>",
];

test("getExtraInfo('subprocess') is a Popen with args, pid, returncode and repr", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_proc2_popen_info.py", () => {
  const ref = pythonReference("rp_proc2_popen_info");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
