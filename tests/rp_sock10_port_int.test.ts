// A numeric host's port is read with Python's int(), as asyncio's
// _ipaddr_info does, in createConnection and sockConnect: 8080.5 is 8080,
// " 8080 ", "+8080", "8_080" and the bytes " 8080" are 8080, "-1" reaches
// connect() (OverflowError). Only NaN and strings int() refuses go to
// getaddrinfo; infinity is int()'s OverflowError. They were all sent to
// getaddrinfo ("Int or String expected", "Servname not supported").
// A string localAddr is indexed as Python indexes it (host "1", port "2",
// then too many arguments) instead of reaching bind(). Checked against
// CPython (tests/fixtures/py/rp_sock10_port_int.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

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
  const text = String(port);
  const forms: [string, unknown][] = [
    ["float", port + 0.5],
    ["spaces", ` ${text} `],
    ["plus", "+" + text],
    ["underscore", text.slice(0, 1) + "_" + text.slice(1)],
    ["bytes", new TextEncoder().encode(" " + text)],
    ["minus", "-1"],
    ["nan", NaN],
    ["dotted", text + ".0"],
    ["inf", Infinity],
  ];
  const show = (what: string, label: string, e: unknown) =>
    print(what, label, (e as Error).constructor.name, (e as Error).message);
  for (const [label, p] of forms) {
    try {
      const [t] = await loop.createConnection(
        () => new asyncio.Protocol(),
        "127.0.0.1",
        p as number,
      );
      const peer = t.getExtraInfo("peername") as [string, number];
      print("create_connection", label, "connected", peer[1] === port);
      t.close();
    } catch (e) {
      show("create_connection", label, e);
    }
    const s = asyncio.socket();
    s.setblocking(false);
    try {
      await loop.sockConnect(s, ["127.0.0.1", p as number]);
      print("sock_connect", label, "connected", (s.getpeername() as [string, number])[1] === port);
    } catch (e) {
      show("sock_connect", label, e);
    }
    s.close();
  }
  for (const local of ["127.0.0.1", "1", ""]) {
    try {
      await loop.createConnection(() => new asyncio.Protocol(), "127.0.0.1", port, {
        localAddr: local,
      });
    } catch (e) {
      show("local_addr", `'${local}'`, e);
    }
  }
  for (let i = 0; i < 100 && lost < 10; i++) await asyncio.sleep(0.01);
  print("served", lost);
  srv.close();
  await srv.waitClosed();
}

const EXPECTED = [
  "create_connection float connected True",
  "sock_connect float connected True",
  "create_connection spaces connected True",
  "sock_connect spaces connected True",
  "create_connection plus connected True",
  "sock_connect plus connected True",
  "create_connection underscore connected True",
  "sock_connect underscore connected True",
  "create_connection bytes connected True",
  "sock_connect bytes connected True",
  "create_connection minus OverflowError connect(): port must be 0-65535.",
  "sock_connect minus OverflowError connect(): port must be 0-65535.",
  "create_connection nan OSError Int or String expected",
  "sock_connect nan OSError Int or String expected",
  "create_connection dotted gaierror [Errno -8] Servname not supported for ai_socktype",
  "sock_connect dotted gaierror [Errno -8] Servname not supported for ai_socktype",
  "create_connection inf OverflowError cannot convert float infinity to integer",
  "sock_connect inf OverflowError cannot convert float infinity to integer",
  "local_addr '127.0.0.1' TypeError _ipaddr_info() takes from 5 to 7 positional arguments but 12 were given",
  "local_addr '1' ValueError not enough values to unpack (expected 2, got 1)",
  "local_addr '' ValueError not enough values to unpack (expected 2, got 0)",
  "served 10",
];

test("a numeric host's port is read with int(); a string localAddr is indexed", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_sock10_port_int.py", () => {
  const ref = pythonReference("rp_sock10_port_int");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
