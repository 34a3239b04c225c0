// Bad input to writeLines() (a socket's and a pipe's), setWriteBufferLimits(),
// Task.getStack(), StreamReaderProtocol and connectAcceptedSocket, with
// CPython 3.11's error classes and messages: each case prints e.name and
// e.message as
// tests/fixtures/py/bad_conf_calls.py prints type(e).__name__ and str(e).
// A bad writeLines() writes nothing, on a pipe as on a socket.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

type Print = (...args: unknown[]) => void;
// Bad input is the point: the calls go through `any`.
// deno-lint-ignore no-explicit-any
type Any = any;

const enc = new TextEncoder();
const bytes = (s: string) => enc.encode(s);
const bytesRepr = (b: Uint8Array) => `b'${new TextDecoder().decode(b)}'`;
const pyArg = (x: unknown) =>
  typeof x === "string" ? `'${x}'` : x === null ? "None" : Array.isArray(x) ? "[]" : String(x);

function caseOf(print: Print) {
  return (label: string, f: () => unknown): void => {
    try {
      f();
      print(label, "OK");
    } catch (e) {
      print(label, (e as Error).name, (e as Error).message);
    }
  };
}

async function badCalls(print: Print): Promise<void> {
  const c = caseOf(print);
  const got: Uint8Array[] = [];
  const done = new asyncio.Event();
  const handler = async (reader: asyncio.StreamReader, writer: asyncio.StreamWriter) => {
    got.push(await reader.read());
    writer.close();
    done.set();
  };
  const srv = await asyncio.startServer(handler, "127.0.0.1", 0);
  const port = (srv.sockets[0].getsockname() as [string, number])[1];
  const [_r, w]: Any = await asyncio.openConnection("127.0.0.1", port);
  c("writelines(5)", () => w.writeLines(5));
  c("writelines([b'a', 5])", () => w.writeLines([bytes("a"), 5]));
  const tr = w.transport;
  const limits: unknown[][] = [
    ["x"],
    [null, "x"],
    ["x", 1],
    [1, "x"],
    [1.5, "x"],
    ["x", "y"],
    ["y", "x"],
    [[], "x"],
    [8, 4],
  ];
  for (const args of limits) {
    // Python's repr of the argument tuple: a 1-tuple has a trailing comma.
    const label = `set_write_buffer_limits(${args.map(pyArg).join(", ")}${
      args.length === 1 ? "," : ""
    })`;
    c(label, () => tr.setWriteBufferLimits(...args));
  }
  const [low, high] = tr.getWriteBufferLimits();
  print("limits", `(${low}, ${high})`);
  w.write(bytes("z"));
  w.close();
  await w.waitClosed();
  await done.wait();
  srv.close();
  await srv.waitClosed();
  print("server got", `[${got.map(bytesRepr).join(", ")}]`);

  const p: Any = await asyncio.createSubprocessExec("cat", {
    stdin: asyncio.PIPE,
    stdout: asyncio.PIPE,
  });
  c("pipe writelines([b'a', 5])", () => p.stdin.writeLines([bytes("a"), 5]));
  c("pipe writelines(5)", () => p.stdin.writeLines(5));
  p.stdin.writeLines([bytes("b"), bytes("c")]);
  p.stdin.close();
  print("cat echoed", bytesRepr(await p.stdout.read()));
  print("exit", await p.wait());

  const t: Any = asyncio.createTask(() => asyncio.sleep(0));
  c("pending get_stack(limit='x')", () => t.getStack({ limit: "x" }));
  await t;
  c("done get_stack(limit='x')", () => print(t.getStack({ limit: "x" }).length));
  for (const reader of [5, "x", null]) {
    c(
      `StreamReaderProtocol(${pyArg(reader)})`,
      () => new asyncio.StreamReaderProtocol(reader as Any),
    );
  }
  const loop: Any = asyncio.getRunningLoop();
  for (const sock of [null, 5]) {
    try {
      await loop.connectAcceptedSocket(() => new asyncio.Protocol(), sock);
    } catch (e) {
      print(`connect_accepted_socket(${pyArg(sock)})`, (e as Error).name, (e as Error).message);
    }
  }
}

const EXPECTED = [
  "writelines(5) TypeError can only join an iterable",
  "writelines([b'a', 5]) TypeError sequence item 1: expected a bytes-like object, int found",
  "set_write_buffer_limits('x',) TypeError unsupported operand type(s) for //: 'str' and 'int'",
  "set_write_buffer_limits(None, 'x') TypeError '>=' not supported between instances of 'str' and 'int'",
  "set_write_buffer_limits('x', 1) TypeError '>=' not supported between instances of 'str' and 'int'",
  "set_write_buffer_limits(1, 'x') TypeError '>=' not supported between instances of 'int' and 'str'",
  "set_write_buffer_limits(1.5, 'x') TypeError '>=' not supported between instances of 'float' and 'str'",
  "set_write_buffer_limits('x', 'y') ValueError high ('x') must be >= low ('y') must be >= 0",
  "set_write_buffer_limits('y', 'x') TypeError '>=' not supported between instances of 'str' and 'int'",
  "set_write_buffer_limits([], 'x') TypeError '>=' not supported between instances of 'list' and 'str'",
  "set_write_buffer_limits(8, 4) OK",
  "limits (4, 8)",
  "server got [b'z']",
  "pipe writelines([b'a', 5]) TypeError sequence item 1: expected a bytes-like object, int found",
  "pipe writelines(5) TypeError can only join an iterable",
  "cat echoed b'bc'",
  "exit 0",
  "pending get_stack(limit='x') TypeError '<=' not supported between instances of 'str' and 'int'",
  "0",
  "done get_stack(limit='x') OK",
  "StreamReaderProtocol(5) TypeError cannot create weak reference to 'int' object",
  "StreamReaderProtocol('x') TypeError cannot create weak reference to 'str' object",
  "StreamReaderProtocol(None) OK",
  "connect_accepted_socket(None) AttributeError 'NoneType' object has no attribute 'type'",
  "connect_accepted_socket(5) AttributeError 'int' object has no attribute 'type'",
];

test(
  "writeLines, setWriteBufferLimits and getStack: Python's classes and messages, nothing written",
  async () => {
    const out: string[] = [];
    await asyncio.run(() => badCalls(printer(out)));
    assertEquals(out, EXPECTED);
  },
  { timeout: 30 },
);

// A test of its own: a child's fds may close a moment after it exits (Bun).
test("CPython prints the same for bad_conf_calls.py", () => {
  const ref = pythonReference("bad_conf_calls");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
