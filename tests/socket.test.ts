// Sockets without a loop: the raw socket calls of ffi/, address encoding,
// the Socket class (TCP over 127.0.0.1 and ::1, UDP, Unix stream and
// datagram, socketpair), options, errors, and getaddrinfo/getnameinfo
// checked against Python's own socket module.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { test } from "./harness.ts";
import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertMatch,
  assertRejects,
  assertStrictEquals,
  assertThrows,
} from "./assert.ts";
import * as asyncio from "../mod.ts";
import { C, ERRNO, sys } from "../ffi/mod.ts";
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  EAI_ADDRFAMILY,
  EAI_FAMILY,
  EAI_NONAME,
  EAI_SERVICE,
  EAI_SOCKTYPE,
  gaierror,
  IPPROTO_IPV6,
  IPPROTO_TCP,
  type IPv4Address,
  IPV6_V6ONLY,
  type IPv6Address,
  MSG_PEEK,
  SHUT_WR,
  SO_ERROR,
  SO_LINGER,
  SO_RCVBUF,
  SO_REUSEADDR,
  SO_TYPE,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  Socket,
  socket,
  socketpair,
  SOL_SOCKET,
  TCP_NODELAY,
} from "../lib/socket.ts";
import {
  decodeSockaddr,
  encodeSockaddr,
  formatIPv6,
  parseIPv4,
  parseIPv6,
} from "../lib/sockaddr.ts";
import {
  AI_CANONNAME,
  AI_NUMERICHOST,
  AI_PASSIVE,
  getaddrinfo,
  getnameinfo,
  NI_DGRAM,
  NI_NAMEREQD,
  NI_NUMERICHOST,
  NI_NUMERICSERV,
} from "../lib/dns.ts";

const { BlockingIOError, BrokenPipeError, ConnectionRefusedError, FileNotFoundError, OSError } =
  asyncio;
const ValueError = asyncio.ValueError;
const OverflowError = asyncio.OverflowError;
const enc = new TextEncoder();
const dec = new TextDecoder();

/** Waits (blocking, briefly: loopback only) until `fd` has one of `events`. */
function waitFd(fd: number, events: number, ms = 2000): number {
  const rec = new Uint8Array(8);
  const dv = new DataView(rec.buffer);
  dv.setInt32(0, fd, true);
  dv.setInt16(4, events, true);
  const n = sys().poll(rec, 1, ms);
  assert(n === 1, `fd ${fd} not ready within ${ms} ms (poll returned ${n})`);
  return dv.getInt16(6, true);
}

/** A connected TCP pair over `host`: [client, server side, listener]. */
function tcpPair(family: number, host: string): [Socket, Socket, Socket] {
  const srv = socket(family, SOCK_STREAM);
  srv.bind([host, 0]);
  srv.listen();
  const cli = socket(family, SOCK_STREAM);
  const err = cli.connectEx(srv.getsockname() as IPv4Address);
  assert(err === 0 || err === ERRNO.EINPROGRESS, `connectEx: ${err}`);
  waitFd(cli.fileno(), C.POLLOUT);
  assertEquals(cli.getsockopt(SOL_SOCKET, SO_ERROR), 0);
  waitFd(srv.fileno(), C.POLLIN);
  const [conn] = srv.accept();
  return [cli, conn, srv];
}

function closeAll(...socks: Socket[]): void {
  for (const s of socks) s.close();
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "asyncio-sock-"));
}

