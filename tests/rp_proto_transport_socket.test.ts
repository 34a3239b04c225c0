// A transport's "socket" extra (a TransportSocket) given to the loop's sock_*
// methods fails as in Python, where it has no recv/send/accept: Python's
// AttributeError, a TypeError with the same message here, instead of
// reading or writing behind the transport's back.
// Checked against CPython (tests/fixtures/py/rp_proto_transport_socket.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

type Print = (...args: unknown[]) => void;

async function transportSocketCalls(print: Print): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const [a, b] = asyncio.socketpair();
  const [t] = await loop.createConnection(() => new asyncio.Protocol(), { sock: a });
  const ts = t.getExtraInfo("socket") as asyncio.Socket;
  print(ts.constructor.name);
  const calls: Array<[string, () => Promise<unknown>]> = [
    ["sock_recv", () => loop.sockRecv(ts, 10)],
    ["sock_recv_into", () => loop.sockRecvInto(ts, new Uint8Array(3))],
    ["sock_sendall", () => loop.sockSendall(ts, new Uint8Array([120]))],
    ["sock_accept", () => loop.sockAccept(ts)],
  ];
  for (const [name, call] of calls) {
    try {
      await asyncio.waitFor(call(), 1);
    } catch (e) {
      if (!(e instanceof TypeError)) throw e;
      print(name, e.message);
    }
  }
  t.close();
  b.close();
  await asyncio.sleep(0.01);
}

const EXPECTED = [
  "TransportSocket",
  "sock_recv 'TransportSocket' object has no attribute 'recv'",
  "sock_recv_into 'TransportSocket' object has no attribute 'recv_into'",
  "sock_sendall 'TransportSocket' object has no attribute 'send'",
  "sock_accept 'TransportSocket' object has no attribute 'accept'",
];

test("the loop's sock_* methods refuse a transport's TransportSocket", async () => {
  const out: string[] = [];
  await asyncio.run(() => transportSocketCalls(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_proto_transport_socket.py", () => {
  const ref = pythonReference("rp_proto_transport_socket");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
