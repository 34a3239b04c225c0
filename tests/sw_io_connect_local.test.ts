// createConnection's localAddr is resolved as the remote address is and
// bound per attempt to a local address of the attempt's family; a protocol
// factory that is not callable fails when the loop calls it, with Python's
// TypeError. Checked against CPython (sw_io_connect_local.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

type Address = [string, number];
// Arguments a typed port would not compile: the bad input under test.
// deno-lint-ignore no-explicit-any
const untyped = (x: unknown) => x as any;

function bytesRepr(b: Uint8Array): string {
  return `b'${new TextDecoder().decode(b)}'`;
}

async function connectLocal(print: (...args: unknown[]) => void): Promise<void> {
  const attempt = async (label: string, aw: Promise<[asyncio.BaseTransport, unknown]>) => {
    try {
      const [t] = await aw;
      print(label, "ok", (t.getExtraInfo("sockname") as Address)[0]);
      t.close();
    } catch (e) {
      print(label, (e as Error).name, (e as Error).message);
    }
  };
  const loop = asyncio.getRunningLoop();
  const srv = await loop.createServer(asyncio.Protocol, "127.0.0.1", 0);
  const port = (srv.sockets[0].getsockname() as Address)[1];
  const srv6 = await loop.createServer(asyncio.Protocol, "::1", 0);
  const port6 = (srv6.sockets[0].getsockname() as Address)[1];
  const P = asyncio.Protocol;
  await attempt(
    "v4 local",
    loop.createConnection(P, "127.0.0.1", port, { localAddr: ["127.0.0.1", 0] }),
  );
  await attempt(
    "v4 remote, v6 local",
    loop.createConnection(P, "127.0.0.1", port, { localAddr: ["::1", 0] }),
  );
  await attempt(
    "v6 remote, v4 local",
    loop.createConnection(P, "::1", port6, { localAddr: ["127.0.0.1", 0] }),
  );
  await attempt(
    "v6 local with scope",
    loop.createConnection(P, "::1", port6, { localAddr: ["::1", 0, 0, 0] }),
  );
  await attempt(
    "local by name",
    loop.createConnection(P, "127.0.0.1", port, { localAddr: ["localhost", 0] }),
  );
  await attempt(
    "local name unknown",
    loop.createConnection(P, "127.0.0.1", port, { localAddr: ["no-such-host.invalid", 0] }),
  );
  await attempt(
    "local family forced",
    loop.createConnection(P, "::1", port6, {
      family: asyncio.AF_INET6,
      localAddr: ["127.0.0.1", 0],
    }),
  );
  await attempt(
    "local 1-tuple",
    loop.createConnection(P, "127.0.0.1", port, { localAddr: untyped(["127.0.0.1"]) }),
  );
  await attempt("factory 5", loop.createConnection(untyped(5), "127.0.0.1", port));
  const server = await loop.createServer(untyped(5), "127.0.0.1", 0);
  print("server with factory 5 serving", server.isServing());
  const [r, w] = await asyncio.openConnection(...(server.sockets[0].getsockname() as Address));
  print("client reads", bytesRepr(await asyncio.waitFor(r.read(), 5)));
  w.close();
  await w.waitClosed();
  for (const s of [server, srv, srv6]) {
    s.close();
    await s.waitClosed();
  }
  try {
    await loop.createDatagramEndpoint(untyped(null), { localAddr: ["127.0.0.1", 0] });
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    print("datagram factory None", e.name, e.message);
  }
}

const EXPECTED = [
  "v4 local ok 127.0.0.1",
  "v4 remote, v6 local OSError no matching local address with family=<AddressFamily.AF_INET: 2> found",
  "v6 remote, v4 local OSError no matching local address with family=<AddressFamily.AF_INET6: 10> found",
  "v6 local with scope ok ::1",
  "local by name ok 127.0.0.1",
  "local name unknown gaierror [Errno -2] Name or service not known",
  "local family forced gaierror [Errno -9] Address family for hostname not supported",
  "local 1-tuple ValueError not enough values to unpack (expected 2, got 1)",
  "factory 5 TypeError 'int' object is not callable",
  "server with factory 5 serving True",
  "client reads b''",
  "datagram factory None TypeError 'NoneType' object is not callable",
];

test(
  "localAddr is resolved and bound per family; a non-callable factory fails when called",
  async () => {
    const out: string[] = [];
    await asyncio.run(() => connectLocal(printer(out)));
    assertEquals(out, EXPECTED);
  },
  { timeout: 30 },
);

test("CPython prints the same for sw_io_connect_local.py", () => {
  const ref = pythonReference("sw_io_connect_local");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