/** Runs a python3 program; its stdout parsed as JSON. */
function python(code: string): unknown {
  const r = spawnSync("python3", ["-c", code], { encoding: "utf8", timeout: 20000 });
  if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

// ---------------------------------------------------------------- raw calls

test("ffi: socket calls return -errno, never throw, on bad fds", () => {
  const s = sys();
  const buf = new Uint8Array(16);
  const len = new Uint32Array(1);
  const EBADF = -ERRNO.EBADF;
  assertEquals(s.bind(-1, encodeSockaddr(AF_INET, ["127.0.0.1", 0])), EBADF);
  assertEquals(s.listen(-1, 1), EBADF);
  assertEquals(s.accept4(-1, buf, len, 0), EBADF);
  assertEquals(s.accept4(-1, null, null, 0), EBADF);
  assertEquals(s.connect(-1, encodeSockaddr(AF_INET, ["127.0.0.1", 1])), EBADF);
  assertEquals(s.getsockname(-1, buf), EBADF);
  assertEquals(s.getpeername(-1, buf), EBADF);
  assertEquals(s.setsockopt(-1, C.SOL_SOCKET, C.SO_REUSEADDR, 1), EBADF);
  assertEquals(s.getsockopt(-1, C.SOL_SOCKET, C.SO_TYPE, buf), EBADF);
  assertEquals(s.shutdown(-1, C.SHUT_RDWR), EBADF);
  assertEquals(s.recv(-1, buf, 0), EBADF);
  assertEquals(s.send(-1, buf, 0), EBADF);
  assertEquals(s.recvfrom(-1, buf, 0, buf, len), EBADF);
  assertEquals(s.sendto(-1, buf, 0, null), EBADF);
  assertEquals(s.socket(12345, C.SOCK_STREAM, 0), -ERRNO.EAFNOSUPPORT);
  // A pipe is not a socket.
  const p = s.pipe2(C.O_CLOEXEC) as [number, number];
  assertEquals(s.getsockname(p[0], buf), -ERRNO.ENOTSOCK);
  s.close(p[0]);
  s.close(p[1]);
});

test("ffi: TCP over loopback with raw calls; output addresses never overrun their buffer", () => {
  const s = sys();
  const flags = C.SOCK_STREAM | C.SOCK_NONBLOCK | C.SOCK_CLOEXEC;
  const lfd = s.socket(C.AF_INET, flags, 0);
  assert(lfd >= 0);
  assertEquals(s.setsockopt(lfd, C.SOL_SOCKET, C.SO_REUSEADDR, 1), 0);
  assertEquals(s.bind(lfd, encodeSockaddr(AF_INET, ["127.0.0.1", 0])), 0);
  assertEquals(s.listen(lfd, 8), 0);
  const name = new Uint8Array(128);
  const n = s.getsockname(lfd, name);
  assertEquals(n, 16);
  const [host, port] = decodeSockaddr(name, n) as IPv4Address;
  assertEquals(host, "127.0.0.1");
  assert(port > 0);
  // An empty accept queue: EAGAIN, not a block.
  assertEquals(s.accept4(lfd, null, null, C.SOCK_NONBLOCK), -ERRNO.EAGAIN);

  const cfd = s.socket(C.AF_INET, flags, 0);
  const r = s.connect(cfd, name.subarray(0, n));
  assert(r === 0 || r === -ERRNO.EINPROGRESS, `connect: ${r}`);
  waitFd(lfd, C.POLLIN);
  // A 4-byte window inside a sentinel-filled buffer: the kernel must not
  // write past it, and the real length (16) must still be reported.
  const big = new Uint8Array(32).fill(0xee);
  const len = new Uint32Array([999]);
  const afd = s.accept4(lfd, big.subarray(8, 12), len, C.SOCK_NONBLOCK | C.SOCK_CLOEXEC);
  assert(afd >= 0, `accept4: ${afd}`);
  assertEquals(len[0], 16);
  assertEquals([...big.subarray(0, 8)], Array(8).fill(0xee));
  assertEquals([...big.subarray(12)], Array(20).fill(0xee));
  assertEquals(s.fcntl(afd, C.F_GETFL, 0) & C.O_NONBLOCK, C.O_NONBLOCK);
  assertEquals(s.fcntl(afd, C.F_GETFD, 0) & C.FD_CLOEXEC, C.FD_CLOEXEC);

  const opt = new Uint8Array(4);
  assertEquals(s.getsockopt(cfd, C.SOL_SOCKET, C.SO_ERROR, opt), 4);
  assertEquals([...opt], [0, 0, 0, 0]);
  assertEquals(s.setsockopt(cfd, C.IPPROTO_TCP, C.TCP_NODELAY, 1), 0);
  assertEquals(s.getsockopt(cfd, C.IPPROTO_TCP, C.TCP_NODELAY, opt), 4);
  assertEquals(opt[0], 1);

  // send/recv at a byteOffset; empty buffers are fine.
  const msg = enc.encode("xxhello");
  assertEquals(s.send(cfd, msg.subarray(2), 0), 5);
  assertEquals(s.send(cfd, new Uint8Array(0), 0), 0);
  waitFd(afd, C.POLLIN);
  const into = new Uint8Array(20);
  assertEquals(s.recv(afd, into.subarray(3), C.MSG_PEEK), 5);
  assertEquals(s.recv(afd, into.subarray(3), 0), 5);
  assertEquals(dec.decode(into.subarray(3, 8)), "hello");
  assertEquals(s.recv(afd, into, 0), -ERRNO.EAGAIN);

  // recvfrom on a connected stream reports no address (length 0).
  assertEquals(s.sendto(cfd, enc.encode("abc"), 0, null), 3);
  waitFd(afd, C.POLLIN);
  const from = new Uint8Array(128);
  const fromLen = new Uint32Array([77]);
  assertEquals(s.recvfrom(afd, into, 0, from, fromLen), 3);
  assertEquals(fromLen[0], 0);

  const peer = new Uint8Array(128);
  assertEquals(
    decodeSockaddr(peer, s.getpeername(afd, peer)),
    decodeSockaddr(name, s.getsockname(cfd, name)),
  );

  // Peer gone: send gives EPIPE (MSG_NOSIGNAL: the process is not killed).
  assertEquals(s.shutdown(afd, C.SHUT_RDWR), 0);
  assertEquals(s.close(afd), 0);
  waitFd(cfd, C.POLLIN);
  let last = 0;
  for (let i = 0; i < 10 && last >= 0; i++) last = s.send(cfd, new Uint8Array(1000), 0);
  assert(last === -ERRNO.EPIPE || last === -ERRNO.ECONNRESET, `send after close: ${last}`);
  assertEquals(s.close(cfd), 0);
  assertEquals(s.close(lfd), 0);
});

test("ffi: UDP sendto/recvfrom with raw addresses", () => {
  const s = sys();
  const fd = s.socket(C.AF_INET6, C.SOCK_DGRAM | C.SOCK_NONBLOCK | C.SOCK_CLOEXEC, 0);
  assertEquals(s.bind(fd, encodeSockaddr(AF_INET6, ["::1", 0])), 0);
  const self = new Uint8Array(128);
  const n = s.getsockname(fd, self);
  assertEquals(n, 28);
  assertEquals(s.sendto(fd, enc.encode("dgram"), 0, self.subarray(0, n)), 5);
  waitFd(fd, C.POLLIN);
  const buf = new Uint8Array(64);
  const from = new Uint8Array(128);
  const len = new Uint32Array(1);
  assertEquals(s.recvfrom(fd, buf, 0, from, len), 5);
  assertEquals(len[0], 28);
  assertEquals(decodeSockaddr(from, len[0]), decodeSockaddr(self, n));
  // Unconnected datagram socket, no address: EDESTADDRREQ.
  assertEquals(s.sendto(fd, buf, 0, null), -ERRNO.EDESTADDRREQ);
  s.close(fd);
});

// ---------------------------------------------------------------- addresses

test("numeric hosts parse and print as inet_pton/inet_ntop do (CPython's output)", () => {
  // Outputs of Python's socket.inet_ntop(AF_INET6, inet_pton(AF_INET6, a)) on glibc.
  const cases: Array<[string, string]> = [
    ["::2", "::2"],
    ["::1", "::1"],
    ["::", "::"],
    ["::ffff:0:1", "::ffff:0.0.0.1"],
    ["1::", "1::"],
    ["1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"],
    ["0:0:1::", "0:0:1::"],
    ["::ffff:1.2.3.4", "::ffff:1.2.3.4"],
    ["::0:1.2.3.4", "::1.2.3.4"],
    ["1:0:0:2:0:0:0:3", "1:0:0:2::3"],
    ["fe80::1", "fe80::1"],
    ["1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"],
    ["::1:2:3:4:5:6:7", "0:1:2:3:4:5:6:7"],
    ["1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304"],
    ["1::1.2.3.4", "1::102:304"],
    ["ABCD:EF01::", "abcd:ef01::"],
  ];
  for (const [input, want] of cases) {
    const b = parseIPv6(input);
    assert(b !== null, input);
    assertEquals(formatIPv6(b), want, input);
  }
  for (
    const bad of ["1::2::3", ":1::", "::00001", "1:2:3:4:5:6:7:8:9", "1.2.3.4", "", ":", "g::"]
  ) {
    assertEquals(parseIPv6(bad), null, bad);
  }
  assertEquals([...parseIPv4("10.0.255.1")!], [10, 0, 255, 1]);
  for (
    const bad of ["1.2.3.04", "01.2.3.4", "1.2.3.4 ", "0x1.2.3.4", "256.1.1.1", "1.2.3", "127.1"]
  ) {
    assertEquals(parseIPv4(bad), null, bad);
  }
});

test("address arguments are validated as Python validates them", () => {
  using s4 = socket(AF_INET);
  using s6 = socket(AF_INET6);
  using su = socket(AF_UNIX);
  assertThrows(
    () => s4.bind("127.0.0.1" as never),
    TypeError,
    "AF_INET address must be tuple, not str",
  );
  assertThrows(() => s4.bind(["127.0.0.1"] as never), TypeError, "must be a pair (host, port)");
  assertThrows(
    () => s4.bind(["127.0.0.1", "80"] as never),
    TypeError,
    "'str' object cannot be interpreted",
  );
  assertThrows(() => s4.bind([127 as never, 80]), TypeError, "str, bytes or bytearray expected");
  assertThrows(() => s4.bind(["127.0.0.1", 70000]), OverflowError, "port must be 0-65535");
  assertThrows(() => s4.bind(["127.0.0.1", -1]), RangeError);
  const g = assertThrows(() => s4.bind(["example.com", 80]), gaierror);
  assertEquals(g.errno, EAI_NONAME);
  assertEquals(g.code, "EAI_NONAME");
  assertMatch(g.message, /^\[Errno -2\] Name or service not known/);
  assertInstanceOf(g, OSError);
  assertEquals(assertThrows(() => s4.bind(["::1", 0]), gaierror).errno, EAI_ADDRFAMILY);
  assertEquals(assertThrows(() => s6.bind(["127.0.0.1", 0]), gaierror).errno, EAI_ADDRFAMILY);
  assertThrows(
    () => s6.bind(["::1", 0, 0, 0, 0] as never),
    TypeError,
    "AF_INET6 address must be a tuple",
  );
  assertThrows(() => s6.bind(["::1", 0, 1 << 20]), OverflowError, "flowinfo must be 0-1048575");
  assertThrows(
    () => su.bind(["x", 1] as never),
    TypeError,
    "a bytes-like object is required, not 'tuple'",
  );
  assertThrows(() => su.bind("a".repeat(109)), OSError, "AF_UNIX path too long");
  // The wildcard spellings Python accepts.
  s4.bind(["", 0]);
  assertEquals((s4.getsockname() as IPv4Address)[0], "0.0.0.0");
  s6.bind(["", 0]);
  assertEquals((s6.getsockname() as IPv6Address)[0], "::");
});

// ---------------------------------------------------------------- Socket

test("TCP over 127.0.0.1: addresses, data both ways, repr, close once, EBADF after", () => {
  const [cli, conn, srv] = tcpPair(AF_INET, "127.0.0.1");
  try {
    const laddr = srv.getsockname() as IPv4Address;
    assertEquals(laddr[0], "127.0.0.1");
    assertEquals(cli.getpeername(), laddr);
    assertEquals(conn.getsockname(), laddr);
    assertEquals(conn.getpeername(), cli.getsockname());
    assertEquals([cli.family, cli.type, cli.proto], [AF_INET, SOCK_STREAM, 0]);
    assertStrictEquals(cli.gettimeout(), null);
    assertStrictEquals(conn.gettimeout(), null);
    cli.sendall(enc.encode("ping"));
    waitFd(conn.fileno(), C.POLLIN);
    assertEquals(dec.decode(conn.recv(100, MSG_PEEK)), "ping");
    assertEquals(dec.decode(conn.recv(100)), "ping");
    assertEquals(conn.send(enc.encode("pong")), 4);
    waitFd(cli.fileno(), C.POLLIN);
    const into = new Uint8Array(10);
    assertEquals(cli.recvInto(into, 2), 2);
    assertEquals(cli.recvInto(into.subarray(2)), 2);
    assertEquals(dec.decode(into.subarray(0, 4)), "pong");
    assertThrows(() => cli.recv(10), BlockingIOError, "[Errno 11]");
    const [lport, rport] = [laddr[1], (cli.getsockname() as IPv4Address)[1]];
    assertEquals(
      String(conn),
      `<socket.socket fd=${conn.fileno()}, family=2, type=1, proto=0, ` +
        `laddr=('127.0.0.1', ${lport}), raddr=('127.0.0.1', ${rport})>`,
    );
    // EOF after shutdown(SHUT_WR).
    cli.shutdown(SHUT_WR);
    waitFd(conn.fileno(), C.POLLIN);
    assertEquals(conn.recv(10).length, 0);
  } finally {
    closeAll(cli, conn, srv);
  }
  assertEquals(cli.fileno(), -1);
  cli.close(); // a second close does nothing
  assertEquals(String(cli), "<socket.socket [closed] fd=-1, family=2, type=1, proto=0>");
  for (const f of [() => cli.recv(1), () => cli.send(enc.encode("x")), () => cli.getsockname()]) {
    const e = assertThrows(f, OSError);
    assertEquals([e.errno, e.code], [ERRNO.EBADF, "EBADF"]);
  }
  assertEquals(cli.connectEx(["127.0.0.1", 1]), ERRNO.EBADF);
});

test("TCP over ::1: 4-tuples, IPV6_V6ONLY", () => {
  const [cli, conn, srv] = tcpPair(AF_INET6, "::1");
  try {
    const [host, port, flowinfo, scopeId] = srv.getsockname() as IPv6Address;
    assertEquals([host, flowinfo, scopeId], ["::1", 0, 0]);
    assertEquals(cli.getpeername(), ["::1", port, 0, 0]);
    assertEquals(conn.getpeername(), cli.getsockname());
    assertMatch(String(srv), new RegExp(`laddr=\\('::1', ${port}, 0, 0\\)>$`));
    cli.sendall(new Uint8Array([1, 2, 3]));
    waitFd(conn.fileno(), C.POLLIN);
    assertEquals([...conn.recv(3)], [1, 2, 3]);
    assertEquals(cli.getsockopt(IPPROTO_IPV6, IPV6_V6ONLY), 0);
  } finally {
    closeAll(cli, conn, srv);
  }
  using s = socket(AF_INET6);
  s.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, true);
  assertEquals(s.getsockopt(IPPROTO_IPV6, IPV6_V6ONLY), 1);
});

