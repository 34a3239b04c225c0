// The spec's network and subprocess examples, ported as a user would port
// them (API.md): each server and its client in one program, on a free port,
// then the socketpair and subprocess examples. Checked against what CPython
// 3.11 prints for tests/fixtures/py/specex_net.py, the same programs in Python.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

type Print = (...args: unknown[]) => void;
const enc = new TextEncoder();
const dec = new TextDecoder();
/** Python's repr of a str without quotes or escapes in it. */
const repr = (s: string) => `'${s}'`;

function newLoop(): asyncio.AbstractEventLoop {
  const loop = asyncio.newEventLoop();
  asyncio.setEventLoop(loop);
  return loop;
}

async function watchFd(print: Print) {
  print("== watch_fd");
  const [rsock, wsock] = asyncio.socketpair();
  const loop = newLoop();
  function reader() {
    const data = rsock.recv(100);
    print("Received:", dec.decode(data));
    loop.removeReader(rsock);
    loop.stop();
  }
  loop.addReader(rsock, reader);
  loop.callSoon(() => wsock.send(enc.encode("abc")));
  await loop.runForever();
  rsock.close();
  wsock.close();
  loop.close();
}

async function tcpEchoProtocol(print: Print) {
  print("== tcp_echo_protocol");
  class EchoServerClientProtocol extends asyncio.Protocol {
    transport!: asyncio.Transport;
    override connectionMade(transport: asyncio.BaseTransport) {
      const peername = transport.getExtraInfo("peername") as [string, number];
      print(`Connection from ${peername[0]}`);
      this.transport = transport as asyncio.Transport;
    }
    override dataReceived(data: Uint8Array) {
      const message = dec.decode(data);
      print(`Data received: ${repr(message)}`);
      print(`Send: ${repr(message)}`);
      this.transport.write(data);
      print("Close the client socket");
      this.transport.close();
    }
  }
  class EchoClientProtocol extends asyncio.Protocol {
    constructor(public message: string, public loop: asyncio.AbstractEventLoop) {
      super();
    }
    override connectionMade(transport: asyncio.BaseTransport) {
      (transport as asyncio.Transport).write(enc.encode(this.message));
      print(`Data sent: ${repr(this.message)}`);
    }
    override dataReceived(data: Uint8Array) {
      print(`Data received: ${repr(dec.decode(data))}`);
    }
    override connectionLost(_exc: Error | null) {
      print("The server closed the connection");
      print("Stop the event loop");
      this.loop.stop();
    }
  }
  const loop = newLoop();
  const coro = loop.createServer(() => new EchoServerClientProtocol(), "127.0.0.1", 0);
  const server = await loop.runUntilComplete<asyncio.Server>(coro);
  const [host, port] = server.sockets[0].getsockname() as [string, number];
  print(`Serving on ${host}`);
  const message = "Hello World!";
  const connect = loop.createConnection(
    () => new EchoClientProtocol(message, loop),
    "127.0.0.1",
    port,
  );
  await loop.runUntilComplete(connect);
  await loop.runForever();
  server.close();
  await loop.runUntilComplete(server.waitClosed());
  loop.close();
}

async function udpEcho(print: Print) {
  print("== udp_echo");
  class EchoServerProtocol extends asyncio.DatagramProtocol {
    transport!: asyncio.DatagramTransport;
    override connectionMade(transport: asyncio.BaseTransport) {
      this.transport = transport as asyncio.DatagramTransport;
    }
    override datagramReceived(data: Uint8Array, addr: asyncio.Address) {
      const message = dec.decode(data);
      const host = (addr as [string, number])[0];
      print(`Received ${repr(message)} from ${host}`);
      print(`Send ${repr(message)} to ${host}`);
      this.transport.sendto(data, addr);
    }
  }
  // The spec's client is a plain class; the base class only adds typing.
  class EchoClientProtocol extends asyncio.DatagramProtocol {
    transport: asyncio.DatagramTransport | null = null;
    constructor(public message: string, public loop: asyncio.AbstractEventLoop) {
      super();
    }
    override connectionMade(transport: asyncio.BaseTransport) {
      this.transport = transport as asyncio.DatagramTransport;
      print("Send:", this.message);
      this.transport.sendto(enc.encode(this.message));
    }
    override datagramReceived(data: Uint8Array, _addr: asyncio.Address) {
      print("Received:", dec.decode(data));
      print("Close the socket");
      this.transport!.close();
    }
    override errorReceived(exc: Error) {
      print("Error received:", exc.message);
    }
    override connectionLost(_exc: Error | null) {
      print("Socket closed, stop the event loop");
      const loop = asyncio.getEventLoop();
      loop.stop();
    }
  }
  const loop = newLoop();
  print("Starting UDP server");
  const listen = loop.createDatagramEndpoint(() => new EchoServerProtocol(), {
    localAddr: ["127.0.0.1", 0],
  });
  const [stransport] = await loop.runUntilComplete(listen) as [asyncio.DatagramTransport, unknown];
  const port = (stransport.getExtraInfo("sockname") as [string, number])[1];
  const connect = loop.createDatagramEndpoint(
    () => new EchoClientProtocol("Hello World!", loop),
    { remoteAddr: ["127.0.0.1", port] },
  );
  const [transport] = await loop.runUntilComplete(connect) as [asyncio.DatagramTransport, unknown];
  await loop.runForever();
  transport.close();
  stransport.close();
  await loop.runUntilComplete(asyncio.sleep(0));
  loop.close();
}

