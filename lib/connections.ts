/**
 * The loop's connection methods: `createConnection`, `createServer`, their
 * Unix-socket forms and `connectAcceptedSocket`, as functions of the loop
 * (the loop class exposes them as methods).
 *
 * @module
 */
import { statSync, unlinkSync } from "node:fs";
import { C, ERRNO } from "../ffi/mod.ts";
import type { BaseSelectorEventLoop } from "./selector_events.ts";
import { type BaseProtocolLike, checkCallback, protocolFactory } from "./protocols.ts";
import { AttributeError, IndexError, OSError, osErrorFromErrno, ValueError } from "./exceptions.ts";
import { logger } from "./log.ts";
import { pyRepr, pyTypeName } from "./format.ts";
import { checkKeywords } from "./keywords.ts";
import { type AddrInfo, AI_PASSIVE, getaddrinfo, ipaddrInfo } from "./dns.ts";
import { Socket } from "./socket.ts";
import { addressKeywords, type AddressLike } from "./sockaddr.ts";
import { sockConnect } from "./sock_methods.ts";
import { SelectorSocketTransport } from "./selector_transports.ts";
import { enableReuse, Server } from "./servers.ts";
import { sleep } from "./tasks.ts";
import { gather } from "./task_functions.ts";
import { connectAddrInfos } from "./staggered.ts";
import {
  checkSslOptions,
  checkSslTimeouts,
  connectSsl,
  sslContextOf,
  type SslOptions,
  sslServerFactory,
  type SSLTransport,
} from "./sslproto.ts";
import type { SSLContext } from "./ssl.ts";

/** The transport a connection method resolves to: TLS over the socket one when `ssl` is given. */
export type StreamTransport = SelectorSocketTransport | SSLTransport;

/** Options of `createConnection`. */
export interface CreateConnectionOptions {
  /** AF_INET or AF_INET6 to restrict the lookup (default: both). */
  family?: number;
  /** Protocol number for the lookup. */
  proto?: number;
  /** getaddrinfo flags. */
  flags?: number;
  /** An already connected socket to use instead of host/port. */
  sock?: Socket | null;
  /** Bind the socket to this local address first (null: none, as Python's None). */
  localAddr?: AddressLike | null;
  /** TLS: an `SSLContext`, or `true` for `ssl.createDefaultContext()`. */
  ssl?: SSLContext | boolean | null;
  /** The TLS server name to send and verify (needs `ssl`; default: `host`). */
  serverHostname?: string | null;
  /** Seconds the TLS handshake may take (60; needs `ssl`). */
  sslHandshakeTimeout?: number | null;
  /** Seconds to wait for the peer's TLS close_notify (30; needs `ssl`). */
  sslShutdownTimeout?: number | null;
  /**
   * Happy Eyeballs (RFC 8305): seconds before the next address is tried in
   * parallel; the first to connect wins (see `lib/staggered.ts`).
   */
  happyEyeballsDelay?: number | null;
  /** Alternate address families, this many of the first first (1 with happyEyeballsDelay). */
  interleave?: number | null;
}

/** Options of `createServer`. */
export interface CreateServerOptions {
  /** AF_INET or AF_INET6 (default: both). */
  family?: number;
  /** getaddrinfo flags (AI_PASSIVE is always added). */
  flags?: number;
  /** An already bound socket to serve instead of host/port. */
  sock?: Socket | null;
  /** listen() backlog, 100 by default. */
  backlog?: number;
  /** TLS: the server's `SSLContext` (with its certificate loaded). */
  ssl?: SSLContext | null;
  /** Seconds a TLS handshake may take (60; needs `ssl`). */
  sslHandshakeTimeout?: number | null;
  /** Seconds to wait for the peer's TLS close_notify (30; needs `ssl`). */
  sslShutdownTimeout?: number | null;
  /** SO_REUSEADDR: true by default on Unix, as in Python. */
  reuseAddress?: boolean;
  /** SO_REUSEPORT. */
  reusePort?: boolean;
  /** Start accepting at once (default true). */
  startServing?: boolean;
}

