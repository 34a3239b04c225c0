// Protocols and transport base classes print Python's default repr
// (`<__main__.Client object at 0x...>`); checked against CPython.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

function mask(x: unknown): string {
  return String(x).replace(/0x[0-9a-f]+/g, "0xADDR");
}

class Client extends asyncio.Protocol {}
class Dg extends asyncio.DatagramProtocol {}
class MemoryTransport extends asyncio.Transport {}

async function reprs(print: (...args: unknown[]) => void): Promise<void> {
  const protocols = [
    new asyncio.BaseProtocol(),
    new asyncio.Protocol(),
    new asyncio.BufferedProtocol(),
    new asyncio.DatagramProtocol(),
    new asyncio.SubprocessProtocol(),
    new Client(),
    new Dg(),
    new asyncio.StreamReaderProtocol(new asyncio.StreamReader()),
  ];
  for (const p of protocols) print(mask(p));
  print(mask(`${new Client()}`));
  const transports = [
    new asyncio.BaseTransport(),
    new asyncio.Transport(),
    new asyncio.DatagramTransport(),
    new MemoryTransport(),
  ];
  for (const t of transports) print(mask(t));
  const loop = asyncio.getRunningLoop();
  const server = await loop.createServer(Client, "127.0.0.1", 0);
  const [, port] = server.sockets[0].getsockname() as [string, number];
  const [t, p] = await loop.createConnection(Client, "127.0.0.1", port);
  print(mask(p), p === t.getProtocol());
  t.close();
  server.close();
  await server.waitClosed();
}

const EXPECTED = [
  "<asyncio.protocols.BaseProtocol object at 0xADDR>",
  "<asyncio.protocols.Protocol object at 0xADDR>",
  "<asyncio.protocols.BufferedProtocol object at 0xADDR>",
  "<asyncio.protocols.DatagramProtocol object at 0xADDR>",
  "<asyncio.protocols.SubprocessProtocol object at 0xADDR>",
  "<__main__.Client object at 0xADDR>",
  "<__main__.Dg object at 0xADDR>",
  "<asyncio.streams.StreamReaderProtocol object at 0xADDR>",
  "<__main__.Client object at 0xADDR>",
  "<asyncio.transports.BaseTransport object at 0xADDR>",
  "<asyncio.transports.Transport object at 0xADDR>",
  "<asyncio.transports.DatagramTransport object at 0xADDR>",
  "<__main__.MemoryTransport object at 0xADDR>",
  "<__main__.Client object at 0xADDR> True",
];

test("protocols and transport base classes print Python's default repr", async () => {
  const out: string[] = [];
  await asyncio.run(() => reprs(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("console.log of a protocol prints that repr (inspect hook inherited)", async () => {
  const { inspect } = await import("node:util");
  assertEquals(mask(inspect(new Client())), "<__main__.Client object at 0xADDR>");
});

test("CPython prints the same for netconf_protocol_repr.py", () => {
  const ref = pythonReference("netconf_protocol_repr");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
