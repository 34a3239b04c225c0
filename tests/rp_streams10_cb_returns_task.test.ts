// A plain client callback that returns a Task or a Future is not returning
// a coroutine: CPython 3.11's start_server ignores it, so its error is not
// "Unhandled exception in client_connected_cb" and the connection stays
// open. The library took any Future returned as the callback's task,
// reported its error so and closed the transport. A returned promise (what
// a coroutine ports to) still runs as the callback's task. Checked against
// CPython (tests/fixtures/py/rp_streams10_cb_returns_task.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { bytesRepr } from "../lib/format.ts";
import * as asyncio from "../mod.ts";

const enc = (s: string) => new TextEncoder().encode(s);

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  loop.setExceptionHandler((_loop, ctx) => print("handler:", ctx.message));
  const made: [asyncio.Future<unknown>, asyncio.StreamWriter][] = [];

  async function work(r: asyncio.StreamReader, _w: asyncio.StreamWriter): Promise<void> {
    await r.readLine();
    throw new asyncio.ValueError("task boom");
  }
  function returns_task(r: asyncio.StreamReader, w: asyncio.StreamWriter) {
    const task = asyncio.createTask(() => work(r, w));
    made.push([task, w]);
    return task;
  }
  function returns_future(_r: asyncio.StreamReader, w: asyncio.StreamWriter) {
    const fut = loop.createFuture();
    made.push([fut, w]);
    loop.callSoon((e: Error) => fut.setException(e), new asyncio.ValueError("future boom"));
    return fut;
  }
  function returns_coroutine(r: asyncio.StreamReader, w: asyncio.StreamWriter) {
    return work(r, w);
  }

  for (const cb of [returns_task, returns_future, returns_coroutine]) {
    const srv = await asyncio.startServer(cb, "127.0.0.1", 0);
    const port = (srv.sockets[0].getsockname() as [string, number])[1];
    const [r, w] = await asyncio.openConnection("127.0.0.1", port);
    w.write(enc("go\n"));
    try {
      print(cb.name, "read", bytesRepr(await asyncio.waitFor(r.read(), 0.2)));
    } catch (e) {
      if (!(e instanceof asyncio.TimeoutError)) throw e;
      print(cb.name, "read timed out: still open");
    }
    for (const [fut, sw] of made) {
      const name = fut instanceof asyncio.Task ? "Task" : "Future";
      print(cb.name, "returned", name, (fut.exception() as Error).message);
      sw.close();
    }
    made.length = 0;
    w.close();
    await w.waitClosed();
    srv.close();
    await srv.waitClosed();
  }
  await asyncio.sleep(0.01);
}

const EXPECTED = [
  "returns_task read timed out: still open",
  "returns_task returned Task task boom",
  "returns_future read timed out: still open",
  "returns_future returned Future future boom",
  "handler: Unhandled exception in client_connected_cb",
  "returns_coroutine read b''",
];

test(
  "a client callback returning a Task or Future: ignored, as in Python; a promise is its task",
  async () => {
    const out: string[] = [];
    await asyncio.run(() => app(printer(out)));
    assertEquals(out, EXPECTED);
  },
  { timeout: 20 },
);

test("CPython prints the same for rp_streams10_cb_returns_task.py", () => {
  const ref = pythonReference("rp_streams10_cb_returns_task");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