type Factory = () => BaseProtocolLike;

/** Options of `createUnixConnection`. */
export interface CreateUnixConnectionOptions extends SslOptions {
  /** An already connected Unix socket to use instead of `path`. */
  sock?: Socket | null;
}

/** Options of `createUnixServer`. */
export interface CreateUnixServerOptions {
  /** An already bound Unix socket to serve instead of `path`. */
  sock?: Socket | null;
  /** listen() backlog, 100 by default. */
  backlog?: number;
  /** TLS: the server's `SSLContext`. */
  ssl?: SSLContext | null;
  /** Seconds a TLS handshake may take (60; needs `ssl`). */
  sslHandshakeTimeout?: number | null;
  /** Seconds to wait for the peer's TLS close_notify (30; needs `ssl`). */
  sslShutdownTimeout?: number | null;
  /** Start accepting at once (default true). */
  startServing?: boolean;
}

/**
 * Python's keyword form of an address: the options object given in place of
 * the address parameters, holding them by name (`create_connection(f,
 * sock=s)` is `createConnection(f, { sock: s })`). `A` names the address
 * fields.
 *
 * @example
 * ```ts
 * const [transport] = await loop.createConnection(() => new asyncio.Protocol(), { sock });
 * const server = await loop.createServer(Echo, { host: "127.0.0.1", port: 0 });
 * ```
 */
export type AddressKeywords<O, A> = O & { [K in keyof A]?: A[K] };

const SSL_KEYS = ["ssl", "sslHandshakeTimeout", "sslShutdownTimeout"] as const;

/** A TCP client's address fields, for {@link AddressKeywords}. */
export interface HostPort {
  /** The host name or address. */
  host: string | null;
  /** The port, a number or a service name. */
  port: number | string | null;
}

/** A TCP server's address fields (one host or several), for {@link AddressKeywords}. */
export interface ServerHostPort {
  /** The host, several hosts, or null for every interface. */
  host: string | string[] | null;
  /** The port, a number or a service name; 0 picks a free one. */
  port: number | string | null;
}

/** A Unix socket's address field, for {@link AddressKeywords}. */
export interface UnixPath {
  /** The socket's path. */
  path: string | null;
}

/** Options of `connectAcceptedSocket`. */
export interface ConnectAcceptedSocketOptions {
  /** TLS (the server end): the server's `SSLContext`. */
  ssl?: SSLContext | null;
  /** Seconds the TLS handshake may take (60; needs `ssl`). */
  sslHandshakeTimeout?: number | null;
  /** Seconds to wait for the peer's TLS close_notify (30; needs `ssl`). */
  sslShutdownTimeout?: number | null;
}

/** What a connection method knows about TLS once its options are checked. */
interface TlsPlan {
  ctx: SSLContext | true;
  serverSide: boolean;
  serverHostname: string | null;
  opts: SslOptions;
}

/**
 * Python's rule: a client with TLS checks the host it connects to unless
 * told a name. `noName` is the error text when there is neither (Python's
 * Unix connection words it its own way).
 */
function clientTls(
  opts: SslOptions,
  host: string | null | undefined,
  noName = "You must set server_hostname when using ssl without a host",
): TlsPlan | null {
  if (!checkSslOptions(opts, { client: true, perConnection: true })) return null;
  let name = opts.serverHostname ?? null;
  if (name === null) {
    if (!host) throw new ValueError(noName);
    name = host;
  }
  // Checked once connected (sslContextOf), as Python's SSLProtocol does.
  return { ctx: opts.ssl as SSLContext | true, serverSide: false, serverHostname: name, opts };
}

