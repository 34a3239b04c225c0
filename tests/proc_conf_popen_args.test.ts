// The options of createSubprocessExec / loop.subprocessExec as Popen takes
// them: an unknown key is Popen's TypeError (named in snake_case), a stream
// may be an object with fileno() (a Socket), and cwd, env and the program
// are checked with CPython's errors. Checked against CPython.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const { PIPE } = asyncio.subprocess;

function bytesRepr(b: Uint8Array | null): string {
  return `b'${new TextDecoder().decode(b!).replaceAll("\n", "\\n")}'`;
}

async function popenArgs(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const attempt = async (label: string, start: () => Promise<unknown>) => {
    let proc: asyncio.Process;
    try {
      proc = await start() as asyncio.Process;
    } catch (e) {
      if (!(e instanceof TypeError || e instanceof RangeError || e instanceof asyncio.OSError)) {
        throw e;
      }
      // Python's AttributeError ("... has no attribute ...") is a TypeError here.
      const attr = e.message.includes("has no attribute");
      print(label, (attr ? "" : `${e.constructor.name} `) + e.message);
      return;
    }
    const [out] = await proc.communicate();
    print(label, "exit", proc.returncode, bytesRepr(out));
  };
  const exec = asyncio.createSubprocessExec;
  const any = (o: unknown) => o as never;
  await attempt("foo", () => exec("true", any({ foo: 1 })));
  await attempt("typo", () => exec("true", any({ startNewSesion: true })));
  await attempt(
    "limit",
    () => loop.subprocessExec(() => new asyncio.SubprocessProtocol(), "true", any({ limit: 5 })),
  );
  await attempt("stdout str", () => exec("true", { stdout: any("x") }));
  await attempt("stdin float", () => exec("true", { stdin: 1.5 }));
  await attempt("env int", () => exec("true", { env: any({ A: 1 }) }));
  await attempt("env list", () => exec("true", { env: any([]) }));
  await attempt("env =", () => exec("true", { env: { "A=B": "1" } }));
  await attempt(
    "env bytes",
    () =>
      exec("sh", "-c", "echo $A", {
        env: any({ A: new TextEncoder().encode("x") }),
        stdout: PIPE,
      }),
  );
  await attempt("cwd int", () => exec("true", { cwd: any(5) }));
  await attempt(
    "cwd bytes",
    () => exec("pwd", { cwd: any(new TextEncoder().encode("/")), stdout: PIPE }),
  );
  await attempt("empty", () => exec(""));
  const [a, b] = asyncio.socketpair();
  try {
    const proc = await exec("echo", "through a socket", { stdout: b });
    print("socket exit", await proc.wait(), bytesRepr(a.recv(100)));
  } finally {
    a.close();
    b.close();
  }
}

const EXPECTED = [
  "foo TypeError Popen.__init__() got an unexpected keyword argument 'foo'",
  "typo TypeError Popen.__init__() got an unexpected keyword argument 'start_new_sesion'",
  "limit TypeError Popen.__init__() got an unexpected keyword argument 'limit'",
  "stdout str 'str' object has no attribute 'fileno'",
  "stdin float 'float' object has no attribute 'fileno'",
  "env int TypeError expected str, bytes or os.PathLike object, not int",
  "env list 'list' object has no attribute 'items'",
  "env = ValueError illegal environment variable name",
  "env bytes exit 0 b'x\\n'",
  "cwd int TypeError expected str, bytes or os.PathLike object, not int",
  "cwd bytes exit 0 b'/\\n'",
  "empty PermissionError [Errno 13] Permission denied: ''",
  "socket exit 0 b'through a socket\\n'",
];

test("subprocess options are checked as Popen checks them; a Socket can be a stream", async () => {
  const out: string[] = [];
  await asyncio.run(() => popenArgs(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for proc_conf_popen_args.py", () => {
  const ref = pythonReference("proc_conf_popen_args");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
