// The spec's asyncore and asynchat examples, ported as a user would port
// them (API.md): the basic HTTP client against a local dispatcher, the basic
// echo server with a client, and asynchat's http_request_handler (completed
// with the parse_headers and handle_request the spec leaves out). Checked
// against what CPython 3.11 prints for tests/fixtures/py/specex_asyncore.py.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { asynchat, asyncore, type Socket } from "../mod.ts";
import { bytesRepr } from "../lib/format.ts";
import { concat } from "./util.ts";

type Print = (...args: unknown[]) => void;
const enc = new TextEncoder();
const dec = new TextDecoder();

/** Python's repr of the (empty, at the end) socket map. */
const mapRepr = () => asyncore.socketMap.size === 0 ? "{}" : `<${asyncore.socketMap.size} left>`;

function listener(print: Print, handler: (sock: Socket) => unknown) {
  return new class Listener extends asyncore.dispatcher {
    port: number;
    constructor() {
      super();
      this.createSocket();
      this.setReuseAddr();
      this.bind(["127.0.0.1", 0]);
      this.listen(5);
      this.port = ((this.socket as Socket).getsockname() as [string, number])[1];
    }
    override handleAccepted(sock: Socket, addr: [string, number]) {
      print(`Incoming connection from '${addr[0]}'`);
      handler(sock);
    }
  }();
}

async function httpClient(print: Print) {
  print("== asyncore_http_client");
  class Reply extends asyncore.dispatcher_with_send {
    override handleRead() {
      const data = this.recv(8192);
      if (data.length) {
        print("request", bytesRepr(data));
        this.send(enc.encode("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nhi"));
        this.close();
      }
    }
  }
  class HTTPClient extends asyncore.dispatcher {
    buffer: Uint8Array;
    constructor(host: string, path: string) {
      super();
      this.createSocket();
      this.connect([host, server.port]);
      this.buffer = enc.encode(`GET ${path} HTTP/1.0\r\nHost: ${host}\r\n\r\n`);
    }
    override handleConnect() {}
    override handleClose() {
      print("closing client");
      this.close();
      server.close();
    }
    override handleRead() {
      print(bytesRepr(this.recv(8192)));
    }
    override writable() {
      return this.buffer.length > 0;
    }
    override handleWrite() {
      const sent = this.send(this.buffer);
      this.buffer = this.buffer.subarray(sent);
    }
  }
  const server = listener(print, (sock) => new Reply(sock));
  new HTTPClient("127.0.0.1", "/");
  await asyncore.loop({ timeout: 0.1 });
  print(mapRepr());
}

async function echoServer(print: Print) {
  print("== asyncore_echo_server");
  class EchoHandler extends asyncore.dispatcher_with_send {
    override handleRead() {
      const data = this.recv(8192);
      if (data.length) this.send(data);
    }
  }
  class EchoClient extends asyncore.dispatcher_with_send {
    constructor(port: number) {
      super();
      this.createSocket();
      this.connect(["127.0.0.1", port]);
      this.send(enc.encode("hello echo"));
    }
    override handleRead() {
      print("client got", bytesRepr(this.recv(8192)));
      for (const d of [...asyncore.socketMap.values()]) d.close();
    }
  }
  const server = listener(print, (sock) => new EchoHandler(sock));
  new EchoClient(server.port);
  await asyncore.loop({ timeout: 0.1 });
  print(mapRepr());
}

