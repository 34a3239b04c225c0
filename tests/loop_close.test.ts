// Transports left open when their loop closes: their fds are closed then,
// with no protocol callback (Python's garbage collector closes such
// transports sooner or later; JS has nothing that would). The harness's fd
// check fails any test here that leaves one open.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import * as asyncio from "../mod.ts";
import { sys } from "../ffi/mod.ts";

class Recorder extends asyncio.Protocol {
  constructor(readonly log: string[], readonly tag: string) {
    super();
  }
  override connectionMade() {
    this.log.push(`${this.tag} made`);
  }
  override connectionLost() {
    this.log.push(`${this.tag} lost`);
  }
}

test(
  "loop.close() closes the sockets and pipes of transports still open, with no callback",
  async () => {
    const log: string[] = [];
    const fds = sys().pipe2(0);
    if (typeof fds === "number") throw new Error(`pipe2: errno ${-fds}`);
    const [rfd, wfd] = fds;
    await asyncio.run(async () => {
      const loop = asyncio.getRunningLoop();
      const server = await loop.createServer(
        () => new Recorder(log, "server side"),
        "127.0.0.1",
        0,
      );
      const [, port] = server.sockets[0].getsockname() as [string, number];
      await loop.createConnection(() => new Recorder(log, "client"), "127.0.0.1", port);
      await loop.createDatagramEndpoint(() => new asyncio.DatagramProtocol(), {
        localAddr: ["127.0.0.1", 0],
      });
      await loop.connectReadPipe(() => new Recorder(log, "read pipe"), rfd);
      await loop.connectWritePipe(() => new Recorder(log, "write pipe"), wfd);
      await asyncio.sleep(0.02);
      server.close();
      // A handler that returned without closing: asyncio.run ends with all open.
    });
    assertEquals(log.sort(), [
      "client made",
      "read pipe made",
      "server side made",
      "write pipe made",
    ]);
  },
  { timeout: 20 },
);

test(
  "a transport closing as the loop closes (connectionLost not run yet) loses no fd",
  async () => {
    const loop = asyncio.newEventLoop();
    const log: string[] = [];
    const server = await loop.runUntilComplete<asyncio.Server>(() =>
      loop.createServer(() => new Recorder(log, "server side"), "127.0.0.1", 0)
    );
    const [, port] = server.sockets[0].getsockname() as [string, number];
    const [t] = await loop.runUntilComplete<[asyncio.Transport, asyncio.Protocol]>(() =>
      loop.createConnection(() => new Recorder(log, "client"), "127.0.0.1", port)
    );
    await loop.runUntilComplete(() => asyncio.sleep(0.02));
    // connectionLost is scheduled, never run: the loop closes first.
    t.close();
    server.close();
    loop.close();
    assertEquals(log.sort(), ["client made", "server side made"]);
  },
  { timeout: 20 },
);
