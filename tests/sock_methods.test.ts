// The loop's socket methods (sockRecv, sockSendall, sockConnect, sockAccept,
// ...) on real sockets, against each other and against peers nobody here
// wrote: Python's asyncio and socket modules, socat, nc and curl.
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "./harness.ts";
import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertMatch,
  assertRejects,
  assertStrictEquals,
} from "./assert.ts";
import * as asyncio from "../mod.ts";
import { ERRNO } from "../ffi/mod.ts";
import { joinBytes } from "../lib/transports.ts";
import { waitFor } from "../lib/task_functions.ts";
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  type IPv4Address,
  type IPv6Address,
  SHUT_WR,
  SOCK_DGRAM,
  SOCK_STREAM,
  type Socket,
  socket,
  socketpair,
} from "../lib/socket.ts";
import {
  loopGetaddrinfo,
  loopGetnameinfo,
  sockAccept,
  sockConnect,
  sockRecv,
  sockRecvfrom,
  sockRecvfromInto,
  sockRecvInto,
  sockSendall,
  sockSendto,
} from "../lib/sock_methods.ts";
import { loopKinds, pattern, withLoop } from "./util.ts";

const { BrokenPipeError, CancelledError, ConnectionRefusedError, OSError, RuntimeError } = asyncio;
const ValueError = asyncio.ValueError;
const enc = new TextEncoder();
const dec = new TextDecoder();
const epoll = loopKinds[0][1];

type Loop = asyncio.SelectorEventLoop;

/** Runs `main(loop)` as a task on a fresh epoll loop. */
function inLoop<T>(main: (loop: Loop) => Promise<T>, make = epoll): Promise<T> {
  return withLoop(make, (loop) => loop.runUntilComplete<T>(() => main(loop)));
}

/** A non-blocking socket. */
function nb(family: number = AF_INET, type: number = SOCK_STREAM): Socket {
  const s = socket(family, type);
  s.setblocking(false);
  return s;
}

/** A non-blocking listener on `host`, port chosen by the kernel. */
function listener(family: number = AF_INET, host = "127.0.0.1"): Socket {
  const s = nb(family);
  s.bind([host, 0]);
  s.listen();
  return s;
}

/** A connected non-blocking TCP pair through the loop: [client, server side]. */
async function connectedPair(
  loop: Loop,
  family: number = AF_INET,
  host = "127.0.0.1",
): Promise<[Socket, Socket]> {
  using srv = listener(family, host);
  const cli = nb(family);
  const accepted = sockAccept(loop, srv);
  await sockConnect(loop, cli, srv.getsockname() as IPv4Address);
  const [conn] = await accepted;
  return [cli, conn];
}

/** Reads from `sock` until EOF or `limit` bytes; returns all of it. */
async function readAll(loop: Loop, sock: Socket, limit = Infinity): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  while (total < limit) {
    const d = await sockRecv(loop, sock, Math.min(65536, limit - total));
    if (d.length === 0) break;
    parts.push(d);
    total += d.length;
  }
  return joinBytes(parts);
}

/** Asserts byte-for-byte equality, naming the first difference. */
function assertSameBytes(got: Uint8Array, want: Uint8Array, what: string): void {
  assertEquals(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    if (got[i] !== want[i]) throw new Error(`${what}: byte ${i} is ${got[i]}, expected ${want[i]}`);
  }
}

const sha256 = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");

/** A peer process: its output, and its end. */
class Peer {
  readonly child: ChildProcess;
  stdout = "";
  stderr = "";
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
  #waiters: Array<() => void> = [];

