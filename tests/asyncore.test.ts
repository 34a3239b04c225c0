// asyncore and asynchat: the spec's examples (HTTP client against CPython's
// http.server, echo server), asynchat terminators and producers, file_dispatcher.
import { test } from "./harness.ts";
import { assert, assertEquals } from "./assert.ts";
import { spawn } from "node:child_process";
import * as asyncio from "../mod.ts";
import * as asyncore from "../lib/asyncore.ts";
import * as asynchat from "../lib/asynchat.ts";
import { BlockingIOError } from "../lib/exceptions.ts";
import { type Socket, socket, socketpair } from "../lib/socket.ts";
import { C, sys } from "../ffi/mod.ts";
import type { SocketAddress } from "../lib/sockaddr.ts";
import { concat } from "./util.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** What `sock` has now, without waiting (null at EOF). */
function drain(sock: Socket): Uint8Array | null {
  const parts: Uint8Array[] = [];
  for (;;) {
    try {
      const d = sock.recv(65536);
      if (d.length === 0) return parts.length ? concat(parts) : null;
      parts.push(d);
    } catch (e) {
      if (e instanceof BlockingIOError) return concat(parts);
      throw e;
    }
  }
}

function freePort(): number {
  const s = socket();
  s.bind(["127.0.0.1", 0]);
  const port = (s.getsockname() as [string, number])[1];
  s.close();
  return port;
}

// -- the spec's basic HTTP client --------------------------------------------

class HTTPClient extends asyncore.dispatcher {
  buffer: Uint8Array;
  got: Uint8Array[] = [];
  constructor(host: string, port: number, path: string, map: asyncore.SocketMap) {
    super(null, map);
    this.createSocket();
    this.connect([host, port]);
    this.buffer = enc.encode(`GET ${path} HTTP/1.0\r\nHost: ${host}\r\n\r\n`);
  }
  override handleConnect() {}
  override handleClose() {
    this.close();
  }
  override handleRead() {
    this.got.push(this.recv(8192));
  }
  override writable() {
    return this.buffer.length > 0;
  }
  override handleWrite() {
    const sent = this.send(this.buffer);
    this.buffer = this.buffer.subarray(sent);
  }
}

/** Bun closes a child's stdout socket a moment after "close": not our fd, so wait for it. */
function childStdioClosed(): Promise<void> {
  return new Promise((r) => setTimeout(r, 20));
}

test("spec example: basic HTTP client against python3 -m http.server", async () => {
  const port = freePort();
  const child = spawn(
    "python3",
    ["-u", "-m", "http.server", "--bind", "127.0.0.1", String(port), "--directory", "tests"],
    { stdio: ["ignore", "pipe", "ignore"] },
  );
  const exited = new Promise((r) => child.on("close", r));
  try {
    await new Promise<void>((resolve, reject) => {
      let out = "";
      child.stdout!.on("data", (d: Uint8Array) => {
        out += dec.decode(d);
        if (out.includes("Serving HTTP")) resolve();
      });
      child.on("error", reject);
      setTimeout(() => reject(new Error("http.server did not start")), 10000);
    });
    for (const usePoll of [false, true]) {
      const map: asyncore.SocketMap = new Map();
      const client = new HTTPClient("127.0.0.1", port, "/", map);
      assertEquals(map.size, 1);
      await asyncore.loop({ timeout: 5, map, usePoll });
      assertEquals(map.size, 0);
      const text = dec.decode(concat(client.got));
      assert(text.startsWith("HTTP/1.0 200 OK"), text.slice(0, 80));
      assert(text.includes("asyncore.test.ts"), "directory listing names this file");
    }
  } finally {
    child.kill("SIGKILL");
    await exited;
    await childStdioClosed();
  }
}, { timeout: 30 });

// -- the spec's echo server ----------------------------------------------------

class EchoHandler extends asyncore.dispatcher_with_send {
  override handleRead() {
    const data = this.recv(8192);
    if (data.length) this.send(data);
  }
  override handleClose() {
    this.close();
  }
}

class EchoServer extends asyncore.dispatcher {
  accepted: SocketAddress[] = [];
  handlers: EchoHandler[] = [];
  constructor(host: string, port: number, map: asyncore.SocketMap) {
    super(null, map);
    this.createSocket();
    this.setReuseAddr();
    this.bind([host, port]);
    this.listen(5);
  }
  override handleAccepted(sock: Socket, addr: SocketAddress) {
    this.accepted.push(addr);
    this.handlers.push(new EchoHandler(sock, this.map));
  }
}

