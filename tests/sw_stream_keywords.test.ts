// The stream classes take their trailing arguments as Python's keywords too
// (API.md rule 3), as asyncio's own code and ported recipes pass them:
// StreamReaderProtocol(reader, { loop }) over a read pipe, a
// FlowControlMixin({ loop }) write pipe under StreamWriter(t, { protocol,
// reader, loop }) or StreamWriter(t, p, r, { loop }), a server protocol
// with { clientConnectedCb, loop }.
// Checked against CPython 3.11 (tests/fixtures/py/sw_stream_keywords.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

function bytesRepr(b: Uint8Array): string {
  return `b'${dec.decode(b).replaceAll("\n", "\\n")}'`;
}

async function keywordsProgram(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const [rfd, wfd] = asyncio.pipe();
  const reader = new asyncio.StreamReader({ loop });
  const protocol = new asyncio.StreamReaderProtocol(reader, { loop });
  await loop.connectReadPipe(() => protocol, rfd);
  const [wt, wp] = await loop.connectWritePipe(() => new asyncio.FlowControlMixin({ loop }), wfd);
  const writer = new asyncio.StreamWriter(wt as asyncio.WriteTransport, {
    protocol: wp as asyncio.FlowControlMixin,
    reader: null,
    loop,
  });
  print(wp.constructor.name, writer.constructor.name);
  writer.write(enc.encode("one\ntwo\n"));
  print("drain", await writer.drain());
  print(bytesRepr(await reader.readLine()), bytesRepr(await reader.readLine()));
  writer.close();
  print(bytesRepr(await reader.read()), reader.atEof());
  try {
    await writer.waitClosed();
  } catch (e) {
    if (!(e instanceof asyncio.NotImplementedError)) throw e;
    print("wait_closed: NotImplementedError");
  }

  const cb = async (r: asyncio.StreamReader, w: asyncio.StreamWriter) => {
    print("server got", bytesRepr(await r.readLine()));
    w.close();
  };
  const srv = await loop.createServer(
    () =>
      new asyncio.StreamReaderProtocol(new asyncio.StreamReader(), { clientConnectedCb: cb, loop }),
    "127.0.0.1",
    0,
  );
  const port = (srv.sockets[0].getsockname() as [string, number])[1];
  const [r, w] = await asyncio.openConnection("127.0.0.1", port);
  w.write(enc.encode("hello\n"));
  print("client got", bytesRepr(await r.read()));
  w.close();
  await w.waitClosed();
  srv.close();
  await srv.waitClosed();

  const t = wt as asyncio.WriteTransport;
  const w2 = new asyncio.StreamWriter(t, wp as asyncio.FlowControlMixin, null, { loop });
  const w3 = new asyncio.StreamWriter(t, wp as asyncio.FlowControlMixin, { reader, loop });
  print(w2.transport === wt, w3.transport === wt);
  try {
    new asyncio.StreamWriter(
      wt as asyncio.WriteTransport,
      wp as asyncio.FlowControlMixin,
      "reader" as never,
      loop,
    );
  } catch (e) {
    if (!(e instanceof asyncio.AssertionError)) throw e;
    print("AssertionError", `'${e.message}'`);
  }
  try {
    new asyncio.StreamReaderProtocol(reader, { clientConnectedCb: null, bogus: 1 } as never);
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    print("TypeError", e.message);
  }
  try {
    new asyncio.FlowControlMixin({ lop: loop } as never);
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    print("TypeError", e.message);
  }
}

const EXPECTED = [
  "FlowControlMixin StreamWriter",
  "drain None",
  "b'one\\n' b'two\\n'",
  "b'' True",
  "wait_closed: NotImplementedError",
  "server got b'hello\\n'",
  "client got b''",
  "True True",
  "AssertionError ''",
  "TypeError StreamReaderProtocol.__init__() got an unexpected keyword argument 'bogus'",
  "TypeError FlowControlMixin.__init__() got an unexpected keyword argument 'lop'",
];

test(
  "stream classes take Python's keywords: loop, clientConnectedCb, protocol/reader/loop",
  async () => {
    const out: string[] = [];
    await asyncio.run(() => keywordsProgram(printer(out)));
    assertEquals(out, EXPECTED);
  },
  { timeout: 20 },
);

test("CPython prints the same for sw_stream_keywords.py", () => {
  const ref = pythonReference("sw_stream_keywords");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
