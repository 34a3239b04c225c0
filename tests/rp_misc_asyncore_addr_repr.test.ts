// A dispatcher's repr shows a 2-item address as host:port and any other
// address (an IPv6 peer's 4-tuple) as Python's repr(addr), a tuple, not a
// list. Checked against CPython (tests/fixtures/py/rp_misc_asyncore_addr_repr.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

function app(print: (...args: unknown[]) => void): void {
  const pairs = [[asyncio.AF_INET, "127.0.0.1"], [asyncio.AF_INET6, "::1"]] as const;
  for (const [fam, host] of pairs) {
    const srv = asyncio.socket(fam, asyncio.SOCK_STREAM);
    srv.bind([host, 0]);
    srv.listen(1);
    const port = (srv.getsockname() as [string, number])[1];
    const cli = asyncio.socket(fam, asyncio.SOCK_STREAM);
    cli.connect([host, port]);
    const [sock, addr] = srv.accept() as [asyncio.Socket, [string, number]];
    const m: asyncio.asyncore.SocketMap = new Map();
    const d = new asyncio.asyncore.dispatcher(sock, { map: m });
    const shown = () => String(d).split(" at ")[0].replace(String(addr[1]), "PORT");
    print(shown(), addr.length);
    d.close();
    print(shown(), m.size);
    cli.close();
    srv.close();
  }
}

const EXPECTED = [
  "<asyncore.dispatcher connected 127.0.0.1:PORT 2",
  "<asyncore.dispatcher 127.0.0.1:PORT 0",
  "<asyncore.dispatcher connected ('::1', PORT, 0, 0) 4",
  "<asyncore.dispatcher ('::1', PORT, 0, 0) 0",
];

test("a dispatcher's repr shows an IPv6 address as a tuple", () => {
  const out: string[] = [];
  app(printer(out));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_misc_asyncore_addr_repr.py", () => {
  const ref = pythonReference("rp_misc_asyncore_addr_repr");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
