// loop.sendfile / loop.sockSendfile on real sockets and files: multi-MiB
// files through sendfile(2) to our own reader and to a python3 peer (sha256
// compared), offset/count windows and the file position after, the
// read/write fallback (a pipe fed by `cat`, sent as CPython 3.11 sends it),
// fallback=false, and bad input.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "./harness.ts";
import { assert, assertEquals, assertInstanceOf, assertRejects } from "./assert.ts";
import * as asyncio from "../mod.ts";
import { C, sys } from "../ffi/mod.ts";
import { concat, loopKinds, pattern, withLoop } from "./util.ts";

const { RuntimeError, SendfileNotAvailableError, ValueError } = asyncio;
type Loop = asyncio.SelectorEventLoop;
const epoll = loopKinds[0][1];
const enc = new TextEncoder();

function inLoop<T>(main: (loop: Loop) => Promise<T>, make = epoll): Promise<T> {
  return withLoop(make, (loop) => loop.runUntilComplete<T>(() => main(loop)));
}

const sha256 = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");

/** A temp dir with `data` in a file; removed by the returned dispose. */
function tempFile(data: Uint8Array): { path: string; [Symbol.dispose](): void } {
  const dir = mkdtempSync(join(tmpdir(), "asyncio-sendfile-"));
  const path = join(dir, "data.bin");
  writeFileSync(path, data);
  return { path, [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }) };
}

/** An fd on `path`, closed at the end of the scope. */
function openFd(path: string): { fd: number; [Symbol.dispose](): void } {
  const fd = openSync(path, "r");
  return { fd, [Symbol.dispose]: () => closeSync(fd) };
}

/** The file position of `fd`. */
const position = (fd: number): number => sys().lseek(fd, 0, C.SEEK_CUR);

/** A non-blocking connected TCP pair: [client, server side]. */
async function tcpPair(loop: Loop): Promise<[asyncio.Socket, asyncio.Socket]> {
  const srv = asyncio.socket();
  try {
    srv.setblocking(false);
    srv.bind(["127.0.0.1", 0]);
    srv.listen();
    const cli = asyncio.socket();
    cli.setblocking(false);
    const accepted = loop.sockAccept(srv);
    await loop.sockConnect(cli, srv.getsockname() as [string, number]);
    const [conn] = await accepted;
    return [cli, conn];
  } finally {
    srv.close();
  }
}

/** Reads `sock` to EOF. */
async function readAll(loop: Loop, sock: asyncio.Socket): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for (;;) {
    const d = await loop.sockRecv(sock, 1 << 16);
    if (d.length === 0) return concat(parts);
    parts.push(d);
  }
}

