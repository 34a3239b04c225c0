// Bad input across the API, with CPython 3.11's error classes and messages:
// each case prints e.name and e.message as the fixtures
// (tests/fixtures/py/badinput_*.py) print type(e).__name__ and str(e).
// The cases are those where the library once differed; the bad input other
// tests check already is not repeated here.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

type Print = (...args: unknown[]) => void;
// Bad input is the point: the calls go through `any`.
// deno-lint-ignore no-explicit-any
type Any = any;
const A: Any = asyncio;

function caseOf(print: Print) {
  return {
    sync(label: string, f: () => unknown): void {
      try {
        f();
        print(label, "OK");
      } catch (e) {
        print(label, (e as Error).name, (e as Error).message);
      }
    },
    async async(label: string, f: () => unknown): Promise<void> {
      try {
        await f();
        print(label, "OK");
      } catch (e) {
        print(label, (e as Error).name, (e as Error).message);
      }
    },
  };
}

async function badTasks(print: Print): Promise<void> {
  const c = caseOf(print);
  await asyncio.run(async () => {
    const loop: Any = asyncio.getRunningLoop();
    const coro = async () => 1;
    const asCompleted = (fs: unknown) => {
      for (const _ of A.asCompleted(fs)) { /* drained */ }
    };
    await c.async("wait_for(coroutine, 0)", () => asyncio.waitFor(coro(), 0));
    await c.async("wait(5)", () => A.wait(5));
    const p = coro();
    await c.async("wait(coroutine)", () => A.wait(p));
    c.sync("as_completed(5)", () => asCompleted(5));
    c.sync("as_completed(coroutine)", () => asCompleted(p));
    await c.async("timeout_at('x')", () => A.timeoutAt("x", () => {}));
    await c.async("reschedule('x')", () => asyncio.timeout(1, (cm: Any) => cm.reschedule("x")));
    await c.async("to_thread(5)", () => A.toThread(5));
    await c.async("run_in_executor(None, 5)", () => loop.runInExecutor(null, 5));
    loop.setDebug(true);
    c.sync("run_in_executor(None, 5) in debug mode", () => loop.runInExecutor(null, 5));
    loop.setDebug(false);
    const cond = new asyncio.Condition();
    await c.async("Condition.wait_for(5)", async () => {
      await cond.acquire();
      try {
        await cond.waitFor(5 as Any);
      } finally {
        cond.release();
      }
    });
    c.sync("Context.run(5)", () => asyncio.copyContext().run(5 as Any));
  });
  const other: Any = asyncio.newEventLoop();
  other.callLater(1000, () => {});
  c.sync("call_at('x')", () => other.callAt("x", () => {}));
  other.close();
  const [stale] = await asyncio.run(async () => [asyncio.getRunningLoop().createFuture()]);
  await asyncio.run(() =>
    c.async("wait_for(future of another loop, 1)", () => asyncio.waitFor(stale, 1))
  );
  await c.async("Runner(loop_factory=5)", () => new A.Runner({ loopFactory: 5 }).run(() => 1));
}

const EXPECTED_TASKS = [
  "wait_for(coroutine, 0) TimeoutError ", // str() of a TimeoutError() is empty
  "wait(5) TypeError 'int' object is not iterable",
  "wait(coroutine) TypeError expect a list of futures, not coroutine",
  "as_completed(5) TypeError 'int' object is not iterable",
  "as_completed(coroutine) TypeError expect an iterable of futures, not coroutine",
  "timeout_at('x') TypeError '<=' not supported between instances of 'str' and 'float'",
  "reschedule('x') TypeError '<=' not supported between instances of 'str' and 'float'",
  "to_thread(5) TypeError 'int' object is not callable",
  "run_in_executor(None, 5) TypeError 'int' object is not callable",
  "run_in_executor(None, 5) in debug mode TypeError a callable object was expected by run_in_executor(), got 5",
  "Condition.wait_for(5) TypeError 'int' object is not callable",
  "Context.run(5) TypeError 'int' object is not callable",
  "call_at('x') TypeError '<' not supported between instances of 'str' and 'float'",
  "wait_for(future of another loop, 1) ValueError The future belongs to a different loop than the one specified as the loop argument",
  "Runner(loop_factory=5) TypeError 'int' object is not callable",
];

test("task functions, timers, executor, Condition and Context: Python's classes and messages", async () => {
  const out: string[] = [];
  await badTasks(printer(out));
  assertEquals(out, EXPECTED_TASKS);
});

test("CPython prints the same for badinput_tasks.py", () => {
  const ref = pythonReference("badinput_tasks");
  if (ref !== null) assertEquals(ref.lines, EXPECTED_TASKS, ref.python);
}, { fdCheck: false, timeout: 30 });