/** Makes the transport over a connected socket and waits until it is set up. */
async function makeTransport(
  loop: BaseSelectorEventLoop,
  sock: Socket,
  factory: Factory,
  tls: TlsPlan | null = null,
): Promise<[StreamTransport, BaseProtocolLike]> {
  // A socket given with `sock` is switched over too, as Python does.
  sock.setblocking(false);
  const protocol = factory();
  if (tls !== null) {
    // Python connects and makes the protocol before its SSLProtocol checks
    // the timeouts' values; the caller closes a socket it made.
    checkSslTimeouts(tls.opts);
    const t = await connectSsl(loop, sock, protocol, sslContextOf(tls.ctx), {
      serverSide: tls.serverSide,
      serverHostname: tls.serverHostname,
      sslHandshakeTimeout: tls.opts.sslHandshakeTimeout,
      sslShutdownTimeout: tls.opts.sslShutdownTimeout,
    });
    return [t, protocol];
  }
  // Python's transport looks connection_made up at once: a protocol
  // without it (None too) fails the call with AttributeError.
  checkCallback(protocol, "connectionMade", "connection_made");
  const waiter = loop.createFuture<void>();
  const transport = new SelectorSocketTransport(loop, sock, protocol, waiter, null, null);
  try {
    await waiter;
  } catch (e) {
    transport.close();
    throw e;
  }
  return [transport, protocol];
}

/**
 * Python's debug-mode report of a connection made by `createConnection`
 * (`<TransportSocket ...> connected to 127.0.0.1:8888: (transport,
 * protocol)`, at DEBUG), or by `connectAcceptedSocket` (`... handled:
 * (transport, protocol)`) when `host` is undefined; the pair passes on.
 */
function logConnection(
  loop: BaseSelectorEventLoop,
  pair: [StreamTransport, BaseProtocolLike],
  host?: unknown,
  port?: unknown,
): [StreamTransport, BaseProtocolLike] {
  if (loop.getDebug()) {
    const [transport, protocol] = pair;
    const sock = pyRepr(transport.getExtraInfo("socket"));
    const what = host === undefined
      ? "handled"
      : `connected to ${typeof host === "string" ? host : pyRepr(host)}:${pyRepr(port ?? null)}`;
    logger.debug(`${sock} ${what}: (${pyRepr(transport)}, ${pyRepr(protocol)})`);
  }
  return pair;
}

/**
 * Opens a TCP connection to `host:port` (each address getaddrinfo gives,
 * in turn) and resolves to `[transport, protocol]`.
 *
 * @example
 * ```ts
 * const [t, p] = await createConnection(loop, () => new Protocol(), "127.0.0.1", 8888);
 * ```
 */
