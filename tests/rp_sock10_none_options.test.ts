// Each createConnection option given as null is the option left out, as
// Python's None is: `localAddr: null` reached bind() and failed with
// "bind(): AF_INET address must be tuple, not NoneType". Checked against
// CPython (tests/fixtures/py/rp_sock10_none_options.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const OPTIONS: [string, string][] = [
  ["local_addr", "localAddr"],
  ["ssl", "ssl"],
  ["sock", "sock"],
  ["server_hostname", "serverHostname"],
  ["ssl_handshake_timeout", "sslHandshakeTimeout"],
  ["ssl_shutdown_timeout", "sslShutdownTimeout"],
  ["happy_eyeballs_delay", "happyEyeballsDelay"],
  ["interleave", "interleave"],
];

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  let lost = 0;
  class Served extends asyncio.Protocol {
    override connectionLost(): void {
      lost++;
    }
  }
  const srv = await loop.createServer(() => new Served(), "127.0.0.1", 0);
  const port = (srv.sockets[0].getsockname() as [string, number])[1];
  for (const [py, ts] of OPTIONS) {
    try {
      const [t] = await loop.createConnection(() => new asyncio.Protocol(), "127.0.0.1", port, {
        [ts]: null,
      });
      print("create_connection", py, null, t.constructor.name);
      t.close();
    } catch (e) {
      print("create_connection", py, null, (e as Error).constructor.name, (e as Error).message);
    }
  }
  const [, w] = await asyncio.openConnection("127.0.0.1", port, { localAddr: null });
  print(
    "open_connection local_addr None",
    (w.getExtraInfo("peername") as [string, number])[1] === port,
  );
  w.close();
  await w.waitClosed();
  for (let i = 0; i < 100 && lost < 9; i++) await asyncio.sleep(0.01);
  print("served", lost);
  srv.close();
  await srv.waitClosed();
}

const EXPECTED = [
  "create_connection local_addr None _SelectorSocketTransport",
  "create_connection ssl None _SelectorSocketTransport",
  "create_connection sock None _SelectorSocketTransport",
  "create_connection server_hostname None _SelectorSocketTransport",
  "create_connection ssl_handshake_timeout None _SelectorSocketTransport",
  "create_connection ssl_shutdown_timeout None _SelectorSocketTransport",
  "create_connection happy_eyeballs_delay None _SelectorSocketTransport",
  "create_connection interleave None _SelectorSocketTransport",
  "open_connection local_addr None True",
  "served 9",
];

test("createConnection options given as null are left out, localAddr too", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_sock10_none_options.py", () => {
  const ref = pythonReference("rp_sock10_none_options");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