async function badIo(print: Print): Promise<void> {
  const c = caseOf(print);
  const enc = new TextEncoder();
  await asyncio.run(async () => {
    const loop: Any = asyncio.getRunningLoop();
    c.sync("StreamReader(limit='x')", () => new A.StreamReader("x"));
    const r: Any = new asyncio.StreamReader();
    r.feedData(enc.encode("abc\n"));
    await c.async("read('x')", () => r.read("x"));
    await c.async("read(1.5)", () => r.read(1.5));
    await c.async("readexactly('x')", () => r.readExactly("x"));
    await c.async("readexactly(1.5)", () => r.readExactly(1.5));
    await c.async("readuntil('x')", () => r.readUntil("x"));
    await c.async("readuntil(5)", () => r.readUntil(5));
    await c.async("readuntil(None)", () => r.readUntil(null));

    const [a, b] = asyncio.socketpair();
    a.setblocking(false);
    await c.async("sock_recv(-1)", () => loop.sockRecv(a, -1));
    await c.async("sock_recv('x')", () => loop.sockRecv(a, "x"));
    await c.async("sock_recv(1.5)", () => loop.sockRecv(a, 1.5));
    await c.async("sock_recv_into('x')", () => loop.sockRecvInto(a, "x"));
    const t: Any = asyncio.socket();
    t.setblocking(false);
    await c.async("sock_connect('x')", () => loop.sockConnect(t, "x"));
    await c.async("sock_connect(('127.0.0.1',))", () => loop.sockConnect(t, ["127.0.0.1"]));
    await c.async("sock_connect(5)", () => loop.sockConnect(t, 5));
    t.close();
    await c.async("getnameinfo flags 'x'", () => loop.getnameinfo(["127.0.0.1", 80], "x"));
    await c.async(
      "getaddrinfo family 'x'",
      () => loop.getaddrinfo("127.0.0.1", 80, { family: "x" }),
    );
    a.close();
    b.close();

    const s: Any = asyncio.socket();
    c.sync("bind port 70000", () => s.bind(["127.0.0.1", 70000]));
    c.sync("connect_ex('x')", () => s.connectEx("x"));
    s.close();
    c.sync("bind('x') closed", () => s.bind("x"));

    const handler = (_r: asyncio.StreamReader, w: asyncio.StreamWriter) => w.close();
    await c.async("open_connection port 99999", () => A.openConnection("127.0.0.1", 99999));
    await c.async("open_connection host 5", () => A.openConnection(5, 80));
    await c.async("start_server port -1", () => A.startServer(handler, "127.0.0.1", -1));
    await c.async("start_server host 5", () => A.startServer(handler, 5, 0));
    await c.async(
      "datagram local_addr host 5",
      () =>
        loop.createDatagramEndpoint(() => new asyncio.DatagramProtocol(), { localAddr: [5, 0] }),
    );

    const p: Any = await asyncio.createSubprocessExec("sleep", "10");
    c.sync("send_signal('x')", () => p.sendSignal("x"));
    p.kill();
    await p.wait();
  });
}

const EXPECTED_IO = [
  "StreamReader(limit='x') TypeError '<=' not supported between instances of 'str' and 'int'",
  "read('x') TypeError '<' not supported between instances of 'str' and 'int'",
  "read(1.5) TypeError slice indices must be integers or None or have an __index__ method",
  "readexactly('x') TypeError '<' not supported between instances of 'str' and 'int'",
  "readexactly(1.5) TypeError slice indices must be integers or None or have an __index__ method",
  "readuntil('x') TypeError argument should be integer or bytes-like object, not 'str'",
  "readuntil(5) TypeError object of type 'int' has no len()",
  "readuntil(None) TypeError object of type 'NoneType' has no len()",
  "sock_recv(-1) ValueError negative buffersize in recv",
  "sock_recv('x') TypeError 'str' object cannot be interpreted as an integer",
  "sock_recv(1.5) TypeError 'float' object cannot be interpreted as an integer",
  "sock_recv_into('x') TypeError recv_into() argument 1 must be read-write bytes-like object, not str",
  "sock_connect('x') ValueError not enough values to unpack (expected 2, got 1)",
  "sock_connect(('127.0.0.1',)) ValueError not enough values to unpack (expected 2, got 1)",
  "sock_connect(5) TypeError 'int' object is not subscriptable",
  "getnameinfo flags 'x' TypeError 'str' object cannot be interpreted as an integer",
  "getaddrinfo family 'x' TypeError 'str' object cannot be interpreted as an integer",
  "bind port 70000 OverflowError bind(): port must be 0-65535.",
  "connect_ex('x') TypeError connect_ex(): AF_INET address must be tuple, not str",
  "bind('x') closed TypeError bind(): AF_INET address must be tuple, not str",
  "open_connection port 99999 OverflowError connect(): port must be 0-65535.",
  "open_connection host 5 TypeError argument of type 'int' is not iterable",
  "start_server port -1 OverflowError bind(): port must be 0-65535.",
  "start_server host 5 TypeError argument of type 'int' is not iterable",
  "datagram local_addr host 5 TypeError argument of type 'int' is not iterable",
  "send_signal('x') TypeError 'str' object cannot be interpreted as an integer",
];

test(
  "streams, socket methods, sockets, connections and processes: Python's classes and messages",
  async () => {
    const out: string[] = [];
    await badIo(printer(out));
    assertEquals(out, EXPECTED_IO);
  },
  { timeout: 30 },
);

test("CPython prints the same for badinput_io.py", () => {
  const ref = pythonReference("badinput_io");
  if (ref !== null) assertEquals(ref.lines, EXPECTED_IO, ref.python);
}, { fdCheck: false, timeout: 30 });

test("OverflowError is a RangeError, not a ValueError (as in Python)", () => {
  const e = new asyncio.OverflowError("x");
  assertEquals([e instanceof RangeError, e instanceof asyncio.ValueError, e.name], [
    true,
    false,
    "OverflowError",
  ]);
});
