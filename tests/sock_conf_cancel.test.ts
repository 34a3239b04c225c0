// A task made straight from a loop.sock* call (`createTask(loop.sockRecv(a,
// 10))`), cancelled, stops watching the socket as CPython's does: no reader
// or writer is left, the data goes to the next call, and new sockets that
// get the same fd numbers work. Checked against CPython.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function cancelled(
  print: (...args: unknown[]) => void,
  t: asyncio.Task<unknown>,
  what: string,
) {
  await asyncio.sleep(0.01);
  t.cancel();
  try {
    await t;
  } catch (e) {
    if (!(e instanceof asyncio.CancelledError)) throw e;
    print(what, "cancelled");
  }
}

async function cancelSockCalls(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const [a, b] = asyncio.socketpair();
  a.setblocking(false);
  b.setblocking(false);
  await cancelled(print, asyncio.createTask(loop.sockRecv(a, 10)), "sock_recv");
  print("reader left:", loop.removeReader(a.fileno()));
  b.send(new TextEncoder().encode("data"));
  print(`b'${new TextDecoder().decode(await loop.sockRecv(a, 10))}'`);

  const big = new Uint8Array(5_000_000).fill(120);
  await cancelled(print, asyncio.createTask(loop.sockSendall(b, big)), "sock_sendall");
  print("writer left:", loop.removeWriter(b.fileno()));

  // The closed sockets' fd numbers go to the next sockets: the watchers
  // of the cancelled calls must be gone, or these would wait forever.
  a.close();
  b.close();
  const lsn = asyncio.socket();
  const c = asyncio.socket();
  try {
    lsn.bind(["127.0.0.1", 0]);
    lsn.listen();
    lsn.setblocking(false);
    c.setblocking(false);
    await cancelled(print, asyncio.createTask(loop.sockAccept(lsn)), "sock_accept");
    print("reader left:", loop.removeReader(lsn.fileno()));
    await asyncio.waitFor(loop.sockConnect(c, lsn.getsockname() as [string, number]), 5);
    const [conn] = await asyncio.waitFor(loop.sockAccept(lsn), 5);
    print("connected");
    conn.close();
  } finally {
    c.close();
    lsn.close();
  }
}

const EXPECTED = [
  "sock_recv cancelled",
  "reader left: False",
  "b'data'",
  "sock_sendall cancelled",
  "writer left: False",
  "sock_accept cancelled",
  "reader left: False",
  "connected",
];

test("a task of a sock* call, cancelled, leaves no reader or writer behind", async () => {
  const out: string[] = [];
  await asyncio.run(() => cancelSockCalls(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test(
  "a task of sockConnect cancelled while the connect is in progress leaves no writer",
  async () => {
    await asyncio.run(async () => {
      const loop = asyncio.getRunningLoop();
      const lsn = asyncio.socket();
      const s = asyncio.socket();
      try {
        lsn.bind(["127.0.0.1", 0]);
        lsn.listen();
        s.setblocking(false);
        // A TCP connect is in progress when the call returns: cancelled at once.
        const t = asyncio.createTask(loop.sockConnect(s, lsn.getsockname() as [string, number]));
        t.cancel();
        try {
          await t;
        } catch (e) {
          if (!(e instanceof asyncio.CancelledError)) throw e;
        }
        assertEquals(t.cancelled(), true);
        assertEquals(loop.removeWriter(s.fileno()), false);
      } finally {
        s.close();
        lsn.close();
      }
    });
  },
  { timeout: 20 },
);

test("CPython prints the same for sock_conf_cancel.py", () => {
  const ref = pythonReference("sock_conf_cancel");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