test("UDP over 127.0.0.1 and ::1: sendto/recvfrom addresses, truncation, connected send", () => {
  for (const [family, host] of [[AF_INET, "127.0.0.1"], [AF_INET6, "::1"]] as const) {
    using a = socket(family, SOCK_DGRAM);
    using b = socket(family, SOCK_DGRAM);
    a.bind([host, 0]);
    b.bind([host, 0]);
    assertEquals(a.sendto(enc.encode("hello"), b.getsockname() as IPv4Address), 5);
    waitFd(b.fileno(), C.POLLIN);
    const [data, from] = b.recvfrom(100);
    assertEquals(dec.decode(data), "hello");
    assertEquals(from, a.getsockname());
    // A datagram longer than the buffer is cut, as in Python.
    a.sendto(new Uint8Array(100).fill(7), 0, b.getsockname() as IPv4Address);
    waitFd(b.fileno(), C.POLLIN);
    const buf = new Uint8Array(10);
    const [n, from2] = b.recvfromInto(buf);
    assertEquals([n, [...buf]], [10, Array(10).fill(7)]);
    assertEquals(from2, a.getsockname());
    // Connected: send/recv, and the peer is known.
    a.connect(b.getsockname() as IPv4Address);
    assertEquals(a.getpeername(), b.getsockname());
    a.send(enc.encode("c"));
    waitFd(b.fileno(), C.POLLIN);
    assertEquals(dec.decode(b.recv(10)), "c");
    assertEquals(a.type, SOCK_DGRAM);
  }
});

