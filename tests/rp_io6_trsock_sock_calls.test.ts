// A transport's "socket" extra (a TransportSocket) has no recv/send/...:
// the loop's sock_* calls on it fail with AttributeError (a TypeError
// subclass here), whose class name a program prints.
// Checked against CPython (tests/fixtures/py/rp_io6_trsock_sock_calls.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const [t] = await loop.createDatagramEndpoint(() => new asyncio.DatagramProtocol(), {
    localAddr: ["127.0.0.1", 0],
  });
  const s = t.getExtraInfo("socket") as asyncio.Socket;
  const x = new Uint8Array([120]);
  const calls: [string, () => Promise<unknown>][] = [
    ["sock_recv", () => loop.sockRecv(s, 10)],
    ["sock_recv_into", () => loop.sockRecvInto(s, new Uint8Array(4))],
    ["sock_sendall", () => loop.sockSendall(s, x)],
    ["sock_recvfrom", () => loop.sockRecvfrom(s, 10)],
    ["sock_sendto", () => loop.sockSendto(s, x, ["127.0.0.1", 9])],
    ["sock_connect", () => loop.sockConnect(s, ["127.0.0.1", 9])],
    ["sock_accept", () => loop.sockAccept(s)],
  ];
  for (const [name, call] of calls) {
    try {
      await call();
      print(name, "ok");
    } catch (e) {
      const err = e as Error;
      print(name, err.name, err instanceof TypeError, err.message);
    }
  }
  t.close();
}

const EXPECTED = [
  "sock_recv AttributeError True 'TransportSocket' object has no attribute 'recv'",
  "sock_recv_into AttributeError True 'TransportSocket' object has no attribute 'recv_into'",
  "sock_sendall AttributeError True 'TransportSocket' object has no attribute 'send'",
  "sock_recvfrom AttributeError True 'TransportSocket' object has no attribute 'recvfrom'",
  "sock_sendto AttributeError True 'TransportSocket' object has no attribute 'sendto'",
  "sock_connect AttributeError True 'TransportSocket' object has no attribute 'connect'",
  "sock_accept AttributeError True 'TransportSocket' object has no attribute 'accept'",
];

test("sock_* calls on a transport's socket fail with AttributeError", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_io6_trsock_sock_calls.py", () => {
  const ref = pythonReference("rp_io6_trsock_sock_calls");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
