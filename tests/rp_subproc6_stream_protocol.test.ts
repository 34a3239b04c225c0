// asyncio.subprocess.SubprocessStreamProtocol is a SubprocessProtocol by its
// second base in Python: `instanceof` (and `C.prototype instanceof`, the JS
// `issubclass`) says so here too, though the JS class chain runs through
// FlowControlMixin and Protocol. Checked against CPython
// (tests/fixtures/py/rp_subproc6_stream_protocol.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const { Process, SubprocessStreamProtocol } = asyncio.subprocess;
const py = (b: boolean) => (b ? "True" : "False");
const bytes = (b: Uint8Array | null) =>
  b === null ? "None" : `b'${new TextDecoder().decode(b).replaceAll("\n", "\\n")}'`;

class Mine extends asyncio.SubprocessProtocol {}

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const [tr, proto] = await loop.subprocessExec(
    () => new SubprocessStreamProtocol(2 ** 16, loop),
    "sh",
    "-c",
    "read x; echo got $x; echo err >&2; exit 3",
  );
  print(proto.constructor.name);
  print(
    py(proto instanceof asyncio.SubprocessProtocol),
    py(proto instanceof asyncio.Protocol),
    py(proto instanceof asyncio.BaseProtocol),
    py(proto instanceof asyncio.DatagramProtocol),
    py(proto instanceof Mine),
  );
  print(
    py(SubprocessStreamProtocol.prototype instanceof asyncio.SubprocessProtocol),
    py(SubprocessStreamProtocol.prototype instanceof asyncio.Protocol),
    py(Mine.prototype instanceof asyncio.SubprocessProtocol),
  );
  print(
    py(new Mine() instanceof asyncio.SubprocessProtocol),
    py(new asyncio.Protocol() instanceof asyncio.SubprocessProtocol),
  );
  const proc = new Process(tr, proto, loop);
  proc.stdin!.write(new TextEncoder().encode("hi\n"));
  await proc.stdin!.drain();
  print(bytes(await proc.stdout!.readLine()));
  const [out, err] = await proc.communicate();
  print(`(${bytes(out)}, ${bytes(err)})`, proc.returncode);
}

const EXPECTED = [
  "SubprocessStreamProtocol",
  "True True True False False",
  "True True True",
  "True False",
  "b'got hi\\n'",
  "(b'', b'err\\n') 3",
];

test("SubprocessStreamProtocol is an instance of SubprocessProtocol, as in Python", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_subproc6_stream_protocol.py", () => {
  const ref = pythonReference("rp_subproc6_stream_protocol");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
