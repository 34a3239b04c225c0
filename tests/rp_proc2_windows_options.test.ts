// Popen's Windows-only options, `startupinfo` and `creationflags`, are taken
// at their defaults only; anything else is Python's ValueError (after
// asyncio's own checks, such as bufsize's). They were accepted and ignored.
// Checked against CPython (tests/fixtures/py/rp_proc2_windows_options.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const cases: Array<Record<string, unknown>> = [
    { startupinfo: null },
    { creationflags: 0 },
    { startupinfo: {} },
    { creationflags: 0x200 },
    { creationflags: null },
    { startupinfo: 1, creationflags: 1 },
    { startupinfo: 1, bufsize: 1 },
  ];
  for (const kw of cases) {
    const keys = `[${Object.keys(kw).sort().map((k) => `'${k}'`).join(", ")}]`;
    try {
      const p = await asyncio.createSubprocessExec("true", kw as asyncio.ProcessOptions);
      print(keys, "ok", await p.wait());
    } catch (e) {
      if (!(e instanceof asyncio.ValueError)) throw e;
      print(keys, "ValueError", e.message);
    }
  }
  try {
    await asyncio.createSubprocessShell("true", { creationflags: 8 } as asyncio.ProcessOptions);
  } catch (e) {
    if (!(e instanceof asyncio.ValueError)) throw e;
    print("shell ValueError", e.message);
  }
}

const EXPECTED = [
  "['startupinfo'] ok 0",
  "['creationflags'] ok 0",
  "['startupinfo'] ValueError startupinfo is only supported on Windows platforms",
  "['creationflags'] ValueError creationflags is only supported on Windows platforms",
  "['creationflags'] ValueError creationflags is only supported on Windows platforms",
  "['creationflags', 'startupinfo'] ValueError startupinfo is only supported on Windows platforms",
  "['bufsize', 'startupinfo'] ValueError bufsize must be 0",
  "shell ValueError creationflags is only supported on Windows platforms",
];

test("startupinfo and creationflags other than their defaults are refused", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_proc2_windows_options.py", () => {
  const ref = pythonReference("rp_proc2_windows_options");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
