// The spec's networking examples (examples/net_*.ts) run as child processes
// and checked line by line; cross-checked against the spec's own Python
// programs (python3 -c) and python3's http.server. Then: 200 concurrent
// clients on one example server, a peer reset seen by connectionLost, and
// StreamReader.readUntil/readExactly under random chunkings.
import { readFileSync } from "node:fs";
import { runtime, test } from "./harness.ts";
import { assert, assertEquals, assertInstanceOf } from "./assert.ts";
import { type ChildProcess, spawn } from "node:child_process";
import * as asyncio from "../mod.ts";
import { runScript, scriptCommand } from "./util.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const lines = (s: string) => s.split("\n").filter((l) => l !== "");

/** A long-running child (a server): its output so far, and how to stop it. */
class Child {
  stdout = "";
  stderr = "";
  private proc: ChildProcess;
  private closed: Promise<{ code: number | null; signal: string | null }>;
  private waiters: Array<() => void> = [];
  private timer: ReturnType<typeof setTimeout>;

  constructor(cmd: string, args: string[], timeout = 30) {
    this.proc = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    this.proc.stdout!.on("data", (d: Uint8Array) => {
      this.stdout += dec.decode(d);
      for (const w of this.waiters.splice(0)) w();
    });
    this.proc.stderr!.on("data", (d: Uint8Array) => (this.stderr += dec.decode(d)));
    this.timer = setTimeout(() => this.proc.kill("SIGKILL"), timeout * 1000);
    this.closed = new Promise((resolve, reject) => {
      this.proc.on("error", reject);
      this.proc.on("close", (code, signal) => {
        clearTimeout(this.timer);
        for (const w of this.waiters.splice(0)) w();
        // Bun closes the stdio sockets of a child a moment after "close".
        setTimeout(() => resolve({ code, signal }), 20);
      });
    });
  }