async function httpRequestHandler(print: Print) {
  print("== asynchat_http_request_handler");
  class http_request_handler extends asynchat.async_chat {
    ibuffer: Uint8Array[] = [];
    obuffer = new Uint8Array(0);
    readingHeaders = true;
    handling = false;
    cgiData: Uint8Array | null = null;
    op = new Uint8Array(0);
    headers = new Map<string, string>();
    sessions: object;
    override log: Print;
    constructor(sock: Socket, addr: unknown, sessions: object, log: Print) {
      super(sock);
      this.addr = addr as typeof this.addr;
      this.sessions = sessions;
      this.log = log;
      this.setTerminator(enc.encode("\r\n\r\n"));
    }
    override collectIncomingData(data: Uint8Array) {
      this.ibuffer.push(data);
    }
    parseHeaders(data: Uint8Array) {
      const lines = dec.decode(data).split("\r\n");
      this.op = enc.encode(lines[0].split(" ")[0]);
      for (const line of lines.slice(1)) {
        const [k, v] = line.split(": ");
        this.headers.set(k.toLowerCase(), v);
      }
      const items = [...this.headers].sort().map(([k, v]) => `('${k}', '${v}')`);
      this.log("headers", bytesRepr(this.op), `[${items.join(", ")}]`);
    }
    handleRequest() {
      const cgi = this.cgiData === null ? null : bytesRepr(this.cgiData);
      this.log("request", bytesRepr(this.op), cgi, this.getTerminator());
      this.push(
        concat([enc.encode("HTTP/1.0 200 OK\r\n\r\n"), this.cgiData ?? enc.encode("none")]),
      );
      this.closeWhenDone();
    }
    override foundTerminator() {
      if (this.readingHeaders) {
        this.readingHeaders = false;
        this.parseHeaders(concat(this.ibuffer));
        this.ibuffer = [];
        if (dec.decode(this.op).toUpperCase() === "POST") {
          const clen = this.headers.get("content-length")!;
          this.setTerminator(parseInt(clen));
        } else {
          this.handling = true;
          this.setTerminator(null);
          this.handleRequest();
        }
      } else if (!this.handling) {
        this.setTerminator(null); // browsers sometimes over-send
        this.cgiData = enc.encode(dec.decode(concat(this.ibuffer)).toUpperCase());
        this.handling = true;
        this.ibuffer = [];
        this.handleRequest();
      }
    }
  }
  let pending = 2;
  class Client extends asyncore.dispatcher_with_send {
    got: Uint8Array = new Uint8Array(0);
    constructor(req: string) {
      super();
      this.createSocket();
      this.connect(["127.0.0.1", server.port]);
      this.send(enc.encode(req));
    }
    override handleRead() {
      this.got = concat([this.got, this.recv(8192)]);
    }
    override handleClose() {
      print("client got", bytesRepr(this.got));
      this.close();
      pending -= 1;
      if (pending === 0) server.close();
    }
  }
  const server = listener(print, (sock) => new http_request_handler(sock, null, {}, print));
  new Client("GET /x HTTP/1.0\r\nHost: h\r\n\r\n");
  new Client("POST /y HTTP/1.0\r\nContent-Length: 5\r\n\r\nhello");
  await asyncore.loop({ timeout: 0.1 });
  print(mapRepr());
}

const EXPECTED = [
  "== asyncore_http_client",
  "Incoming connection from '127.0.0.1'",
  "request b'GET / HTTP/1.0\\r\\nHost: 127.0.0.1\\r\\n\\r\\n'",
  "b'HTTP/1.0 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nhi'",
  "closing client",
  "b''",
  "{}",
  "== asyncore_echo_server",
  "Incoming connection from '127.0.0.1'",
  "client got b'hello echo'",
  "{}",
  "== asynchat_http_request_handler",
  "Incoming connection from '127.0.0.1'",
  "Incoming connection from '127.0.0.1'",
  "headers b'GET' [('host', 'h')]",
  "request b'GET' None None",
  "headers b'POST' [('content-length', '5')]",
  "request b'POST' b'HELLO' None",
  "client got b'HTTP/1.0 200 OK\\r\\n\\r\\nnone'",
  "client got b'HTTP/1.0 200 OK\\r\\n\\r\\nHELLO'",
  "{}",
];

test("the spec's asyncore and asynchat examples print what Python prints", async () => {
  const out: string[] = [];
  const print = printer(out);
  try {
    for (const example of [httpClient, echoServer, httpRequestHandler]) await example(print);
  } finally {
    asyncore.closeAll();
  }
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for specex_asyncore.py", () => {
  const ref = pythonReference("specex_asyncore");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