class EchoClient extends asyncore.dispatcher_with_send {
  got: Uint8Array[] = [];
  connectedSeen = false;
  expect: number;
  constructor(port: number, map: asyncore.SocketMap, expect: number) {
    super(null, map);
    this.expect = expect;
    this.createSocket();
    this.connect(["127.0.0.1", port]);
  }
  override handleConnect() {
    this.connectedSeen = true;
  }
  override handleRead() {
    this.got.push(this.recv(8192));
    if (concat(this.got).length >= this.expect) this.close();
  }
  override handleClose() {
    this.close();
  }
}

test("spec example: echo server with asyncore clients (select and poll)", async () => {
  for (const usePoll of [false, true]) {
    const map: asyncore.SocketMap = new Map();
    const server = new EchoServer("127.0.0.1", 0, map);
    assert(server.accepting);
    const port = ((server.socket as Socket).getsockname() as [string, number])[1];
    const big = new Uint8Array(300_000).map((_, i) => i & 0xff);
    const c1 = new EchoClient(port, map, 5);
    c1.send(enc.encode("hello"));
    const c2 = new EchoClient(port, map, big.length);
    c2.send(big);
    // Run until both clients are done; then the handlers see EOF and close.
    for (let i = 0; i < 2000 && (map.has(c1.fileno()) || c2.fileno() >= 0); i++) {
      await asyncore.loop({ timeout: 1, map, usePoll, count: 1 });
    }
    assert(c1.connectedSeen && c2.connectedSeen);
    assertEquals(dec.decode(concat(c1.got)), "hello");
    assertEquals(concat(c2.got), big);
    for (let i = 0; i < 200 && map.size > 1; i++) {
      await asyncore.loop({ timeout: 0.05, map, usePoll, count: 1 });
    }
    assertEquals(server.accepted.length, 2);
    assertEquals([...map.values()], [server]);
    server.close();
    assertEquals(map.size, 0);
  }
});

