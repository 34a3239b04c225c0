// Socket calls that read an argument as a C integer, with CPython 3.11's
// messages: setblocking()'s flag (checked before the fd, so also on a closed
// socket) and the numbers of getnameinfo()'s address tuple. Each case prints
// e.name and e.message as tests/fixtures/py/bad_conf_socket_ints.py prints
// type(e).__name__ and str(e).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

type Print = (...args: unknown[]) => void;
// Bad input is the point: the calls go through `any`.
// deno-lint-ignore no-explicit-any
type Any = any;

/** Python's repr of the few values used here (a list is a tuple). */
function pyRepr(x: unknown): string {
  if (typeof x === "string") return `'${x}'`;
  if (x === null) return "None";
  if (Array.isArray(x)) {
    return x.length === 0 ? "[]" : `(${x.map(pyRepr).join(", ")}${x.length === 1 ? "," : ""})`;
  }
  return String(x);
}

async function socketInts(print: Print): Promise<void> {
  const c = (label: string, f: () => unknown) => {
    try {
      f();
      print(label, "OK");
    } catch (e) {
      print(label, (e as Error).name, (e as Error).message);
    }
  };
  const ac = async (label: string, f: () => Promise<unknown>) => {
    try {
      print(label, "->", pyRepr(await f()));
    } catch (e) {
      print(label, (e as Error).name, (e as Error).message);
    }
  };
  const loop: Any = asyncio.getRunningLoop();
  const s: Any = asyncio.socket();
  for (const flag of ["x", null, 1.5, []]) {
    c(`setblocking(${pyRepr(flag)})`, () => s.setblocking(flag));
  }
  c("setblocking(0)", () => s.setblocking(0));
  print("blocking", s.getblocking() ? "True" : "False");
  s.close();
  c("closed setblocking('x')", () => s.setblocking("x"));
  c("closed setblocking(False)", () => s.setblocking(false));
  const addrs = [
    ["127.0.0.1", "x"],
    ["127.0.0.1", 1.5],
    ["127.0.0.1", null],
    [5, 80],
    ["::1", 80, "x"],
    ["::1", 80, 0, "x"],
    ["127.0.0.1", 80, 0, 0, 0],
  ];
  for (const a of addrs) {
    await ac(`getnameinfo(${pyRepr(a)})`, () => loop.getnameinfo(a, asyncio.NI_NUMERICSERV));
  }
  await ac(
    "getnameinfo ok",
    () => loop.getnameinfo(["127.0.0.1", 80], asyncio.NI_NUMERICHOST | asyncio.NI_NUMERICSERV),
  );
}

const EXPECTED = [
  "setblocking('x') TypeError 'str' object cannot be interpreted as an integer",
  "setblocking(None) TypeError 'NoneType' object cannot be interpreted as an integer",
  "setblocking(1.5) TypeError 'float' object cannot be interpreted as an integer",
  "setblocking([]) TypeError 'list' object cannot be interpreted as an integer",
  "setblocking(0) OK",
  "blocking False",
  "closed setblocking('x') TypeError 'str' object cannot be interpreted as an integer",
  "closed setblocking(False) OSError [Errno 9] Bad file descriptor",
  "getnameinfo(('127.0.0.1', 'x')) TypeError 'str' object cannot be interpreted as an integer",
  "getnameinfo(('127.0.0.1', 1.5)) TypeError 'float' object cannot be interpreted as an integer",
  "getnameinfo(('127.0.0.1', None)) TypeError 'NoneType' object cannot be interpreted as an integer",
  "getnameinfo((5, 80)) TypeError getnameinfo(): illegal sockaddr argument",
  "getnameinfo(('::1', 80, 'x')) TypeError 'str' object cannot be interpreted as an integer",
  "getnameinfo(('::1', 80, 0, 'x')) TypeError 'str' object cannot be interpreted as an integer",
  "getnameinfo(('127.0.0.1', 80, 0, 0, 0)) TypeError getnameinfo(): illegal sockaddr argument",
  "getnameinfo ok -> ('127.0.0.1', '80')",
];

test(
  "setblocking and getnameinfo read integers as Python does: its TypeError messages",
  async () => {
    const out: string[] = [];
    await asyncio.run(() => socketInts(printer(out)));
    assertEquals(out, EXPECTED);
  },
  { timeout: 20 },
);

test("CPython prints the same for bad_conf_socket_ints.py", () => {
  const ref = pythonReference("bad_conf_socket_ints");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