async function registerSocketProtocol(print: Print) {
  print("== register_socket_protocol");
  const [rsock, wsock] = asyncio.socketpair();
  const loop = newLoop();
  class MyProtocol extends asyncio.Protocol {
    transport: asyncio.Transport | null = null;
    override connectionMade(transport: asyncio.BaseTransport) {
      this.transport = transport as asyncio.Transport;
    }
    override dataReceived(data: Uint8Array) {
      print("Received:", dec.decode(data));
      this.transport!.close();
    }
    override connectionLost(_exc: Error | null) {
      loop.stop();
    }
  }
  const connectCoro = loop.createConnection(() => new MyProtocol(), null, null, { sock: rsock });
  await loop.runUntilComplete(connectCoro);
  loop.callSoon(() => wsock.send(enc.encode("abc")));
  await loop.runForever();
  rsock.close();
  wsock.close();
  loop.close();
}

async function tcpEchoStreams(print: Print) {
  print("== tcp_echo_streams");
  async function handleEcho(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) {
    const data = await reader.read(100);
    const message = dec.decode(data);
    const addr = writer.getExtraInfo("peername") as [string, number];
    print(`Received ${repr(message)} from ${repr(addr[0])}`);
    print(`Send: ${repr(message)}`);
    writer.write(data);
    await writer.drain();
    print("Close the client socket");
    writer.close();
  }
  async function tcpEchoClient(message: string, port: number) {
    const [reader, writer] = await asyncio.openConnection("127.0.0.1", port);
    print(`Send: ${repr(message)}`);
    writer.write(enc.encode(message));
    const data = await reader.read(100);
    print(`Received: ${repr(dec.decode(data))}`);
    print("Close the socket");
    writer.close();
    await writer.waitClosed();
  }
  // The spec's form: the coroutines are called before the loop runs (a JS
  // async function starts at once), so the stream functions find the loop
  // through getEventLoop(), the one about to run.
  const loop = newLoop();
  const server = await loop.runUntilComplete(asyncio.startServer(handleEcho, "127.0.0.1", 0));
  const [host, port] = server.sockets[0].getsockname() as [string, number];
  print(`Serving on ${host}`);
  await loop.runUntilComplete(tcpEchoClient("Hello World!", port));
  server.close();
  await loop.runUntilComplete(server.waitClosed());
  loop.close();
}

async function getHttpHeaders(print: Print) {
  print("== get_http_headers");
  async function serveHttp(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) {
    const req = dec.decode(await reader.readUntil(enc.encode("\r\n\r\n")));
    writer.write(enc.encode(
      "HTTP/1.0 200 OK\r\nContent-Type: text/html\r\nX-Req: " + req.split("\r\n")[0] +
        "\r\nContent-Length: 0\r\n\r\n",
    ));
    await writer.drain();
    writer.close();
  }
  async function printHttpHeaders(urlText: string) {
    const url = new URL(urlText);
    let connect;
    if (url.protocol === "https:") {
      connect = asyncio.openConnection(url.hostname, Number(url.port || 443), { ssl: true });
    } else {
      connect = asyncio.openConnection(url.hostname, Number(url.port || 80));
    }
    const [reader, writer] = await connect;
    const query = `HEAD ${url.pathname || "/"} HTTP/1.0\r\n` +
      `Host: ${url.hostname}\r\n` +
      "\r\n";
    writer.write(enc.encode(query));
    while (true) {
      const raw = await reader.readLine();
      if (raw.length === 0) break;
      const line = new TextDecoder("latin1").decode(raw).trimEnd();
      if (line) print(`HTTP header> ${line}`);
    }
    writer.close();
    await writer.waitClosed();
  }
  await asyncio.run(async () => {
    const server = await asyncio.startServer(serveHttp, "127.0.0.1", 0);
    const port = (server.sockets[0].getsockname() as [string, number])[1];
    await printHttpHeaders(`http://127.0.0.1:${port}/path/page.html`);
    server.close();
    await server.waitClosed();
  });
}

