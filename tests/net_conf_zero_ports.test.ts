// Zero-byte receives answer at once (CPython makes no system call for them)
// and numeric ports keep their low 16 bits; checked against CPython.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

function bytesRepr(b: Uint8Array): string {
  return `b'${new TextDecoder().decode(b)}'`;
}

async function zeroAndPorts(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const [a, b] = asyncio.socketpair();
  try {
    a.setblocking(false);
    print("recv(0)", bytesRepr(a.recv(0)));
    print("recv_into(empty)", a.recvInto(new Uint8Array(0)));
    print("sock_recv(0)", bytesRepr(await asyncio.waitFor(loop.sockRecv(a, 0), 1)));
    print(
      "sock_recv_into(empty)",
      await asyncio.waitFor(loop.sockRecvInto(a, new Uint8Array(0)), 1),
    );
    b.sendall(new TextEncoder().encode("data"));
    print("then", bytesRepr(await loop.sockRecv(a, 10)));
  } finally {
    a.close();
    b.close();
  }
  for (const port of [70000, 65536, 2 ** 32 + 5, "70000", -1]) {
    const label = typeof port === "string" ? `'${port}'` : port;
    try {
      const infos = await loop.getaddrinfo("127.0.0.1", port, { type: asyncio.SOCK_STREAM });
      const [host, p] = infos[0][4] as [string, number];
      print(label, `('${host}', ${p})`);
    } catch (e) {
      if (!(e instanceof asyncio.gaierror)) throw e;
      print(label, "gaierror", e.message);
    }
  }
}

const EXPECTED = [
  "recv(0) b''",
  "recv_into(empty) 0",
  "sock_recv(0) b''",
  "sock_recv_into(empty) 0",
  "then b'data'",
  "70000 ('127.0.0.1', 4464)",
  "65536 ('127.0.0.1', 0)",
  "4294967301 ('127.0.0.1', 5)",
  "'70000' ('127.0.0.1', 4464)",
  "-1 gaierror [Errno -8] Servname not supported for ai_socktype",
];

test("zero-byte receives return at once; numeric ports wrap at 16 bits", async () => {
  const out: string[] = [];
  await asyncio.run(() => zeroAndPorts(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for netconf_zero_ports.py", () => {
  const ref = pythonReference("netconf_zero_ports");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
