// TLS over OpenSSL through FFI: SSLContext, the TLS transport under
// protocols and streams, startTls, with `openssl s_server`/`s_client` and
// CPython's asyncio+ssl as peers. A throwaway CA and a server certificate
// for localhost/127.0.0.1 are made with `openssl req`/`openssl x509` in a
// temporary directory first; the last test removes it.
import { skip, test } from "./harness.ts";
import { assert, assertEquals, assertInstanceOf, assertRejects, assertThrows } from "./assert.ts";
import { spawn, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import process from "node:process";
import { runScript } from "./util.ts";
import * as asyncio from "../mod.ts";
import { sys } from "../ffi/mod.ts";
import { Protocol } from "../lib/protocols.ts";
import type { BaseTransport, Transport } from "../lib/transports.ts";
import type { StreamReader, StreamWriter } from "../lib/streams.ts";

const { ssl } = asyncio;
const enc = new TextEncoder();
const dec = new TextDecoder();

// ------------------------------------------------------------ certificates

const dir = mkdtempSync(`${tmpdir()}/asyncio-tls-`);
const CA = `${dir}/ca.pem`;
const CERT = `${dir}/server.pem`;
const KEY = `${dir}/server.key`;

function openssl(args: string[]): void {
  const r = spawnSync("openssl", args, { encoding: "utf8", timeout: 20_000 });
  if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
}

let certError: string | null = null;
try {
  sys().ssl(); // libssl.so.3 must load before anything else is worth trying
  openssl([
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "2",
    "-subj",
    "/CN=asyncio-ts test CA",
    "-keyout",
    `${dir}/ca.key`,
    "-out",
    CA,
  ]);
  openssl([
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-subj",
    "/C=XX/O=asyncio-ts/CN=localhost",
    "-keyout",
    KEY,
    "-out",
    `${dir}/server.csr`,
  ]);
  writeFileSync(`${dir}/ext.cnf`, "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
  openssl([
    "x509",
    "-req",
    "-in",
    `${dir}/server.csr`,
    "-CA",
    CA,
    "-CAkey",
    `${dir}/ca.key`,
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    `${dir}/ext.cnf`,
    "-out",
    CERT,
  ]);
} catch (e) {
  certError = String(e);
}

function serverContext(): InstanceType<typeof ssl.SSLContext> {
  const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  ctx.loadCertChain(CERT, KEY);
  return ctx;
}

function clientContext(): InstanceType<typeof ssl.SSLContext> {
  return ssl.createDefaultContext({ cafile: CA });
}

// ------------------------------------------------------------ peers

interface Peer {
  /** Resolves with the first stdout line matching `re`. */
  line(re: RegExp): Promise<RegExpMatchArray>;
  out(): string;
  stop(): Promise<void>;
  exited: Promise<number | null>;
}

function startPeer(
  cmd: string,
  args: string[],
  input: string | null = null,
  env: Record<string, string> = {},
): Peer {
  const child = spawn(cmd, args, {
    stdio: ["pipe", "pipe", "pipe"],
    env: { ...process.env, ...env },
  });
  let out = "";
  let err = "";
  const waiters: Array<() => void> = [];
  child.stdout!.on("data", (d: Uint8Array) => {
    out += dec.decode(d);
    for (const w of waiters.splice(0)) w();
  });
  child.stderr!.on("data", (d: Uint8Array) => (err += dec.decode(d)));
  const exited = new Promise<number | null>((resolve) =>
    child.on("close", (code) => setTimeout(() => resolve(code), 20))
  );
  const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  exited.then(() => clearTimeout(killer));
  if (input !== null) child.stdin!.end(input);
  return {
    line(re) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = out.match(re);
          if (m) resolve(m);
          else if (child.exitCode !== null) reject(new Error(`peer exited: ${out} ${err}`));
          else waiters.push(check);
        };
        exited.then(check);
        check();
      });
    },
    out: () => out + err,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      child.stdin!.destroy();
      await exited;
    },
    exited,
  };
}

/** A TCP port nobody listens on right now (for peers that need one given). */
function freePort(): number {
  const s = new asyncio.ssl.SSLContext(); // touch the library once before measuring
  s.close();
  const sock = asyncio.socket(2, 1, 0);
  sock.bind(["127.0.0.1", 0]);
  const port = (sock.getsockname() as [string, number])[1];
  sock.close();
  return port;
}

/** The spec's "get HTTP headers" program, https only. */
const PY_GET_HTTPS_HEADERS = `
import asyncio
import urllib.parse
import sys

async def print_http_headers(url):
    url = urllib.parse.urlsplit(url)
    connect = asyncio.open_connection(url.hostname, url.port or 443, ssl=True)
    reader, writer = await connect
    query = ('HEAD {path} HTTP/1.0\\r\\n'
             'Host: {hostname}\\r\\n'
             '\\r\\n').format(path=url.path or '/', hostname=url.hostname)
    writer.write(query.encode('latin-1'))
    while True:
        line = await reader.readline()
        if not line:
            break
        line = line.decode('latin1').rstrip()
        if line:
            print('HTTP header> %s' % line)

    writer.close()

asyncio.run(print_http_headers(sys.argv[1]))
`;

function loopOf(): asyncio.SelectorEventLoop {
  return asyncio.getRunningLoop() as asyncio.SelectorEventLoop;
}

class Echo extends Protocol {
  transport: Transport | null = null;
  override connectionMade(t: BaseTransport) {
    this.transport = t as Transport;
  }
  override dataReceived(d: Uint8Array) {
    this.transport!.write(d);
  }
}

function sha256(chunks: Uint8Array[]): string {
  const h = createHash("sha256");
  for (const c of chunks) h.update(c);
  return h.digest("hex");
}

if (certError !== null) {
  skip("TLS tests", `no OpenSSL 3 or no test certificates: ${certError}`);
} else {
  registerTests();
}