async function registerSocketStreams(print: Print) {
  print("== register_socket_streams");
  async function waitForData(loop: asyncio.AbstractEventLoop) {
    const [rsock, wsock] = asyncio.socketpair();
    const [reader, writer] = await asyncio.openConnection(null, null, { sock: rsock });
    loop.callSoon(() => wsock.send(enc.encode("abc")));
    const data = await reader.read(100);
    print("Received:", dec.decode(data));
    writer.close();
    await writer.waitClosed();
    wsock.close();
  }
  const loop = newLoop();
  await loop.runUntilComplete(() => waitForData(loop));
  loop.close();
}

const CODE = "import datetime; print(datetime.datetime.now())";
const dateShape = (date: string) =>
  /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/.test(date) ? "YYYY-MM-DD HH:MM:SS.ffffff" : date;

async function subprocessProtocol(print: Print) {
  print("== subprocess_protocol");
  class DateProtocol extends asyncio.SubprocessProtocol {
    output: Uint8Array[] = [];
    constructor(public exitFuture: asyncio.Future<boolean>) {
      super();
    }
    override pipeDataReceived(_fd: number, data: Uint8Array) {
      this.output.push(data);
    }
    override processExited() {
      this.exitFuture.setResult(true);
    }
  }
  async function getDate(loop: asyncio.AbstractEventLoop) {
    const exitFuture = new asyncio.Future<boolean>({ loop: loop as asyncio.BaseEventLoop });
    const [transport, protocol] = await loop.subprocessExec(
      () => new DateProtocol(exitFuture),
      "python3",
      "-c",
      CODE,
      { stdin: null, stderr: null },
    );
    await exitFuture;
    transport.close();
    const text = (protocol as DateProtocol).output.map((d) => dec.decode(d)).join("");
    return text.trimEnd();
  }
  const loop = newLoop();
  const date = await loop.runUntilComplete<string>(getDate(loop));
  print(`Current date: ${dateShape(date)}`);
  loop.close();
}

async function subprocessStreams(print: Print) {
  print("== subprocess_streams");
  async function getDate() {
    const proc = await asyncio.createSubprocessExec("python3", "-c", CODE, {
      stdout: asyncio.subprocess.PIPE,
    });
    const data = await proc.stdout!.readLine();
    const line = dec.decode(data).trimEnd();
    await proc.wait();
    return line;
  }
  const loop = newLoop();
  // The spec's form, getDate() called before the loop runs.
  const date = await loop.runUntilComplete(getDate());
  print(`Current date: ${dateShape(date)}`);
  loop.close();
}

const EXPECTED = [
  "== watch_fd",
  "Received: abc",
  "== tcp_echo_protocol",
  "Serving on 127.0.0.1",
  "Connection from 127.0.0.1",
  "Data sent: 'Hello World!'",
  "Data received: 'Hello World!'",
  "Send: 'Hello World!'",
  "Close the client socket",
  "Data received: 'Hello World!'",
  "The server closed the connection",
  "Stop the event loop",
  "== udp_echo",
  "Starting UDP server",
  "Send: Hello World!",
  "Received 'Hello World!' from 127.0.0.1",
  "Send 'Hello World!' to 127.0.0.1",
  "Received: Hello World!",
  "Close the socket",
  "Socket closed, stop the event loop",
  "== register_socket_protocol",
  "Received: abc",
  "== tcp_echo_streams",
  "Serving on 127.0.0.1",
  "Send: 'Hello World!'",
  "Received 'Hello World!' from '127.0.0.1'",
  "Send: 'Hello World!'",
  "Close the client socket",
  "Received: 'Hello World!'",
  "Close the socket",
  "== get_http_headers",
  "HTTP header> HTTP/1.0 200 OK",
  "HTTP header> Content-Type: text/html",
  "HTTP header> X-Req: HEAD /path/page.html HTTP/1.0",
  "HTTP header> Content-Length: 0",
  "== register_socket_streams",
  "Received: abc",
  "== subprocess_protocol",
  "Current date: YYYY-MM-DD HH:MM:SS.ffffff",
  "== subprocess_streams",
  "Current date: YYYY-MM-DD HH:MM:SS.ffffff",
];

test("the spec's network and subprocess examples print what Python prints", async () => {
  const out: string[] = [];
  const print = printer(out);
  try {
    for (
      const example of [
        watchFd,
        tcpEchoProtocol,
        udpEcho,
        registerSocketProtocol,
        tcpEchoStreams,
        getHttpHeaders,
        registerSocketStreams,
        subprocessProtocol,
        subprocessStreams,
      ]
    ) await example(print);
  } finally {
    asyncio.setEventLoop(null);
  }
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for specex_net.py", () => {
  const ref = pythonReference("specex_net");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
