// asyncore/asynchat ported as the spec writes them: keyword arguments become
// an options object (`new dispatcher({ map })`, `super({ sock, map })` for the
// spec's `async_chat.__init__(self, sock=sock)`, `new file_dispatcher(fd,
// { map })`), and `loop()` also takes Python's positional form
// (`loop(0.5, false, m, 1)`, a null timeout). An unknown keyword is Python's
// TypeError; a dispatcher without a socket fails with Python's text.
// Checked against tests/fixtures/py/sw_sync_asyncore_keywords.py.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { asynchat, asyncore, type Socket, socketpair } from "../mod.ts";
import { bytesRepr } from "../lib/format.ts";
import { concat } from "./util.ts";

type Print = (...args: unknown[]) => void;
const enc = new TextEncoder();

async function program(print: Print): Promise<void> {
  const m: asyncore.SocketMap = new Map();

  class Lines extends asynchat.async_chat {
    constructor(sock: Socket, map: asyncore.SocketMap) {
      super({ sock, map });
      this.setTerminator(enc.encode("\n"));
    }
    override collectIncomingData(data: Uint8Array) {
      this._collectIncomingData(data);
    }
    override foundTerminator() {
      const line = this._getData();
      print("line", bytesRepr(line));
      const upper = enc.encode(new TextDecoder().decode(line).toUpperCase() + "\n");
      this.push(upper);
      if (new TextDecoder().decode(line) === "bye") this.closeWhenDone();
    }
    override handleClose() {
      print("chat closed");
      this.close();
    }
  }

  class Server extends asyncore.dispatcher {
    constructor(map: asyncore.SocketMap) {
      super({ map });
      this.createSocket();
      this.setReuseAddr();
      this.bind(["127.0.0.1", 0]);
      this.listen(5);
    }
    override handleAccepted(sock: Socket, addr: unknown) {
      print("accepted", Array.isArray(addr) ? "tuple" : typeof addr);
      new Lines(sock, this.map);
    }
  }

  class Client extends asyncore.dispatcher_with_send {
    got: Uint8Array = new Uint8Array(0);
    constructor(port: number, map: asyncore.SocketMap) {
      super({ map });
      this.createSocket();
      this.connect(["127.0.0.1", port]);
      this.send(enc.encode("hello\nbye\n"));
    }
    override handleRead() {
      this.got = concat([this.got, this.recv(100)]);
    }
    override handleClose() {
      print("client got", bytesRepr(this.got));
      this.close();
      server.close();
    }
  }

  const server = new Server(m);
  new Client(((server.socket as Socket).getsockname() as [string, number])[1], m);
  print("channels", m.size);
  await asyncore.loop(0.5, false, m, 1);
  print("after one pass", m.size);
  await asyncore.loop({ timeout: 0.5, map: m });
  print("map", m.size);

  let [a, b] = socketpair();
  const d = new asyncore.dispatcher(a, { map: m });
  print("sock then map=", d.connected, m.size);
  b.send(enc.encode("x"));
  await asyncore.loop(null, false, m, 1);
  d.close();
  b.close();

  [a, b] = socketpair();
  class Reader extends asyncore.file_dispatcher {
    override writable() {
      return false;
    }
    override handleRead() {
      print("file read", bytesRepr(this.recv(100)));
    }
    override handleClose() {
      print("file closed");
      this.close();
    }
  }
  new Reader(a.fileno(), { map: m });
  b.send(enc.encode("via fd"));
  b.close();
  await asyncore.loop({ timeout: 0.5, usePoll: true, map: m });
  a.close();
  print("map", m.size);

  // deno-lint-ignore no-explicit-any
  const any = (x: unknown) => x as any;
  const cases: [string, () => unknown][] = [
    ["dispatcher(mapp=m)", () => new asyncore.dispatcher(any({ mapp: m }))],
    ["async_chat(socket=None)", () => new asynchat.async_chat(any({ socket: null }))],
    ["file_dispatcher(fd=0, mapp=m)", () => new asyncore.file_dispatcher(any({ fd: 0, mapp: m }))],
    ["loop(timeout=0, poll=True)", () => asyncore.loop(any({ timeout: 0, poll: true }))],
    ["set_reuse_addr()", () => new asyncore.dispatcher({ map: m }).setReuseAddr()],
    ["handle_connect_event()", () => new asyncore.dispatcher({ map: m }).handleConnectEvent()],
    ["handle_expt_event()", () => new asyncore.dispatcher({ map: m }).handleExptEvent()],
  ];
  for (const [label, f] of cases) {
    try {
      await f();
      print(label, "OK");
    } catch (e) {
      if (!(e instanceof TypeError)) throw e;
      print(label, e.message);
    }
  }
  print("map", m.size);
}

const EXPECTED = [
  "channels 2",
  "accepted tuple",
  "after one pass 3",
  "line b'hello'",
  "line b'bye'",
  "chat closed",
  "client got b'HELLO\\nBYE\\n'",
  "map 0",
  "sock then map= True 1",
  "file read b'via fd'",
  "file closed",
  "map 0",
  "dispatcher(mapp=m) dispatcher.__init__() got an unexpected keyword argument 'mapp'",
  "async_chat(socket=None) async_chat.__init__() got an unexpected keyword argument 'socket'",
  "file_dispatcher(fd=0, mapp=m) file_dispatcher.__init__() got an unexpected keyword argument 'mapp'",
  "loop(timeout=0, poll=True) loop() got an unexpected keyword argument 'poll'",
  "set_reuse_addr() 'NoneType' object has no attribute 'setsockopt'",
  "handle_connect_event() 'NoneType' object has no attribute 'getsockopt'",
  "handle_expt_event() 'NoneType' object has no attribute 'getsockopt'",
  "map 0",
];

test("asyncore/asynchat keyword and positional forms, as the spec writes them", async () => {
  const out: string[] = [];
  await program(printer(out));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("loop(1) is a one-second timeout, not the 30 s default", async () => {
  const m: asyncore.SocketMap = new Map();
  const [a, b] = socketpair();
  class Idle extends asyncore.dispatcher {
    override writable() {
      return false;
    }
  }
  new Idle(a, m);
  const t0 = performance.now();
  await asyncore.loop(0.2, false, m, 1);
  const took = performance.now() - t0;
  asyncore.closeAll(m);
  b.close();
  assertEquals(took < 5000, true, `one pass took ${took} ms`);
});

test("CPython prints the same for sw_sync_asyncore_keywords.py", () => {
  const ref = pythonReference("sw_sync_asyncore_keywords");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
