// createSubprocessExec() without a program fails as Python's signature
// does; old code's `loop` option meets the transport's own `loop` parameter;
// other unknown options are Popen's TypeError. Checked against CPython 3.11
// (tests/fixtures/py/sw_stream_subprocess_args.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function badArguments(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  // Untyped, as a ported call with the wrong arguments would reach it.
  const exec = asyncio.createSubprocessExec as (...args: unknown[]) => Promise<asyncio.Process>;
  const shell = asyncio.createSubprocessShell as (...args: unknown[]) => Promise<asyncio.Process>;
  const cases: Array<[string, () => Promise<asyncio.Process>]> = [
    ["no program", () => exec()],
    ["options only", () => exec({ stdout: asyncio.subprocess.PIPE })],
    ["exec loop", () => exec("true", { loop })],
    ["shell loop", () => shell("true", { loop })],
    ["bogus", () => exec("true", { bogus: 1 })],
  ];
  for (const [label, f] of cases) {
    try {
      const p = await f();
      print(label, "ok", await p.wait());
    } catch (e) {
      if (!(e instanceof TypeError)) throw e;
      print(label, "TypeError", e.message);
    }
  }
  const p = await asyncio.createSubprocessExec("true");
  print("true", await p.wait());
}

const EXPECTED = [
  "no program TypeError create_subprocess_exec() missing 1 required positional argument: 'program'",
  "options only TypeError create_subprocess_exec() missing 1 required positional argument: 'program'",
  "exec loop TypeError BaseSubprocessTransport.__init__() got multiple values for argument 'loop'",
  "shell loop TypeError BaseSubprocessTransport.__init__() got multiple values for argument 'loop'",
  "bogus TypeError Popen.__init__() got an unexpected keyword argument 'bogus'",
  "true 0",
];

test("createSubprocessExec: a missing program and a loop option fail as in CPython", async () => {
  const out: string[] = [];
  await asyncio.run(() => badArguments(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for sw_stream_subprocess_args.py", () => {
  const ref = pythonReference("sw_stream_subprocess_args");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
