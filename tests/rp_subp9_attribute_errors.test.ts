// A stream spec that is neither an fd nor has fileno() (a StreamReader, a
// float, a str), and an env that is not a mapping, fail as Popen fails in
// CPython: with AttributeError (`'StreamReader' object has no attribute
// 'fileno'`, `'list' object has no attribute 'items'`). They were plain
// TypeErrors carrying that message. So was a PidfdChildWatcher's, not
// attached to a loop, adding a child (`'NoneType' object has no attribute
// '_add_reader'`). AttributeError is a TypeError subclass, so
// `instanceof TypeError` still holds. Checked against CPython
// (tests/fixtures/py/rp_subp9_attribute_errors.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const { PIPE } = asyncio;
const bytes = (b: Uint8Array | null) =>
  b === null ? "None" : `b'${new TextDecoder().decode(b).replaceAll("\n", "\\n")}'`;

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const p = await asyncio.createSubprocessExec("echo", "x", { stdout: PIPE });
  const attempt = async (label: string, start: () => Promise<asyncio.Process>) => {
    try {
      const q = await start();
      print(label, "started", await q.wait());
    } catch (e) {
      print(label, (e as Error).constructor.name, (e as Error).message);
    }
  };
  const any = (o: unknown) => o as never;
  for (const kw of ["stdin", "stdout", "stderr"]) {
    await attempt(
      `exec ${kw}=reader`,
      () => asyncio.createSubprocessExec("cat", any({ [kw]: p.stdout })),
    );
  }
  await attempt("exec stdout=1.5", () => asyncio.createSubprocessExec("true", { stdout: 1.5 }));
  await attempt(
    "shell stdin='PIPE'",
    () => asyncio.createSubprocessShell("true", { stdin: any("PIPE") }),
  );
  await attempt("exec env=[]", () => asyncio.createSubprocessExec("true", { env: any([]) }));
  await attempt("shell env=5", () => asyncio.createSubprocessShell("true", { env: any(5) }));
  try {
    await loop.subprocessExec(
      () => new asyncio.SubprocessProtocol(),
      "true",
      any({ stderr: p.stdout }),
    );
  } catch (e) {
    print("loop.subprocess_exec", (e as Error).constructor.name, (e as Error).message);
  }
  const [out, err] = await p.communicate();
  print(`(${bytes(out)}, ${bytes(err)})`);
  const w = new asyncio.PidfdChildWatcher();
  const q = await asyncio.createSubprocessExec("sleep", "0.2");
  try {
    w.addChildHandler(q.pid, () => {});
  } catch (e) {
    print("add_child_handler", (e as Error).constructor.name, (e as Error).message);
  }
  print(await q.wait());
  w.close();
}

const EXPECTED = [
  "exec stdin=reader AttributeError 'StreamReader' object has no attribute 'fileno'",
  "exec stdout=reader AttributeError 'StreamReader' object has no attribute 'fileno'",
  "exec stderr=reader AttributeError 'StreamReader' object has no attribute 'fileno'",
  "exec stdout=1.5 AttributeError 'float' object has no attribute 'fileno'",
  "shell stdin='PIPE' AttributeError 'str' object has no attribute 'fileno'",
  "exec env=[] AttributeError 'list' object has no attribute 'items'",
  "shell env=5 AttributeError 'int' object has no attribute 'items'",
  "loop.subprocess_exec AttributeError 'StreamReader' object has no attribute 'fileno'",
  "(b'x\\n', None)",
  "add_child_handler AttributeError 'NoneType' object has no attribute '_add_reader'",
  "0",
];

test("Popen's AttributeErrors (stream without fileno(), env no mapping); an unattached watcher's", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_subp9_attribute_errors.py", () => {
  const ref = pythonReference("rp_subp9_attribute_errors");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