  constructor(cmd: string, args: string[], input?: Uint8Array | string) {
    this.child = spawn(cmd, args, {
      stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    this.child.stdout!.on("data", (d: Uint8Array) => {
      this.stdout += dec.decode(d);
      for (const w of this.#waiters.splice(0)) w();
    });
    this.child.stderr!.on("data", (d: Uint8Array) => (this.stderr += dec.decode(d)));
    if (input !== undefined) this.child.stdin!.end(input);
    this.exited = new Promise((resolve, reject) => {
      this.child.on("error", reject);
      this.child.on("close", (code, signal) => {
        for (const w of this.#waiters.splice(0)) w();
        // Bun closes a child's stdio sockets a moment after "close".
        setTimeout(() => resolve({ code, signal }), 20);
      });
    });
  }

  /** The first line the peer prints (a port, say). */
  async firstLine(): Promise<string> {
    while (!this.stdout.includes("\n")) {
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`peer exited early: ${this.stderr}`);
      }
      await new Promise<void>((r) => this.#waiters.push(r));
    }
    return this.stdout.split("\n")[0].trim();
  }

  /** Waits for the peer to exit by itself (killing it after `seconds`). */
  async wait(seconds = 10): Promise<{ code: number | null; signal: string | null }> {
    const t = setTimeout(() => this.child.kill("SIGKILL"), seconds * 1000);
    try {
      return await this.exited;
    } finally {
      clearTimeout(t);
    }
  }

  /** Kills the peer if still running, and waits for it. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
    await this.exited.catch(() => {});
  }
}

/** Waits until `path` exists (a peer's Unix socket). */
async function waitForPath(path: string, seconds = 10): Promise<void> {
  const end = Date.now() + seconds * 1000;
  while (!existsSync(path)) {
    if (Date.now() > end) throw new Error(`${path} never appeared`);
    await asyncio.sleep(0.01);
  }
}

// ---------------------------------------------------------------- each selector

for (const [kind, make] of loopKinds) {
  test(`${kind}: sockAccept + sockConnect + sockSendall + sockRecv over 127.0.0.1`, () =>
    inLoop(async (loop) => {
      using srv = listener();
      using cli = nb();
      const accepted = sockAccept(loop, srv);
      await sockConnect(loop, cli, srv.getsockname() as IPv4Address);
      const [conn, peer] = await accepted;
      using _conn = conn;
      assertEquals(peer, cli.getsockname());
      assertEquals(cli.getpeername(), srv.getsockname());
      assertStrictEquals(conn.gettimeout(), 0);
      await sockSendall(loop, cli, enc.encode("hello"));
      assertEquals(dec.decode(await sockRecv(loop, conn, 100)), "hello");
      await sockSendall(loop, conn, enc.encode("world"));
      const buf = new Uint8Array(16);
      const n = await sockRecvInto(loop, cli, buf);
      assertEquals(dec.decode(buf.subarray(0, n)), "world");
      cli.shutdown(SHUT_WR);
      assertEquals((await sockRecv(loop, conn, 100)).length, 0);
    }, make));
}

test("TCP over ::1: addresses are 4-tuples through the loop", () =>
  inLoop(async (loop) => {
    const [cli, conn] = await connectedPair(loop, AF_INET6, "::1");
    using _c = cli, _d = conn;
    const [host, , flowinfo, scope] = cli.getpeername() as IPv6Address;
    assertEquals([host, flowinfo, scope], ["::1", 0, 0]);
    assertEquals(conn.getpeername(), cli.getsockname());
    await sockSendall(loop, conn, enc.encode("v6"));
    assertEquals(dec.decode(await sockRecv(loop, cli, 10)), "v6");
  }));

test("UDP: sockSendto / sockRecvfrom / sockRecvfromInto report the sender", () =>
  inLoop(async (loop) => {
    for (const [family, host] of [[AF_INET, "127.0.0.1"], [AF_INET6, "::1"]] as const) {
      using a = nb(family, SOCK_DGRAM);
      using b = nb(family, SOCK_DGRAM);
      a.bind([host, 0]);
      b.bind([host, 0]);
      const pending = sockRecvfrom(loop, b, 100); // registers a reader: nothing yet
      await asyncio.sleep(0.01);
      assertEquals(await sockSendto(loop, a, enc.encode("d1"), b.getsockname() as IPv4Address), 2);
      const [data, from] = await pending;
      assertEquals([dec.decode(data), from], ["d1", a.getsockname()]);
      await sockSendto(loop, b, enc.encode("reply"), from as IPv4Address);
      const buf = new Uint8Array(3);
      const [n, from2] = await sockRecvfromInto(loop, a, buf);
      assertEquals([n, dec.decode(buf), from2], [3, "rep", b.getsockname()]);
    }
  }));

// ---------------------------------------------------------------- big transfers

test("8 MiB both ways at once over TCP, every byte checked", () =>
  inLoop(async (loop) => {
    const [a, b] = await connectedPair(loop);
    using _a = a, _b = b;
    const size = 8 << 20;
    const ab = pattern(size, 1), ba = pattern(size, 2);
    const [, , gotAtB, gotAtA] = await Promise.all([
      sockSendall(loop, a, ab),
      sockSendall(loop, b, ba),
      readAll(loop, b, size),
      readAll(loop, a, size),
    ]);
    assertSameBytes(gotAtB, ab, "a->b");
    assertSameBytes(gotAtA, ba, "b->a");
  }), { timeout: 60 });

test(
  "8 MiB each way over a Unix socketpair with sockSendall/sockRecvInto",
  () =>
    inLoop(async (loop) => {
      const [a, b] = socketpair();
      using _a = a, _b = b;
      a.setblocking(false);
      b.setblocking(false);
      const size = 8 << 20;
      const data = pattern(size, 3);
      const got = new Uint8Array(size);
      const reader = (async () => {
        let at = 0;
        while (at < size) {
          const n = await sockRecvInto(loop, b, got.subarray(at, Math.min(size, at + 100_000)));
          assert(n > 0, "early EOF");
          at += n;
        }
      })();
      await sockSendall(loop, a, data);
      await reader;
      assertSameBytes(got, data, "socketpair");
    }),
  { timeout: 60 },
);

// ---------------------------------------------------------------- peers

const PY_ECHO_SERVER = `
import asyncio, sys
async def main():
    done = asyncio.Event()
    async def handle(reader, writer):
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
            writer.close()
            await writer.wait_closed()
        finally:
            done.set()
    server = await asyncio.start_server(handle, sys.argv[1], 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await done.wait()
asyncio.run(main())
`;

for (const [family, host] of [[AF_INET, "127.0.0.1"], [AF_INET6, "::1"]] as const) {
  test(
    `a Python asyncio echo server on ${host}: 1 MiB there and back, then EOF`,
    () =>
      inLoop(async (loop) => {
        const py = new Peer("python3", ["-c", PY_ECHO_SERVER, host]);
        try {
          const port = Number(await py.firstLine());
          assert(port > 0, `port line: ${py.stdout}`);
          using sock = nb(family);
          await sockConnect(loop, sock, [host, port]);
          const data = pattern(1 << 20, 4);
          const echoed = readAll(loop, sock);
          await sockSendall(loop, sock, data);
          sock.shutdown(SHUT_WR);
          assertSameBytes(await echoed, data, "echo");
          assertEquals((await py.wait()).code, 0, py.stderr);
        } finally {
          await py.stop();
        }
      }),
    { timeout: 60 },
  );
}

test(
  "a Python socket client: our sockAccept server echoes what it sends",
  () =>
    inLoop(async (loop) => {
      using srv = listener();
      const port = (srv.getsockname() as IPv4Address)[1];
      const py = new Peer("python3", [
        "-c",
        `
import hashlib, socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
data = bytes((i * 31 + 7) % 256 for i in range(300000))
s.sendall(data)
s.shutdown(socket.SHUT_WR)
got = b""
while chunk := s.recv(65536):
    got += chunk
print(len(got), hashlib.sha256(got).hexdigest(), got == data)
`,
        String(port),
      ]);
      try {
        const [conn, peer] = await sockAccept(loop, srv);
        using _conn = conn;
        assertEquals((peer as IPv4Address)[0], "127.0.0.1");
        const got = await readAll(loop, conn);
        await sockSendall(loop, conn, got);
        conn.close();
        const want = Uint8Array.from({ length: 300000 }, (_, i) => (i * 31 + 7) % 256);
        assertSameBytes(got, want, "from python");
        assertEquals((await py.wait()).code, 0, py.stderr);
        assertEquals(py.stdout.trim(), `300000 ${sha256(want)} True`);
      } finally {
        await py.stop();
      }
    }),
  { timeout: 60 },
);

test("socat as a Unix-socket echo peer (UNIX-LISTEN ... PIPE)", () =>
  inLoop(async (loop) => {
    const dir = mkdtempSync(join(tmpdir(), "asyncio-socat-"));
    const path = join(dir, "echo.sock");
    const socat = new Peer("socat", [`UNIX-LISTEN:${path}`, "PIPE"]);
    try {
      await waitForPath(path);
      // socat binds, then listens: a connect in between is refused.
      let sock = nb(AF_UNIX);
      for (let i = 0;; i++) {
        try {
          await sockConnect(loop, sock, path);
          break;
        } catch (e) {
          sock.close();
          if (!(e instanceof ConnectionRefusedError) || i === 100) throw e;
          await asyncio.sleep(0.01);
          sock = nb(AF_UNIX);
        }
      }
      using _sock = sock;
      assertEquals(sock.getpeername(), path);
      const data = pattern(256 << 10, 5);
      const echoed = readAll(loop, sock, data.length);
      await sockSendall(loop, sock, data);
      assertSameBytes(await echoed, data, "socat echo");
      sock.close();
      assertEquals((await socat.wait()).code, 0, socat.stderr);
    } finally {
      await socat.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }), { timeout: 60 });

test("socat as a Unix-socket client of our sockAccept server", () =>
  inLoop(async (loop) => {
    const dir = mkdtempSync(join(tmpdir(), "asyncio-socat-"));
    const path = join(dir, "srv.sock");
    try {
      using srv = nb(AF_UNIX);
      srv.bind(path);
      srv.listen();
      const socat = new Peer("socat", ["-", `UNIX-CONNECT:${path}`], "request from socat\n");
      try {
        const [conn, addr] = await sockAccept(loop, srv);
        using _conn = conn;
        assertEquals(addr, ""); // socat's client socket is unbound
        const got = await readAll(loop, conn);
        assertEquals(dec.decode(got), "request from socat\n");
        await sockSendall(loop, conn, enc.encode("reply: " + dec.decode(got)));
        conn.close();
        assertEquals((await socat.wait()).code, 0, socat.stderr);
        assertEquals(socat.stdout, "reply: request from socat\n");
      } finally {
        await socat.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }), { timeout: 60 });

test(
  "curl fetches a page from a sockAccept/sockRecv/sockSendall HTTP server",
  () =>
    inLoop(async (loop) => {
      using srv = listener();
      const port = (srv.getsockname() as IPv4Address)[1];
      const curl = new Peer("curl", [
        "-sS",
        "--max-time",
        "20",
        `http://127.0.0.1:${port}/hello?x=1`,
      ]);
      try {
        const [conn] = await sockAccept(loop, srv);
        using _conn = conn;
        let request = "";
        while (!request.includes("\r\n\r\n")) {
          const d = await sockRecv(loop, conn, 4096);
          if (d.length === 0) break;
          request += dec.decode(d);
        }
        assertMatch(request, /^GET \/hello\?x=1 HTTP\/1\.1\r\n/);
        assertMatch(request, new RegExp(`\r\nHost: 127\\.0\\.0\\.1:${port}\r\n`, "i"));
        const body = "hello from asyncio-ts\n".repeat(1000);
        await sockSendall(
          loop,
          conn,
          enc.encode(
            `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
          ),
        );
        conn.close();
        assertEquals((await curl.wait()).code, 0, curl.stderr);
        assertEquals(curl.stdout, body);
      } finally {
        await curl.stop();
      }
    }),
  { timeout: 60 },
);

test(
  "nc: a TCP client's bytes and EOF; a UDP client gets its reply datagram",
  () =>
    inLoop(async (loop) => {
      {
        using srv = listener();
        const port = (srv.getsockname() as IPv4Address)[1];
        const nc = new Peer("nc", ["-N", "127.0.0.1", String(port)], "line one\nline two\n");
        try {
          const [conn] = await sockAccept(loop, srv);
          using _conn = conn;
          assertEquals(dec.decode(await readAll(loop, conn)), "line one\nline two\n");
          conn.close();
          assertEquals((await nc.wait()).code, 0, nc.stderr);
        } finally {
          await nc.stop();
        }
      }
      using udp = nb(AF_INET, SOCK_DGRAM);
      udp.bind(["127.0.0.1", 0]);
      const port = (udp.getsockname() as IPv4Address)[1];
      const nc = new Peer("nc", ["-u", "-W", "1", "127.0.0.1", String(port)], "ping\n");
      try {
        const [data, from] = await sockRecvfrom(loop, udp, 2048);
        assertEquals(dec.decode(data), "ping\n");
        await sockSendto(loop, udp, enc.encode("pong\n"), from as IPv4Address);
        await nc.wait();
        assertEquals(nc.stdout, "pong\n");
      } finally {
        await nc.stop();
      }
    }),
  { timeout: 60 },
);

// ---------------------------------------------------------------- cancellation

test("a cancelled sockRecv removes its reader; the next one gets every byte", () =>
  inLoop(async (loop) => {
    const [a, b] = await connectedPair(loop);
    using _a = a, _b = b;
    const task = loop.createTask(() => sockRecv(loop, b, 100));
    await asyncio.sleep(0.01);
    task.cancel();
    await assertRejects(() => task, CancelledError);
    // The reader is gone: removeReader finds nothing to remove.
    assertStrictEquals(loop.removeReader(b.fileno()), false);
    await sockSendall(loop, a, enc.encode("not lost"));
    await asyncio.sleep(0.01);
    assertEquals(dec.decode(await sockRecv(loop, b, 100)), "not lost");
    // And through waitFor's timeout.
    await assertRejects(() => waitFor(() => sockRecv(loop, b, 100), 0.02), asyncio.TimeoutError);
    assertStrictEquals(loop.removeReader(b.fileno()), false);
    await sockSendall(loop, a, enc.encode("still here"));
    assertEquals(dec.decode(await sockRecv(loop, b, 100)), "still here");
    // The loop goes on.
    assertEquals(await asyncio.sleep(0.001, "ok"), "ok");
  }));

test(
  "cancelling sockAccept and a stalled sockSendall removes the reader and the writer",
  () =>
    inLoop(async (loop) => {
      using srv = listener();
      const accepting = loop.createTask(() => sockAccept(loop, srv));
      await asyncio.sleep(0.01);
      accepting.cancel();
      await assertRejects(() => accepting, CancelledError);
      assertStrictEquals(loop.removeReader(srv.fileno()), false);

      const [a, b] = await connectedPair(loop);
      using _a = a, _b = b;
      // Nobody reads b: the send stalls once the kernel's buffers are full.
      const sending = loop.createTask(() => sockSendall(loop, a, new Uint8Array(64 << 20)));
      await asyncio.sleep(0.05);
      assert(!sending.done(), "64 MiB went out with nobody reading");
      sending.cancel();
      await assertRejects(() => sending, CancelledError);
      assertStrictEquals(loop.removeWriter(a.fileno()), false);
    }),
  { timeout: 60 },
);

test("a second sockRecv on one socket takes over; cancelling the first leaves it be", () =>
  inLoop(async (loop) => {
    const [a, b] = await connectedPair(loop);
    using _a = a, _b = b;
    const first = loop.createTask(() => sockRecv(loop, b, 100));
    await asyncio.sleep(0.01);
    const second = loop.createTask<Uint8Array>(() => sockRecv(loop, b, 100));
    await asyncio.sleep(0.01);
    first.cancel();
    await assertRejects(() => first, CancelledError);
    await sockSendall(loop, a, enc.encode("for the second"));
    assertEquals(dec.decode(await second), "for the second");
  }));

// ---------------------------------------------------------------- errors

test("errors: blocking socket, wrong types, refused, closed, broken pipe", () =>
  inLoop(async (loop) => {
    // A socket left in blocking mode is refused in debug mode only, as in Python.
    loop.setDebug(true);
    using blocking = socket();
    await assertRejects(
      () => sockRecv(loop, blocking, 1),
      ValueError,
      "the socket must be non-blocking",
    );
    await assertRejects(() => sockAccept(loop, blocking), ValueError, "must be non-blocking");
    await assertRejects(() => sockConnect(loop, blocking, ["127.0.0.1", 1]), ValueError);
    loop.setDebug(false);
    // Not a socket: the AttributeError (a TypeError) of the first method Python calls.
    await assertRejects(
      () => sockRecv(loop, 5 as never, 1),
      TypeError,
      "'int' object has no attribute 'recv'",
    );

    const [a, b] = await connectedPair(loop);
    using _a = a;
    await assertRejects(() => sockSendall(loop, a, "text" as never), TypeError, "not 'str'");
    await assertRejects(() => sockRecv(loop, a, -1), ValueError);

    // A port nobody listens on.
    const probe = socket();
    probe.bind(["127.0.0.1", 0]);
    const port = (probe.getsockname() as IPv4Address)[1];
    probe.close();
    using c = nb();
    const refused = await assertRejects(
      () => sockConnect(loop, c, ["127.0.0.1", port]),
      ConnectionRefusedError,
    );
    assertEquals(refused.errno, ERRNO.ECONNREFUSED);
    assertEquals(refused.message, `[Errno 111] Connect call failed ('127.0.0.1', ${port})`);

    // The peer closes: sends fail with EPIPE (or ECONNRESET), never SIGPIPE.
    b.close();
    const broken = await assertRejects(
      () => sockSendall(loop, a, new Uint8Array(16 << 20)),
      OSError,
    );
    assert(
      broken instanceof BrokenPipeError || broken instanceof asyncio.ConnectionResetError,
      `${broken.name}: ${broken.message}`,
    );
    assertStrictEquals(loop.removeWriter(a.fileno()), false);

    const closed = nb();
    closed.close();
    assertEquals(
      (await assertRejects(() => sockRecv(loop, closed, 1), OSError)).errno,
      ERRNO.EBADF,
    );

    // Bad address shapes reject, they do not throw synchronously.
    using d = nb();
    const p = sockConnect(loop, d, "127.0.0.1" as never);
    assertInstanceOf(p, Promise);
    await assertRejects(() => p, TypeError);
  }));

test("a blocking-mode socket outside debug mode works as Python's; None results are null", () =>
  inLoop(async (loop) => {
    // Python 3.11 only checks the mode in debug mode; the calls then succeed
    // whenever the blocking call would (the fd here is non-blocking, so the
    // loop waits instead of blocking). A refused blocking connect() raises the
    // bare error, without "Connect call failed".
    using srv = listener();
    using cli = socket();
    const accepted = sockAccept(loop, srv);
    assertStrictEquals(await sockConnect(loop, cli, srv.getsockname() as IPv4Address), null);
    const [conn] = await accepted;
    using _conn = conn;
    assertStrictEquals(await sockSendall(loop, cli, enc.encode("hi")), null);
    assertStrictEquals(await sockSendall(loop, cli, new Uint8Array(0)), null);
    assertEquals(dec.decode(await sockRecv(loop, conn, 10)), "hi");
    const probe = socket();
    probe.bind(["127.0.0.1", 0]);
    const port = (probe.getsockname() as IPv4Address)[1];
    probe.close();
    using c = socket();
    const refused = await assertRejects(
      () => sockConnect(loop, c, ["127.0.0.1", port]),
      ConnectionRefusedError,
    );
    assertEquals(refused.message, "[Errno 111] Connection refused");
    using lone = socket();
    const notConnected = await assertRejects(() => sockRecv(loop, lone, 1), OSError);
    assertEquals(notConnected.message, "[Errno 107] Transport endpoint is not connected");
  }));

test("names: sockConnect resolves 'localhost'; loopGetaddrinfo and loopGetnameinfo", () =>
  inLoop(async (loop) => {
    using srv = listener();
    const port = (srv.getsockname() as IPv4Address)[1];
    using cli = nb();
    const accepted = sockAccept(loop, srv);
    await sockConnect(loop, cli, ["localhost", port]);
    const [conn] = await accepted;
    conn.close();
    assertEquals(cli.getpeername(), ["127.0.0.1", port]);
    const infos = await loopGetaddrinfo(loop, "127.0.0.1", port, { type: SOCK_STREAM });
    assertEquals(infos, [[AF_INET, SOCK_STREAM, 6, "", ["127.0.0.1", port]]]);
    const [, service] = await loopGetnameinfo(loop, ["127.0.0.1", 80], 2 /* NI_NUMERICSERV */);
    assertEquals(service, "80");
    // A lookup that is cancelled leaves nothing behind.
    await assertRejects(
      () => waitFor(() => loopGetaddrinfo(loop, "localhost", 80), 0),
      asyncio.TimeoutError,
    );
  }));

test("getaddrinfo on a closed loop is a RuntimeError", async () => {
  const loop = epoll();
  loop.close();
  await assertRejects(
    () => loopGetaddrinfo(loop, "127.0.0.1", 80),
    RuntimeError,
    "Event loop is closed",
  );
});