export async function createConnection(
  loop: BaseSelectorEventLoop,
  factory: Factory,
  hostOrKeywords?: string | null | AddressKeywords<CreateConnectionOptions, HostPort>,
  portOrKeywords?: number | string | null | AddressKeywords<CreateConnectionOptions, HostPort>,
  opts: CreateConnectionOptions = {},
): Promise<[StreamTransport, BaseProtocolLike]> {
  factory = protocolFactory(factory);
  let host: HostPort["host"] | undefined, port: HostPort["port"] | undefined;
  [[host, port], opts = {}] = addressKeywords(
    ["host", "port"],
    [hostOrKeywords, portOrKeywords],
    opts,
  ) as [[typeof host, typeof port], CreateConnectionOptions];
  checkKeywords("BaseEventLoop.create_connection", opts, [
    ...SSL_KEYS,
    "family",
    "proto",
    "flags",
    "sock",
    "localAddr",
    "serverHostname",
    "happyEyeballsDelay",
    "interleave",
  ]);
  const tls = clientTls(opts, host);
  // `sock: null` is Python's sock=None: not given.
  let sock = opts.sock ?? undefined;
  if (sock !== undefined) {
    if ((host ?? null) !== null || (port ?? null) !== null) {
      throw new ValueError("host/port and sock can not be specified at the same time");
    }
    if ((sock.type & 0xf) !== C.SOCK_STREAM) {
      throw new ValueError(`A Stream Socket was expected, got ${sock}`);
    }
  } else {
    if ((host ?? null) === null && (port ?? null) === null) {
      throw new ValueError("host and port was not specified and no sock specified");
    }
    // A numeric host needs no lookup (Python's _ensure_resolved): the
    // connect starts in this very step, as in Python. A name goes through
    // the loop's getaddrinfo when it has one, as Python resolves through
    // self.getaddrinfo (a subclass may answer for names).
    const numeric = ipaddrInfo(host, port, opts.family ?? 0, C.SOCK_STREAM, opts.proto ?? 0);
    const resolve = (loop as { getaddrinfo?: typeof getaddrinfo }).getaddrinfo?.bind(loop) ??
      getaddrinfo;
    const infos = numeric !== null ? [numeric] : await resolve(host, port, {
      family: opts.family ?? 0,
      type: C.SOCK_STREAM,
      proto: opts.proto ?? 0,
      flags: opts.flags ?? 0,
    });
    if (infos.length === 0) throw new OSError("getaddrinfo() returned empty list");
    // The local address is resolved as the remote one is (after it), and
    // each socket binds to a local address of its own family.
    let localAddrInfos: AddrInfo[] | null = null;
    // Python indexes a string as it does a tuple: "127.0.0.1" is host "1",
    // port "2" and seven more arguments.
    const local = typeof opts.localAddr === "string" ? [...opts.localAddr] : opts.localAddr;
    if (Array.isArray(local)) {
      // Python's `host, port = address[:2]`.
      if (local.length < 2) {
        throw new ValueError(`not enough values to unpack (expected 2, got ${local.length})`);
      }
      const [lhost, lport, ...rest] = local as unknown[];
      if (rest.length > 2) {
        // `_ipaddr_info(host, port, family, type, proto, *address[2:])`.
        throw new TypeError(
          `_ipaddr_info() takes from 5 to 7 positional arguments but ${
            local.length + 3
          } were given`,
        );
      }
      let numeric = ipaddrInfo(lhost, lport, opts.family ?? 0, C.SOCK_STREAM, opts.proto ?? 0);
      // Python's _ipaddr_info keeps a given flowinfo and scope id.
      if (numeric !== null && numeric[0] === C.AF_INET6 && rest.length > 0) {
        const [h, p] = numeric[4] as [string, number];
        numeric = [...numeric.slice(0, 4), [h, p, rest[0] ?? 0, rest[1] ?? 0]] as AddrInfo;
      }
      localAddrInfos = numeric !== null
        ? [numeric]
        : await resolve(lhost as string, lport as number, {
          family: opts.family ?? 0,
          type: C.SOCK_STREAM,
          proto: opts.proto ?? 0,
          flags: opts.flags ?? 0,
        });
      if (localAddrInfos.length === 0) throw new OSError("getaddrinfo() returned empty list");
    }
    sock = await connectAddrInfos(loop, infos, { ...opts, localAddrInfos });
    let pair: [StreamTransport, BaseProtocolLike];
    try {
      pair = await makeTransport(loop, sock, factory, tls);
    } catch (e) {
      // The socket made here is closed (Python's collector closes it); a
      // given `sock` stays the caller's.
      sock.close();
      throw e;
    }
    return logConnection(loop, pair, host ?? null, port);
  }
  return logConnection(loop, await makeTransport(loop, sock, factory, tls), null, null);
}

/**
 * Listens on `host:port` (every address of `host`; all interfaces when
 * `host` is null or ""), and resolves to a {@link Server}.
 *
 * @example
 * ```ts
 * const server = await createServer(loop, () => new Echo(), "127.0.0.1", 0);
 * ```
 */