/** A protocol that keeps every byte and resolves `done` at EOF. */
class Collect extends asyncio.Protocol {
  parts: Uint8Array[] = [];
  transport: asyncio.Transport | null = null;
  done: Promise<Uint8Array>;
  #resolve!: (b: Uint8Array) => void;
  constructor() {
    super();
    this.done = new Promise((r) => (this.#resolve = r));
  }
  override connectionMade(t: asyncio.BaseTransport) {
    this.transport = t as asyncio.Transport;
  }
  override dataReceived(d: Uint8Array) {
    this.parts.push(d);
  }
  override eofReceived() {
    this.#resolve(concat(this.parts));
    return false;
  }
  override connectionLost() {
    this.#resolve(concat(this.parts));
  }
}

/** A server whose first connection is collected. */
async function collectServer(loop: Loop) {
  let first: Collect | null = null;
  let got!: (c: Collect) => void;
  const accepted = new Promise<Collect>((r) => (got = r));
  const server = await loop.createServer(
    () => {
      const c = new Collect();
      if (first === null) {
        first = c;
        got(c);
      }
      return c;
    },
    "127.0.0.1",
    0,
  );
  const port = (server.sockets[0].getsockname() as [string, number])[1];
  return { server, port, accepted };
}

/** A pipe whose read end gets `path`'s bytes from `cat`; [readFd, wait for cat]. */
function catPipe(path: string): [number, () => void] {
  const p = sys().pipe2(C.O_CLOEXEC);
  if (typeof p === "number") throw new Error(`pipe2: ${p}`);
  const [r, w] = p;
  const pid = sys().spawn("cat", ["cat", path], null, null, [[1, w]], true);
  sys().close(w);
  assert(pid > 0, `spawn cat: ${pid}`);
  return [r, () => {
    const st = new Int32Array(1);
    sys().waitpid(pid, st, 0);
  }];
}

// ---------------------------------------------------------------- sockSendfile

for (const [kind, make] of loopKinds) {
  test(
    `${kind}: sockSendfile sends a 5 MiB file with sendfile(2); the position ends at its end`,
    () =>
      inLoop(async (loop) => {
        const data = pattern(5 << 20, 7);
        using f = tempFile(data);
        using h = openFd(f.path);
        const [a, b] = await tcpPair(loop);
        using _a = a, _b = b;
        const received = readAll(loop, b);
        const sent = await loop.sockSendfile(a, h.fd, 0, null, { fallback: false });
        a.shutdown(C.SHUT_WR);
        assertEquals(sent, data.length);
        assertEquals(sha256(await received), sha256(data));
        assertEquals(position(h.fd), data.length);
      }, make),
    { timeout: 60 },
  );
}

test(
  "sockSendfile: offset/count windows send exactly that slice; position = offset + sent",
  () =>
    inLoop(async (loop) => {
      const size = 300_000;
      const data = pattern(size, 11);
      using f = tempFile(data);
      using h = openFd(f.path);
      const windows: Array<[number, number | null]> = [
        [0, 1],
        [1, null],
        [12_345, 100_000],
        [size - 10, 1000], // count past the end: what is there
        [size, null], // offset at the end: nothing
        [size + 50, 10], // offset past the end: nothing
        [70_000, size - 70_000],
      ];
      for (const [offset, count] of windows) {
        const [a, b] = await tcpPair(loop);
        using _a = a, _b = b;
        sys().lseek(h.fd, 3, C.SEEK_SET);
        const received = readAll(loop, b);
        const sent = await loop.sockSendfile(a, h.fd, offset, count, { fallback: false });
        a.shutdown(C.SHUT_WR);
        const want = data.subarray(
          Math.min(offset, size),
          count === null ? size : Math.min(size, offset + count),
        );
        assertEquals(sent, want.length, `window ${offset},${count}`);
        assertEquals(sha256(await received), sha256(want), `window ${offset},${count}`);
        // Python moves the position only when something was sent.
        assertEquals(position(h.fd), sent > 0 ? offset + sent : 3, `position ${offset},${count}`);
      }
    }),
  { timeout: 60 },
);

test("sockSendfile: a Node FileHandle and a { fileno() } object are files too", () =>
  inLoop(async (loop) => {
    const data = pattern(200_000, 5);
    using f = tempFile(data);
    const fh = await open(f.path, "r");
    try {
      for (const file of [fh, { fileno: () => fh.fd, mode: "rb" }]) {
        const [a, b] = await tcpPair(loop);
        using _a = a, _b = b;
        const received = readAll(loop, b);
        assertEquals(await loop.sockSendfile(a, file, 100), data.length - 100);
        a.shutdown(C.SHUT_WR);
        assertEquals(sha256(await received), sha256(data.subarray(100)));
      }
    } finally {
      await fh.close();
    }
  }));

test(
  "sockSendfile: a pipe as CPython 3.11 sends it: nothing without a count, else the fallback (3 MiB from cat) and then its failed seek",
  () =>
    inLoop(async (loop) => {
      const data = pattern(3 << 20, 13);
      using f = tempFile(data);
      const [r, reap] = catPipe(f.path);
      try {
        const [a, b] = await tcpPair(loop);
        using _a = a, _b = b;
        // A pipe's size is 0: Python's "empty file", whatever the fallback.
        assertEquals(await loop.sockSendfile(a, r), 0);
        assertEquals(await loop.sockSendfile(a, r, 0, null, { fallback: false }), 0);
        await assertRejects(
          () => loop.sockSendfile(a, r, 0, data.length, { fallback: false }),
          SendfileNotAvailableError,
          "os.sendfile call failed",
        );
        const received = readAll(loop, b);
        // The bytes go; Python's file.seek() after them fails on the pipe.
        await assertRejects(
          () => loop.sockSendfile(a, r, 0, data.length),
          asyncio.OSError,
          "[Errno 29] Illegal seek",
        );
        a.shutdown(C.SHUT_WR);
        assertEquals(sha256(await received), sha256(data));
      } finally {
        sys().close(r);
        reap();
      }
    }),
  { timeout: 60 },
);

/** A transport that offers only the fallback (as a TLS transport would), over a real one. */
class FallbackOnly {
  readonly _sendfileCompatible = "fallback" as const;
  constructor(readonly inner: asyncio.Transport) {}
  isClosing() {
    return this.inner.isClosing();
  }
  write(d: Uint8Array) {
    this.inner.write(d);
  }
  getExtraInfo(name: string) {
    return this.inner.getExtraInfo(name);
  }
  getProtocol() {
    return this.inner.getProtocol();
  }
  setProtocol(p: asyncio.BaseProtocol) {
    this.inner.setProtocol(p);
  }
}

test(
  "loop.sendfile on a fallback-only transport: offset/count windows of a regular file",
  () =>
    inLoop(async (loop) => {
      const size = 2 << 20;
      const data = pattern(size, 17);
      using f = tempFile(data);
      using h = openFd(f.path);
      for (const [offset, count] of [[0, null], [5, 1_000_000], [size - 7, 100]] as const) {
        const { server, port, accepted } = await collectServer(loop);
        try {
          const [t] = await loop.createConnection(() => new asyncio.Protocol(), "127.0.0.1", port);
          const peer = await accepted;
          const wrapped = new FallbackOnly(t);
          await assertRejects(
            () => loop.sendfile(wrapped, h.fd, offset, count, { fallback: false }),
            RuntimeError,
            "fallback is disabled",
          );
          const sent = await loop.sendfile(wrapped, h.fd, offset, count);
          const want = data.subarray(
            offset,
            count === null ? size : Math.min(size, offset + count),
          );
          assertEquals(sent, want.length);
          t.writeEof();
          assertEquals(sha256(await peer.done), sha256(want));
          assertEquals(position(h.fd), offset + sent);
          t.close();
        } finally {
          server.close();
          await server.waitClosed();
        }
      }
    }),
  { timeout: 60 },
);

test("sockSendfile: bad arguments are TypeError/ValueError, before anything is sent", () =>
  inLoop(async (loop) => {
    using f = tempFile(pattern(10, 1));
    using h = openFd(f.path);
    const [a, b] = await tcpPair(loop);
    using _a = a, _b = b;
    await assertRejects(() => loop.sockSendfile(a, h.fd, -1), ValueError, "offset");
    await assertRejects(() => loop.sockSendfile(a, h.fd, 1.5), TypeError, "offset");
    await assertRejects(() => loop.sockSendfile(a, h.fd, 0, 0), ValueError, "count");
    await assertRejects(() => loop.sockSendfile(a, h.fd, 0, -5), ValueError, "count");
    await assertRejects(
      () => loop.sockSendfile(a, h.fd, 0, "3" as unknown as number),
      TypeError,
      "count",
    );
    await assertRejects(
      () => loop.sockSendfile(a, "data.bin" as unknown as number),
      TypeError,
      "file must be",
    );
    await assertRejects(
      () => loop.sockSendfile(a, { fileno: () => h.fd, mode: "r" }),
      ValueError,
      "binary mode",
    );
    using udp = asyncio.socket(C.AF_INET, C.SOCK_DGRAM);
    udp.setblocking(false);
    await assertRejects(() => loop.sockSendfile(udp, h.fd), ValueError, "SOCK_STREAM");
    // Nothing was sent by any of them.
    a.shutdown(C.SHUT_WR);
    assertEquals((await readAll(loop, b)).length, 0);
  }));

// ---------------------------------------------------------------- loop.sendfile

test(
  "loop.sendfile: buffered writes go first, the file, then writes again; reading waits for the file",
  () =>
    inLoop(async (loop) => {
      const head = pattern(4 << 20, 19); // more than the socket takes at once: it is buffered
      const body = pattern(6 << 20, 23);
      const tail = enc.encode("the end");
      using f = tempFile(body);
      using h = openFd(f.path);
      const { server, port, accepted } = await collectServer(loop);
      try {
        const client = new Collect();
        const [t] = await loop.createConnection(() => client, "127.0.0.1", port);
        const peer = await accepted;
        t.write(head);
        assert(t.getWriteBufferSize() > 0, "the head should be buffered");
        const sending = loop.sendfile(t, h.fd);
        // Reading is paused while the file goes out (as CPython's), resumed after.
        assertEquals(t.isReading(), false);
        peer.transport!.write(enc.encode("ping"));
        let refused: unknown = null;
        try {
          t.write(enc.encode("x"));
        } catch (e) {
          refused = e;
        }
        assertInstanceOf(refused, RuntimeError);
        while (client.parts.length === 0) await asyncio.sleep(0.001);
        assertEquals(new TextDecoder().decode(concat(client.parts)), "ping");
        assertEquals(await sending, body.length);
        t.write(tail);
        t.writeEof();
        const got = await peer.done;
        assertEquals(got.length, head.length + body.length + tail.length);
        assertEquals(sha256(got), sha256(concat([head, body, tail])));
        assertEquals(position(h.fd), body.length);
        t.close();
      } finally {
        server.close();
        await server.waitClosed();
      }
    }),
  { timeout: 60 },
);

test(
  "loop.sendfile: a pipe with a count takes the fallback through the transport's flow control (then its seek fails, as in CPython)",
  () =>
    inLoop(async (loop) => {
      const data = pattern(3 << 20, 29);
      using f = tempFile(data);
      const { server, port, accepted } = await collectServer(loop);
      const [r, reap] = catPipe(f.path);
      try {
        const client = new Collect();
        const [t] = await loop.createConnection(() => client, "127.0.0.1", port);
        const peer = await accepted;
        assertEquals(await loop.sendfile(t, r), 0); // a pipe's size is 0
        await assertRejects(
          () => loop.sendfile(t, r, 0, data.length, { fallback: false }),
          SendfileNotAvailableError,
        );
        const sending = loop.sendfile(t, r, 0, data.length);
        peer.transport!.write(enc.encode("pong"));
        await assertRejects(() => sending, asyncio.OSError, "[Errno 29] Illegal seek");
        // The transport's own protocol is back, and it saw the bytes read meanwhile.
        assert(t.getProtocol() === client, "protocol restored");
        t.writeEof();
        assertEquals(sha256(await peer.done), sha256(data));
        while (client.parts.length === 0) await asyncio.sleep(0.001);
        assertEquals(new TextDecoder().decode(concat(client.parts)), "pong");
        t.close();
      } finally {
        sys().close(r);
        reap();
        server.close();
        await server.waitClosed();
      }
    }),
  { timeout: 60 },
);

test("loop.sendfile: a python3 peer receives a 4 MiB file intact (sha256)", async () => {
  const data = pattern(4 << 20, 31);
  using f = tempFile(data);
  const py = spawn("python3", [
    "-c",
    `
import socket, hashlib, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
print(s.getsockname()[1], flush=True)
c, _ = s.accept(); h = hashlib.sha256(); n = 0
while True:
    d = c.recv(1 << 16)
    if not d: break
    h.update(d); n += len(d)
print(n, h.hexdigest(), flush=True)
`,
  ], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  // Whole lines only: a line may come in two chunks.
  const lines = () => out.split("\n").slice(0, -1);
  const more = () => new Promise<void>((r) => py.stdout!.once("data", () => r()));
  py.stdout!.on("data", (d: Uint8Array) => (out += new TextDecoder().decode(d)));
  const exited = new Promise((r) => py.on("close", r));
  try {
    while (lines().length < 1) await more();
    const port = Number(lines()[0]);
    await inLoop(async (loop) => {
      using h = openFd(f.path);
      const [t] = await loop.createConnection(() => new asyncio.Protocol(), "127.0.0.1", port);
      assertEquals(await loop.sendfile(t, h.fd), data.length);
      t.close();
    });
    while (lines().length < 2) await more();
    assertEquals(lines()[1], `${data.length} ${sha256(data)}`);
  } finally {
    py.kill();
    await exited;
  }
}, { timeout: 60, fdCheck: false });

test("loop.sendfile: socat as the peer, a window of the file", async () => {
  const data = pattern(1 << 20, 37);
  using f = tempFile(data);
  const outPath = f.path + ".out";
  const port = await inLoop(async (loop) => {
    const s = asyncio.socket();
    s.bind(["127.0.0.1", 0]);
    const p = (s.getsockname() as [string, number])[1];
    s.close();
    void loop;
    return p;
  });
  const socat = spawn("socat", ["-u", `TCP-LISTEN:${port},bind=127.0.0.1`, `CREATE:${outPath}`], {
    stdio: "ignore",
  });
  const exited = new Promise((r) => socat.on("close", r));
  try {
    await inLoop(async (loop) => {
      using h = openFd(f.path);
      let t: asyncio.Transport | null = null;
      for (let i = 0; i < 200 && t === null; i++) {
        try {
          [t] = await loop.createConnection(() => new asyncio.Protocol(), "127.0.0.1", port);
        } catch {
          await asyncio.sleep(0.02);
        }
      }
      assert(t !== null, "socat never listened");
      assertEquals(await loop.sendfile(t, h.fd, 1000, 500_000), 500_000);
      t.close();
    });
    await exited;
    const got = new Uint8Array(600_000);
    const fd = openSync(outPath, "r");
    const n = readSync(fd, got);
    closeSync(fd);
    assertEquals(n, 500_000);
    assertEquals(sha256(got.subarray(0, n)), sha256(data.subarray(1000, 501_000)));
  } finally {
    socat.kill();
    await exited;
  }
}, { timeout: 30, fdCheck: false });

test("loop.sendfile: a datagram or closing transport is a RuntimeError; bad args are rejected", () =>
  inLoop(async (loop) => {
    using f = tempFile(pattern(10, 3));
    using h = openFd(f.path);
    const [udp] = await loop.createDatagramEndpoint(() => new asyncio.DatagramProtocol(), {
      localAddr: ["127.0.0.1", 0],
    });
    await assertRejects(
      () => loop.sendfile(udp as never, h.fd),
      RuntimeError,
      "sendfile is not supported",
    );
    udp.close();
    const { server, port } = await collectServer(loop);
    try {
      const [t] = await loop.createConnection(() => new asyncio.Protocol(), "127.0.0.1", port);
      await assertRejects(() => loop.sendfile(t, h.fd, -1), ValueError, "offset");
      await assertRejects(() => loop.sendfile(t, h.fd, 0, 0), ValueError, "count");
      await assertRejects(() => loop.sendfile(t, { fileno: () => h.fd, mode: "r" }), ValueError);
      await assertRejects(() => loop.sendfile(t, {} as never), TypeError);
      t.close();
      await assertRejects(() => loop.sendfile(t, h.fd), RuntimeError, "Transport is closing");
    } finally {
      server.close();
      await server.waitClosed();
    }
  }));

test(
  "loop.sendfile: the peer resetting mid-file rejects with a ConnectionError, no hang",
  () =>
    inLoop(async (loop) => {
      const data = pattern(16 << 20, 41);
      using f = tempFile(data);
      using h = openFd(f.path);
      const { server, port, accepted } = await collectServer(loop);
      try {
        const [t] = await loop.createConnection(() => new asyncio.Protocol(), "127.0.0.1", port);
        const peer = await accepted;
        (peer.transport as asyncio.Transport).pauseReading();
        const sending = loop.sendfile(t, h.fd);
        await asyncio.sleep(0.05);
        const sock = peer.transport!.getExtraInfo("socket") as asyncio.Socket;
        sock.setsockopt(C.SOL_SOCKET, C.SO_LINGER, new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0]));
        peer.transport!.abort();
        const err = await sending.then(() => null, (e: unknown) => e);
        assertInstanceOf(err, asyncio.OSError);
        t.abort();
      } finally {
        server.close();
        await server.waitClosed();
      }
    }),
  { timeout: 30 },
);
