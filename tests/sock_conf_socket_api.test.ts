// The socket object's argument errors and its mode after close, as CPython
// 3.11 reports them; keyword arguments (rule 3); an abstract Unix name in a
// socket's repr. Checked against CPython.
import process from "node:process";
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

function socketApi(print: (...args: unknown[]) => void): void {
  const attempt = (label: string, f: () => unknown) => {
    try {
      const r = f();
      print(label, "->", r);
    } catch (e) {
      if (!(e instanceof asyncio.OSError || e instanceof TypeError || e instanceof RangeError)) {
        throw e;
      }
      print(label, e.constructor.name, e.message);
    }
  };
  const { SOL_SOCKET, SO_REUSEADDR } = asyncio;
  const s = asyncio.socket(asyncio.AF_INET, asyncio.SOCK_DGRAM);
  attempt("setsockopt str", () => s.setsockopt(SOL_SOCKET, SO_REUSEADDR, "1" as never));
  attempt("setsockopt float", () => s.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1.5));
  attempt("setsockopt None", () => s.setsockopt(SOL_SOCKET, SO_REUSEADDR, null as never));
  attempt("setsockopt True", () => s.setsockopt(SOL_SOCKET, SO_REUSEADDR, true));
  attempt("getsockopt", () => s.getsockopt(SOL_SOCKET, SO_REUSEADDR));
  attempt(
    "sendto flags tuple",
    () => s.sendto(new Uint8Array([120]), ["127.0.0.1", 9] as never, 0 as never),
  );
  attempt("settimeout str", () => s.settimeout("1" as never));
  attempt("settimeout nan", () => s.settimeout(NaN));
  attempt("settimeout -1", () => s.settimeout(-1));
  s.close();
  attempt("settimeout closed", () => s.settimeout(2.5));
  attempt("gettimeout closed", () => s.gettimeout());
  attempt("getblocking closed", () => s.getblocking());
  attempt("setblocking closed", () => s.setblocking(false));
  attempt("gettimeout closed is 0", () => s.gettimeout() === 0);
  attempt("getblocking closed", () => s.getblocking());

  // Keyword arguments (rule 3).
  let k = asyncio.socket({ type: asyncio.SOCK_DGRAM });
  print("socket(type=SOCK_DGRAM)", k.family, k.type, k.proto);
  k.close();
  const [a, b] = asyncio.socketpair({ type: asyncio.SOCK_DGRAM });
  print("socketpair(type=SOCK_DGRAM)", a.family, a.type, a.proto);
  a.close();
  b.close();
  k = new asyncio.Socket({ fileno: asyncio.socket(asyncio.AF_INET, asyncio.SOCK_DGRAM).detach() });
  print("socket(fileno=fd)", k.family, k.type, k.proto);
  k.close();
  attempt("socket(foo=1)", () => asyncio.socket({ foo: 1 } as never));
  attempt(
    "socket(AF_INET, family=AF_INET)",
    () => asyncio.socket(asyncio.AF_INET, { family: asyncio.AF_INET }),
  );
  attempt("socketpair(foo=1)", () => asyncio.socketpair({ foo: 1 } as never));

  const u = asyncio.socket(asyncio.AF_UNIX);
  try {
    u.bind(`\0asyncio-sock-conf-api-${process.pid}`);
    print(String(u).replace(/fd=\d+/, "fd=N").replace(String(process.pid), "PID"));
  } finally {
    u.close();
  }
}

const EXPECTED = [
  "setsockopt str TypeError a bytes-like object is required, not 'str'",
  "setsockopt float TypeError a bytes-like object is required, not 'float'",
  "setsockopt None TypeError a bytes-like object is required, not 'NoneType'",
  "setsockopt True -> None",
  "getsockopt -> 1",
  "sendto flags tuple TypeError 'tuple' object cannot be interpreted as an integer",
  "settimeout str TypeError 'str' object cannot be interpreted as an integer",
  "settimeout nan ValueError Invalid value NaN (not a number)",
  "settimeout -1 ValueError Timeout value out of range",
  "settimeout closed OSError [Errno 9] Bad file descriptor",
  "gettimeout closed -> 2.5",
  "getblocking closed -> True",
  "setblocking closed OSError [Errno 9] Bad file descriptor",
  "gettimeout closed is 0 -> True",
  "getblocking closed -> False",
  "socket(type=SOCK_DGRAM) 2 2 0",
  "socketpair(type=SOCK_DGRAM) 1 2 0",
  "socket(fileno=fd) 2 2 17",
  "socket(foo=1) TypeError socket.__init__() got an unexpected keyword argument 'foo'",
  "socket(AF_INET, family=AF_INET) TypeError socket.__init__() got multiple values for argument 'family'",
  "socketpair(foo=1) TypeError socketpair() got an unexpected keyword argument 'foo'",
  "<socket.socket fd=N, family=1, type=1, proto=0, laddr=b'\\x00asyncio-sock-conf-api-PID'>",
];

test("socket API: argument errors, the mode kept after close, abstract names in reprs", () => {
  const out: string[] = [];
  socketApi(printer(out));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for sock_conf_socket_api.py", () => {
  const ref = pythonReference("sock_conf_socket_api");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