test("Unix stream sockets: path addresses, abstract names, connect to nothing", () => {
  const dir = tempDir();
  try {
    const path = join(dir, "s.sock");
    using srv = socket(AF_UNIX, SOCK_STREAM);
    srv.bind(path);
    srv.listen();
    assertEquals(srv.getsockname(), path);
    assertEquals(
      String(srv),
      `<socket.socket fd=${srv.fileno()}, family=1, type=1, proto=0, laddr=${path}>`,
    );
    using cli = socket(AF_UNIX, SOCK_STREAM);
    cli.connect(path); // Unix connects complete at once
    assertEquals(cli.getpeername(), path);
    assertEquals(cli.getsockname(), "");
    const [conn, addr] = srv.accept();
    using _conn = conn;
    assertEquals(addr, "");
    cli.sendall(enc.encode("unix"));
    waitFd(conn.fileno(), C.POLLIN);
    assertEquals(dec.decode(conn.recv(10)), "unix");

    const missing = join(dir, "missing.sock");
    using c2 = socket(AF_UNIX);
    assertEquals(assertThrows(() => c2.connect(missing), FileNotFoundError).errno, ERRNO.ENOENT);
    // A path bound but not listening: refused.
    using dgramPath = socket(AF_UNIX, SOCK_DGRAM);
    const notListening = join(dir, "dgram.sock");
    dgramPath.bind(notListening);
    using c3 = socket(AF_UNIX, SOCK_STREAM);
    assertThrows(() => c3.connect(notListening), OSError);

    const abstract = `\0asyncio-test-${process.pid}-${Math.random().toString(36).slice(2)}`;
    using abs = socket(AF_UNIX);
    abs.bind(abstract);
    abs.listen();
    assertEquals(abs.getsockname(), abstract);
    assert(!existsSync(abstract.slice(1)));
    using c4 = socket(AF_UNIX);
    c4.connect(abstract);
    assertEquals(c4.getpeername(), abstract);
    abs.accept()[0].close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("Unix datagram sockets: autobind with bind(''), recvfrom sees the sender", () => {
  using a = socket(AF_UNIX, SOCK_DGRAM);
  using b = socket(AF_UNIX, SOCK_DGRAM);
  assertEquals(a.getsockname(), "");
  a.bind("");
  b.bind("");
  const an = a.getsockname() as string;
  assert(an.startsWith("\0") && an.length > 1, JSON.stringify(an));
  a.sendto(enc.encode("d1"), b.getsockname() as string);
  waitFd(b.fileno(), C.POLLIN);
  const [data, from] = b.recvfrom(10);
  assertEquals([dec.decode(data), from], ["d1", an]);
  // From an unbound sender there is no address: null, as Python's None.
  using c = socket(AF_UNIX, SOCK_DGRAM);
  c.sendto(enc.encode("x"), b.getsockname() as string);
  waitFd(b.fileno(), C.POLLIN);
  const got = b.recvfrom(10);
  assertEquals(got[1] === null || got[1] === "", true);
});

test("socketpair: both directions, families and types, SOCK_NONBLOCK mode", () => {
  const [a, b] = socketpair();
  try {
    assertEquals([a.family, a.type, a.proto], [AF_UNIX, SOCK_STREAM, 0]);
    assertEquals([a.getsockname(), a.getpeername()], ["", ""]);
    assertEquals(String(a), `<socket.socket fd=${a.fileno()}, family=1, type=1, proto=0>`);
    a.sendall(enc.encode("a->b"));
    b.sendall(enc.encode("b->a"));
    assertEquals(dec.decode(b.recv(10)), "a->b");
    assertEquals(dec.decode(a.recv(10)), "b->a");
  } finally {
    closeAll(a, b);
  }
  const [c, d] = socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK);
  try {
    assertEquals([c.type, c.gettimeout(), d.gettimeout()], [SOCK_DGRAM, 0, 0]);
    c.send(enc.encode("one"));
    c.send(enc.encode("two"));
    assertEquals(dec.decode(d.recv(100)), "one");
    assertEquals(dec.decode(d.recv(100)), "two");
    c.setblocking(true);
    assertEquals([c.gettimeout(), c.getblocking()], [null, true]);
    c.settimeout(2.5);
    assertEquals(c.gettimeout(), 2.5);
    assertThrows(() => c.settimeout(-1), ValueError);
  } finally {
    closeAll(c, d);
  }
  assertThrows(() => socketpair(AF_INET), OSError);
});

test("setsockopt/getsockopt: SO_REUSEADDR, TCP_NODELAY, SO_TYPE, buffer form", () => {
  using s = socket();
  assertEquals(s.getsockopt(SOL_SOCKET, SO_REUSEADDR), 0);
  s.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
  assertEquals(s.getsockopt(SOL_SOCKET, SO_REUSEADDR), 1);
  assertEquals(s.getsockopt(IPPROTO_TCP, TCP_NODELAY), 0);
  s.setsockopt(IPPROTO_TCP, TCP_NODELAY, true);
  assertEquals(s.getsockopt(IPPROTO_TCP, TCP_NODELAY), 1);
  assertEquals(s.getsockopt(SOL_SOCKET, SO_TYPE), SOCK_STREAM);
  s.setsockopt(SOL_SOCKET, SO_RCVBUF, 65536);
  assert(s.getsockopt(SOL_SOCKET, SO_RCVBUF) >= 65536);
  assertEquals([...s.getsockopt(SOL_SOCKET, SO_REUSEADDR, 4)], [1, 0, 0, 0]);
  // struct linger {int l_onoff; int l_linger;}
  const linger = new Uint8Array(8);
  new DataView(linger.buffer).setInt32(0, 1, true);
  new DataView(linger.buffer).setInt32(4, 5, true);
  s.setsockopt(SOL_SOCKET, SO_LINGER, linger);
  assertEquals([...s.getsockopt(SOL_SOCKET, SO_LINGER, 8)], [...linger]);
  assertThrows(() => s.getsockopt(SOL_SOCKET, SO_LINGER, 2000), OSError, "buflen out of range");
  assertThrows(() => s.setsockopt(SOL_SOCKET, SO_REUSEADDR, "1" as never), TypeError);
  assertEquals(assertThrows(() => s.setsockopt(SOL_SOCKET, 9999, 1), OSError).code, "ENOPROTOOPT");
});

test("errors: EADDRINUSE, ECONNREFUSED, EPIPE, EINPROGRESS, ENOTCONN, bytes type checks", () => {
  using a = socket();
  a.bind(["127.0.0.1", 0]);
  a.listen();
  using b = socket();
  const inUse = assertThrows(() => b.bind(a.getsockname() as IPv4Address), OSError);
  assertEquals([inUse.errno, inUse.code], [ERRNO.EADDRINUSE, "EADDRINUSE"]);
  assertMatch(inUse.message, /^\[Errno 98\] /);

  // A closed port: the refusal arrives as SO_ERROR after EINPROGRESS.
  using probe = socket();
  probe.bind(["127.0.0.1", 0]);
  const closedPort = (probe.getsockname() as IPv4Address)[1];
  probe.close();
  using c = socket();
  const err = c.connectEx(["127.0.0.1", closedPort]);
  if (err === ERRNO.EINPROGRESS) {
    waitFd(c.fileno(), C.POLLOUT);
    assertEquals(c.getsockopt(SOL_SOCKET, SO_ERROR), ERRNO.ECONNREFUSED);
  } else {
    assertEquals(err, ERRNO.ECONNREFUSED);
  }
  assertEquals(assertThrows(() => a.accept(), BlockingIOError).errno, ERRNO.EAGAIN);
  using d = socket();
  d.setblocking(false);
  const inProgress = assertThrows(() => d.connect(a.getsockname() as IPv4Address), BlockingIOError);
  assertEquals(inProgress.errno, ERRNO.EINPROGRESS);
  using e = socket();
  assertEquals(assertThrows(() => e.getpeername(), OSError).errno, ERRNO.ENOTCONN);

  const [x, y] = socketpair();
  try {
    y.close();
    const broken = assertThrows(() => x.send(enc.encode("gone")), BrokenPipeError);
    assertEquals(broken.errno, ERRNO.EPIPE);
    assertThrows(
      () => x.send("str" as never),
      TypeError,
      "a bytes-like object is required, not 'str'",
    );
    assertThrows(() => x.sendall("str" as never), TypeError, "not 'str'");
    assertThrows(() => x.sendto("str" as never, ""), TypeError);
    assertThrows(() => x.recvInto("str" as never), TypeError);
    assertThrows(() => x.recv(-1), ValueError, "negative buffersize in recv");
    assertThrows(() => x.recvInto(new Uint8Array(2), 5), ValueError, "buffer too small");
    assertThrows(() => x.recv("1" as never), TypeError);
    // Other views of bytes are accepted, as Python takes any bytes-like object.
    assertThrows(() => x.send(new Uint16Array([1]) as never), BrokenPipeError);
  } finally {
    x.close();
  }
  assertThrows(() => socket(12345), OSError, "[Errno 97]");
  assertThrows(() => socket("2" as never), TypeError);
  assertInstanceOf(new ConnectionRefusedError(ERRNO.ECONNREFUSED), OSError);
});

test("new Socket(..., fileno) adopts an fd: made non-blocking, identity from the kernel", () => {
  const s = sys();
  const fd = s.socket(C.AF_INET6, C.SOCK_DGRAM | C.SOCK_CLOEXEC, 0);
  assert(fd >= 0);
  const sock = new Socket(undefined, undefined, undefined, fd);
  try {
    assertEquals([sock.family, sock.type, sock.proto], [AF_INET6, SOCK_DGRAM, C.IPPROTO_UDP]);
    assertEquals(s.fcntl(fd, C.F_GETFL, 0) & C.O_NONBLOCK, C.O_NONBLOCK);
    assertEquals(sock.fileno(), fd);
  } finally {
    sock.close();
  }
  const p = s.pipe2(C.O_CLOEXEC) as [number, number];
  try {
    assertEquals(
      assertThrows(() => new Socket(undefined, undefined, undefined, p[0]), OSError).code,
      "ENOTSOCK",
    );
  } finally {
    s.close(p[0]);
    s.close(p[1]);
  }
  // detach() hands the fd over without closing it.
  const t = socket();
  const tfd = t.detach();
  assertEquals(t.fileno(), -1);
  assert(s.fcntl(tfd, C.F_GETFD, 0) >= 0);
  assertEquals(s.close(tfd), 0);
});

test("using closes the socket at the end of the scope", () => {
  let fd: number;
  {
    using s = socket(AF_INET, SOCK_DGRAM);
    fd = s.fileno();
    assert(sys().fcntl(fd, C.F_GETFD, 0) >= 0);
  }
  assertEquals(sys().fcntl(fd, C.F_GETFD, 0), -ERRNO.EBADF);
});

// ---------------------------------------------------------------- names

const PY_GAI = `
import json, socket
def gai(*a, **k):
    try:
        return [[f, t, p, c, list(s)] for f, t, p, c, s in socket.getaddrinfo(*a, **k)]
    except socket.gaierror as e:
        return {"gaierror": e.errno}
cases = [
    ("127.0.0.1", 80, {}),
    ("::1", "8080", {"type": socket.SOCK_STREAM}),
    (None, 80, {"type": socket.SOCK_STREAM, "flags": socket.AI_PASSIVE}),
    (None, 80, {}),
    (None, 0, {"family": socket.AF_INET6, "type": socket.SOCK_DGRAM}),
    ("127.0.0.1", None, {"proto": socket.IPPROTO_UDP}),
    ("127.0.0.1", 80, {"family": socket.AF_INET6}),
    ("::1", 80, {"family": socket.AF_INET}),
    ("127.0.0.1", 80, {"family": socket.AF_UNIX}),
    ("127.0.0.1", 80, {"type": 99}),
    ("127.0.0.1", 80, {"type": socket.SOCK_STREAM, "proto": socket.IPPROTO_UDP}),
    ("127.0.0.1", -1, {}),
    ("fe80::1%lo", 80, {"type": socket.SOCK_STREAM}),
    ("localhost", 80, {"family": socket.AF_INET, "type": socket.SOCK_STREAM}),
    ("127.0.0.1", 80, {"type": socket.SOCK_STREAM, "flags": socket.AI_CANONNAME}),
    ("example.com", 80, {"flags": socket.AI_NUMERICHOST}),
    ("", 80, {}),
]
print(json.dumps([gai(h, p, **k) for h, p, k in cases]))
`;

test("getaddrinfo answers as Python's socket.getaddrinfo does", async () => {
  const want = python(PY_GAI) as unknown[];
  const cases: Array<[string | null, number | string | null, Record<string, number>]> = [
    ["127.0.0.1", 80, {}],
    ["::1", "8080", { type: SOCK_STREAM }],
    [null, 80, { type: SOCK_STREAM, flags: AI_PASSIVE }],
    [null, 80, {}],
    [null, 0, { family: AF_INET6, type: SOCK_DGRAM }],
    ["127.0.0.1", null, { proto: C.IPPROTO_UDP }],
    ["127.0.0.1", 80, { family: AF_INET6 }],
    ["::1", 80, { family: AF_INET }],
    ["127.0.0.1", 80, { family: AF_UNIX }],
    ["127.0.0.1", 80, { type: 99 }],
    ["127.0.0.1", 80, { type: SOCK_STREAM, proto: C.IPPROTO_UDP }],
    ["127.0.0.1", -1, {}],
    ["fe80::1%lo", 80, { type: SOCK_STREAM }],
    ["localhost", 80, { family: AF_INET, type: SOCK_STREAM }],
    ["127.0.0.1", 80, { type: SOCK_STREAM, flags: AI_CANONNAME }],
    ["example.com", 80, { flags: AI_NUMERICHOST }],
    ["", 80, {}],
  ];
  assertEquals(cases.length, want.length);
  for (let i = 0; i < cases.length; i++) {
    const [host, port, opts] = cases[i];
    let got: unknown;
    try {
      got = await getaddrinfo(host, port, opts);
    } catch (e) {
      assertInstanceOf(e, gaierror, `case ${i}`);
      got = { gaierror: e.errno };
    }
    assertEquals(got, want[i], `case ${i}: getaddrinfo(${JSON.stringify(cases[i])})`);
  }
  // The errors carry Python's numbers and names.
  const e = await assertRejects(() => getaddrinfo("127.0.0.1", 80, { family: AF_UNIX }), gaierror);
  assertEquals([e.errno, e.code, e.message], [
    EAI_FAMILY,
    "EAI_FAMILY",
    "[Errno -6] ai_family not supported",
  ]);
  assertEquals(
    (await assertRejects(() => getaddrinfo("127.0.0.1", 80, { type: 99 }), gaierror)).errno,
    EAI_SOCKTYPE,
  );
  await assertRejects(() => getaddrinfo(5 as never, 80), TypeError);
  // Bun closes a spawnSync child's stdio socket a moment later: not our fd.
}, { fdCheck: false });

test("getaddrinfo: service names from /etc/services; a name that does not resolve", async () => {
  if (!existsSync("/etc/services")) return;
  const want = python(`
import json, socket
out = []
for svc, t in [("http", 0), ("domain", 0), ("http", socket.SOCK_DGRAM), ("nosuchservice", 0)]:
    try:
        out.append([[f, ty, p, c, list(s)] for f, ty, p, c, s in socket.getaddrinfo("127.0.0.1", svc, type=t)])
    except socket.gaierror as e:
        out.append({"gaierror": e.errno})
print(json.dumps(out))`) as unknown[];
  const cases: Array<[string, number]> = [["http", 0], ["domain", 0], ["http", SOCK_DGRAM], [
    "nosuchservice",
    0,
  ]];
  for (let i = 0; i < cases.length; i++) {
    let got: unknown;
    try {
      got = await getaddrinfo("127.0.0.1", cases[i][0], { type: cases[i][1] });
    } catch (e) {
      got = { gaierror: (e as InstanceType<typeof gaierror>).errno };
    }
    assertEquals(got, want[i], JSON.stringify(cases[i]));
  }
  const e = await assertRejects(() => getaddrinfo("127.0.0.1", "nosuchservice"), gaierror);
  assertEquals(e.errno, EAI_SERVICE);
  const missing = await assertRejects(() => getaddrinfo("no-such-host.invalid", 80), gaierror);
  assertEquals(missing.errno, EAI_NONAME);
  // Bun closes a spawnSync child's stdio socket a moment later: not our fd.
}, { fdCheck: false });

test("getnameinfo answers as Python's socket.getnameinfo does", async () => {
  const want = python(`
import json, socket
cases = [(("127.0.0.1", 80), 0), (("127.0.0.1", 53), socket.NI_DGRAM), (("::1", 22, 0, 0), 0),
         (("127.0.0.1", 80), socket.NI_NUMERICHOST | socket.NI_NUMERICSERV), (("::1", 22, 0, 0), socket.NI_NAMEREQD),
         (("127.0.0.1", 12345), 0), (("fe80::1", 80, 0, 1), socket.NI_NUMERICHOST | socket.NI_NUMERICSERV),
         (("localhost", 80), 0)]
out = []
for sa, fl in cases:
    try:
        out.append(list(socket.getnameinfo(sa, fl)))
    except socket.gaierror as e:
        out.append({"gaierror": e.errno})
print(json.dumps(out))`) as unknown[];
  const cases: Array<[[string, number, ...number[]], number]> = [
    [["127.0.0.1", 80], 0],
    [["127.0.0.1", 53], NI_DGRAM],
    [["::1", 22, 0, 0], 0],
    [["127.0.0.1", 80], NI_NUMERICHOST | NI_NUMERICSERV],
    [["::1", 22, 0, 0], NI_NAMEREQD],
    [["127.0.0.1", 12345], 0],
    [["fe80::1", 80, 0, 1], NI_NUMERICHOST | NI_NUMERICSERV],
    [["localhost", 80], 0],
  ];
  for (let i = 0; i < cases.length; i++) {
    let got: unknown;
    try {
      got = await getnameinfo(cases[i][0], cases[i][1]);
    } catch (e) {
      assertInstanceOf(e, gaierror);
      got = { gaierror: e.errno };
    }
    assertEquals(got, want[i], JSON.stringify(cases[i]));
  }
  await assertRejects(() => getnameinfo("127.0.0.1" as never, 0), TypeError, "must be a tuple");
  await assertRejects(
    () => getnameinfo(["127.0.0.1", 80, 0, 0], 0),
    OSError,
    "IPv4 sockaddr must be 2 tuple",
  );
  // Bun closes a spawnSync child's stdio socket a moment later: not our fd.
}, { fdCheck: false });

test("connect() in blocking mode waits for the outcome, as Python's", () => {
  using srv = socket();
  srv.bind(["127.0.0.1", 0]);
  srv.listen();
  using cli = socket();
  cli.connect(srv.getsockname() as IPv4Address); // no BlockingIOError
  assertEquals(cli.getpeername(), srv.getsockname());
  using probe = socket();
  probe.bind(["127.0.0.1", 0]);
  const closedPort = (probe.getsockname() as IPv4Address)[1];
  probe.close();
  using refused = socket();
  const e = assertThrows(() => refused.connect(["127.0.0.1", closedPort]), ConnectionRefusedError);
  assertEquals(e.message, "[Errno 111] Connection refused");
  // With a timeout, a connect that does not finish in time: "timed out".
  using slow = socket();
  slow.settimeout(0.05);
  try {
    slow.connect(["10.255.255.1", 9]);
  } catch (err) {
    // Unroutable here: refused or unreachable at once is fine too.
    if (err instanceof asyncio.TimeoutError) assertEquals(err.message, "timed out");
    else assert(err instanceof OSError, String(err));
  }
});

test("a host name in an address is looked up in /etc/hosts, as Python's socket resolves it", () => {
  // Python's bind/connect/sendto take ("localhost", port); names the hosts
  // file does not know still need getaddrinfo() first (no blocking lookup).
  using rx = socket(AF_INET, SOCK_DGRAM);
  rx.bind(["localhost", 0]);
  const [host, port] = rx.getsockname() as IPv4Address;
  assertEquals(host, "127.0.0.1");
  using tx = socket(AF_INET, SOCK_DGRAM);
  assertEquals(tx.sendto(enc.encode("hi"), ["LocalHost", port]), 2);
  waitFd(rx.fileno(), C.POLLIN);
  assertEquals(dec.decode(rx.recv(10)), "hi");
  const unknown = assertThrows(
    () => tx.sendto(enc.encode("x"), ["no-such-host.invalid", port]),
    OSError,
  );
  // What Python says for a name nobody knows.
  assertEquals(unknown.message, "[Errno -2] Name or service not known");
});