export async function createServer(
  loop: BaseSelectorEventLoop,
  factory: Factory,
  hostOrKeywords?: string | string[] | null | AddressKeywords<CreateServerOptions, ServerHostPort>,
  portOrKeywords?: number | string | null | AddressKeywords<CreateServerOptions, ServerHostPort>,
  opts: CreateServerOptions = {},
): Promise<Server> {
  factory = protocolFactory(factory);
  let host: ServerHostPort["host"] | undefined, port: ServerHostPort["port"] | undefined;
  [[host, port], opts = {}] = addressKeywords(
    ["host", "port"],
    [hostOrKeywords, portOrKeywords],
    opts,
  ) as [[typeof host, typeof port], CreateServerOptions];
  checkKeywords("BaseEventLoop.create_server", opts, [
    ...SSL_KEYS,
    "family",
    "flags",
    "sock",
    "backlog",
    "reuseAddress",
    "reusePort",
    "startServing",
  ]);
  if (checkSslOptions(opts, { client: false, perConnection: true, server: true })) {
    factory = sslServerFactory(loop, factory, opts.ssl as SSLContext, opts);
  }
  const backlog = opts.backlog ?? 100;
  let sockets: Socket[];
  const givenSock = opts.sock ?? null; // `sock: null` is Python's sock=None
  if (givenSock !== null) {
    if ((host ?? null) !== null || (port ?? null) !== null) {
      throw new ValueError("host/port and sock can not be specified at the same time");
    }
    if ((givenSock.type & 0xf) !== C.SOCK_STREAM) {
      throw new ValueError(`A Stream Socket was expected, got ${givenSock}`);
    }
    sockets = [givenSock];
    givenSock.setblocking(false);
  } else if ((host ?? null) === null && (port ?? null) === null) {
    throw new ValueError("Neither host/port nor sock were specified");
  } else {
    // Python: a str, or anything not iterable, is one host.
    const hosts: Array<string | null> = host === "" || host === null || host === undefined
      ? [null]
      : typeof host === "string" ||
          typeof (host as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== "function"
      ? [host as string]
      : host;
    const infos: AddrInfo[] = [];
    const seen = new Set<string>();
    // A numeric host needs no lookup (Python's _ensure_resolved).
    const lookup = async (h: string | null): Promise<AddrInfo[]> => {
      const numeric = ipaddrInfo(h, port ?? 0, opts.family ?? 0, C.SOCK_STREAM, 0);
      return numeric !== null ? [numeric] : await getaddrinfo(h, port ?? 0, {
        family: opts.family ?? 0,
        type: C.SOCK_STREAM,
        flags: AI_PASSIVE | (opts.flags ?? 0),
      });
    };
    // Python gathers one task per host: each takes a Task-N name, and the
    // lookups end a few loop iterations on, even for numeric hosts. The
    // tasks are made on this loop: it may not be running yet
    // (`loop.runUntilComplete(loop.createServer(...))`).
    const lookups = hosts.map((h) => loop.createTask(() => lookup(h)));
    const found = (await gather(...lookups)) as AddrInfo[][];
    for (const hostInfos of found) {
      for (const info of hostInfos) {
        const key = JSON.stringify([info[0], info[4]]);
        if (!seen.has(key)) {
          seen.add(key);
          infos.push(info);
        }
      }
    }
    sockets = [];
    try {
      for (const [family, type, proto, , address] of infos) {
        const sock = new Socket(family, type, proto);
        sock.setblocking(false);
        sockets.push(sock);
        enableReuse(sock, opts.reuseAddress ?? true, opts.reusePort ?? false);
        // Python: an IPv6 socket listens on IPv6 only, the IPv4 one covers IPv4.
        if (family === C.AF_INET6) sock.setsockopt(C.IPPROTO_IPV6, C.IPV6_V6ONLY, 1);
        try {
          sock.bind(address as AddressLike);
        } catch (e) {
          if (e instanceof OSError && e.errno !== undefined) {
            throw new OSError(
              e.errno,
              `error while attempting to bind on address ${formatAddr(address)}: ${
                (e.strerror ?? "").toLowerCase()
              }`,
            );
          }
          throw e;
        }
      }
    } catch (e) {
      for (const s of sockets) s.close();
      throw e;
    }
  }
  const server = new Server(loop, sockets, factory, backlog);
  if (opts.startServing ?? true) {
    server._startServing();
    // As Python: one loop iteration passes before the caller resumes.
    await sleep(0);
  }
  // Python's create_server says so in debug mode (create_unix_server does not).
  if (loop.getDebug()) logger.info(`${pyRepr(server)} is serving`);
  return server;
}

function formatAddr(a: unknown): string {
  if (Array.isArray(a)) {
    return `(${a.map((x) => (typeof x === "string" ? `'${x}'` : String(x))).join(", ")})`;
  }
  return `'${a}'`;
}

/**
 * Connects to the Unix socket at `path`; resolves to `[transport, protocol]`.
 *
 * @example
 * ```ts
 * const [t] = await createUnixConnection(loop, () => new Protocol(), "/tmp/app.sock");
 * ```
 */
export async function createUnixConnection(
  loop: BaseSelectorEventLoop,
  factory: Factory,
  pathOrKeywords?: string | null | AddressKeywords<CreateUnixConnectionOptions, UnixPath>,
  opts: CreateUnixConnectionOptions = {},
): Promise<[StreamTransport, BaseProtocolLike]> {
  factory = protocolFactory(factory);
  let path: UnixPath["path"] | undefined;
  [[path], opts = {}] = addressKeywords(["path"], [pathOrKeywords], opts) as [
    [typeof path],
    CreateUnixConnectionOptions,
  ];
  checkKeywords("_UnixSelectorEventLoop.create_unix_connection", opts, [
    ...SSL_KEYS,
    "sock",
    "serverHostname",
  ]);
  const tls = clientTls(opts, null, "you have to pass server_hostname when using ssl");
  let sock = opts.sock ?? undefined; // `sock: null` is Python's sock=None
  if (sock !== undefined) {
    if ((path ?? null) !== null) {
      throw new ValueError("path and sock can not be specified at the same time");
    }
    if (sock.family !== C.AF_UNIX || (sock.type & 0xf) !== C.SOCK_STREAM) {
      throw new ValueError(`A UNIX Domain Stream Socket was expected, got ${sock}`);
    }
  } else {
    if ((path ?? null) === null) throw new ValueError("no path and sock were specified");
    const address = fspath(path);
    sock = new Socket(C.AF_UNIX, C.SOCK_STREAM, 0);
    sock.setblocking(false);
    try {
      await sockConnect(loop, sock, address);
    } catch (e) {
      sock.close();
      throw e;
    }
  }
  try {
    return await makeTransport(loop, sock, factory, tls);
  } catch (e) {
    // The socket made here is closed (Python's collector closes it); a
    // given `sock` stays the caller's.
    if (opts.sock == null) sock.close();
    throw e;
  }
}

/**
 * Listens on the Unix socket `path` (a stale socket file there is
 * replaced). As in Python 3.11, the file stays when the server closes:
 * ported programs remove it themselves (3.13 removes it).
 *
 * @example
 * ```ts
 * const server = await createUnixServer(loop, () => new Echo(), "/tmp/app.sock");
 * ```
 */
export async function createUnixServer(
  loop: BaseSelectorEventLoop,
  factory: Factory,
  pathOrKeywords?: string | null | AddressKeywords<CreateUnixServerOptions, UnixPath>,
  opts: CreateUnixServerOptions = {},
): Promise<Server> {
  factory = protocolFactory(factory);
  let path: UnixPath["path"] | undefined;
  [[path], opts = {}] = addressKeywords(["path"], [pathOrKeywords], opts) as [
    [typeof path],
    CreateUnixServerOptions,
  ];
  checkKeywords("_UnixSelectorEventLoop.create_unix_server", opts, [
    ...SSL_KEYS,
    "sock",
    "backlog",
    "startServing",
  ]);
  if (checkSslOptions(opts, { client: false, perConnection: true, server: true })) {
    factory = sslServerFactory(loop, factory, opts.ssl as SSLContext, opts);
  }
  let sock = opts.sock ?? undefined; // `sock: null` is Python's sock=None
  if (sock !== undefined) {
    if ((path ?? null) !== null) {
      throw new ValueError("path and sock can not be specified at the same time");
    }
    if (sock.family !== C.AF_UNIX || (sock.type & 0xf) !== C.SOCK_STREAM) {
      throw new ValueError(`A UNIX Domain Stream Socket was expected, got ${sock}`);
    }
    sock.setblocking(false);
  } else {
    if ((path ?? null) === null) {
      throw new ValueError("path was not specified, and no sock specified");
    }
    const address = fspath(path);
    // Python's abstract-name check, `path[0] not in (0, '\x00')`, fails on an empty path.
    if (address.length === 0) {
      throw new IndexError(`${typeof address === "string" ? "string " : ""}index out of range`);
    }
    const name = typeof address === "string" ? address : new TextDecoder().decode(address);
    if (!name.startsWith("\0")) removeStaleUnixSocket(name);
    sock = new Socket(C.AF_UNIX, C.SOCK_STREAM, 0);
    sock.setblocking(false);
    try {
      sock.bind(address);
    } catch (e) {
      sock.close();
      if (e instanceof OSError && e.code === "EADDRINUSE") {
        throw new OSError(e.errno!, `Address ${pyRepr(address)} is already in use`);
      }
      throw e;
    }
  }
  const server = new Server(loop, [sock], factory, opts.backlog ?? 100);
  if (opts.startServing ?? true) {
    server._startServing();
    // As Python: one loop iteration passes before the caller resumes.
    await sleep(0);
  }
  return server;
}

/**
 * Removes the socket file at `path`, left by an earlier server, before a
 * bind there, as Python does: a file of another kind stays (the bind then
 * fails with EADDRINUSE), and an error other than "no such file" is
 * logged, with the path's and the error's reprs, and the bind goes on.
 *
 * @example
 * ```ts
 * removeStaleUnixSocket("/tmp/app.sock");
 * ```
 */
export function removeStaleUnixSocket(path: string): void {
  try {
    // os.stat follows a symlink: a link to a socket removes the socket.
    if (statSync(path).isSocket()) unlinkSync(path);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "ENOENT") return;
    const errno = code !== undefined ? ERRNO[code as keyof typeof ERRNO] : undefined;
    const err = errno !== undefined ? osErrorFromErrno(errno) : e;
    logger.error(`Unable to check or remove stale UNIX socket ${pyRepr(path)}: ${pyRepr(err)}`);
  }
}

