// A bool is an int in Python, and the socket layer takes one where it
// takes an int: `sockRecv(sock, true)` reads one byte, an address's port,
// flow info or scope may be false or true, and getnameinfo takes a true
// port and true flags. All four raised "'bool' object cannot be
// interpreted as an integer", a message Python never gives. Checked
// against CPython (tests/fixtures/py/rp_sock10_bool_ints.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const bytes = (b: Uint8Array) => `b'${new TextDecoder().decode(b)}'`;

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const [a, b] = asyncio.socketpair();
  a.setblocking(false);
  b.setblocking(false);
  await loop.sockSendall(a, new TextEncoder().encode("xyz"));
  print("sock_recv True", bytes(await loop.sockRecv(b, true as never)));
  print("sock_recv False", bytes(await loop.sockRecv(b, false as never)));
  print("rest", bytes(await loop.sockRecv(b, 10)));
  a.close();
  b.close();
  let s = asyncio.socket();
  s.bind(["127.0.0.1", false as never]);
  print("bind port False", (s.getsockname() as [string, number])[1] !== 0);
  s.close();
  s = asyncio.socket(asyncio.AF_INET6);
  s.bind(["::1", false, true, false] as never);
  print("bind v6 bools", `(${(s.getsockname() as number[]).slice(2).join(", ")})`);
  s.close();
  const port = await loop.getnameinfo(
    ["127.0.0.1", true as never],
    asyncio.NI_NUMERICHOST | asyncio.NI_NUMERICSERV,
  );
  print("getnameinfo port", `('${port[0]}', '${port[1]}')`);
  const flags = await loop.getnameinfo(["127.0.0.1", 80], true as never);
  print("getnameinfo flags", `('${flags[0]}', '${flags[1]}')`);
}

const EXPECTED = [
  "sock_recv True b'x'",
  "sock_recv False b''",
  "rest b'yz'",
  "bind port False True",
  "bind v6 bools (0, 0)",
  "getnameinfo port ('127.0.0.1', '1')",
  "getnameinfo flags ('127.0.0.1', 'http')",
];

test("a boolean is an int to sockRecv, addresses and getnameinfo", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_sock10_bool_ints.py", () => {
  const ref = pythonReference("rp_sock10_bool_ints");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