test("echo server answers a CPython socket client; the host's timers run while loop() waits", async () => {
  const map: asyncore.SocketMap = new Map();
  const server = new EchoServer("127.0.0.1", 0, map);
  const port = ((server.socket as Socket).getsockname() as [string, number])[1];
  const py = `
import socket, time
s = socket.create_connection(("127.0.0.1", ${port}))
for i in range(3):
    s.sendall(b"ping %d" % i)
    print(s.recv(100).decode())
    time.sleep(0.05)
s.close()
`;
  const child = spawn("python3", ["-c", py], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout!.on("data", (d: Uint8Array) => (out += dec.decode(d)));
  const exited = new Promise<number | null>((r) => child.on("close", r));
  let ticks = 0;
  const timer = setInterval(() => ticks++, 10);
  let done = false;
  exited.then(() => (done = true));
  try {
    while (!done || server.handlers.some((h) => h.fileno() >= 0)) {
      await asyncore.loop({ timeout: 0.2, map, count: 1 });
    }
  } finally {
    clearInterval(timer);
  }
  assertEquals(await exited, 0);
  assertEquals(out, "ping 0\nping 1\nping 2\n");
  await childStdioClosed();
  assert(ticks >= 5, `timers ran ${ticks} times`);
  server.close();
  assertEquals(map.size, 0);
});

test("loop() with no channels returns; count bounds the passes; a waiting loop lets timers fire", async () => {
  await asyncore.loop({ map: new Map() });
  const map: asyncore.SocketMap = new Map();
  const [a, b] = socketpair();
  class Reader extends asyncore.dispatcher {
    got = "";
    override writable() {
      return false;
    }
    override handleRead() {
      const d = this.recv(100);
      this.got += dec.decode(d);
    }
    override handleClose() {
      this.close();
    }
  }
  const r = new Reader(a, map);
  assert(r.connected);
  const t0 = performance.now();
  await asyncore.loop({ timeout: 0.05, map, count: 2 });
  assert(performance.now() - t0 >= 90, "two passes of 50 ms");
  setTimeout(() => {
    b.send(enc.encode("from a timer"));
    b.close();
  }, 50);
  await asyncore.loop({ timeout: 10, map });
  assertEquals(r.got, "from a timer");
  assertEquals(map.size, 0);
});

// -- asynchat ----------------------------------------------------------------

class LineChat extends asynchat.async_chat {
  ibuffer: Uint8Array[] = [];
  lines: string[] = [];
  constructor(sock: Socket, map: asyncore.SocketMap) {
    super(sock, map);
    this.setTerminator(enc.encode("\r\n"));
  }
  override collectIncomingData(data: Uint8Array) {
    this.ibuffer.push(data.slice());
  }
  override foundTerminator() {
    const line = dec.decode(concat(this.ibuffer));
    this.ibuffer = [];
    this.lines.push(line);
    if (line === "QUIT") {
      this.push(enc.encode("BYE\r\n"));
      this.closeWhenDone();
    } else {
      this.push(enc.encode(`ECHO ${line}\r\n`));
    }
  }
}

test("asynchat: a line-based handler with terminator \\r\\n receives split chunks", async () => {
  const map: asyncore.SocketMap = new Map();
  const [a, b] = socketpair();
  const chat = new LineChat(a, map);
  assert(chat.getTerminator() instanceof Uint8Array);
  const chunks = ["hel", "lo\r", "\nwor", "ld\r\n\r", "\nsplit\r", "\n", "QUIT\r\n"];
  let reply = "";
  for (const c of chunks) {
    b.send(enc.encode(c));
    await asyncore.loop({ timeout: 1, map, count: 1 });
    reply += dec.decode(drain(b) ?? new Uint8Array(0));
  }
  await asyncore.loop({ timeout: 1, map, count: 5 });
  const rest = drain(b);
  if (rest) reply += dec.decode(rest);
  assertEquals(chat.lines, ["hello", "world", "", "split", "QUIT"]);
  assertEquals(reply, "ECHO hello\r\nECHO world\r\nECHO \r\nECHO split\r\nBYE\r\n");
  assertEquals(map.size, 0, "closeWhenDone closed the channel");
  assertEquals(drain(b), null, "peer sees EOF");
  b.close();
});

test("asynchat: count terminators, null terminator, findPrefixAtEnd", async () => {
  assertEquals(asynchat.findPrefixAtEnd(enc.encode("qwerty\r"), enc.encode("\r\n")), 1);
  assertEquals(asynchat.findPrefixAtEnd(enc.encode("qwertydkjf"), enc.encode("\r\n")), 0);
  const map: asyncore.SocketMap = new Map();
  const [a, b] = socketpair();
  const events: string[] = [];
  class Counted extends asynchat.async_chat {
    buf: Uint8Array[] = [];
    override collectIncomingData(data: Uint8Array) {
      this.buf.push(data.slice());
    }
    override foundTerminator() {
      events.push(dec.decode(concat(this.buf)));
      this.buf = [];
      // Header of 5 bytes, then a body whose length the header gives, then lines.
      if (events.length === 1) this.setTerminator(Number(events[0].trim()));
      else this.setTerminator("\n");
    }
  }
  const c = new Counted(a, map);
  c.setTerminator(5);
  assertEquals(c.getTerminator(), 5);
  for (const part of ["00", "012abcd", "efghijkl", "mnop\nrest"]) {
    b.send(enc.encode(part));
    await asyncore.loop({ timeout: 1, map, count: 1 });
  }
  assertEquals(events, ["00012", "abcdefghijkl", "mnop"]);
  assertEquals(dec.decode(concat(c.buf)), "rest", "data after the terminator is collected");
  c.setTerminator(null);
  b.send(enc.encode("no\nterminator"));
  await asyncore.loop({ timeout: 1, map, count: 1 });
  assertEquals(events.length, 3);
  assertEquals(dec.decode(concat(c.buf)), "restno\nterminator");
  let threw = false;
  try {
    c.setTerminator(-1);
  } catch {
    threw = true;
  }
  assert(threw, "negative count rejected");
  c.close();
  b.close();
  assertEquals(map.size, 0);
});

test("asynchat: pushWithProducer(simple_producer), acOutBufferSize chunks, closeWhenDone, discardBuffers", async () => {
  const map: asyncore.SocketMap = new Map();
  const [a, b] = socketpair();
  class Sender extends asynchat.async_chat {
    override acOutBufferSize = 1000;
    override collectIncomingData(_d: Uint8Array) {}
    override foundTerminator() {}
  }
  const s = new Sender(a, map);
  const big = new Uint8Array(500_000).map((_, i) => (i * 7) & 0xff);
  s.push(enc.encode("head:"));
  s.pushWithProducer(new asynchat.simple_producer(big, 4096));
  s.push(enc.encode(":tail"));
  s.closeWhenDone();
  const got: Uint8Array[] = [];
  let eof = false;
  for (let i = 0; i < 5000 && !eof; i++) {
    await asyncore.loop({ timeout: 1, map, count: 1 });
    const d = drain(b);
    if (d === null) eof = true;
    else got.push(d);
  }
  assert(eof, "closed when done");
  const all = concat(got);
  assertEquals(dec.decode(all.subarray(0, 5)), "head:");
  assertEquals(all.subarray(5, 5 + big.length), big);
  assertEquals(dec.decode(all.subarray(5 + big.length)), ":tail");
  assertEquals(map.size, 0);
  b.close();

  const [c, d] = socketpair();
  const t = new Sender(c, map);
  t.producerFifo.push(enc.encode("never sent"));
  t.acInBuffer = enc.encode("x");
  t.discardBuffers();
  assertEquals(t.producerFifo.length, 0);
  assertEquals(t.acInBuffer.length, 0);
  assert(!t.writable());
  t.close();
  d.close();
});

// -- file_dispatcher -------------------------------------------------------------

test("file_dispatcher over a pipe reads until EOF; file_wrapper dups the fd", async () => {
  const p = sys().pipe2(C.O_CLOEXEC);
  if (typeof p === "number") throw new Error(`pipe2: ${p}`);
  const [rfd, wfd] = p;
  const map: asyncore.SocketMap = new Map();
  class PipeReader extends asyncore.file_dispatcher {
    got = "";
    closed = false;
    override writable() {
      return false;
    }
    override handleRead() {
      this.got += dec.decode(this.recv(1024));
    }
    override handleClose() {
      this.closed = true;
      this.close();
    }
  }
  const reader = new PipeReader(rfd, map);
  assert(reader.fileno() !== rfd, "a duplicate");
  assertEquals(sys().close(rfd), 0, "the original may be closed on its own");
  sys().write(wfd, enc.encode("first "));
  setTimeout(() => {
    sys().write(wfd, enc.encode("second"));
    sys().close(wfd);
  }, 30);
  await asyncore.loop({ timeout: 5, map, usePoll: true });
  assertEquals(reader.got, "first second");
  assert(reader.closed);
  assertEquals(map.size, 0);

  // Writing through a file_dispatcher, and file_wrapper's SO_ERROR.
  const q = sys().pipe2(C.O_CLOEXEC);
  if (typeof q === "number") throw new Error(`pipe2: ${q}`);
  const w = new asyncore.file_wrapper(q[1]);
  sys().close(q[1]);
  assertEquals(w.getsockopt(C.SOL_SOCKET, C.SO_ERROR), 0);
  assertEquals(w.write(enc.encode("abc")), 3);
  w.close();
  w.close();
  const buf = new Uint8Array(10);
  assertEquals(sys().read(q[0], buf), 3);
  assertEquals(sys().read(q[0], buf), 0);
  sys().close(q[0]);
});

test("dispatcher: connect refused goes to handleError/handleClose; default handleAccepted closes", async () => {
  const map: asyncore.SocketMap = new Map();
  const port = freePort();
  const seen: string[] = [];
  class Failing extends asyncore.dispatcher {
    override handleConnect() {
      seen.push("connect");
    }
    override handleError() {
      seen.push("error");
      this.close();
    }
  }
  const f = new Failing(null, map);
  f.createSocket();
  f.connect(["127.0.0.1", port]);
  assert(f.connecting);
  await asyncore.loop({ timeout: 5, map });
  assertEquals(seen[0], "error");
  assert(!seen.includes("connect"));

  class Quiet extends asyncore.dispatcher {
    override logInfo() {}
  }
  const srv = new Quiet(null, map);
  srv.createSocket();
  srv.bind(["127.0.0.1", 0]);
  srv.listen(1);
  const sport = ((srv.socket as Socket).getsockname() as [string, number])[1];
  const peer = socket();
  peer.setblocking(false);
  assert(peer.connectEx(["127.0.0.1", sport]) !== -1);
  await asyncore.loop({ timeout: 1, map, count: 1 });
  await new Promise((r) => setTimeout(r, 20));
  assertEquals(drain(peer), null, "accepted and closed");
  peer.close();
  asyncore.closeAll(map);
  assertEquals(map.size, 0);
});

// -- the spec's asynchat example (http_request_handler), served to curl ---------

class HttpRequestHandler extends asynchat.async_chat {
  ibuffer: Uint8Array[] = [];
  readingHeaders = true;
  handling = false;
  op = "";
  headers = new Map<string, string>();
  cgiData: string | null = null;
  constructor(sock: Socket, map: asyncore.SocketMap) {
    super(sock, map);
    this.setTerminator(enc.encode("\r\n\r\n"));
  }
  override collectIncomingData(data: Uint8Array) {
    this.ibuffer.push(data.slice());
  }
  parseHeaders(raw: string) {
    const [request, ...lines] = raw.split("\r\n");
    this.op = request.split(" ")[0];
    for (const l of lines) {
      const i = l.indexOf(":");
      this.headers.set(l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim());
    }
  }
  override foundTerminator() {
    if (this.readingHeaders) {
      this.readingHeaders = false;
      this.parseHeaders(dec.decode(concat(this.ibuffer)));
      this.ibuffer = [];
      if (this.op.toUpperCase() === "POST") {
        this.setTerminator(Number(this.headers.get("content-length")));
      } else {
        this.handling = true;
        this.setTerminator(null);
        this.handleRequest();
      }
    } else if (!this.handling) {
      this.setTerminator(null); // browsers sometimes over-send
      this.cgiData = dec.decode(concat(this.ibuffer));
      this.handling = true;
      this.ibuffer = [];
      this.handleRequest();
    }
  }
  handleRequest() {
    const body = `${this.op} ${this.cgiData ?? "-"}`;
    this.push(
      enc.encode(
        `HTTP/1.0 200 OK\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
      ),
    );
    this.closeWhenDone();
  }
}

class HttpServer extends asyncore.dispatcher {
  constructor(map: asyncore.SocketMap) {
    super(null, map);
    this.createSocket();
    this.setReuseAddr();
    this.bind(["127.0.0.1", 0]);
    this.listen(5);
  }
  override handleAccepted(sock: Socket, _addr: SocketAddress) {
    new HttpRequestHandler(sock, this.map);
  }
}

test(
  "spec example: asynchat http_request_handler (header terminator, then Content-Length) answers curl",
  async () => {
    const map: asyncore.SocketMap = new Map();
    const server = new HttpServer(map);
    const port = ((server.socket as Socket).getsockname() as [string, number])[1];
    const run = (args: string[]) => {
      const child = spawn("curl", ["-s", "--max-time", "10", ...args], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      let out = "";
      child.stdout!.on("data", (d: Uint8Array) => (out += dec.decode(d)));
      return new Promise<string>((r) => child.on("close", () => r(out)));
    };
    const results: string[] = [];
    let pending = 2;
    run(["-d", "a=1&b=twenty", `http://127.0.0.1:${port}/cgi`]).then((o) => {
      results.push(o);
      pending--;
    });
    run([`http://127.0.0.1:${port}/`]).then((o) => {
      results.push(o);
      pending--;
    });
    while (pending > 0 || map.size > 1) await asyncore.loop({ timeout: 0.2, map, count: 1 });
    assertEquals(results.sort(), ["GET -", "POST a=1&b=twenty"]);
    await childStdioClosed();
    server.close();
    assertEquals(map.size, 0);
  },
  { timeout: 30 },
);

test("asyncore.loop awaited inside asyncio.run waits through the running loop", () =>
  asyncio.run(async () => {
    const map: asyncore.SocketMap = new Map();
    const [a, b] = socketpair();
    class Reader extends asyncore.dispatcher {
      got = "";
      override writable() {
        return false;
      }
      override handleRead() {
        this.got += dec.decode(this.recv(100));
      }
      override handleClose() {
        this.close();
      }
    }
    const r = new Reader(a, map);
    const writer = asyncio.createTask((async () => {
      await asyncio.sleep(0.05);
      b.send(enc.encode("via asyncio"));
      b.close();
    })());
    const t0 = performance.now();
    await asyncore.loop({ map, timeout: 5 });
    await writer;
    assertEquals(r.got, "via asyncio");
    assert(performance.now() - t0 < 3000);
    // A pass with nothing ready times out through the loop's callLater.
    const [c, d] = socketpair();
    const idle = new Reader(c, map);
    const t1 = performance.now();
    await asyncore.loop({ map, timeout: 0.05, count: 2 });
    assert(performance.now() - t1 >= 90);
    idle.close();
    d.close();
  }));

test("poll2 (usePoll): a pipe's hang-up calls handleClose() without another handleRead(), as CPython's readwrite()", async () => {
  // CPython 3.11 prints: read 'hell', read 'o', close (no read of b'' after
  // the writer closed: POLLHUP goes straight to handle_close). The select
  // path instead sees the EOF as readable: read 'hell', read 'o', close, read ''.
  for (const usePoll of [true, false]) {
    const p = sys().pipe2(C.O_CLOEXEC);
    if (typeof p === "number") throw new Error(`pipe2: ${p}`);
    const [rfd, wfd] = p;
    const map: asyncore.SocketMap = new Map();
    const seen: string[] = [];
    class PipeReader extends asyncore.file_dispatcher {
      override writable() {
        return false;
      }
      override handleRead() {
        seen.push(`read '${dec.decode(this.recv(4))}'`);
      }
      override handleClose() {
        seen.push("close");
        this.close();
      }
    }
    new PipeReader(rfd, map);
    sys().close(rfd);
    sys().write(wfd, enc.encode("hello"));
    await asyncore.loop({ timeout: 1, map, usePoll, count: 1 });
    sys().close(wfd);
    await asyncore.loop({ timeout: 1, map, usePoll });
    assertEquals(
      seen,
      usePoll
        ? ["read 'hell'", "read 'o'", "close"]
        : ["read 'hell'", "read 'o'", "close", "read ''"],
      `usePoll ${usePoll}`,
    );
    assertEquals(map.size, 0);
  }
});

test("poll and poll2 run the ready channels in the map's order, not by fd (a reused fd comes last)", async () => {
  for (const usePoll of [false, true]) {
    const map: asyncore.SocketMap = new Map();
    const seen: string[] = [];
    class R extends asyncore.dispatcher {
      constructor(sock: Socket, readonly tag: string) {
        super(sock, map);
      }
      override writable() {
        return false;
      }
      override handleRead() {
        seen.push(`${this.tag} ${dec.decode(this.recv(100))}`);
      }
    }
    const [a1, a2] = socketpair();
    const [b1, b2] = socketpair();
    const first = new R(a1, "A");
    const second = new R(b1, "B");
    first.close();
    a2.close();
    const [c1, c2] = socketpair();
    const third = new R(c1, "C");
    assert(c1.fileno() < b1.fileno(), "C reuses A's fd");
    b2.send(enc.encode("b"));
    c2.send(enc.encode("c"));
    await asyncore.loop({ timeout: 1, map, usePoll, count: 1 });
    assertEquals(seen, ["B b", "C c"], `usePoll ${usePoll}`);
    second.close();
    third.close();
    b2.close();
    c2.close();
  }
});

test("handleError gets the error (an override may rethrow it); ExitNow leaves loop(); log() always writes", async () => {
  const map: asyncore.SocketMap = new Map();
  const [a, b] = socketpair();
  class Boom extends asyncore.dispatcher {
    errors: unknown[] = [];
    override writable() {
      return false;
    }
    override handleRead() {
      this.recv(10);
      throw new asyncio.ValueError("boom");
    }
    override handleError(exc?: unknown) {
      this.errors.push(exc);
      throw exc;
    }
  }
  const boom = new Boom(a, map);
  b.send(enc.encode("x"));
  let thrown: unknown = null;
  try {
    await asyncore.loop({ timeout: 1, map, count: 1 });
  } catch (e) {
    thrown = e;
  }
  assert(thrown instanceof asyncio.ValueError);
  assertEquals(boom.errors, [thrown]);

  class Stop extends asyncore.dispatcher {
    override writable() {
      return false;
    }
    override handleRead() {
      throw new asyncore.ExitNow("stop");
    }
    override handleError() {
      throw new Error("not called for ExitNow");
    }
  }
  boom.close();
  const [c, d] = socketpair();
  const stop = new Stop(c, map);
  d.send(enc.encode("x"));
  for (const usePoll of [false, true]) {
    thrown = null;
    try {
      await asyncore.loop({ timeout: 1, map, count: 1, usePoll });
    } catch (e) {
      thrown = e;
    }
    assert(thrown instanceof asyncore.ExitNow, `usePoll ${usePoll}`);
  }
  stop.close();

  // The default handleError names the error, and closes the channel.
  const [e, f] = socketpair();
  const lines: string[] = [];
  class Logged extends asyncore.dispatcher {
    override writable() {
      return false;
    }
    override handleRead() {
      throw new asyncio.ValueError("boom");
    }
    override handleClose() {
      lines.push("close");
      this.close();
    }
    override logInfo(message: string, type = "info") {
      lines.push(`${type}: ${message}`);
    }
  }
  new Logged(e, map);
  f.send(enc.encode("x"));
  await asyncore.loop({ timeout: 1, map, count: 1 });
  assertEquals(lines.length, 2);
  assert(
    lines[0].startsWith(
      "error: uncaptured python exception, closing channel <__main__.Logged connected '' at 0x",
    ),
    lines[0],
  );
  assert(lines[0].includes(" (<class 'ValueError'>:boom ["), lines[0]);
  assertEquals(lines[1], "close");

  // log() writes to stderr whether or not debug is set, as Python's does;
  // dispatcher_with_send's debug line shows the bytes' repr.
  const errs: string[] = [];
  const infos: string[] = [];
  const origError = console.error;
  const origLog = console.log;
  console.error = (...args: unknown[]) => void errs.push(args.join(" "));
  console.log = (...args: unknown[]) => void infos.push(args.join(" "));
  try {
    const [g, h] = socketpair();
    const w = new asyncore.dispatcher_with_send(g, map);
    w.log("a log line");
    w.debug = true;
    w.send(enc.encode("abc"));
    w.close();
    h.close();
  } finally {
    console.error = origError;
    console.log = origLog;
  }
  assertEquals(errs, ["log: a log line"]);
  assertEquals(infos, ["info: sending b'abc'"]);
  b.close();
  d.close();
  f.close();
  assertEquals(map.size, 0);
});

test("asynchat: an empty chunk in the queue ends that initiateSend() with an empty send, as CPython's", async () => {
  // CPython 3.11: send b'' -> 0, send b'x' -> 1, send b'' -> 0, send b'y' -> 1, close.
  const map: asyncore.SocketMap = new Map();
  const [a, b] = socketpair();
  const sends: string[] = [];
  class Chat extends asynchat.async_chat {
    override collectIncomingData() {}
    override foundTerminator() {}
    override send(data: Uint8Array): number {
      const n = super.send(data);
      sends.push(`'${dec.decode(data)}' ${n}`);
      return n;
    }
  }
  const chat = new Chat(a, map);
  chat.push(new Uint8Array(0));
  chat.push(enc.encode("x"));
  assertEquals(sends, ["'' 0", "'x' 1"]);
  chat.producerFifo.push(new Uint8Array(0), enc.encode("y"));
  chat.closeWhenDone();
  await asyncore.loop({ timeout: 1, map, count: 5 });
  assertEquals(sends, ["'' 0", "'x' 1", "'' 0", "'y' 1"]);
  assertEquals(map.size, 0);
  assertEquals(dec.decode(b.recv(100)), "xy");
  b.close();
});

test("out-of-band TCP data calls handleExpt(), through select() and poll()", async () => {
  const map: asyncore.SocketMap = new Map();
  const lst = socket();
  lst.bind(["127.0.0.1", 0]);
  lst.listen(1);
  const cli = socket();
  cli.connectEx(lst.getsockname() as [string, number]);
  await new Promise((r) => setTimeout(r, 20));
  const [srv] = lst.accept();
  const seen: string[] = [];
  class D extends asyncore.dispatcher {
    override writable() {
      return false;
    }
    override handleRead() {
      seen.push(`read ${dec.decode(this.recv(10))}`);
    }
    override handleExpt() {
      seen.push(`expt ${dec.decode((this.socket as Socket).recv(1, 1 /* MSG_OOB */))}`);
    }
  }
  for (const usePoll of [false, true]) {
    const d = new D(srv, map);
    cli.send(enc.encode("!"), 1 /* MSG_OOB */);
    await new Promise((r) => setTimeout(r, 20));
    await asyncore.loop({ timeout: 1, map, count: 1, usePoll });
    d.delChannel();
  }
  assertEquals(seen, ["expt !", "expt !"]);
  srv.close();
  cli.close();
  lst.close();
});
