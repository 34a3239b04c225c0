// KeyboardInterrupt and SystemExit thrown by a handler leave
// asyncore.loop() (over select and poll, from a read and from a write), as
// ExitNow does, instead of going to handleError(): Python's
// `_reraised_exceptions`. closeAll({ ignoreAll: true }) lets them through
// too. They went to handleError(), which logged them and closed the channel,
// so a server stopped by `sys.exit()` in a handler ran on.
// Checked against CPython (tests/fixtures/py/rp_asyncore11_reraised.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";
import { asyncore, type Socket } from "../mod.ts";
import { bytesRepr } from "../lib/format.ts";

const enc = (s: string) => new TextEncoder().encode(s);

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const m: asyncore.SocketMap = new Map();
  const py = (x: unknown) => x === true ? "True" : x === false ? "False" : x;

  class H extends asyncore.dispatcher {
    constructor(sock: Socket, public exc: Error, public where: string) {
      super(sock, { map: m });
    }
    override writable() {
      return this.where === "write";
    }
    override handleRead() {
      this.recv(10);
      if (this.where === "read") throw this.exc;
    }
    override handleWrite() {
      throw this.exc;
    }
    override handleError(e?: unknown) {
      print("handle_error", (e as Error).name);
      this.close();
    }
  }

  for (const usePoll of [false, true]) {
    for (
      const exc of [
        new asyncio.SystemExit(3),
        new asyncio.KeyboardInterrupt(),
        new asyncore.ExitNow("x"),
        new asyncio.ValueError("v"),
      ]
    ) {
      for (const where of ["read", "write"]) {
        const [a, b] = asyncio.socketpair();
        new H(a, exc, where);
        b.send(enc("z"));
        try {
          await asyncore.loop({ timeout: 1, map: m, count: 1, usePoll });
          print(py(usePoll), where, exc.name, "returned", m.size);
        } catch (e) {
          print(py(usePoll), where, exc.name, "escaped", (e as Error).name, m.size);
        }
        asyncore.closeAll(m);
        b.close();
      }
    }
  }

  class Loud extends asyncore.dispatcher {
    constructor(public chName: string, sock: Socket, public exc: Error | null) {
      super(sock, { map: m });
    }
    override close() {
      print("close", this.chName);
      super.close();
      if (this.exc !== null) throw this.exc;
    }
  }
  for (
    const exc of [
      new asyncio.KeyboardInterrupt(),
      new asyncio.SystemExit(1),
      new asyncio.ValueError("v"),
    ]
  ) {
    const peers: Socket[] = [];
    [exc, null].forEach((e, i) => {
      const [a, b] = asyncio.socketpair();
      peers.push(b);
      new Loud(`ch${i}`, a, e);
    });
    try {
      asyncore.closeAll({ map: m, ignoreAll: true });
      print("close_all returned", m.size);
    } catch (e) {
      print("close_all raised", (e as Error).name, m.size);
    }
    for (const x of [...m.values()]) asyncore.dispatcher.prototype.close.call(x);
    m.clear();
    for (const b of peers) b.close();
  }

  class Stopper extends asyncore.dispatcher {
    override writable() {
      return false;
    }
    override handleRead() {
      const data = this.recv(100);
      print("got", bytesRepr(data));
      if (new TextDecoder().decode(data) === "quit") throw new asyncio.SystemExit(0);
    }
  }
  const [a, b] = asyncio.socketpair();
  new Stopper(a, m);
  b.send(enc("quit"));
  try {
    await asyncore.loop({ timeout: 1, map: m });
  } catch (e) {
    if (!(e instanceof asyncio.SystemExit)) throw e;
    print("stopped with", e.code, m.size);
  }
  asyncore.closeAll(m);
  b.close();
}

const EXPECTED = [
  "False read SystemExit escaped SystemExit 1",
  "False write SystemExit escaped SystemExit 1",
  "False read KeyboardInterrupt escaped KeyboardInterrupt 1",
  "False write KeyboardInterrupt escaped KeyboardInterrupt 1",
  "False read ExitNow escaped ExitNow 1",
  "False write ExitNow escaped ExitNow 1",
  "handle_error ValueError",
  "False read ValueError returned 0",
  "handle_error ValueError",
  "False write ValueError returned 0",
  "True read SystemExit escaped SystemExit 1",
  "True write SystemExit escaped SystemExit 1",
  "True read KeyboardInterrupt escaped KeyboardInterrupt 1",
  "True write KeyboardInterrupt escaped KeyboardInterrupt 1",
  "True read ExitNow escaped ExitNow 1",
  "True write ExitNow escaped ExitNow 1",
  "handle_error ValueError",
  "True read ValueError returned 0",
  "handle_error ValueError",
  "True write ValueError returned 0",
  "close ch0",
  "close_all raised KeyboardInterrupt 1",
  "close ch0",
  "close_all raised SystemExit 1",
  "close ch0",
  "close ch1",
  "close_all returned 0",
  "got b'quit'",
  "stopped with 0 1",
];

test("KeyboardInterrupt and SystemExit from a handler leave loop() and closeAll()", async () => {
  const out: string[] = [];
  await app(printer(out));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_asyncore11_reraised.py", () => {
  const ref = pythonReference("rp_asyncore11_reraised");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
