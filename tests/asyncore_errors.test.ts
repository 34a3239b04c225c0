// asyncore errors a porter sees, checked against CPython 3.11's output for
// the same program (tests/fixtures/py/asyncore_errors.py): a connect() that
// fails at once, a refused connect through handleError()/handleClose() on
// both poll paths, dispatcher_with_send.send() of a non-bytes value.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { AF_UNIX, asyncore, OSError, SOCK_STREAM, socket, socketpair } from "../mod.ts";
import { bytesRepr } from "../lib/format.ts";
import { mkdtempSync, rmdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

async function errors(print: (...args: unknown[]) => void): Promise<void> {
  const d = mkdtempSync(join(tmpdir(), "asyncore-"));
  const m: asyncore.SocketMap = new Map();
  const c = new asyncore.dispatcher(null, m);
  c.createSocket(AF_UNIX, SOCK_STREAM);
  try {
    c.connect(join(d, "missing.sock"));
  } catch (e) {
    if (e instanceof OSError) print(e.constructor.name, e.errno, e.strerror, e.message);
  }
  print("connecting", c.connecting, "connected", c.connected, "addr", c.addr);
  c.close();
  rmdirSync(d);

  const s = socket();
  s.bind(["127.0.0.1", 0]);
  const port = s.getsockname()[1] as number;
  s.close();

  class Refused extends asyncore.dispatcher {
    constructor(map: asyncore.SocketMap) {
      super(null, map);
      this.createSocket();
      this.connect(["127.0.0.1", port]);
    }
    override handleConnect() {
      print("handle_connect");
    }
    override handleError(exc?: unknown) {
      const v = exc as OSError;
      print("handle_error", v.constructor.name, v.errno, v.strerror, "|", v.message);
      this.handleClose();
    }
    override handleClose() {
      print("handle_close connecting", this.connecting, "connected", this.connected);
      this.close();
    }
  }
  for (const usePoll of [false, true]) {
    new Refused(m);
    await asyncore.loop({ timeout: 1, map: m, count: 3, usePoll });
    print("map", m.size);
  }

  const [a, b] = socketpair();
  const w = new asyncore.dispatcher_with_send(a, m);
  for (const data of ["text", 3]) {
    try {
      w.send(data as unknown as Uint8Array);
    } catch (e) {
      if (e instanceof TypeError) print("TypeError", e.message);
    }
  }
  w.send(new Uint8Array([111, 107]));
  print("peer got", bytesRepr(b.recv(10)));
  w.close();
  b.close();
}

const EXPECTED = [
  "FileNotFoundError 2 ENOENT [Errno 2] ENOENT",
  "connecting True connected False addr None",
  "handle_error ConnectionRefusedError 111 Connection refused | [Errno 111] Connection refused",
  "handle_close connecting True connected False",
  "map 0",
  "handle_error ConnectionRefusedError 111 Connection refused | [Errno 111] Connection refused",
  "handle_close connecting True connected False",
  "map 0",
  "TypeError can't concat str to bytes",
  "TypeError can't concat int to bytes",
  "peer got b'ok'",
];

test("the fixture prints these lines under CPython 3.11", () => {
  const ref = pythonReference("asyncore_errors");
  if (ref) assertEquals(ref.lines, EXPECTED, ref.python);
});

test(
  "connect() failing at once names the errno; a refused connect goes to handleError then handleClose",
  async () => {
    const out: string[] = [];
    await errors(printer(out));
    assertEquals(out, EXPECTED);
  },
  { timeout: 10 },
);
