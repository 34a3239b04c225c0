// Python's keyword forms of addresses and the spec's plain-class datagram
// protocol, written without casts: `npm test` compiles this file with tsc,
// so a signature that refuses them fails the build as well as the run.
import { test } from "./harness.ts";
import { assert, assertEquals } from "./assert.ts";
import * as asyncio from "../mod.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

test(
  "openConnection({ sock }) and startServer(cb, { host, port }) type-check and run",
  async () => {
    await asyncio.run(async () => {
      const server = await asyncio.startServer(async (reader, writer) => {
        writer.write(await reader.readLine());
        await writer.drain();
        writer.close();
      }, { host: "127.0.0.1", port: 0 });
      const [host, port] = server.sockets[0].getsockname() as [string, number];
      const sock = asyncio.socket(asyncio.AF_INET, asyncio.SOCK_STREAM);
      sock.connect([host, port]);
      const [reader, writer] = await asyncio.openConnection({ sock, limit: 1024 });
      writer.write(enc("hi\n"));
      assertEquals(dec(await reader.readLine()), "hi\n");
      writer.close();
      await writer.waitClosed();
      server.close();
      await server.waitClosed();
    });
  },
  { timeout: 20 },
);

test(
  "loop.createConnection(f, { sock }) and createServer(f, { host, port }) type-check and run",
  async () => {
    await asyncio.run(async () => {
      const loop = asyncio.getRunningLoop();
      const got: string[] = [];
      const server = await loop.createServer(asyncio.Protocol, { host: "127.0.0.1", port: 0 });
      const [host, port] = server.sockets[0].getsockname() as [string, number];
      const [a, b] = asyncio.socketpair();
      class Collect extends asyncio.Protocol {
        override dataReceived(data: Uint8Array) {
          got.push(dec(data));
        }
      }
      const [transport] = await loop.createConnection(() => new Collect(), { sock: a });
      b.send(enc("over the pair"));
      const [client] = await loop.createConnection(asyncio.Protocol, host, { port });
      for (let i = 0; i < 100 && got.length === 0; i++) await asyncio.sleep(0.01);
      assertEquals(got, ["over the pair"]);
      transport.close();
      client.close();
      b.close();
      server.close();
      await server.waitClosed();
    });
  },
  { timeout: 20 },
);

// As in Python, the transport calls connectionLost, which this class lacks:
// the loop's exception handler reports it (CPython logs its AttributeError).
test("a plain-class datagram protocol (the spec's UDP server) type-checks and runs", async () => {
  const received: string[] = [];
  class EchoServerProtocol {
    transport: asyncio.DatagramTransport | null = null;
    connectionMade(transport: asyncio.BaseTransport) {
      this.transport = transport as asyncio.DatagramTransport;
    }
    datagramReceived(data: Uint8Array, addr: asyncio.Address) {
      received.push(dec(data));
      this.transport!.sendto(data, addr);
    }
  }
  await asyncio.run(async () => {
    const loop = asyncio.getRunningLoop();
    const reported: unknown[] = [];
    loop.setExceptionHandler((_loop, context) => reported.push(context.exception));
    const [server] = await loop.createDatagramEndpoint(EchoServerProtocol, {
      localAddr: ["127.0.0.1", 0],
    });
    const addr = server.getExtraInfo("sockname") as [string, number];
    const answer = loop.createFuture<string>();
    class Client extends asyncio.DatagramProtocol {
      override datagramReceived(data: Uint8Array) {
        answer.setResult(dec(data));
      }
    }
    const [client] = await loop.createDatagramEndpoint(() => new Client(), { remoteAddr: addr });
    client.sendto(enc("ping"));
    assertEquals(await asyncio.waitFor(answer, 5), "ping");
    assertEquals(received, ["ping"]);
    client.close();
    server.close();
    await asyncio.sleep(0);
    assertEquals(reported.length, 1);
    // Python: AttributeError "'EchoServerProtocol' object has no attribute 'connection_lost'".
    assert(reported[0] instanceof TypeError && /connection_lost/.test(reported[0].message));
    assert(String(server).startsWith("<_SelectorDatagramTransport closed fd="), String(server));
  });
}, { timeout: 20 });
