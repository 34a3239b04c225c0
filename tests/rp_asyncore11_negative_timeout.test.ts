// asyncore.loop() with a negative timeout: over select() it throws select's
// ValueError (or time.sleep()'s, when no channel wants events); over poll()
// it waits without a limit, as poll(2) does, until a channel is ready. A
// null timeout with no channel wanting events is time.sleep()'s TypeError.
// A negative timeout made a pass return at once, so loop() spun without
// waiting; a null one with idle channels did the same.
// Checked against CPython (tests/fixtures/py/rp_asyncore11_negative_timeout.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";
import { asyncore } from "../mod.ts";
import { bytesRepr } from "../lib/format.ts";

const enc = (s: string) => new TextEncoder().encode(s);

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const m: asyncore.SocketMap = new Map();
  class Reader extends asyncore.dispatcher {
    override writable() {
      return false;
    }
    override handleRead() {
      print("read", bytesRepr(this.recv(100)));
    }
  }
  class Idle extends asyncore.dispatcher {
    override readable() {
      return false;
    }
    override writable() {
      return false;
    }
  }
  const attempt = async (label: string, kw: asyncore.LoopOptions) => {
    try {
      await asyncore.loop({ map: m, count: 1, ...kw });
      print(label, "returned");
    } catch (e) {
      print(label, (e as Error).name, (e as Error).message);
    }
  };
  const [a, b] = asyncio.socketpair();
  const r = new Reader(a, m);
  await attempt("select -1", { timeout: -1 });
  b.send(enc("ready"));
  await attempt("select -0.5 ready", { timeout: -0.5 });
  b.send(enc("now"));
  await attempt("poll -1 ready", { timeout: -1, usePoll: true });
  const timer = setTimeout(() => b.send(enc("late")), 200);
  await attempt("poll -1 waits", { timeout: -1, usePoll: true });
  clearTimeout(timer);
  r.close();
  b.close();

  const i = new Idle({ map: m });
  i.createSocket();
  await attempt("idle -1", { timeout: -1 });
  await attempt("idle None", { timeout: null });
  await attempt("idle 0", { timeout: 0 });
  await attempt("idle poll 0", { timeout: 0, usePoll: true });
  i.close();
  print("left", m.size);
}

const EXPECTED = [
  "select -1 ValueError timeout must be non-negative",
  "select -0.5 ready ValueError timeout must be non-negative",
  "read b'readynow'",
  "poll -1 ready returned",
  "read b'late'",
  "poll -1 waits returned",
  "idle -1 ValueError sleep length must be non-negative",
  "idle None TypeError 'NoneType' object cannot be interpreted as an integer",
  "idle 0 returned",
  "idle poll 0 returned",
  "left 0",
];

test("a negative loop() timeout: select's ValueError, poll's wait without limit", async () => {
  const out: string[] = [];
  await app(printer(out));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_asyncore11_negative_timeout.py", () => {
  const ref = pythonReference("rp_asyncore11_negative_timeout");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
