// Ready I/O runs in the same loop iteration as in CPython, between the same
// task steps: the loop polls its selector every iteration while fds are
// watched. Checked against CPython's output for tests/fixtures/py/io_interleave.py.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";
import { sys } from "../ffi/mod.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

async function interleave(print: (...args: unknown[]) => void): Promise<void> {
  const spin = async (tag: string, n: number) => {
    for (let i = 0; i < n; i++) {
      print(tag, "spin", i);
      await asyncio.sleep(0);
    }
  };
  const loop = asyncio.getRunningLoop();

  class P extends asyncio.Protocol {
    override dataReceived(d: Uint8Array) {
      print("tcp got", dec.decode(d));
    }
  }
  let server = await loop.createServer(() => new P(), "127.0.0.1", 0);
  let [, port] = server.sockets[0].getsockname() as [string, number];
  let [, w] = await asyncio.openConnection("127.0.0.1", port);
  await asyncio.sleep(0.05);
  w.write(enc.encode("x"));
  await spin("tcp", 5);
  w.close();
  await w.waitClosed();
  server.close();

  const handler = async (reader: asyncio.StreamReader, writer: asyncio.StreamWriter) => {
    print("stream line", dec.decode(await reader.readLine()).trim());
    writer.close();
  };
  server = await asyncio.startServer(handler, "127.0.0.1", 0);
  [, port] = server.sockets[0].getsockname() as [string, number];
  [, w] = await asyncio.openConnection("127.0.0.1", port);
  await asyncio.sleep(0.05);
  w.write(enc.encode("line\n"));
  await spin("stream", 6);
  w.close();
  await w.waitClosed();
  server.close();

  class D extends asyncio.DatagramProtocol {
    override datagramReceived(d: Uint8Array) {
      print("udp got", dec.decode(d));
    }
  }
  const [t] = await loop.createDatagramEndpoint(() => new D(), { localAddr: ["127.0.0.1", 0] });
  const [c] = await loop.createDatagramEndpoint(() => new asyncio.DatagramProtocol(), {
    remoteAddr: t.getExtraInfo("sockname") as [string, number],
  });
  await asyncio.sleep(0.05);
  c.sendto(enc.encode("d"));
  await spin("udp", 4);
  c.close();
  t.close();

  const fds = sys().pipe2(0);
  if (typeof fds === "number") throw new Error(`pipe2: errno ${-fds}`);
  const [rfd, wfd] = fds;
  const buf = new Uint8Array(10);
  loop.addReader(rfd, () => {
    const n = sys().read(rfd, buf);
    print("pipe got", dec.decode(buf.subarray(0, n)));
  });
  sys().write(wfd, enc.encode("p"));
  await spin("pipe", 4);
  loop.removeReader(rfd);
  sys().close(rfd);
  sys().close(wfd);
  await asyncio.sleep(0.05);
}

const EXPECTED = [
  ...["tcp spin 0", "tcp spin 1", "tcp got x", "tcp spin 2", "tcp spin 3", "tcp spin 4"],
  ...["stream spin 0", "stream spin 1", "stream spin 2", "stream line line"],
  ...["stream spin 3", "stream spin 4", "stream spin 5"],
  ...["udp spin 0", "udp spin 1", "udp got d", "udp spin 2", "udp spin 3"],
  ...["pipe spin 0", "pipe spin 1", "pipe got p", "pipe spin 2", "pipe spin 3"],
];

test("ready I/O runs between the same task steps as in CPython", async () => {
  const out: string[] = [];
  await asyncio.run(() => interleave(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for io_interleave.py", () => {
  const ref = pythonReference("io_interleave");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
