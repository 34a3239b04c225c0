// `loop.sockConnect()` refused on a socket left in blocking mode: CPython's
// blocking connect(2) takes the error and leaves the socket unconnected, so
// a read says ENOTCONN and a retry on the same socket connects. The library
// waited for the outcome by reading SO_ERROR, which left the socket
// half-failed: the read gave EOF and the retry said ECONNABORTED (what a
// non-blocking socket does in CPython too).
// Checked against CPython (tests/fixtures/py/rp_net5_connect_retry.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const srv = asyncio.socket();
  srv.bind(["127.0.0.1", 0]);
  srv.listen();
  const probe = asyncio.socket();
  probe.bind(["127.0.0.1", 0]);
  const closed = probe.getsockname() as [string, number];
  probe.close();
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  for (const blocking of [true, false]) {
    const s = asyncio.socket();
    s.setblocking(blocking);
    try {
      await loop.sockConnect(s, closed);
    } catch (e) {
      if (!(e instanceof asyncio.OSError)) throw e;
      print(blocking, e.constructor.name, e.errno);
    }
    try {
      const [data, addr] = s.recvfrom(10);
      print(blocking, "recvfrom", `(b'${new TextDecoder().decode(data)}', ${addr ?? "None"})`);
    } catch (e) {
      if (!(e instanceof asyncio.OSError)) throw e;
      print(blocking, "recvfrom", e.constructor.name, e.errno);
    }
    try {
      print(blocking, "retry", await loop.sockConnect(s, srv.getsockname() as [string, number]));
      print(blocking, "peer ok", same(s.getpeername(), srv.getsockname()));
    } catch (e) {
      if (!(e instanceof asyncio.OSError)) throw e;
      print(blocking, "retry", e.constructor.name, e.strerror);
    }
    s.close();
  }
  srv.close();
}

const EXPECTED = [
  "True ConnectionRefusedError 111",
  "True recvfrom OSError 107",
  "True retry None",
  "True peer ok True",
  "False ConnectionRefusedError 111",
  "False recvfrom (b'', None)",
  "False retry ConnectionAbortedError Software caused connection abort",
];

test(
  "a blocking socket whose sockConnect was refused is unconnected, and a retry connects",
  async () => {
    const out: string[] = [];
    await asyncio.run(() => app(printer(out)));
    assertEquals(out, EXPECTED);
  },
  { timeout: 20 },
);

test("CPython prints the same for rp_net5_connect_retry.py", () => {
  const ref = pythonReference("rp_net5_connect_retry");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
