// A Server's close(), isServing() and getLoop(), a Queue's putNowait(),
// getNowait() and taskDone(), a Process's kill(), terminate() and
// sendSignal(), and the loop's add/remove reader, writer and signal handler
// methods, passed alone as callbacks, work on their object as Python's bound
// methods do, and show in a Handle as Python names them; checked against
// CPython.
import process from "node:process";
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

function masked(x: unknown): string {
  return String(x).replace(/\(\d+/g, "(N").replace(/when=[0-9.e+-]+/g, "when=T");
}

function handle(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter): void {
  writer.close();
}

async function boundCallbacks(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const py = (b: boolean) => (b ? "True" : "False");
  let srv = await asyncio.startServer(handle, "127.0.0.1", 0);
  print(String(loop.callSoon(srv.close)));
  await asyncio.sleep(0);
  print("serving after call_soon", py(srv.isServing()), srv.sockets.length ? "open" : "()");
  await srv.waitClosed();

  srv = await asyncio.startServer(handle, "127.0.0.1", 0);
  loop.addSignalHandler(asyncio.signals.SIGUSR1, srv.close);
  process.kill(process.pid, "SIGUSR1");
  for (let i = 0; i < 100; i++) {
    if (!srv.isServing()) break;
    await asyncio.sleep(0.01);
  }
  print("serving after signal", py(srv.isServing()));
  loop.removeSignalHandler(asyncio.signals.SIGUSR1);

  srv = await asyncio.startServer(handle, "127.0.0.1", 0);
  const forever = srv;
  const t = asyncio.createTask(() => forever.serveForever());
  await asyncio.sleep(0);
  loop.callLater(0.01, srv.close);
  try {
    await t;
  } catch (e) {
    if (!(e instanceof asyncio.CancelledError)) throw e;
    print("serve_forever cancelled by close", py(t.cancelled()));
  }

  srv = await asyncio.startServer(handle, "127.0.0.1", 0, { startServing: false });
  print(String(loop.callSoon(srv.isServing)));
  print(String(loop.callSoon(srv.getLoop)));
  await asyncio.sleep(0);
  srv.close();
  await srv.waitClosed();

  const q = new asyncio.Queue<number>();
  const lq = new asyncio.LifoQueue<number>();
  print(String(loop.callSoon(q.putNowait, 1)));
  print(String(loop.callSoonThreadsafe(lq.putNowait, 2)));
  await asyncio.sleep(0);
  print("sizes", q.qsize(), lq.qsize());
  print(String(loop.callSoon(q.getNowait)));
  await asyncio.sleep(0);
  print("after get_nowait", q.qsize());
  print(String(loop.callSoon(q.taskDone)));
  await asyncio.waitFor(q.join(), 1);
  print("joined", py(q.empty()));
  loop.callLater(0.01, lq.putNowait, 3);
  print("lifo", await lq.get(), await lq.get());

  let p = await asyncio.createSubprocessExec("sleep", "5");
  print(masked(loop.callLater(0.01, p.kill)));
  print("killed", await p.wait());
  p = await asyncio.createSubprocessExec("sleep", "5");
  print(String(loop.callSoon(p.terminate)));
  print("terminated", await p.wait());
  p = await asyncio.createSubprocessExec("sleep", "5");
  loop.callSoon(p.sendSignal, asyncio.signals.SIGKILL);
  print("signalled", await p.wait());

  const [a, b] = asyncio.socketpair();
  const got: unknown[] = [];
  const enc = new TextEncoder();
  loop.addReader(a, () => got.push(a.recv(10)));
  b.send(enc.encode("x"));
  await asyncio.sleep(0.05);
  print(masked(loop.callSoon(loop.removeReader, a.fileno())));
  await asyncio.sleep(0);
  b.send(enc.encode("y"));
  await asyncio.sleep(0.05);
  const reads = got.map((d) => `b'${new TextDecoder().decode(d as Uint8Array)}'`);
  print("read", `[${reads.join(", ")}]`, py(loop.removeReader(a)));
  print(masked(loop.callSoon(loop.addReader, a.fileno(), console.log, "r")));
  await asyncio.sleep(0);
  print("reader added", py(loop.removeReader(a)));
  loop.callSoon(loop.addWriter, b.fileno(), (x: string) => got.push(x), "w");
  await asyncio.sleep(0.05);
  print(masked(loop.callSoon(loop.removeWriter, b.fileno())));
  await asyncio.sleep(0);
  print("writer ran", py(got.includes("w")), py(loop.removeWriter(b)));
  a.close();
  b.close();
  loop.callSoon(loop.addSignalHandler, asyncio.signals.SIGUSR2, console.log, "usr2");
  await asyncio.sleep(0);
  loop.callSoon(loop.removeSignalHandler, asyncio.signals.SIGUSR2);
  await asyncio.sleep(0);
  print("signal handler removed", py(loop.removeSignalHandler(asyncio.signals.SIGUSR2)));
}

const EXPECTED = [
  "<Handle Server.close()>",
  "serving after call_soon False ()",
  "serving after signal False",
  "serve_forever cancelled by close True",
  "<Handle Server.is_serving()>",
  "<Handle Server.get_loop()>",
  "<Handle Queue.put_nowait(1)>",
  "<Handle Queue.put_nowait(2)>",
  "sizes 1 1",
  "<Handle Queue.get_nowait()>",
  "after get_nowait 0",
  "<Handle Queue.task_done()>",
  "joined True",
  "lifo 2 3",
  "<TimerHandle when=T Process.kill()>",
  "killed -9",
  "<Handle Process.terminate()>",
  "terminated -15",
  "signalled -9",
  "<Handle BaseSelectorEventLoop.remove_reader(N)>",
  "read [b'x'] False",
  "<Handle BaseSelectorEventLoop.add_reader(N, <built-in function print>, 'r')>",
  "reader added True",
  "<Handle BaseSelectorEventLoop.remove_writer(N)>",
  "writer ran True False",
  "signal handler removed False",
];

test("a server's and a queue's methods work when passed alone as callbacks", async () => {
  const out: string[] = [];
  await asyncio.run(() => boundCallbacks(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("a server's coroutine methods passed alone make tasks that serve it (rule 9)", async () => {
  const out: string[] = [];
  await asyncio.run(async () => {
    const srv = await asyncio.startServer(handle, "127.0.0.1", 0, { startServing: false });
    const t = asyncio.createTask(srv.serveForever);
    await asyncio.sleep(0);
    out.push(`serving ${srv.isServing()} ${t.done()}`);
    srv.close();
    try {
      await t;
    } catch (e) {
      if (!(e instanceof asyncio.CancelledError)) throw e;
      out.push("cancelled");
    }
    out.push(`wait_closed ${await asyncio.createTask(srv.waitClosed)}`);
  });
  assertEquals(out, ["serving true false", "cancelled", "wait_closed null"]);
}, { timeout: 20 });

test("CPython prints the same for sw_loop_bound_callbacks.py", () => {
  const ref = pythonReference("sw_loop_bound_callbacks");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