  /** Resolves with the first match of `re` in stdout (rejects if the child exits first). */
  async waitFor(re: RegExp): Promise<RegExpMatchArray> {
    for (;;) {
      const m = this.stdout.match(re);
      if (m) return m;
      if (this.proc.exitCode !== null || this.proc.signalCode !== null) {
        throw new Error(`child exited before printing ${re}: ${this.stdout}\n${this.stderr}`);
      }
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  /** Waits until stdout has `n` lines. */
  async waitLines(n: number): Promise<void> {
    while (lines(this.stdout).length < n) {
      if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  /** Sends `sig` and waits for the exit. */
  async stop(
    sig: "SIGINT" | "SIGTERM" = "SIGINT",
  ): Promise<{ code: number | null; signal: string | null }> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill(sig);
    return await this.closed;
  }

  /**
   * Sends `sig`; resolves with the exit status. Deno's node:child_process
   * reports the signal kill() sent as the exit reason even when the child
   * handled it and exited with 0 (see tests/signals.test.ts): that counts
   * as 0 there.
   */
  async stopCode(sig: "SIGINT" | "SIGTERM" = "SIGINT"): Promise<number | null> {
    const { code, signal } = await this.stop(sig);
    if (runtime === "deno" && code === null && signal === sig) return 0;
    if (code !== 0) this.stderr += `\n(exit: ${code}, ${signal})`;
    return code;
  }

  /** Waits for the exit (killed after the timeout). */
  done(): Promise<{ code: number | null; signal: string | null }> {
    return this.closed;
  }
}

/** One of our example scripts as a Child. */
function example(rel: string, args: string[]): Child {
  const [cmd, base] = scriptCommand(rel);
  return new Child(cmd, [...base, ...args]);
}

/** python3 -u -c `src` as a Child. */
function python(src: string, args: string[] = []): Child {
  return new Child("python3", ["-u", "-c", src, ...args]);
}

/** Runs python3 -c `src` to its end. */
async function runPython(src: string, args: string[] = []) {
  const c = python(src, args);
  const r = await c.done();
  return { ...r, stdout: c.stdout, stderr: c.stderr };
}

const SERVING = /^Serving on \('127\.0\.0\.1', (\d+)\)$/m;
const PEER = "\\('127\\.0\\.0\\.1', \\d+\\)";

/** A UDP port free at the moment of asking. */
function freeUdpPort(): number {
  const s = asyncio.socket(asyncio.AF_INET, asyncio.SOCK_DGRAM);
  try {
    s.bind(["127.0.0.1", 0]);
    return (s.getsockname() as [string, number])[1];
  } finally {
    s.close();
  }
}

/**
 * Waits until something has bound UDP `port`, read from /proc/net/udp. (A
 * probe that binds the port itself could take it just before the server
 * does and make the server's bind fail.)
 */
async function udpBound(port: string): Promise<void> {
  const hex = ":" + Number(port).toString(16).toUpperCase().padStart(4, "0") + " ";
  const t0 = performance.now();
  while (performance.now() - t0 < 15_000) {
    if (readFileSync("/proc/net/udp", "utf8").includes(hex)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`nothing bound UDP port ${port}`);
}

/** A TCP port free at the moment of asking. */
function freeTcpPort(): number {
  const s = asyncio.socket();
  try {
    s.bind(["127.0.0.1", 0]);
    return (s.getsockname() as [string, number])[1];
  } finally {
    s.close();
  }
}

// ------------------------------------------------------------- the spec's Python programs

// As in the spec, with the removed `loop=` arguments dropped and an explicit
// new loop (get_event_loop() with none set is deprecated); PORT from argv.
const PY_TCP_CLIENT_PROTOCOL = `
import asyncio, sys

class EchoClientProtocol(asyncio.Protocol):
    def __init__(self, message, loop):
        self.message = message
        self.loop = loop

    def connection_made(self, transport):
        transport.write(self.message.encode())
        print('Data sent: {!r}'.format(self.message))

    def data_received(self, data):
        print('Data received: {!r}'.format(data.decode()))

    def connection_lost(self, exc):
        print('The server closed the connection')
        print('Stop the event loop')
        self.loop.stop()

loop = asyncio.new_event_loop()
asyncio.set_event_loop(loop)
message = 'Hello World!'
coro = loop.create_connection(lambda: EchoClientProtocol(message, loop),
                              '127.0.0.1', int(sys.argv[1]))
loop.run_until_complete(coro)
loop.run_forever()
loop.close()
`;

const PY_TCP_SERVER_PROTOCOL = `
import asyncio

class EchoServerClientProtocol(asyncio.Protocol):
    def connection_made(self, transport):
        peername = transport.get_extra_info('peername')
        print('Connection from {}'.format(peername))
        self.transport = transport

    def data_received(self, data):
        message = data.decode()
        print('Data received: {!r}'.format(message))

        print('Send: {!r}'.format(message))
        self.transport.write(data)

        print('Close the client socket')
        self.transport.close()

loop = asyncio.new_event_loop()
asyncio.set_event_loop(loop)
coro = loop.create_server(EchoServerClientProtocol, '127.0.0.1', 0)
server = loop.run_until_complete(coro)

print('Serving on {}'.format(server.sockets[0].getsockname()))
try:
    loop.run_forever()
except KeyboardInterrupt:
    pass

server.close()
loop.run_until_complete(server.wait_closed())
loop.close()
`;

// As the spec's program, but connection_lost resolves a future that the
// main code runs until (the spec's loop.stop() + run_forever() hangs when the
// answer arrives before run_until_complete(connect) returns; see
// examples/net_udp_echo_client.ts).
const PY_UDP_CLIENT = `
import asyncio, sys

class EchoClientProtocol:
    def __init__(self, message, on_con_lost):
        self.message = message
        self.on_con_lost = on_con_lost
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport
        print('Send:', self.message)
        self.transport.sendto(self.message.encode())

    def datagram_received(self, data, addr):
        print("Received:", data.decode())

        print("Close the socket")
        self.transport.close()

    def error_received(self, exc):
        print('Error received:', exc)

    def connection_lost(self, exc):
        print("Socket closed, stop the event loop")
        if not self.on_con_lost.done():
            self.on_con_lost.set_result(True)

loop = asyncio.new_event_loop()
asyncio.set_event_loop(loop)
message = "Hello World!"
on_con_lost = loop.create_future()
connect = loop.create_datagram_endpoint(
    lambda: EchoClientProtocol(message, on_con_lost),
    remote_addr=('127.0.0.1', int(sys.argv[1])))
transport, protocol = loop.run_until_complete(connect)
loop.run_until_complete(on_con_lost)
transport.close()
loop.close()
`;

const PY_UDP_SERVER = `
import asyncio, sys

class EchoServerProtocol:
    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        message = data.decode()
        print('Received %r from %s' % (message, addr))
        print('Send %r to %s' % (message, addr))
        self.transport.sendto(data, addr)

loop = asyncio.new_event_loop()
asyncio.set_event_loop(loop)
print("Starting UDP server")
listen = loop.create_datagram_endpoint(
    EchoServerProtocol, local_addr=('127.0.0.1', int(sys.argv[1])))
transport, protocol = loop.run_until_complete(listen)

try:
    loop.run_forever()
except KeyboardInterrupt:
    pass

transport.close()
loop.close()
`;

const PY_TCP_CLIENT_STREAMS = `
import asyncio, sys

async def tcp_echo_client(message, loop):
    reader, writer = await asyncio.open_connection('127.0.0.1', int(sys.argv[1]))

    print('Send: %r' % message)
    writer.write(message.encode())

    data = await reader.read(100)
    print('Received: %r' % data.decode())

    print('Close the socket')
    writer.close()

message = 'Hello World!'
loop = asyncio.new_event_loop()
asyncio.set_event_loop(loop)
loop.run_until_complete(tcp_echo_client(message, loop))
loop.close()
`;

const PY_TCP_SERVER_STREAMS = `
import asyncio

async def handle_echo(reader, writer):
    data = await reader.read(100)
    message = data.decode()
    addr = writer.get_extra_info('peername')
    print("Received %r from %r" % (message, addr))

    print("Send: %r" % message)
    writer.write(data)
    await writer.drain()

    print("Close the client socket")
    writer.close()

loop = asyncio.new_event_loop()
asyncio.set_event_loop(loop)
coro = asyncio.start_server(handle_echo, '127.0.0.1', 0)
server = loop.run_until_complete(coro)

print('Serving on {}'.format(server.sockets[0].getsockname()))
try:
    loop.run_forever()
except KeyboardInterrupt:
    pass

server.close()
loop.run_until_complete(server.wait_closed())
loop.close()
`;

const PY_GET_HTTP_HEADERS = `
import asyncio
import urllib.parse
import sys

async def print_http_headers(url):
    url = urllib.parse.urlsplit(url)
    connect = asyncio.open_connection(url.hostname, url.port or 80)
    reader, writer = await connect
    query = ('HEAD {path} HTTP/1.0\\r\\n'
             'Host: {hostname}\\r\\n'
             '\\r\\n').format(path=url.path or '/', hostname=url.hostname)
    writer.write(query.encode('latin-1'))
    while True:
        line = await reader.readline()
        if not line:
            break
        line = line.decode('latin1').rstrip()
        if line:
            print('HTTP header> %s' % line)

    writer.close()

url = sys.argv[1]
loop = asyncio.new_event_loop()
asyncio.set_event_loop(loop)
task = loop.create_task(print_http_headers(url))
loop.run_until_complete(task)
loop.close()
`;

// ------------------------------------------------------------- expected output

const CLIENT_PROTOCOL_OUT = [
  "Data sent: 'Hello World!'",
  "Data received: 'Hello World!'",
  "The server closed the connection",
  "Stop the event loop",
];
const CLIENT_STREAMS_OUT = [
  "Send: 'Hello World!'",
  "Received: 'Hello World!'",
  "Close the socket",
];
const UDP_CLIENT_OUT = [
  "Send: Hello World!",
  "Received: Hello World!",
  "Close the socket",
  "Socket closed, stop the event loop",
];

function checkServerProtocolOut(out: string) {
  const l = lines(out);
  assertEquals(l.length, 5, out);
  assert(SERVING.test(l[0]), l[0]);
  assert(new RegExp(`^Connection from ${PEER}$`).test(l[1]), l[1]);
  assertEquals(l.slice(2), [
    "Data received: 'Hello World!'",
    "Send: 'Hello World!'",
    "Close the client socket",
  ]);
}

function checkServerStreamsOut(out: string) {
  const l = lines(out);
  assertEquals(l.length, 4, out);
  assert(SERVING.test(l[0]), l[0]);
  assert(new RegExp(`^Received 'Hello World!' from ${PEER}$`).test(l[1]), l[1]);
  assertEquals(l.slice(2), ["Send: 'Hello World!'", "Close the client socket"]);
}

function checkUdpServerOut(out: string) {
  const l = lines(out);
  assertEquals(l.length, 3, out);
  assertEquals(l[0], "Starting UDP server");
  const m = l[1].match(new RegExp(`^Received 'Hello World!' from (${PEER})$`));
  assert(m, l[1]);
  assertEquals(l[2], `Send 'Hello World!' to ${m![1]}`);
}

// ------------------------------------------------------------- the pairs

test("TCP echo protocol: our client against our server", async () => {
  const server = example("examples/net_tcp_echo_server_protocol.ts", ["0", "20"]);
  try {
    const port = (await server.waitFor(SERVING))[1];
    const c = await runScript("examples/net_tcp_echo_client_protocol.ts", { args: [port] });
    assertEquals(c.code, 0, c.stderr);
    assertEquals(lines(c.stdout), CLIENT_PROTOCOL_OUT);
    await server.waitLines(5);
  } finally {
    assertEquals(await server.stopCode(), 0, server.stderr);
  }
  checkServerProtocolOut(server.stdout);
  assertEquals(server.stderr, "");
}, { timeout: 40 });

test("TCP echo protocol: the spec's Python client against our server", async () => {
  const server = example("examples/net_tcp_echo_server_protocol.ts", ["0", "20"]);
  try {
    const port = (await server.waitFor(SERVING))[1];
    const c = await runPython(PY_TCP_CLIENT_PROTOCOL, [port]);
    assertEquals(c.code, 0, c.stderr);
    assertEquals(lines(c.stdout), CLIENT_PROTOCOL_OUT);
    await server.waitLines(5);
  } finally {
    assertEquals(await server.stopCode("SIGTERM"), 0, server.stderr);
  }
  checkServerProtocolOut(server.stdout);
}, { timeout: 40 });

test("TCP echo protocol: our client against the spec's Python server", async () => {
  const server = python(PY_TCP_SERVER_PROTOCOL);
  try {
    const port = (await server.waitFor(SERVING))[1];
    const c = await runScript("examples/net_tcp_echo_client_protocol.ts", { args: [port] });
    assertEquals(c.code, 0, c.stderr);
    assertEquals(lines(c.stdout), CLIENT_PROTOCOL_OUT);
    await server.waitLines(5);
  } finally {
    // Only the output is checked: the Python peer, sent SIGINT, sometimes
    // did not exit (killed after the bound), which is not what is tested here.
    await server.stop();
  }
  checkServerProtocolOut(server.stdout);
}, { timeout: 40 });

test("TCP echo protocol: the server stops by itself after SECONDS", async () => {
  const r = await runScript("examples/net_tcp_echo_server_protocol.ts", {
    args: ["0", "0.3"],
    timeout: 20,
  });
  assertEquals(r.code, 0, r.stderr);
  assertEquals(lines(r.stdout).length, 1);
  assert(SERVING.test(r.stdout), r.stdout);
});

test("TCP echo protocol: the client against a closed port fails (ConnectionRefusedError)", async () => {
  const r = await runScript("examples/net_tcp_echo_client_protocol.ts", {
    args: [String(freeTcpPort())],
  });
  assert(r.code !== 0, "expected a failure");
  assertEquals(r.stdout, "");
  assert(r.stderr.includes("ConnectionRefusedError"), r.stderr);
});

// These three runs used to fail now and then under load: the client got its
// answer and printed every line, then hung. Not a lost datagram: the spec's
// client calls loop.stop() in connection_lost and then run_forever(); when
// the answer arrived before run_until_complete(connect) had returned, that
// run consumed the stop and run_forever() never ended (CPython's loop does
// the same). Both clients now run until a future that connection_lost sets.
test("UDP echo: our client against our server", async () => {
  const port = String(freeUdpPort());
  const server = example("examples/net_udp_echo_server.ts", [port, "20"]);
  try {
    await server.waitFor(/^Starting UDP server$/m);
    // The line is printed before the endpoint is bound: wait for the bind.
    await udpBound(port);
    const c = await runScript("examples/net_udp_echo_client.ts", { args: [port] });
    assertEquals(c.code, 0, c.stderr);
    assertEquals(lines(c.stdout), UDP_CLIENT_OUT);
    await server.waitLines(3);
  } finally {
    assertEquals(await server.stopCode(), 0, server.stderr);
  }
  checkUdpServerOut(server.stdout);
  assertEquals(server.stderr, "");
}, { timeout: 40 });

test("UDP echo: the spec's Python client against our server", async () => {
  const port = String(freeUdpPort());
  const server = example("examples/net_udp_echo_server.ts", [port, "20"]);
  try {
    await server.waitFor(/^Starting UDP server$/m);
    await udpBound(port);
    const c = await runPython(PY_UDP_CLIENT, [port]);
    assertEquals(c.code, 0, c.stderr);
    assertEquals(lines(c.stdout), UDP_CLIENT_OUT);
    await server.waitLines(3);
  } finally {
    assertEquals(await server.stopCode("SIGTERM"), 0, server.stderr);
  }
  checkUdpServerOut(server.stdout);
}, { timeout: 40 });

test("UDP echo: our client against the spec's Python server", async () => {
  const port = String(freeUdpPort());
  const server = python(PY_UDP_SERVER, [port]);
  try {
    await server.waitFor(/^Starting UDP server$/m);
    await udpBound(port);
    const c = await runScript("examples/net_udp_echo_client.ts", { args: [port] });
    assertEquals(c.code, 0, c.stderr);
    assertEquals(lines(c.stdout), UDP_CLIENT_OUT);
    await server.waitLines(3);
  } finally {
    await server.stop();
  }
  checkUdpServerOut(server.stdout);
}, { timeout: 40 });

test("register an open socket: protocol and streams print 'Received: abc'", async () => {
  for (const rel of ["net_register_socket_protocol.ts", "net_register_socket_streams.ts"]) {
    const r = await runScript(`examples/${rel}`);
    assertEquals(r.code, 0, `${rel}: ${r.stderr}`);
    assertEquals(r.stderr, "", rel);
    assertEquals(lines(r.stdout), ["Received: abc"], rel);
  }
});

test("TCP echo streams: our client against our server", async () => {
  const server = example("examples/net_tcp_echo_server_streams.ts", ["0", "20"]);
  try {
    const port = (await server.waitFor(SERVING))[1];
    const c = await runScript("examples/net_tcp_echo_client_streams.ts", { args: [port] });
    assertEquals(c.code, 0, c.stderr);
    assertEquals(lines(c.stdout), CLIENT_STREAMS_OUT);
    await server.waitLines(4);
  } finally {
    assertEquals(await server.stopCode(), 0, server.stderr);
  }
  checkServerStreamsOut(server.stdout);
  assertEquals(server.stderr, "");
}, { timeout: 40 });

test("TCP echo streams: the spec's Python client against our server", async () => {
  const server = example("examples/net_tcp_echo_server_streams.ts", ["0", "20"]);
  try {
    const port = (await server.waitFor(SERVING))[1];
    const c = await runPython(PY_TCP_CLIENT_STREAMS, [port]);
    assertEquals(c.code, 0, c.stderr);
    assertEquals(lines(c.stdout), CLIENT_STREAMS_OUT);
    await server.waitLines(4);
  } finally {
    assertEquals(await server.stopCode("SIGTERM"), 0, server.stderr);
  }
  checkServerStreamsOut(server.stdout);
}, { timeout: 40 });

test("TCP echo streams: our client against the spec's Python server", async () => {
  const server = python(PY_TCP_SERVER_STREAMS);
  try {
    const port = (await server.waitFor(SERVING))[1];
    const c = await runScript("examples/net_tcp_echo_client_streams.ts", { args: [port] });
    assertEquals(c.code, 0, c.stderr);
    assertEquals(lines(c.stdout), CLIENT_STREAMS_OUT);
    await server.waitLines(4);
  } finally {
    // Only the output is checked: the Python peer, sent SIGINT, sometimes
    // did not exit (killed after the bound), which is not what is tested here.
    await server.stop();
  }
  checkServerStreamsOut(server.stdout);
}, { timeout: 40 });

test(
  "get HTTP headers from python3 -m http.server, the same as the spec's Python program",
  async () => {
    const port = freeTcpPort();
    const http = new Child("python3", [
      "-u",
      "-m",
      "http.server",
      String(port),
      "--bind",
      "127.0.0.1",
    ]);
    try {
      await http.waitFor(/Serving HTTP/);
      const url = `http://127.0.0.1:${port}/`;
      const ours = await runScript("examples/net_get_http_headers.ts", { args: [url] });
      assertEquals(ours.code, 0, ours.stderr);
      assertEquals(ours.stderr, "");
      const theirs = await runPython(PY_GET_HTTP_HEADERS, [url]);
      assertEquals(theirs.code, 0, theirs.stderr);
      const a = lines(ours.stdout), b = lines(theirs.stdout);
      assertEquals(a[0], "HTTP header> HTTP/1.0 200 OK");
      for (const l of a) assert(l.startsWith("HTTP header> "), l);
      assert(a.some((l) => /^HTTP header> Server: SimpleHTTP\//.test(l)), ours.stdout);
      assert(a.some((l) => /^HTTP header> Content-Length: \d+$/.test(l)), ours.stdout);
      // The Date may tick between the two requests.
      const noDate = (l: string[]) => l.filter((x) => !x.startsWith("HTTP header> Date: "));
      assertEquals(noDate(a), noDate(b));
      assertEquals(a.length, b.length);
    } finally {
      await http.stop("SIGTERM");
    }
  },
  { timeout: 40 },
);

test("get HTTP headers: an https URL goes through TLS (a closed port is refused)", async () => {
  // The https path itself is tested against a local server in tls.test.ts.
  const r = await runScript("examples/net_get_http_headers.ts", { args: ["https://127.0.0.1:1/"] });
  assert(r.code !== 0);
  assert(r.stderr.includes("ConnectionRefusedError"), r.stderr);
});

// ------------------------------------------------------------- more

test("200 concurrent clients against one example echo server, each its own payload", async () => {
  const N = 200;
  const server = example("examples/net_tcp_echo_server_protocol.ts", ["0", "60"]);
  try {
    const port = Number((await server.waitFor(SERVING))[1]);
    const results = await asyncio.run(async () => {
      const one = async (i: number) => {
        const payload = `client ${i} says ${"x".repeat(i % 50)}|${i * 7919}`;
        const [r, w] = await asyncio.openConnection("127.0.0.1", port);
        try {
          w.write(enc.encode(payload));
          // The server echoes, then closes: read to EOF.
          const back = dec.decode(await r.read());
          return back === payload ? null : `client ${i}: got ${JSON.stringify(back)}`;
        } finally {
          w.close();
          await w.waitClosed();
        }
      };
      return await asyncio.waitFor(
        asyncio.gather(...Array.from({ length: N }, (_, i) => one(i))),
        30,
      );
    });
    assertEquals((results as Array<string | null>).filter((x) => x !== null), []);
    await server.waitLines(1 + 4 * N);
  } finally {
    assertEquals(await server.stopCode(), 0, server.stderr);
  }
  const out = lines(server.stdout);
  assertEquals(out.filter((l) => l === "Close the client socket").length, N);
  const received = out.filter((l) => l.startsWith("Data received: ")).sort();
  const want = Array.from(
    { length: N },
    (_, i) => `Data received: 'client ${i} says ${"x".repeat(i % 50)}|${i * 7919}'`,
  ).sort();
  assertEquals(received, want);
}, { timeout: 90 });

test(
  "peer reset: SO_LINGER {on, 0} then close gives the server's connectionLost a ConnectionResetError",
  () =>
    asyncio.run(async () => {
      const loop = asyncio.getRunningLoop() as asyncio.SelectorEventLoop;
      const made = loop.createFuture<void>();
      const lost = loop.createFuture<Error | null>();
      const got: string[] = [];
      class Watch extends asyncio.Protocol {
        override connectionMade() {
          made.setResult(undefined);
        }
        override dataReceived(d: Uint8Array) {
          got.push(dec.decode(d));
        }
        override connectionLost(exc: Error | null) {
          lost.setResult(exc);
        }
      }
      const server = await loop.createServer(() => new Watch(), "127.0.0.1", 0);
      const [, port] = server.sockets[0].getsockname() as [string, number];
      const client = asyncio.socket();
      try {
        client.setblocking(false);
        await loop.sockConnect(client, ["127.0.0.1", port]);
        await asyncio.waitFor(made, 10);
        // struct linger { int l_onoff = 1; int l_linger = 0; }
        const linger = new Uint8Array(8);
        new DataView(linger.buffer).setInt32(0, 1, true);
        new DataView(linger.buffer).setInt32(4, 0, true);
        client.setsockopt(asyncio.SOL_SOCKET, asyncio.SO_LINGER, linger);
        const back = client.getsockopt(asyncio.SOL_SOCKET, asyncio.SO_LINGER, 8) as Uint8Array;
        assertEquals(new DataView(back.buffer, back.byteOffset).getInt32(0, true), 1);
      } finally {
        client.close(); // sends RST
      }
      const exc = await asyncio.waitFor(lost, 10);
      assertInstanceOf(exc, asyncio.ConnectionResetError);
      assertEquals((exc as asyncio.OSError).errno, 104);
      assertEquals(got, []);
      server.close();
      await server.waitClosed();
    }),
  { timeout: 30 },
);

/** mulberry32: a small seeded PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Op = { kind: "until"; sep: Uint8Array; want: Uint8Array } | {
  kind: "exactly";
  n: number;
  want: Uint8Array;
};

/** A byte stream and the reads that take it apart, made from `seed`. */
function makeStream(seed: number): { data: Uint8Array; ops: Op[] } {
  const rnd = prng(seed);
  const seps = [enc.encode("\n"), enc.encode("\r\n\r\n"), enc.encode("--BOUNDARY--")];
  const parts: Uint8Array[] = [];
  const ops: Op[] = [];
  for (let k = 0; k < 300; k++) {
    if (rnd() < 0.5) {
      const sep = seps[Math.floor(rnd() * seps.length)];
      // A body that does not contain the separator: letters and digits only.
      const len = Math.floor(rnd() * 200);
      const body = new Uint8Array(len + sep.length);
      for (let i = 0; i < len; i++) body[i] = 48 + Math.floor(rnd() * 42); // '0'..'Y'
      body.set(sep, len);
      parts.push(body);
      ops.push({ kind: "until", sep, want: body });
    } else {
      const n = Math.floor(rnd() * 3000);
      const body = new Uint8Array(n);
      for (let i = 0; i < n; i++) body[i] = Math.floor(rnd() * 256);
      parts.push(body);
      ops.push({ kind: "exactly", n, want: body });
    }
  }
  const total = parts.reduce((s, p) => s + p.length, 0);
  const data = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    data.set(p, off);
    off += p.length;
  }
  return { data, ops };
}

/** `readExactly` can be handed bytes that contain a separator: so can the stream, as long as the ops match. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

test(
  "StreamReader readUntil/readExactly: same results under random chunkings over a socketpair",
  () =>
    asyncio.run(async () => {
      const loop = asyncio.getRunningLoop() as asyncio.SelectorEventLoop;
      const { data, ops } = makeStream(12345);
      for (const chunkSeed of [1, 2, 3, 4, 5, 6]) {
        const rnd = prng(chunkSeed * 7777);
        const [rsock, wsock] = asyncio.socketpair();
        wsock.setblocking(false);
        const [reader, writer] = await asyncio.openConnection(null, null, {
          sock: rsock,
          limit: 4096,
        });
        const feeding = asyncio.createTask(async () => {
          let off = 0;
          while (off < data.length) {
            // Mostly small writes, sometimes big ones; yield between them.
            const r = rnd();
            const size = r < 0.6
              ? 1 + Math.floor(rnd() * 16)
              : r < 0.9
              ? 1 + Math.floor(rnd() * 512)
              : 1 + Math.floor(rnd() * 8192);
            const piece = data.subarray(off, Math.min(off + size, data.length));
            await loop.sockSendall(wsock, piece);
            off += piece.length;
            if (rnd() < 0.5) await asyncio.sleep(0);
          }
          wsock.close();
        });
        try {
          let i = 0;
          for (const op of ops) {
            const got = op.kind === "until"
              ? await reader.readUntil(op.sep)
              : await reader.readExactly(op.n);
            assert(sameBytes(got, op.want), `chunking ${chunkSeed}, op ${i} (${op.kind}) differs`);
            i++;
          }
          assertEquals((await reader.read()).length, 0);
          assert(reader.atEof());
          await feeding;
        } finally {
          if (!feeding.done()) feeding.cancel();
          if (wsock.fileno() !== -1) wsock.close();
          writer.close();
          await writer.waitClosed();
        }
      }
    }),
  { timeout: 60 },
);
