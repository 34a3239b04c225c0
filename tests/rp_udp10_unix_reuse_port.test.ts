// reusePort on a Unix datagram endpoint: the socket refuses SO_REUSEPORT,
// which Python's _set_reuseport turns into a ValueError (and the socket is
// closed); the library let the OSError (EOPNOTSUPP) through. A UDP
// endpoint takes the option. Checked against CPython
// (tests/fixtures/py/rp_udp10_unix_reuse_port.py).
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void, d: string): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const options: asyncio.DatagramEndpointOptions[] = [
    { family: asyncio.AF_UNIX, localAddr: join(d, "s"), reusePort: true },
    { family: asyncio.AF_UNIX, reusePort: true },
    { localAddr: ["127.0.0.1", 0], reusePort: true },
  ];
  for (const kw of options) {
    try {
      const [t] = await loop.createDatagramEndpoint(() => new asyncio.DatagramProtocol(), kw);
      const s = t.getExtraInfo("socket") as asyncio.Socket;
      print("ok", s.family, s.getsockopt(asyncio.SOL_SOCKET, asyncio.SO_REUSEPORT));
      t.close();
    } catch (e) {
      print((e as Error).constructor.name, (e as Error).message);
    }
  }
  print("path exists", existsSync(join(d, "s")));
  await asyncio.sleep(0);
}

const EXPECTED = [
  "ValueError reuse_port not supported by socket module, SO_REUSEPORT defined but not implemented.",
  "ValueError reuse_port not supported by socket module, SO_REUSEPORT defined but not implemented.",
  "ok 2 1",
  "path exists False",
];

test("reusePort on a Unix datagram endpoint is Python's ValueError", async () => {
  const out: string[] = [];
  const d = mkdtempSync(join(tmpdir(), "rp-udp10-"));
  try {
    await asyncio.run(() => app(printer(out), d));
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_udp10_unix_reuse_port.py", () => {
  const ref = pythonReference("rp_udp10_unix_reuse_port");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
