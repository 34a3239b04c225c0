// asyncore/asynchat reprs and the default handleError() message, checked
// against CPython 3.11's output for the same program
// (tests/fixtures/py/asyncore_repr.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";
import { asynchat, asyncore, socketpair } from "../mod.ts";

const enc = new TextEncoder();

/** The repr with Python's `id()` masked, as the fixture masks it. */
function masked(obj: unknown): string {
  return String(obj).replace(/ at 0x[0-9a-f]+>/g, " at 0xADDR>");
}

/** `handleReadEvent` → `handle_read_event`: the fixture's frame names. */
function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase());
}

class Server extends asyncore.dispatcher {}

class Chat extends asynchat.async_chat {}

class Boom extends asyncore.dispatcher {
  constructor(
    sock: asyncio.Socket,
    map: asyncore.SocketMap,
    readonly print: (...a: unknown[]) => void,
  ) {
    super(sock, map);
  }
  override writable() {
    return false;
  }
  override handleRead() {
    this.recv(10);
    throw new asyncio.ValueError("boom");
  }
  override handleClose() {
    this.print("handle_close");
    this.close();
  }
  override logInfo(message: string, type = "info") {
    const at = message.indexOf(" (<");
    const [head, tb] = [message.slice(0, at), message.slice(at + 3)];
    this.print(type, masked(head));
    this.print("error", tb.split(" [")[0]);
    const frames = [...tb.matchAll(/\[([^\]]*)\]/g)].map((m) => `'${snake(m[1].split("|")[1])}'`);
    this.print("frames", `[${frames.join(", ")}]`);
  }
}

async function reprs(print: (...args: unknown[]) => void): Promise<void> {
  let m: asyncore.SocketMap = new Map();
  const plain = new asyncore.dispatcher(null, m);
  print(masked(plain));
  print(masked(new asyncore.dispatcher_with_send(null, m)));
  print(masked(new asynchat.async_chat(null, m)));
  print(masked(new Chat(null, m)));
  const s = new Server(null, m);
  print(masked(s));
  s.createSocket();
  s.bind(["127.0.0.1", 0]);
  print(masked(s));
  s.listen(1);
  print(masked(s));
  let [a, b] = socketpair();
  print(masked(new Chat(a, m)));
  const f = new asyncore.file_dispatcher(b.fileno(), m);
  print(masked(f));
  print("distinct", String(plain) !== String(s), String(s) === String(s));
  print("poll3 is poll2", asyncore.poll3 === asyncore.poll2);
  asyncore.closeAll(m);
  b.close();

  m = new Map();
  [a, b] = socketpair();
  new Boom(a, m, print);
  b.send(enc.encode("x"));
  await asyncore.loop({ timeout: 1, map: m, count: 1 });
  print("map", m.size);
  b.close();
}

const EXPECTED = [
  "<asyncore.dispatcher at 0xADDR>",
  "<asyncore.dispatcher_with_send at 0xADDR>",
  "<asynchat.async_chat at 0xADDR>",
  "<__main__.Chat at 0xADDR>",
  "<__main__.Server at 0xADDR>",
  "<__main__.Server 127.0.0.1:0 at 0xADDR>",
  "<__main__.Server listening 127.0.0.1:0 at 0xADDR>",
  "<__main__.Chat connected '' at 0xADDR>",
  "<asyncore.file_dispatcher connected at 0xADDR>",
  "distinct True True",
  "poll3 is poll2 True",
  "error uncaptured python exception, closing channel <__main__.Boom connected '' at 0xADDR>",
  "error class 'ValueError'>:boom",
  "frames ['read', 'handle_read_event', 'handle_read']",
  "handle_close",
  "map 0",
];

test("the fixture prints these lines under CPython 3.11", () => {
  const ref = pythonReference("asyncore_repr");
  if (ref) assertEquals(ref.lines, EXPECTED, ref.python);
});

test(
  "reprs name user classes __main__ and library ones by module; handleError's traceback starts at read()",
  async () => {
    const out: string[] = [];
    await reprs(printer(out));
    assertEquals(out, EXPECTED);
  },
  { timeout: 10 },
);