/**
 * Python's `os.fspath(path)` for a Unix socket path: a string or bytes
 * path as it is, a `TypeError` for anything else.
 */
function fspath(path: unknown): string | Uint8Array {
  if (typeof path === "string" || path instanceof Uint8Array) return path;
  throw new TypeError(`expected str, bytes or os.PathLike object, not ${pyTypeName(path)}`);
}

/**
 * Wraps a socket accepted outside the loop in a transport.
 *
 * @example
 * ```ts
 * const [t, p] = await connectAcceptedSocket(loop, () => new Protocol(), sock);
 * ```
 */
export async function connectAcceptedSocket(
  loop: BaseSelectorEventLoop,
  factory: Factory,
  sock: Socket,
  opts: ConnectAcceptedSocketOptions = {},
): Promise<[StreamTransport, BaseProtocolLike]> {
  factory = protocolFactory(factory);
  checkKeywords("BaseEventLoop.connect_accepted_socket", opts, SSL_KEYS);
  if (typeof sock !== "object" || sock === null) {
    // Python's AttributeError message (for `sock.type`), the same on every runtime.
    throw new AttributeError(`'${pyTypeName(sock)}' object has no attribute 'type'`);
  }
  const on = checkSslOptions(opts, { client: false, perConnection: true });
  if ((sock.type & 0xf) !== C.SOCK_STREAM) {
    throw new ValueError(`A Stream Socket was expected, got ${sock}`);
  }
  const tls: TlsPlan | null = on
    ? { ctx: opts.ssl as SSLContext, serverSide: true, serverHostname: null, opts }
    : null;
  return logConnection(loop, await makeTransport(loop, sock, factory, tls));
}
