// serve_forever's lifecycle, pinned (the server sweep of round 12 found no
// divergence here): a second call fails while the first is awaited
// ("server ... is already being awaited on serve_forever()"), cancelling it
// closes the server, `close()` from elsewhere ends it with CancelledError and
// a later call says the server is closed, a cancel before its first step
// leaves the server open and not serving, and waitFor's timeout closes it.
// Checked against CPython (tests/fixtures/py/rp_server12_serve_forever.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const h = (_r: asyncio.StreamReader, w: asyncio.StreamWriter) => {
  w.close();
};

async function expectCancelled(t: asyncio.Task<void>, then: () => void): Promise<void> {
  try {
    await t;
  } catch (e) {
    if (!(e instanceof asyncio.CancelledError)) throw e;
    then();
  }
}

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const runtimeError = async (srv: asyncio.Server, label: string) => {
    try {
      await srv.serveForever();
    } catch (e) {
      if (!(e instanceof asyncio.RuntimeError)) throw e;
      print(label, e.message.replace(String(srv), "SRV"));
    }
  };
  const srv = await asyncio.startServer(h, "127.0.0.1", 0);
  const t1 = asyncio.createTask(srv.serveForever());
  await asyncio.sleep(0);
  await runtimeError(srv, "second:");
  t1.cancel();
  await expectCancelled(t1, () => print("t1 cancelled", t1.cancelled()));
  print("serving", srv.isServing(), srv.sockets.length);
  const srv2 = await asyncio.startServer(h, "127.0.0.1", 0, { startServing: false });
  const t2 = asyncio.createTask(srv2.serveForever());
  await asyncio.sleep(0);
  print("srv2 serving", srv2.isServing());
  srv2.close();
  await asyncio.sleep(0);
  print("t2", t2.done(), t2.cancelled());
  await expectCancelled(t2, () => print("t2 raised CancelledError"));
  await runtimeError(srv2, "third:");
  const srv3 = await asyncio.startServer(h, "127.0.0.1", 0, { startServing: false });
  const t3 = asyncio.createTask(srv3.serveForever());
  t3.cancel();
  await expectCancelled(t3, () => print("t3 cancelled", srv3.isServing(), srv3.sockets.length));
  srv3.close();
  const srv4 = await asyncio.startServer(h, "127.0.0.1", 0);
  try {
    await asyncio.waitFor(srv4.serveForever(), 0.05);
  } catch (e) {
    if (!(e instanceof asyncio.TimeoutError)) throw e;
    print("timeout", e.constructor.name, srv4.isServing(), srv4.sockets.length);
  }
}

const EXPECTED = [
  "second: server SRV is already being awaited on serve_forever()",
  "t1 cancelled True",
  "serving False 0",
  "srv2 serving True",
  "t2 True True",
  "t2 raised CancelledError",
  "third: server SRV is closed",
  "t3 cancelled False 1",
  "timeout TimeoutError False 0",
];

test(
  "serveForever: twice, cancelled, closed from elsewhere, cancelled early, timed out",
  async () => {
    const out: string[] = [];
    await asyncio.run(() => app(printer(out)));
    assertEquals(out, EXPECTED);
  },
  { timeout: 20 },
);

test("CPython prints the same for rp_server12_serve_forever.py", () => {
  const ref = pythonReference("rp_server12_serve_forever");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
