// Wrong argument types to createConnection/openConnection fail with
// Python's TypeErrors: a host list (where createServer takes one) reaches
// inet_pton ("inet_pton() argument 2 must be str, not list"; the library
// went on to a name lookup), and a happyEyeballsDelay that is not a number
// fails wait_for's comparison with 0 ("'<=' not supported between
// instances of 'str' and 'int'"; the library said ValueError).
// Checked against CPython (tests/fixtures/py/rp_net5_host_types.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const P = () => new asyncio.Protocol();
  const srv = await loop.createServer(P, "127.0.0.1", 0);
  const port = (srv.sockets[0].getsockname() as [string, number])[1];
  const cases: [string, () => Promise<[unknown, unknown]>][] = [
    ["list host", () => asyncio.openConnection(["127.0.0.1"] as never, port)],
    [
      "list host, two",
      () => loop.createConnection(P, ["127.0.0.1", "::1"] as never, port),
    ],
    ["int host", () => asyncio.openConnection(2130706433 as never, port)],
    [
      "str delay",
      () => loop.createConnection(P, "127.0.0.1", port, { happyEyeballsDelay: "0.1" as never }),
    ],
    [
      "list delay",
      () => asyncio.openConnection("localhost", port, { happyEyeballsDelay: [] as never }),
    ],
    [
      "negative delay",
      () => loop.createConnection(P, "127.0.0.1", port, { happyEyeballsDelay: -1 }),
    ],
  ];
  for (const [name, call] of cases) {
    try {
      const [a, b] = await call();
      print(name, "ok");
      if (a instanceof asyncio.StreamReader) (b as asyncio.StreamWriter).close();
      else (a as asyncio.Transport).close();
    } catch (e) {
      print(name, (e as Error).constructor.name, (e as Error).message);
    }
  }
  srv.close();
  await srv.waitClosed();
}

const EXPECTED = [
  "list host TypeError inet_pton() argument 2 must be str, not list",
  "list host, two TypeError inet_pton() argument 2 must be str, not list",
  "int host TypeError argument of type 'int' is not iterable",
  "str delay TypeError '<=' not supported between instances of 'str' and 'int'",
  "list delay TypeError '<=' not supported between instances of 'list' and 'int'",
  "negative delay ok",
];

test("a host list and a delay that is not a number fail with Python's TypeErrors", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_net5_host_types.py", () => {
  const ref = pythonReference("rp_net5_host_types");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