function registerTests(): void {
  // ---------------------------------------------------------- the binding

  test("sys().ssl() loads OpenSSL 3 through FFI", () => {
    const lib = sys().ssl();
    assert(lib.versionText.startsWith("OpenSSL 3"), lib.versionText);
    assertEquals(ssl.opensslVersion(), lib.versionText);
  });

  test("SSLContext: Python's defaults, verify_mode/check_hostname rules, close()", () => {
    const before = ssl.nativeObjectCount();
    const c = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    assertEquals(c.verifyMode, ssl.CERT_REQUIRED);
    assertEquals(c.checkHostname, true);
    assertThrows(() => (c.verifyMode = ssl.CERT_NONE), asyncio.ValueError, "check_hostname");
    c.checkHostname = false;
    c.verifyMode = ssl.CERT_NONE;
    assertEquals(c.verifyMode, ssl.CERT_NONE);
    c.checkHostname = true;
    assertEquals(c.verifyMode, ssl.CERT_REQUIRED);
    const s = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
    assertEquals(s.verifyMode, ssl.CERT_NONE);
    assertEquals(s.checkHostname, false);
    c.setAlpnProtocols(["h2", "http/1.1"]);
    // CPython 3.11: SSLError('ALPN protocols must be 1 to 255 in length').
    assertThrows(() => c.setAlpnProtocols([""]), ssl.SSLError);
    assertThrows(() => new ssl.SSLContext(3), asyncio.ValueError);
    assertEquals(ssl.nativeObjectCount(), before + 2);
    c.close();
    c.close();
    s.close();
    assertEquals(ssl.nativeObjectCount(), before);
    assertThrows(() => c.loadDefaultCerts(), asyncio.ValueError, "closed");
  });

  test("SSLContext: missing and bad certificate files are FileNotFoundError and SSLError", () => {
    const s = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
    try {
      const e = assertThrows(() => s.loadCertChain(`${dir}/nope.pem`), asyncio.FileNotFoundError);
      assertEquals(e.errno, 2);
      const bad = assertThrows(() => s.loadCertChain(`${dir}/ext.cnf`), ssl.SSLError);
      // CPython: SSLError, library "SSL" ("[SSL] PEM lib").
      assertEquals(bad.library, "SSL");
      assertInstanceOf(bad, asyncio.OSError);
      // The CA's certificate with the server's key: a mismatch.
      const mismatch = assertThrows(() => s.loadCertChain(CA, KEY), ssl.SSLError);
      // CPython: "[X509: KEY_VALUES_MISMATCH] key values mismatch".
      assertEquals(mismatch.reason, "KEY_VALUES_MISMATCH");
      assertEquals(mismatch.library, "X509");
      assert(mismatch.message.startsWith("[X509: KEY_VALUES_MISMATCH] key values mismatch"));
      s.loadCertChain(CERT, KEY);
      const c = new ssl.SSLContext();
      assertThrows(() => c.loadVerifyLocations({ cafile: `${dir}/nope.pem` }), asyncio.OSError);
      assertThrows(() => c.loadVerifyLocations({}), TypeError);
      c.loadVerifyLocations(CA);
      c.close();
    } finally {
      s.close();
    }
  });

  test("TLS options are checked as Python checks them", () =>
    asyncio.run(async () => {
      const loop = loopOf();
      const f = () => new Protocol();
      await assertRejects(
        () => loop.createConnection(f, "127.0.0.1", 1, { serverHostname: "x" }),
        asyncio.ValueError,
        "server_hostname is only meaningful with ssl",
      );
      await assertRejects(
        () => loop.createConnection(f, "127.0.0.1", 1, { sslHandshakeTimeout: 1 }),
        asyncio.ValueError,
        "ssl_handshake_timeout is only meaningful with ssl",
      );
      // The value itself is checked once connected, as Python's SSLProtocol
      // does (rp_tls_client_timeout_order.test.ts): port 1 refuses first.
      await assertRejects(
        () => loop.createConnection(f, "127.0.0.1", 1, { ssl: true, sslHandshakeTimeout: -1 }),
        asyncio.ConnectionRefusedError,
      );
      await assertRejects(
        () => loop.createServer(f, "127.0.0.1", 0, { sslShutdownTimeout: 1 }),
        asyncio.ValueError,
        "ssl_shutdown_timeout is only meaningful with ssl",
      );
      await assertRejects(
        // deno-lint-ignore no-explicit-any
        () => loop.createServer(f, "127.0.0.1", 0, { ssl: true as any }),
        TypeError,
      );
      await assertRejects(
        () => loop.createUnixConnection(f, `${dir}/nope.sock`, { ssl: true }),
        asyncio.ValueError,
        "you have to pass server_hostname when using ssl",
      );
      await assertRejects(
        // deno-lint-ignore no-explicit-any
        () => loop.startTls({} as any, f(), clientContext()),
        TypeError,
      );
    }));

  // ---------------------------------------------------------- ours to ours

  test(
    "protocol echo over TLS between our client and our server; extra info; no native leak",
    () =>
      asyncio.run(async () => {
        const before = ssl.nativeObjectCount();
        const loop = loopOf();
        const sctx = serverContext();
        const cctx = clientContext();
        const serverLost = loop.createFuture<Error | null>();
        class ServerEcho extends Echo {
          override connectionLost(exc: Error | null) {
            serverLost.setResult(exc);
          }
        }
        const server = await loop.createServer(() => new ServerEcho(), "127.0.0.1", 0, {
          ssl: sctx,
        });
        const [, port] = server.sockets[0].getsockname() as [string, number];
        const got: string[] = [];
        const done = loop.createFuture<void>();
        const lost = loop.createFuture<Error | null>();
        class Client extends Protocol {
          override dataReceived(d: Uint8Array) {
            got.push(dec.decode(d));
            if (got.join("") === "hello tls") done.setResult(undefined);
          }
          override connectionLost(exc: Error | null) {
            lost.setResult(exc);
          }
        }
        const [t] = await loop.createConnection(() => new Client(), "localhost", port, {
          ssl: cctx,
        });
        t.write(enc.encode("hello "));
        t.write(enc.encode("tls"));
        await done;
        assertEquals(t.getExtraInfo("sslcontext"), cctx);
        assertEquals(t.getExtraInfo("compression"), null);
        const cipher = t.getExtraInfo("cipher") as [string, string, number];
        assert(cipher[0].length > 0 && cipher[2] >= 128, String(cipher));
        const cert = t.getExtraInfo("peercert") as asyncio.ssl.PeerCertificate;
        assertEquals(cert.subject, [
          [["countryName", "XX"]],
          [["organizationName", "asyncio-ts"]],
          [["commonName", "localhost"]],
        ]);
        assertEquals(cert.issuer, [[["commonName", "asyncio-ts test CA"]]]);
        assertEquals(cert.subjectAltName, [["DNS", "localhost"], ["IP Address", "127.0.0.1"]]);
        assert(/GMT$/.test(cert.notAfter), cert.notAfter);
        const obj = t.getExtraInfo("ssl_object") as asyncio.ssl.SSLObject;
        assertEquals(obj.version(), "TLSv1.3");
        assertEquals(obj.cipher(), cipher);
        const der = obj.getpeercert(true)!;
        assertEquals(der[0], 0x30); // an ASN.1 SEQUENCE
        assertEquals(obj.selectedAlpnProtocol(), null);
        assert(Array.isArray(t.getExtraInfo("peername")));
        assertEquals(t.canWriteEof(), false);
        assertThrows(() => t.writeEof(), asyncio.NotImplementedError);
        t.close();
        assertEquals(t.isClosing(), true);
        assertEquals(await lost, null);
        assertEquals(await serverLost, null);
        server.close();
        await server.waitClosed();
        sctx.close();
        cctx.close();
        assertEquals(ssl.nativeObjectCount(), before);
      }),
    { timeout: 30 },
  );

  test(
    "streams over TLS: 4 MiB of random bytes each way, checked by digest, with drain()",
    () =>
      asyncio.run(async () => {
        const before = ssl.nativeObjectCount();
        const sctx = serverContext();
        const cctx = clientContext();
        const SIZE = 4 << 20;
        const fromClient = new Uint8Array(randomBytes(SIZE));
        const fromServer = new Uint8Array(randomBytes(SIZE));
        const serverDigest = asyncio.getRunningLoop().createFuture<string>();
        const server = await asyncio.startServer(
          async (r: StreamReader, w: StreamWriter) => {
            // Send while receiving: both directions at once, with flow control.
            const send = (async () => {
              for (let at = 0; at < SIZE; at += 100_000) {
                w.write(fromServer.subarray(at, Math.min(SIZE, at + 100_000)));
                await w.drain();
              }
            })();
            const data = await r.readExactly(SIZE);
            serverDigest.setResult(sha256([data]));
            await send;
            w.close();
            await w.waitClosed();
          },
          "127.0.0.1",
          0,
          { ssl: sctx },
        );
        const [, port] = server.sockets[0].getsockname() as [string, number];
        const [r, w] = await asyncio.openConnection("127.0.0.1", port, { ssl: cctx });
        const send = (async () => {
          for (let at = 0; at < SIZE; at += 65_536) {
            w.write(fromClient.subarray(at, Math.min(SIZE, at + 65_536)));
            await w.drain();
          }
        })();
        const back = await r.read(-1);
        await send;
        assertEquals(back.length, SIZE);
        assertEquals(sha256([back]), sha256([fromServer]));
        assertEquals(await serverDigest, sha256([fromClient]));
        assert(r.atEof());
        w.close();
        await w.waitClosed();
        server.close();
        await server.waitClosed();
        sctx.close();
        cctx.close();
        assertEquals(ssl.nativeObjectCount(), before);
      }),
    { timeout: 60 },
  );

  // ---------------------------------------------------------- other peers

  test("our client against `openssl s_server -rev`", () =>
    asyncio.run(async () => {
      const port = freePort();
      const peer = startPeer("openssl", [
        "s_server",
        "-accept",
        `127.0.0.1:${port}`,
        "-cert",
        CERT,
        "-key",
        KEY,
        "-rev",
        "-naccept",
        "1",
      ]);
      try {
        await peer.line(/ACCEPT/);
        const cctx = clientContext();
        const [r, w] = await asyncio.openConnection("127.0.0.1", port, {
          ssl: cctx,
          serverHostname: "localhost",
        });
        w.write(enc.encode("hello openssl\n"));
        const line = dec.decode(await r.readLine()).trim();
        assertEquals(line, "lssnepo olleh");
        const obj = w.getExtraInfo("ssl_object") as asyncio.ssl.SSLObject;
        assert(obj.version()?.startsWith("TLSv1."), String(obj.version()));
        w.close();
        await w.waitClosed();
        cctx.close();
      } finally {
        await peer.stop();
      }
    }), { timeout: 30, fdCheck: false });

  test("our client against CPython's asyncio TLS server", () =>
    asyncio.run(async () => {
      const py = `
import asyncio, ssl, sys
async def handle(r, w):
    while data := await r.readline():
        w.write(data.upper()); await w.drain()
    w.close()
async def main():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(${JSON.stringify(CERT)}, ${JSON.stringify(KEY)})
    s = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=ctx)
    print(s.sockets[0].getsockname()[1], flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
asyncio.run(main())
`;
      const peer = startPeer("python3", ["-c", py]);
      try {
        const port = Number((await peer.line(/^(\d+)$/m))[1]);
        const cctx = clientContext();
        const [r, w] = await asyncio.openConnection("localhost", port, { ssl: cctx });
        for (const word of ["alpha", "beta"]) {
          w.write(enc.encode(`${word}\n`));
          assertEquals(dec.decode(await r.readLine()), `${word.toUpperCase()}\n`);
        }
        w.close();
        await w.waitClosed();
        cctx.close();
      } finally {
        await peer.stop();
      }
    }), { timeout: 30, fdCheck: false });

  test("CPython's asyncio TLS client against our TLS stream server", () =>
    asyncio.run(async () => {
      const sctx = serverContext();
      const server = await asyncio.startServer(
        async (r: StreamReader, w: StreamWriter) => {
          for await (const line of r) {
            w.write(enc.encode(dec.decode(line).toUpperCase()));
            await w.drain();
          }
          w.close();
          await w.waitClosed();
        },
        "127.0.0.1",
        0,
        { ssl: sctx },
      );
      const [, port] = server.sockets[0].getsockname() as [string, number];
      const py = `
import asyncio, ssl
async def main():
    ctx = ssl.create_default_context(cafile=${JSON.stringify(CA)})
    r, w = await asyncio.open_connection("127.0.0.1", ${port}, ssl=ctx, server_hostname="localhost")
    for word in ("one", "two"):
        w.write(word.encode() + b"\\n")
        print((await r.readline()).decode().strip())
    print(w.get_extra_info("ssl_object").version())
    print(w.get_extra_info("peercert")["subject"][-1][0][1])
    w.close(); await w.wait_closed()
asyncio.run(main())
`;
      const peer = startPeer("python3", ["-c", py]);
      assertEquals(await peer.exited, 0, peer.out());
      assertEquals(peer.out(), "ONE\nTWO\nTLSv1.3\nlocalhost\n");
      server.close();
      await server.waitClosed();
      sctx.close();
    }), { timeout: 30, fdCheck: false });

  test(
    "`openssl s_client` verifies our server's certificate chain and name",
    () =>
      asyncio.run(async () => {
        const loop = loopOf();
        const sctx = serverContext();
        const server = await loop.createServer(() => new Echo(), "127.0.0.1", 0, { ssl: sctx });
        const [, port] = server.sockets[0].getsockname() as [string, number];
        const peer = startPeer("openssl", [
          "s_client",
          "-connect",
          `127.0.0.1:${port}`,
          "-CAfile",
          CA,
          "-verify_return_error",
          "-verify_hostname",
          "localhost",
          "-servername",
          "localhost",
        ], "ping\n");
        assertEquals(await peer.exited, 0, peer.out());
        assert(peer.out().includes("Verify return code: 0 (ok)"), peer.out());
        assert(peer.out().includes("subject=C = XX, O = asyncio-ts, CN = localhost"), peer.out());
        server.close();
        await server.waitClosed();
        sctx.close();
      }),
    { timeout: 30, fdCheck: false },
  );

  // ---------------------------------------------------------- verification

  async function tlsServer(): Promise<[asyncio.Server, number, () => Promise<void>]> {
    const sctx = serverContext();
    const server = await loopOf().createServer(() => new Echo(), "127.0.0.1", 0, { ssl: sctx });
    const [, port] = server.sockets[0].getsockname() as [string, number];
    return [server, port, async () => {
      server.close();
      await server.waitClosed();
      sctx.close();
    }];
  }

  test(
    "an untrusted certificate is SSLCertVerificationError; nothing leaks",
    () =>
      asyncio.run(async () => {
        const before = ssl.nativeObjectCount();
        const [, port, stop] = await tlsServer();
        const ctx = ssl.createDefaultContext(); // the system's CAs do not know our test CA
        const e = await assertRejects(
          () => asyncio.openConnection("localhost", port, { ssl: ctx }),
          ssl.SSLCertVerificationError,
        );
        assertInstanceOf(e, ssl.SSLError);
        assertInstanceOf(e, asyncio.OSError);
        assertEquals(e.verifyCode, 20);
        assertEquals(e.verifyMessage, "unable to get local issuer certificate");
        assertEquals(e.reason, "CERTIFICATE_VERIFY_FAILED");
        assertEquals(e.library, "SSL");
        assertEquals(
          e.message,
          "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate (_ssl.c:1006)",
        );
        ctx.close();
        await asyncio.sleep(0.05);
        await stop();
        assertEquals(ssl.nativeObjectCount(), before);
      }),
    { timeout: 30 },
  );

  test(
    "a name the certificate does not carry is a hostname mismatch",
    () =>
      asyncio.run(async () => {
        const [, port, stop] = await tlsServer();
        const cctx = clientContext();
        const e = await assertRejects(
          () =>
            asyncio.openConnection("127.0.0.1", port, { ssl: cctx, serverHostname: "example.com" }),
          ssl.SSLCertVerificationError,
        );
        assertEquals(e.verifyCode, 62);
        assertEquals(
          e.verifyMessage,
          "Hostname mismatch, certificate is not valid for 'example.com'.",
        );
        // An address is checked against the certificate's IP entries.
        const [, w] = await asyncio.openConnection("127.0.0.1", port, { ssl: cctx });
        w.close();
        await w.waitClosed();
        const e2 = await assertRejects(
          () =>
            asyncio.openConnection("127.0.0.1", port, { ssl: cctx, serverHostname: "127.0.0.2" }),
          ssl.SSLCertVerificationError,
        );
        assertEquals(e2.verifyCode, 64);
        cctx.close();
        await asyncio.sleep(0.05);
        await stop();
      }),
    { timeout: 30 },
  );

  test(
    "CERT_NONE connects to anyone; getpeercert() is then {} and the DER form still given",
    () =>
      asyncio.run(async () => {
        const [, port, stop] = await tlsServer();
        const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
        ctx.checkHostname = false;
        ctx.verifyMode = ssl.CERT_NONE;
        const [r, w] = await asyncio.openConnection("127.0.0.1", port, {
          ssl: ctx,
          serverHostname: "whatever.invalid",
        });
        w.write(enc.encode("x\n"));
        assertEquals(dec.decode(await r.readLine()), "x\n");
        assertEquals(w.getExtraInfo("peercert"), {});
        const obj = w.getExtraInfo("ssl_object") as asyncio.ssl.SSLObject;
        assert((obj.getpeercert(true)?.length ?? 0) > 100);
        w.close();
        await w.waitClosed();
        ctx.close();
        await stop();
      }),
    { timeout: 30 },
  );

  test(
    "ssl: true uses the default context: our test CA is unknown to it",
    () =>
      asyncio.run(async () => {
        const [, port, stop] = await tlsServer();
        await assertRejects(
          () => asyncio.openConnection("localhost", port, { ssl: true }),
          ssl.SSLCertVerificationError,
        );
        await asyncio.sleep(0.05);
        await stop();
      }),
    { timeout: 30 },
  );

  // ---------------------------------------------------------- timeouts

  test(
    "a peer that never answers the handshake: ConnectionAbortedError after sslHandshakeTimeout",
    () =>
      asyncio.run(async () => {
        const loop = loopOf();
        const before = ssl.nativeObjectCount();
        // A plain TCP server that accepts and stays silent.
        const server = await loop.createServer(() => new Protocol(), "127.0.0.1", 0);
        const [, port] = server.sockets[0].getsockname() as [string, number];
        const cctx = clientContext();
        const e = await assertRejects(
          () =>
            loop.createConnection(() => new Protocol(), "localhost", port, {
              ssl: cctx,
              sslHandshakeTimeout: 0.3,
            }),
          asyncio.ConnectionAbortedError,
        );
        assertEquals(
          e.message,
          "SSL handshake is taking longer than 0.3 seconds: aborting the connection",
        );
        cctx.close();
        server.close();
        await server.waitClosed();
        // The aborted client frees its SSL object as its connection is lost, a
        // few iterations on (waitClosed after close() returns at once, as 3.11).
        for (let i = 0; i < 100 && ssl.nativeObjectCount() !== before; i++) {
          await asyncio.sleep(0.01);
        }
        assertEquals(ssl.nativeObjectCount(), before);
      }),
    { timeout: 30 },
  );

  test(
    "our TLS server drops a client that never starts the handshake",
    () =>
      asyncio.run(async () => {
        const loop = loopOf();
        const sctx = serverContext();
        const server = await loop.createServer(() => new Echo(), "127.0.0.1", 0, {
          ssl: sctx,
          sslHandshakeTimeout: 0.2,
        });
        const [, port] = server.sockets[0].getsockname() as [string, number];
        const sock = asyncio.socket(2, 1, 0);
        sock.setblocking(false);
        await loop.sockConnect(sock, ["127.0.0.1", port]);
        const got = await asyncio.waitFor(loop.sockRecv(sock, 100), 10);
        assertEquals(got.length, 0);
        sock.close();
        server.close();
        await server.waitClosed();
        sctx.close();
      }),
    { timeout: 30 },
  );

  // ---------------------------------------------------------- flow control

  test(
    "flow control through TLS: pauseWriting while the peer does not read, resumeWriting after",
    () =>
      asyncio.run(async () => {
        const loop = loopOf();
        const sctx = serverContext();
        let serverT: Transport | null = null;
        let received = 0;
        const allIn = loop.createFuture<void>();
        const TOTAL = 8 << 20;
        class Sink extends Protocol {
          override connectionMade(t: BaseTransport) {
            serverT = t as Transport;
            serverT.pauseReading();
          }
          override dataReceived(d: Uint8Array) {
            received += d.length;
            if (received === TOTAL) allIn.setResult(undefined);
          }
        }
        // Fixed kernel buffers: the server reads up to 256 KiB ahead into
        // OpenSSL, as Python's does, and a receive buffer grown by the
        // kernel's autotuning after that could hold all 8 MiB.
        const lsock = asyncio.socket();
        lsock.setsockopt(asyncio.SOL_SOCKET, asyncio.SO_RCVBUF, 65536);
        lsock.bind(["127.0.0.1", 0]);
        const server = await loop.createServer(() => new Sink(), { sock: lsock, ssl: sctx });
        const csock = asyncio.socket();
        csock.setsockopt(asyncio.SOL_SOCKET, asyncio.SO_SNDBUF, 65536);
        csock.setblocking(false);
        await loop.sockConnect(csock, lsock.getsockname() as [string, number]);
        const events: string[] = [];
        const resumed = loop.createFuture<void>();
        class Writer extends Protocol {
          override pauseWriting() {
            events.push("pause");
          }
          override resumeWriting() {
            events.push("resume");
            if (!resumed.done()) resumed.setResult(undefined);
          }
        }
        const cctx = clientContext();
        const [t] = await loop.createConnection(() => new Writer(), {
          sock: csock,
          ssl: cctx,
          serverHostname: "localhost",
        });
        const chunk = new Uint8Array(1 << 20);
        for (let i = 0; i < 8; i++) t.write(chunk);
        assertEquals(events, ["pause"]);
        assert(t.getWriteBufferSize() > 0);
        // Python's SSL transport: 512 KiB high, a quarter of it low.
        assertEquals(t.getWriteBufferLimits(), [131072, 524288]);
        await asyncio.sleep(0.05);
        assertEquals(events, ["pause"]);
        while (serverT === null) await asyncio.sleep(0.01);
        assertEquals((serverT as Transport).isReading(), false);
        (serverT as Transport).resumeReading();
        await resumed;
        await allIn;
        assertEquals(events, ["pause", "resume"]);
        t.close();
        server.close();
        await server.waitClosed();
        sctx.close();
        cctx.close();
      }),
    { timeout: 60 },
  );

  // ---------------------------------------------------------- startTls and friends

  test(
    "STARTTLS: a plain stream upgraded on both ends with StreamWriter.startTls",
    () =>
      asyncio.run(async () => {
        const before = ssl.nativeObjectCount();
        const sctx = serverContext();
        const cctx = clientContext();
        const server = await asyncio.startServer(
          async (r: StreamReader, w: StreamWriter) => {
            assertEquals(dec.decode(await r.readLine()), "STARTTLS\n");
            w.write(enc.encode("OK\n"));
            await w.startTls(sctx);
            assert(w.getExtraInfo("ssl_object") !== null);
            const line = await r.readLine();
            w.write(enc.encode(dec.decode(line).toUpperCase()));
            await w.drain();
            w.close();
            await w.waitClosed();
          },
          "127.0.0.1",
          0,
        );
        const [, port] = server.sockets[0].getsockname() as [string, number];
        const [r, w] = await asyncio.openConnection("127.0.0.1", port);
        assertEquals(w.getExtraInfo("ssl_object"), null);
        w.write(enc.encode("STARTTLS\n"));
        assertEquals(dec.decode(await r.readLine()), "OK\n");
        await w.startTls(cctx, { serverHostname: "localhost" });
        const obj = w.getExtraInfo("ssl_object") as asyncio.ssl.SSLObject;
        assertEquals(obj.serverHostname, "localhost");
        assertInstanceOf(w.transport, asyncio.SSLTransport);
        w.write(enc.encode("secret\n"));
        assertEquals(dec.decode(await r.readLine()), "SECRET\n");
        assertEquals((await r.read()).length, 0);
        w.close();
        await w.waitClosed();
        server.close();
        await server.waitClosed();
        sctx.close();
        cctx.close();
        assertEquals(ssl.nativeObjectCount(), before);
      }),
    { timeout: 30 },
  );

  test(
    "loop.startTls upgrades a protocol's transport; CPython's client does STARTTLS",
    () =>
      asyncio.run(async () => {
        const loop = loopOf();
        const sctx = serverContext();
        const upgraded = loop.createFuture<Transport>();
        class StartTls extends Protocol {
          transport: Transport | null = null;
          tls: Promise<Transport> | null = null;
          override connectionMade(t: BaseTransport) {
            this.transport = t as Transport;
          }
          override dataReceived(d: Uint8Array) {
            const text = dec.decode(d);
            if (this.tls === null && text === "STARTTLS\n") {
              this.transport!.write(enc.encode("GO\n"));
              this.tls = loop.startTls(this.transport!, this, sctx, { serverSide: true });
              this.tls.then((t) => upgraded.setResult(t));
              return;
            }
            // Data can arrive with the end of the handshake, before the
            // promise's callbacks run: write through the new transport.
            this.tls!.then((t) => t.write(enc.encode(`tls:${text}`)));
          }
        }
        const server = await loop.createServer(() => new StartTls(), "127.0.0.1", 0);
        const [, port] = server.sockets[0].getsockname() as [string, number];
        const py = `
import asyncio, ssl
async def main():
    r, w = await asyncio.open_connection("127.0.0.1", ${port})
    w.write(b"STARTTLS\\n")
    print((await r.readline()).decode().strip())
    ctx = ssl.create_default_context(cafile=${JSON.stringify(CA)})
    await w.start_tls(ctx, server_hostname="localhost")
    w.write(b"hi\\n")
    print((await r.readline()).decode().strip())
    w.close()
    try:
        await w.wait_closed()
    except Exception:
        pass
asyncio.run(main())
`;
        const peer = startPeer("python3", ["-c", py]);
        assertEquals(await peer.exited, 0, peer.out());
        assertEquals(peer.out(), "GO\ntls:hi\n");
        const t = await upgraded;
        assertEquals((t.getExtraInfo("ssl_object") as asyncio.ssl.SSLObject).serverSide, true);
        server.close();
        await server.waitClosed();
        sctx.close();
      }),
    { timeout: 30, fdCheck: false },
  );

  test("TLS over a Unix socket, and connectAcceptedSocket with ssl", () =>
    asyncio.run(async () => {
      const loop = loopOf();
      const sctx = serverContext();
      const cctx = clientContext();
      const path = `${dir}/tls.sock`;
      const server = await asyncio.startUnixServer(
        async (r: StreamReader, w: StreamWriter) => {
          w.write(await r.readLine());
          await w.drain();
          w.close();
        },
        path,
        { ssl: sctx },
      );
      const [r, w] = await asyncio.openUnixConnection(path, {
        ssl: cctx,
        serverHostname: "localhost",
      });
      w.write(enc.encode("over unix\n"));
      assertEquals(dec.decode(await r.readLine()), "over unix\n");
      w.close();
      await w.waitClosed();
      server.close();
      await server.waitClosed();

      // An accepted socket given to the loop afterwards, as the TLS server end.
      const lsock = asyncio.socket(2, 1, 0);
      lsock.bind(["127.0.0.1", 0]);
      lsock.listen(1);
      lsock.setblocking(false);
      const [, port] = lsock.getsockname() as [string, number];
      const accepted = loop.sockAccept(lsock);
      const client = asyncio.openConnection("127.0.0.1", port, {
        ssl: cctx,
        serverHostname: "localhost",
      });
      const [conn] = await accepted;
      const [t] = await loop.connectAcceptedSocket(() => new Echo(), conn, { ssl: sctx });
      const [cr, cw] = await client;
      cw.write(enc.encode("accepted\n"));
      assertEquals(dec.decode(await cr.readLine()), "accepted\n");
      assertInstanceOf(t, asyncio.SSLTransport);
      cw.close();
      await cw.waitClosed();
      await asyncio.sleep(0.05);
      lsock.close();
      sctx.close();
      cctx.close();
    }), { timeout: 30 });

  // ---------------------------------------------------------- the TLS layer itself

  test(
    "writes made before the handshake ends are held back, then sent encrypted",
    () =>
      asyncio.run(async () => {
        const loop = loopOf();
        const sctx = serverContext();
        const cctx = clientContext();
        const got: string[] = [];
        const done = loop.createFuture<void>();
        class Collect extends Protocol {
          override dataReceived(d: Uint8Array) {
            got.push(dec.decode(d));
            if (got.join("") === "early bird") done.setResult(undefined);
          }
        }
        const server = await loop.createServer(() => new Collect(), "127.0.0.1", 0, { ssl: sctx });
        const [, port] = server.sockets[0].getsockname() as [string, number];
        const sock = asyncio.socket(2, 1, 0);
        sock.setblocking(false);
        await loop.sockConnect(sock, ["127.0.0.1", port]);
        const waiter = loop.createFuture<void>();
        const app = new Protocol();
        const proto = new asyncio.SSLProtocol(loop, app, cctx, waiter, {
          serverHostname: "localhost",
        });
        const lower = new asyncio.SelectorSocketTransport(loop, sock, proto, null, null, null);
        const t = proto._appTransport;
        t.write(enc.encode("early "));
        t.write(enc.encode("bird"));
        assertEquals(t.getWriteBufferSize(), 10);
        await waiter;
        await done;
        assertEquals(lower.getExtraInfo("sslcontext"), null);
        assertEquals(t.getExtraInfo("sslcontext"), cctx);
        t.close();
        await asyncio.sleep(0.05);
        server.close();
        await server.waitClosed();
        sctx.close();
        cctx.close();
      }),
    { timeout: 30 },
  );

  test(
    "close_notify from the peer is eofReceived() then connectionLost(null); abort() is immediate",
    () =>
      asyncio.run(async () => {
        const loop = loopOf();
        const sctx = serverContext();
        const cctx = clientContext();
        const events: string[] = [];
        const lost = loop.createFuture<void>();
        class Watch extends Protocol {
          override eofReceived() {
            events.push("eof");
          }
          override connectionLost(exc: Error | null) {
            events.push(`lost:${exc}`);
            // The aborted connection below ends here too.
            if (!lost.done()) lost.setResult(undefined);
          }
        }
        const server = await loop.createServer(() => new Watch(), "127.0.0.1", 0, { ssl: sctx });
        const [, port] = server.sockets[0].getsockname() as [string, number];
        const clientLost = loop.createFuture<Error | null>();
        class Client extends Protocol {
          override connectionLost(exc: Error | null) {
            clientLost.setResult(exc);
          }
        }
        const [t] = await loop.createConnection(() => new Client(), "localhost", port, {
          ssl: cctx,
        });
        t.close();
        await lost;
        assertEquals(events, ["eof", "lost:null"]);
        // The client closes once the server's close_notify answers its own.
        assertEquals(await clientLost, null);

        // abort(): no close_notify; the server sees a bare EOF, the client is gone at once.
        events.length = 0;
        const lost2 = loop.createFuture<Error | null>();
        class Aborted extends Protocol {
          override connectionLost(exc: Error | null) {
            lost2.setResult(exc);
          }
        }
        const [t2] = await loop.createConnection(() => new Aborted(), "localhost", port, {
          ssl: cctx,
        });
        t2.abort();
        assertEquals(t2.isClosing(), true);
        assertEquals(await lost2, null);
        server.close();
        await server.waitClosed();
        sctx.close();
        cctx.close();
      }),
    { timeout: 30 },
  );

  test(
    "a peer that never answers our close_notify: TimeoutError after sslShutdownTimeout",
    () =>
      asyncio.run(async () => {
        const py = `
import socket, ssl, sys, time
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(${JSON.stringify(CERT)}, ${JSON.stringify(KEY)})
ls = socket.create_server(("127.0.0.1", 0))
print(ls.getsockname()[1], flush=True)
conn, _ = ls.accept()
tls = ctx.wrap_socket(conn, server_side=True)
sys.stdin.read()
`;
        const peer = startPeer("python3", ["-c", py]);
        try {
          const port = Number((await peer.line(/^(\d+)$/m))[1]);
          const loop = loopOf();
          const cctx = clientContext();
          const lost = loop.createFuture<Error | null>();
          class P extends Protocol {
            override connectionLost(exc: Error | null) {
              lost.setResult(exc);
            }
          }
          const [t] = await loop.createConnection(() => new P(), "localhost", port, {
            ssl: cctx,
            sslShutdownTimeout: 0.3,
          });
          t.close();
          const exc = await asyncio.waitFor(lost, 10);
          assertInstanceOf(exc, asyncio.TimeoutError);
          cctx.close();
        } finally {
          await peer.stop();
        }
      }),
    { timeout: 30, fdCheck: false },
  );

  test(
    "startTls without a server name verifies the chain only, as Python's wrap_bio does",
    () =>
      asyncio.run(async () => {
        const [, port, stop] = await tlsServer();
        const cctx = clientContext();
        const loop = loopOf();
        const sock = asyncio.socket(2, 1, 0);
        sock.setblocking(false);
        await loop.sockConnect(sock, ["127.0.0.1", port]);
        const [t, p] = await loop.connectAcceptedSocket(() => new Protocol(), sock);
        const tls = await loop.startTls(t, p, cctx);
        const obj = tls.getExtraInfo("ssl_object") as InstanceType<typeof ssl.SSLObject>;
        assertEquals(obj.serverHostname, null);
        tls.close();
        cctx.close();
        await asyncio.sleep(0.05);
        await stop();
      }),
    { timeout: 30 },
  );

  test(
    "a BufferedProtocol over TLS gets the plaintext through small buffers",
    () =>
      asyncio.run(async () => {
        const loop = loopOf();
        const sctx = serverContext();
        const cctx = clientContext();
        const payload = new Uint8Array(randomBytes(100_000));
        const parts: Uint8Array[] = [];
        let total = 0;
        const done = loop.createFuture<void>();
        class Small extends asyncio.BufferedProtocol {
          buf = new Uint8Array(7);
          override getBuffer(_hint: number) {
            return this.buf;
          }
          override bufferUpdated(n: number) {
            parts.push(this.buf.slice(0, n));
            total += n;
            if (total === payload.length) done.setResult(undefined);
          }
        }
        const server = await loop.createServer(() => new Small(), "127.0.0.1", 0, { ssl: sctx });
        const [, port] = server.sockets[0].getsockname() as [string, number];
        const [t] = await loop.createConnection(() => new Protocol(), "localhost", port, {
          ssl: cctx,
        });
        t.write(payload);
        await done;
        assert(parts.every((p) => p.length <= 7));
        assertEquals(sha256(parts), sha256([payload]));
        t.close();
        await asyncio.sleep(0.05);
        server.close();
        await server.waitClosed();
        sctx.close();
        cctx.close();
      }),
    { timeout: 30 },
  );

  test(
    "40 concurrent TLS clients, each its own payload; every native object freed",
    () =>
      asyncio.run(async () => {
        const before = ssl.nativeObjectCount();
        const sctx = serverContext();
        const cctx = clientContext();
        const server = await asyncio.startServer(
          async (r: StreamReader, w: StreamWriter) => {
            const line = await r.readLine();
            w.write(enc.encode(dec.decode(line).split("").reverse().join("")));
            await w.drain();
            w.close();
            await w.waitClosed();
          },
          "127.0.0.1",
          0,
          { ssl: sctx },
        );
        const [, port] = server.sockets[0].getsockname() as [string, number];
        const one = async (i: number) => {
          const [r, w] = await asyncio.openConnection("localhost", port, { ssl: cctx });
          w.write(enc.encode(`client-${i}-${"x".repeat(i)}\n`));
          const back = dec.decode(await r.read());
          w.close();
          await w.waitClosed();
          return back;
        };
        const got = await asyncio.gather(...Array.from({ length: 40 }, (_, i) => one(i)));
        for (let i = 0; i < 40; i++) {
          assertEquals(got[i], `client-${i}-${"x".repeat(i)}\n`.split("").reverse().join(""));
        }
        server.close();
        await server.waitClosed();
        sctx.close();
        cctx.close();
        assertEquals(ssl.nativeObjectCount(), before);
      }),
    { timeout: 60 },
  );

  test(
    "ALPN: our server picks its first protocol the client offers; CPython as a client too",
    () =>
      asyncio.run(async () => {
        const before = ssl.nativeObjectCount();
        const sctx = serverContext();
        sctx.setAlpnProtocols(["h2", "http/1.1"]);
        const seen: Array<string | null> = [];
        const server = await asyncio.startServer(
          async (r: StreamReader, w: StreamWriter) => {
            const obj = w.getExtraInfo("ssl_object") as asyncio.ssl.SSLObject;
            seen.push(obj.selectedAlpnProtocol());
            w.write(await r.readLine());
            await w.drain();
            w.close();
          },
          "127.0.0.1",
          0,
          { ssl: sctx },
        );
        const [, port] = server.sockets[0].getsockname() as [string, number];
        const ask = async (offer: string[] | null) => {
          const cctx = clientContext();
          if (offer !== null) cctx.setAlpnProtocols(offer);
          const [r, w] = await asyncio.openConnection("localhost", port, { ssl: cctx });
          const chosen = (w.getExtraInfo("ssl_object") as asyncio.ssl.SSLObject)
            .selectedAlpnProtocol();
          w.write(enc.encode("ping\n"));
          assertEquals(dec.decode(await r.readLine()), "ping\n");
          w.close();
          await w.waitClosed();
          cctx.close();
          return chosen;
        };
        assertEquals(await ask(["spdy/3", "http/1.1"]), "http/1.1");
        assertEquals(await ask(["http/1.1", "h2"]), "h2");
        assertEquals(await ask(["imap"]), null);
        assertEquals(await ask(null), null);
        const py = `
import asyncio, ssl
async def main():
    ctx = ssl.create_default_context(cafile=${JSON.stringify(CA)})
    ctx.set_alpn_protocols(["foo", "h2"])
    r, w = await asyncio.open_connection("localhost", ${port}, ssl=ctx)
    print(w.get_extra_info("ssl_object").selected_alpn_protocol())
    w.write(b"x\\n"); await r.readline()
    w.close(); await w.wait_closed()
asyncio.run(main())
`;
        const peer = startPeer("python3", ["-c", py]);
        assertEquals(await peer.exited, 0, peer.out());
        assertEquals(peer.out(), "h2\n");
        assertEquals(seen, ["http/1.1", "h2", null, null, "h2"]);
        server.close();
        await server.waitClosed();
        // Replacing the server's list and closing: the callbacks are freed.
        sctx.setAlpnProtocols(["http/1.1"]);
        sctx.close();
        assertEquals(ssl.nativeObjectCount(), before);
      }),
    { timeout: 30, fdCheck: false },
  );

  test(
    "the app pauses reading: data and the peer's bare EOF arrive after resumeReading(), in order",
    () =>
      asyncio.run(async () => {
        const loop = loopOf();
        const sctx = serverContext();
        const events: string[] = [];
        const lost = loop.createFuture<void>();
        const made = loop.createFuture<Transport>();
        class Paused extends Protocol {
          override connectionMade(t: BaseTransport) {
            (t as Transport).pauseReading();
            made.setResult(t as Transport);
          }
          override dataReceived(d: Uint8Array) {
            events.push(`data:${dec.decode(d)}`);
          }
          override eofReceived() {
            events.push("eof");
          }
          override connectionLost(exc: Error | null) {
            events.push(`lost:${exc}`);
            lost.setResult(undefined);
          }
        }
        const server = await loop.createServer(() => new Paused(), "127.0.0.1", 0, { ssl: sctx });
        const [, port] = server.sockets[0].getsockname() as [string, number];
        // A client that sends, then half-closes TCP without close_notify.
        const py = `
import socket, ssl, time
ctx = ssl.create_default_context(cafile=${JSON.stringify(CA)})
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", ${port})), server_hostname="localhost")
s.sendall(b"kept for later")
socket.socket.shutdown(s, socket.SHUT_WR)
time.sleep(2)
`;
        const peer = startPeer("python3", ["-c", py]);
        const t = await made;
        await asyncio.sleep(0.4);
        assertEquals(events, []);
        t.resumeReading();
        await lost;
        assertEquals(events, ["data:kept for later", "eof", "lost:null"]);
        await peer.stop();
        server.close();
        await server.waitClosed();
        sctx.close();
      }),
    { timeout: 30, fdCheck: false },
  );

  // ---------------------------------------------------------- the example

  test(
    "example net_get_http_headers.ts with an https URL against a local HTTPS server, as the spec's Python prints",
    async () => {
      const server = startPeer("python3", [
        "-u",
        "-c",
        `
import http.server, ssl
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(${JSON.stringify(CERT)}, ${JSON.stringify(KEY)})
httpd = http.server.HTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
print("port", httpd.server_address[1], flush=True)
httpd.serve_forever()
`,
      ]);
      try {
        const port = (await server.line(/^port (\d+)$/m))[1];
        const url = `https://localhost:${port}/`;
        const env = { SSL_CERT_FILE: CA };
        const ours = await runScript("examples/net_get_http_headers.ts", { args: [url], env });
        assertEquals(ours.code, 0, ours.stderr);
        assertEquals(ours.stderr, "");
        const a = ours.stdout.trim().split("\n");
        assertEquals(a[0], "HTTP header> HTTP/1.0 200 OK");
        for (const l of a) assert(l.startsWith("HTTP header> "), l);
        assert(a.some((l) => /^HTTP header> Server: SimpleHTTP\//.test(l)), ours.stdout);
        // The spec's Python program with ssl=True, trusting the same CA.
        const py = startPeer("python3", ["-c", PY_GET_HTTPS_HEADERS, url], null, env);
        assertEquals(await py.exited, 0, py.out());
        const b = py.out().trim().split("\n");
        const noDate = (l: string[]) => l.filter((x) => !x.startsWith("HTTP header> Date: "));
        assertEquals(noDate(a), noDate(b));
        // Without the CA the certificate is refused, and said so.
        const refused = await runScript("examples/net_get_http_headers.ts", { args: [url] });
        assert(refused.code !== 0);
        assert(refused.stderr.includes("CERTIFICATE_VERIFY_FAILED"), refused.stderr);
      } finally {
        await server.stop();
      }
    },
    { timeout: 60, fdCheck: false },
  );
}

test(
  "loop.sendfile over TLS goes through the read/write fallback; fallback=false is RuntimeError",
  () =>
    asyncio.run(async () => {
      if (certError !== null) return;
      const loop = loopOf();
      const SIZE = (3 << 20) + 12345;
      const content = new Uint8Array(randomBytes(SIZE));
      const path = `${dir}/sendfile.bin`;
      writeFileSync(path, content);
      const received = loop.createFuture<Uint8Array>();
      const server = await asyncio.startServer(
        async (r: StreamReader, w: StreamWriter) => {
          received.setResult(await r.readExactly(SIZE - 100));
          w.close();
          await w.waitClosed();
        },
        "127.0.0.1",
        0,
        { ssl: serverContext() },
      );
      const [, port] = server.sockets[0].getsockname() as [string, number];
      const [, w] = await asyncio.openConnection("127.0.0.1", port, { ssl: clientContext() });
      const file = await open(path, "r");
      try {
        await assertRejects(
          () => loop.sendfile(w.transport, file, 0, null, { fallback: false }),
          asyncio.RuntimeError,
          "fallback is disabled",
        );
        const sent = await loop.sendfile(w.transport, file, 100, null);
        assertEquals(sent, SIZE - 100);
        const got = await received;
        assertEquals(got.length, SIZE - 100);
        assertEquals(sha256([got]), sha256([content.subarray(100)]));
      } finally {
        await file.close();
        w.close();
        await w.waitClosed();
        server.close();
        await server.waitClosed();
      }
    }),
  { timeout: 60 },
);

// Last: remove the certificates.
if (certError === null) {
  test("TLS close: the side that closed hears the peer's close_notify (eofReceived), as Python", () =>
    asyncio.run(async () => {
      const loop = loopOf();
      const events: string[] = [];
      const lost: Array<asyncio.Future<null>> = [];
      class P extends Protocol {
        done = loop.createFuture<null>();
        constructor(readonly tag: string, readonly onMade?: (t: Transport) => void) {
          super();
          lost.push(this.done);
        }
        override connectionMade(t: Transport) {
          this.onMade?.(t);
        }
        override dataReceived(d: Uint8Array) {
          events.push(`${this.tag} data ${dec.decode(d)}`);
        }
        override eofReceived() {
          events.push(`${this.tag} eof`);
          return false;
        }
        override connectionLost(exc: Error | null) {
          events.push(`${this.tag} lost ${exc}`);
          this.done.setResult(null);
        }
      }
      const sctx = serverContext();
      const cctx = clientContext();
      const server = await loop.createServer(
        () =>
          new P("S", (t) => {
            t.write(enc.encode("hello"));
            t.close();
          }),
        "127.0.0.1",
        0,
        { ssl: sctx },
      );
      const port = (server.sockets[0].getsockname() as [string, number])[1];
      const [t] = await loop.createConnection(() => new P("C"), "127.0.0.1", port, {
        ssl: cctx,
        serverHostname: "localhost",
      });
      assertEquals(t.getWriteBufferLimits(), [131072, 524288]);
      const e = assertThrows(() => t.writeEof(), asyncio.NotImplementedError);
      assertEquals(e.message, "");
      await Promise.all(lost);
      // CPython 3.11: C data, C eof, S eof, C lost, S lost.
      assertEquals(events, ["C data hello", "C eof", "S eof", "C lost null", "S lost null"]);
      server.close();
      await server.waitClosed();
      sctx.close();
      cctx.close();
    }));
}

test("cleanup: remove the test certificates", () => {
  rmSync(dir, { recursive: true, force: true });
});
