// A keyword (options key) the loop method does not take in 3.11, a typo or a
// later Python's, is Python's TypeError naming the method and the keyword in
// snake_case, also through openConnection/startServer; a TLS timeout that is
// not a number fails Python's comparison. Checked against CPython
// (sw_io_keywords.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

// Options a typed port would not compile: the bad keywords under test.
// deno-lint-ignore no-explicit-any
const untyped = (x: unknown) => x as any;

async function keywords(print: (...args: unknown[]) => void): Promise<void> {
  const attempt = async (label: string, fn: () => Promise<unknown>) => {
    try {
      const r = await fn();
      print(label, "ok");
      (r as { close(): void }).close();
    } catch (e) {
      if (!(e instanceof TypeError)) throw e;
      print(label, e.name, e.message);
    }
  };
  const loop = asyncio.getRunningLoop();
  const P = asyncio.Protocol;
  await attempt(
    "create_connection",
    () => loop.createConnection(P, "127.0.0.1", 9, untyped({ allErrors: true })),
  );
  await attempt(
    "open_connection",
    () => asyncio.openConnection("127.0.0.1", 9, { allErrors: true }),
  );
  await attempt(
    "create_server",
    () => loop.createServer(P, "127.0.0.1", 0, untyped({ keepAlive: true })),
  );
  await attempt(
    "start_server",
    () => asyncio.startServer(() => {}, "127.0.0.1", 0, { reuseAddr: true }),
  );
  await attempt(
    "create_unix_server",
    () => loop.createUnixServer(P, "/nonexistent/x", untyped({ cleanupSocket: true })),
  );
  await attempt(
    "create_unix_connection",
    () => loop.createUnixConnection(P, "/nonexistent/x", untyped({ family: 1 })),
  );
  await attempt(
    "connect_accepted_socket",
    () => loop.connectAcceptedSocket(P, untyped(null), untyped({ serverHostname: "x" })),
  );
  await attempt(
    "sendfile",
    () => loop.sendfile(untyped(null), untyped(null), 0, null, untyped({ fallbak: true })),
  );
  await attempt(
    "sock_sendfile",
    () => loop.sockSendfile(untyped(null), untyped(null), 0, null, untyped({ fallbak: true })),
  );
  await attempt("getaddrinfo", () => loop.getaddrinfo("127.0.0.1", 80, untyped({ typ: 1 })));
  await attempt(
    "start_tls",
    () =>
      loop.startTls(
        untyped(null),
        untyped(null),
        untyped(null),
        untyped({ sslHandshakeTimout: 1 }),
      ),
  );
  const srv = await loop.createServer(P, "127.0.0.1", 0, {
    reusePort: untyped(null),
    sslHandshakeTimeout: null,
  });
  print("None-valued keywords are taken:", srv.isServing());
  const port = (srv.sockets[0].getsockname() as [string, number])[1];
  const ctx = asyncio.ssl.createDefaultContext();
  await attempt(
    "ssl_handshake_timeout='x'",
    () =>
      loop.createConnection(P, "127.0.0.1", port, {
        ssl: ctx,
        serverHostname: "x",
        sslHandshakeTimeout: untyped("x"),
      }),
  );
  srv.close();
  await srv.waitClosed();
}

const EXPECTED = [
  "create_connection TypeError BaseEventLoop.create_connection() got an unexpected keyword argument 'all_errors'",
  "open_connection TypeError BaseEventLoop.create_connection() got an unexpected keyword argument 'all_errors'",
  "create_server TypeError BaseEventLoop.create_server() got an unexpected keyword argument 'keep_alive'",
  "start_server TypeError BaseEventLoop.create_server() got an unexpected keyword argument 'reuse_addr'",
  "create_unix_server TypeError _UnixSelectorEventLoop.create_unix_server() got an unexpected keyword argument 'cleanup_socket'",
  "create_unix_connection TypeError _UnixSelectorEventLoop.create_unix_connection() got an unexpected keyword argument 'family'",
  "connect_accepted_socket TypeError BaseEventLoop.connect_accepted_socket() got an unexpected keyword argument 'server_hostname'",
  "sendfile TypeError BaseEventLoop.sendfile() got an unexpected keyword argument 'fallbak'",
  "sock_sendfile TypeError BaseEventLoop.sock_sendfile() got an unexpected keyword argument 'fallbak'",
  "getaddrinfo TypeError BaseEventLoop.getaddrinfo() got an unexpected keyword argument 'typ'",
  "start_tls TypeError BaseEventLoop.start_tls() got an unexpected keyword argument 'ssl_handshake_timout'",
  "None-valued keywords are taken: True",
  "ssl_handshake_timeout='x' TypeError '<=' not supported between instances of 'str' and 'int'",
];

test("loop methods refuse keywords they do not take, as CPython 3.11's signatures do", async () => {
  const out: string[] = [];
  await asyncio.run(() => keywords(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 30 });

test("CPython prints the same for sw_io_keywords.py", () => {
  const ref = pythonReference("sw_io_keywords");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
