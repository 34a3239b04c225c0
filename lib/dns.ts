/**
 * `getaddrinfo` and `getnameinfo` with Python's results and errors, over the
 * host runtime's resolver (`node:dns`, present in Deno, Bun and Node), which
 * runs the lookup off the main thread. libc's `getaddrinfo` is never called
 * here: it blocks, and through FFI it would block the JS thread.
 *
 * Numeric hosts are answered without any lookup; service names are read
 * from `/etc/services`.
 *
 * @example
 * ```ts
 * const infos = await getaddrinfo("localhost", 80, { type: SOCK_STREAM });
 * const [family, type, proto, canonname, sockaddr] = infos[0];
 * ```
 *
 * @module
 */
import dns from "node:dns";
import { readFile } from "node:fs/promises";
import { C } from "../ffi/mod.ts";
import {
  EAI_ADDRFAMILY,
  EAI_AGAIN,
  EAI_BADFLAGS,
  EAI_FAIL,
  EAI_FAMILY,
  EAI_MEMORY,
  EAI_NODATA,
  EAI_NONAME,
  EAI_SERVICE,
  EAI_SOCKTYPE,
  EAI_SYSTEM,
  formatIPv4,
  formatIPv6,
  gaierror,
  interfaceName,
  type IPv4Address,
  type IPv6Address,
  type NumericHost,
  parseNumericHost,
  resolverNumericHost,
} from "./sockaddr.ts";
import { OSError, OverflowError, ValueError } from "./exceptions.ts";
import { pyTypeName } from "./format.ts";

/** `getaddrinfo` flag: addresses for binding (wildcard when host is null). */
export const AI_PASSIVE: number = 1;
/** `getaddrinfo` flag: fill in the canonical name of the first result. */
export const AI_CANONNAME: number = 2;
/** `getaddrinfo` flag: the host must be numeric; no lookup. */
export const AI_NUMERICHOST: number = 4;
/** `getaddrinfo` flag: IPv4-mapped IPv6 addresses when no IPv6 is found. */
export const AI_V4MAPPED: number = 8;
/** `getaddrinfo` flag: with AI_V4MAPPED, both IPv6 and mapped IPv4. */
export const AI_ALL: number = 16;
/** `getaddrinfo` flag: only families the host has an address of. */
export const AI_ADDRCONFIG: number = 32;
/** `getaddrinfo` flag: the port must be numeric. */
export const AI_NUMERICSERV: number = 1024;
/** `getnameinfo` flag: the numeric host. */
export const NI_NUMERICHOST: number = 1;
/** `getnameinfo` flag: the numeric port. */
export const NI_NUMERICSERV: number = 2;
/** `getnameinfo` flag: only the host part of a local name. */
export const NI_NOFQDN: number = 4;
/** `getnameinfo` flag: fail when the host has no name. */
export const NI_NAMEREQD: number = 8;
/** `getnameinfo` flag: the service is a datagram (UDP) service. */
export const NI_DGRAM: number = 16;

/** Options of {@link getaddrinfo}: Python's keyword arguments. */
export interface GetaddrinfoOptions {
  /** AF_INET, AF_INET6, or AF_UNSPEC (0, default) for both. */
  family?: number;
  /** SOCK_STREAM, SOCK_DGRAM, SOCK_RAW..., or 0 (default) for all. */
  type?: number;
  /** A protocol number, or 0 (default) for the type's own. */
  proto?: number;
  /** AI_* flags, OR-ed. */
  flags?: number;
}

/** One result of {@link getaddrinfo}: `[family, type, proto, canonname, sockaddr]`. */
export type AddrInfo = [
  family: number,
  type: number,
  proto: number,
  canonname: string,
  sockaddr: IPv4Address | IPv6Address,
];

/**
 * Python's `_ipaddr_info`: the one address info of a numeric host and port,
 * made without a lookup (and without waiting), or null when `host` or
 * `port` needs getaddrinfo (`connections.ts`, `loop.sockConnect`). The
 * host is kept as given, as in Python.
 * @internal
 */
export function ipaddrInfo(
  host: unknown,
  port: unknown,
  family: number,
  type: number,
  proto: number,
): AddrInfo | null {
  if (host === null || host === undefined) return null;
  if (proto !== 0 && proto !== C.IPPROTO_TCP && proto !== C.IPPROTO_UDP) return null;
  if (type === C.SOCK_STREAM) proto = C.IPPROTO_TCP;
  else if (type === C.SOCK_DGRAM) proto = C.IPPROTO_UDP;
  else return null;
  const n = portInt(port);
  if (n === null) return null;
  if (typeof host !== "string") {
    // Python's `'%' in host`, for a host of no iterable type.
    if (
      typeof host !== "object" || typeof (host as Iterable<unknown>)[Symbol.iterator] !== "function"
    ) {
      throw new TypeError(`argument of type '${pyTypeName(host)}' is not iterable`);
    }
    // A list (a host list given where one host goes) reaches inet_pton.
    if (Array.isArray(host) && !host.includes("%")) {
      throw new TypeError(`inet_pton() argument 2 must be str, not ${pyTypeName(host)}`);
    }
    return null;
  }
  if (host.includes("%")) return null;
  // Out of range goes on, as in Python: connect() says so.
  const parsed = parseNumericHost(host);
  if (parsed === null) return null;
  if (family !== 0 && family !== parsed.family) return null;
  return parsed.family === C.AF_INET
    ? [C.AF_INET, type, proto, "", [host, n]]
    : [C.AF_INET6, type, proto, "", [host, n, 0, 0]];
}

/**
 * The port as `_ipaddr_info` reads it: None, "" and b"" are 0, anything
 * else goes through Python's `int()` (so 1.5 is 1, True is 1, "-1", " 80 "
 * and b"1_0" are numbers), and null where `int()` raises TypeError or
 * ValueError (a service name, NaN, an object): getaddrinfo then decides.
 */
function portInt(port: unknown): number | null {
  if (port === null || port === undefined) return 0;
  if (typeof port === "boolean") return Number(port);
  if (typeof port === "number") {
    if (Number.isNaN(port)) return null;
    // int(inf) is an OverflowError, which _ipaddr_info does not catch.
    if (!Number.isFinite(port)) throw new OverflowError("cannot convert float infinity to integer");
    return Math.trunc(port);
  }
  let text: string;
  if (typeof port === "string") text = port;
  else if (port instanceof Uint8Array) text = new TextDecoder("latin1").decode(port);
  else return null;
  if (text === "") return 0;
  // int()'s literal: sign, digits with single underscores between, spaces around.
  return /^\s*[+-]?\d+(?:_\d+)*\s*$/.test(text) ? Number(text.replaceAll("_", "")) : null;
}

const KNOWN_FLAGS = AI_PASSIVE | AI_CANONNAME | AI_NUMERICHOST | AI_V4MAPPED | AI_ALL |
  AI_ADDRCONFIG | AI_NUMERICSERV;

// ---------------------------------------------------------------- services

interface Services {
  byName: Map<string, { tcp?: number; udp?: number; sctp?: number }>;
  byPort: Map<string, string>;
}

let services: Promise<Services> | undefined;

/** `/etc/services`, read once (an empty table if it is missing). */
function loadServices(): Promise<Services> {
  return services ??= readFile("/etc/services", "utf8").catch(() => "").then((text) => {
    const byName: Services["byName"] = new Map();
    const byPort: Services["byPort"] = new Map();
    for (const raw of text.split("\n")) {
      const line = raw.replace(/#.*/, "").trim();
      if (line === "") continue;
      const [name, portProto, ...aliases] = line.split(/\s+/);
      const m = /^(\d+)\/(\w+)$/.exec(portProto ?? "");
      if (m === null) continue;
      const port = Number(m[1]);
      const proto = m[2] as "tcp" | "udp" | "sctp";
      for (const n of [name, ...aliases]) {
        const e = byName.get(n) ?? {};
        e[proto] ??= port;
        byName.set(n, e);
      }
      if (!byPort.has(`${port}/${proto}`)) byPort.set(`${port}/${proto}`, name);
    }
    return { byName, byPort };
  });
}

// ---------------------------------------------------------------- getaddrinfo

/** The default protocol of a socket type, as glibc fills it in. */
function defaultProto(type: number): number {
  switch (type) {
    case C.SOCK_STREAM:
      return C.IPPROTO_TCP;
    case C.SOCK_DGRAM:
      return C.IPPROTO_UDP;
    case C.SOCK_SEQPACKET:
      return C.IPPROTO_SCTP;
    default:
      return 0;
  }
}

/** The `[type, proto]` pairs a lookup answers with, before the service is considered. */
function socketKinds(type: number, proto: number): Array<[number, number]> {
  const known = [C.SOCK_STREAM, C.SOCK_DGRAM, C.SOCK_RAW, C.SOCK_SEQPACKET] as number[];
  if (type !== 0 && !known.includes(type)) throw new gaierror(EAI_SOCKTYPE);
  if (type === 0) {
    if (proto === 0) {
      return [[C.SOCK_STREAM, C.IPPROTO_TCP], [C.SOCK_DGRAM, C.IPPROTO_UDP], [C.SOCK_RAW, 0]];
    }
    if (proto === C.IPPROTO_TCP) return [[C.SOCK_STREAM, proto]];
    if (proto === C.IPPROTO_UDP) return [[C.SOCK_DGRAM, proto]];
    if (proto === C.IPPROTO_SCTP) return [[C.SOCK_STREAM, proto], [C.SOCK_SEQPACKET, proto]];
    throw new gaierror(EAI_SOCKTYPE);
  }
  if (proto === 0) return [[type, defaultProto(type)]];
  const ok = type === C.SOCK_RAW || proto === defaultProto(type) ||
    (type === C.SOCK_STREAM && proto === C.IPPROTO_SCTP);
  if (!ok) throw new gaierror(EAI_SOCKTYPE);
  return [[type, proto]];
}

/** The transport name a socket kind's services are listed under. */
function serviceProto(type: number, proto: number): "tcp" | "udp" | "sctp" | null {
  if (proto === C.IPPROTO_SCTP) return "sctp";
  if (type === C.SOCK_STREAM) return "tcp";
  if (type === C.SOCK_DGRAM) return "udp";
  return null;
}

/** An int argument of Python's socket.getaddrinfo(); null or undefined: 0. */
function intOrTypeError(v: unknown): number {
  if (v === undefined || v === null) return 0;
  if (typeof v !== "number" || !Number.isInteger(v)) {
    throw new TypeError(`'${pyTypeName(v)}' object cannot be interpreted as an integer`);
  }
  return v;
}

/**
 * The `[type, proto, port]` triples for `port` (a number, a numeric string,
 * a service name, or null for 0) over the socket kinds asked for.
 */
async function resolvePorts(
  port: unknown,
  kinds: Array<[number, number]>,
  flags: number,
): Promise<Array<[number, number, number]>> {
  let n: number | null = null;
  // glibc: an empty service is no service.
  const none = port === null || port === undefined || port === "" ||
    (port instanceof Uint8Array && port.length === 0);
  // A service for raw sockets alone (they have no ports) is EAI_SERVICE.
  const rawOnly = kinds.every(([type]) => type === C.SOCK_RAW);
  if (none) n = 0;
  else if (typeof port === "number") {
    if (!Number.isInteger(port)) throw new OSError("Int or String expected");
    if (rawOnly) throw new gaierror(EAI_SERVICE);
    n = port;
  } else if (typeof port === "string" || port instanceof Uint8Array) {
    if (rawOnly) throw new gaierror(EAI_SERVICE);
    const s = typeof port === "string" ? port : new TextDecoder().decode(port);
    if (/^\d+$/.test(s)) n = Number(s);
    else if (flags & AI_NUMERICSERV) throw new gaierror(EAI_NONAME);
    else {
      const entry = (await loadServices()).byName.get(s);
      const out: Array<[number, number, number]> = [];
      for (const [type, proto] of kinds) {
        const p = serviceProto(type, proto);
        const found = p === null ? undefined : entry?.[p];
        if (found !== undefined) out.push([type, proto, found]);
      }
      if (out.length === 0) throw new gaierror(EAI_SERVICE);
      return out;
    }
  } else {
    throw new OSError("Int or String expected");
  }
  if (n < 0) throw new gaierror(EAI_SERVICE);
  // glibc keeps the low 16 bits of a numeric service (htons): 70000 is 4464.
  const port16 = n % 0x10000;
  return kinds.map(([type, proto]) => [type, proto, port16]);
}

interface HostAddress {
  family: number;
  text: string;
  scopeId: number;
}

function numericAddress(h: NumericHost): HostAddress {
  const text = h.family === C.AF_INET ? formatIPv4(h.bytes) : formatIPv6(h.bytes);
  return { family: h.family, text, scopeId: h.scopeId };
}

/** The gaierror for a `node:dns` failure, by its code. */
function dnsError(e: unknown): unknown {
  const code = (e as { code?: unknown })?.code;
  if (typeof code !== "string") return e;
  const eai: Record<string, number> = {
    ENOTFOUND: EAI_NONAME,
    EAI_NONAME: EAI_NONAME,
    EAI_AGAIN: EAI_AGAIN,
    ETIMEOUT: EAI_AGAIN,
    ECONNREFUSED: EAI_AGAIN,
    EAI_FAIL: EAI_FAIL,
    ESERVFAIL: EAI_FAIL,
    EAI_NODATA: EAI_NODATA,
    ENODATA: EAI_NODATA,
    EAI_FAMILY: EAI_FAMILY,
    EAI_SOCKTYPE: EAI_SOCKTYPE,
    EAI_SERVICE: EAI_SERVICE,
    EAI_ADDRFAMILY: EAI_ADDRFAMILY,
    EAI_MEMORY: EAI_MEMORY,
    ENOMEM: EAI_MEMORY,
    EAI_BADFLAGS: EAI_BADFLAGS,
    EAI_SYSTEM: EAI_SYSTEM,
  };
  const n = eai[code];
  return n === undefined ? e : new gaierror(n);
}

/** The addresses of a host name, through the runtime's resolver. */
function lookup(host: string, family: number, flags: number): Promise<HostAddress[]> {
  let hints = 0;
  if (flags & AI_ADDRCONFIG) hints |= dns.ADDRCONFIG;
  const fam = family === C.AF_INET ? 4 : family === C.AF_INET6 ? 6 : 0;
  return new Promise((resolve, reject) => {
    try {
      dns.lookup(host, { all: true, family: fam, hints, verbatim: true }, (err, addrs) => {
        if (err) return reject(dnsError(err));
        const out: HostAddress[] = [];
        for (const a of addrs) {
          const n = parseNumericHost(a.address);
          if (n !== null) out.push(numericAddress(n));
        }
        if (out.length === 0) reject(new gaierror(EAI_NONAME));
        else resolve(out);
      });
    } catch (e) {
      reject(dnsError(e));
    }
  });
}

/**
 * {@link lookup} for AF_INET6 with AI_V4MAPPED, done by hand as glibc does
 * it (Deno's resolver ignores the V4MAPPED and ALL hints): the IPv6
 * addresses, or when there are none (or with AI_ALL, after them) the IPv4
 * ones as `::ffff:a.b.c.d`.
 */
async function lookupV4Mapped(host: string, flags: number): Promise<HostAddress[]> {
  const base = flags & ~(AI_V4MAPPED | AI_ALL);
  let failure: unknown = null;
  const each = (family: number): Promise<HostAddress[]> =>
    lookup(host, family, base).catch((e): HostAddress[] => {
      if (!(e instanceof gaierror)) throw e;
      failure ??= e;
      return [];
    });
  const v6 = await each(C.AF_INET6);
  if (v6.length > 0 && !(flags & AI_ALL)) return v6;
  const v4 = await each(C.AF_INET);
  const out = v6.concat(
    v4.map((a) => ({ family: C.AF_INET6, text: `::ffff:${a.text}`, scopeId: 0 })),
  );
  if (out.length === 0) throw failure;
  return out;
}

/**
 * Python's `socket.getaddrinfo(host, port, family, type, proto, flags)`:
 * the addresses to connect or bind to, as `[family, type, proto,
 * canonname, sockaddr]`, one per address and socket kind, in the
 * resolver's order. A numeric host is answered without a lookup; a null
 * host means the loopback address (the wildcard with AI_PASSIVE). Fails
 * with {@link gaierror} (`EAI_NONAME`: "Name or service not known", ...).
 *
 * `canonname` is the host as given when AI_CANONNAME is set: the runtimes'
 * resolvers do not report canonical names.
 *
 * @example
 * ```ts
 * await getaddrinfo("127.0.0.1", 80, { type: SOCK_STREAM });
 * // [[2, 1, 6, "", ["127.0.0.1", 80]]]
 * ```
 */
export async function getaddrinfo(
  host: string | Uint8Array | null | undefined,
  port: number | string | Uint8Array | null | undefined,
  opts: GetaddrinfoOptions = {},
): Promise<AddrInfo[]> {
  const family = intOrTypeError(opts.family);
  const type = intOrTypeError(opts.type);
  const proto = intOrTypeError(opts.proto);
  const flags = intOrTypeError(opts.flags);
  if (family !== C.AF_UNSPEC && family !== C.AF_INET && family !== C.AF_INET6) {
    throw new gaierror(EAI_FAMILY);
  }
  if (flags & ~KNOWN_FLAGS) throw new gaierror(EAI_BADFLAGS);
  let name: string | null;
  if (host === null || host === undefined) name = null;
  else if (typeof host === "string") name = host;
  else if (host instanceof Uint8Array) name = new TextDecoder().decode(host);
  else throw new TypeError(`getaddrinfo() argument 1 must be string or None`);
  if (name !== null && name.includes("\0")) throw new ValueError("embedded null character");
  // getaddrinfo(3) needs a host or a service.
  if (name === null && (port === null || port === undefined)) throw new gaierror(EAI_NONAME);

  const triples = await resolvePorts(port, socketKinds(type, proto), flags);

  let addrs: HostAddress[];
  if (name === null) {
    const passive = (flags & AI_PASSIVE) !== 0;
    const v4 = { family: C.AF_INET, text: passive ? "0.0.0.0" : "127.0.0.1", scopeId: 0 };
    const v6 = { family: C.AF_INET6, text: passive ? "::" : "::1", scopeId: 0 };
    // glibc's order: IPv4 first for the wildcard, IPv6 first for loopback.
    addrs = passive ? [v4, v6] : [v6, v4];
    if (family !== C.AF_UNSPEC) addrs = addrs.filter((a) => a.family === family);
  } else {
    const numeric = resolverNumericHost(name);
    if (numeric !== null) {
      if (family !== C.AF_UNSPEC && numeric.family !== family) {
        const mapped = numeric.family === C.AF_INET && family === C.AF_INET6 &&
          (flags & AI_V4MAPPED) !== 0;
        if (!mapped) throw new gaierror(EAI_ADDRFAMILY);
        addrs = [{ family: C.AF_INET6, text: `::ffff:${formatIPv4(numeric.bytes)}`, scopeId: 0 }];
      } else {
        addrs = [numericAddress(numeric)];
      }
    } else if (flags & AI_NUMERICHOST || name === "") {
      throw new gaierror(EAI_NONAME);
    } else {
      addrs = family === C.AF_INET6 && flags & AI_V4MAPPED
        ? await lookupV4Mapped(name, flags)
        : await lookup(name, family, flags);
    }
  }

  const out: AddrInfo[] = [];
  for (const a of addrs) {
    for (const [t, p, portNum] of triples) {
      const canon = out.length === 0 && flags & AI_CANONNAME ? (name ?? "") : "";
      const sockaddr: IPv4Address | IPv6Address = a.family === C.AF_INET
        ? [a.text, portNum]
        : [a.text, portNum, 0, a.scopeId];
      out.push([a.family, t, p, canon, sockaddr]);
    }
  }
  return out;
}

// ---------------------------------------------------------------- getnameinfo

function lookupService(host: string, port: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    try {
      dns.lookupService(host, port, (err, hostname) => {
        if (!err) return resolve(hostname);
        const mapped = dnsError(err);
        // No name for the address: the caller falls back to the number.
        if (mapped instanceof gaierror && mapped.errno === EAI_NONAME) resolve(null);
        else reject(mapped);
      });
    } catch (e) {
      reject(dnsError(e));
    }
  });
}

/**
 * Python's `socket.getnameinfo(sockaddr, flags)`: `[host, service]` for a
 * numeric `[host, port]` (or IPv6 `[host, port, flowinfo, scopeId]`)
 * address. The host name comes from the runtime's resolver; without one,
 * the numeric host (or a {@link gaierror} with NI_NAMEREQD). The service
 * name comes from `/etc/services`, else the port number.
 *
 * @example
 * ```ts
 * await getnameinfo(["127.0.0.1", 80], 0); // ["localhost", "http"]
 * await getnameinfo(["127.0.0.1", 80], NI_NUMERICHOST | NI_NUMERICSERV); // ["127.0.0.1", "80"]
 * ```
 */
export async function getnameinfo(
  sockaddr: readonly [string, number, ...number[]],
  flags: number,
): Promise<[host: string, service: string]> {
  // A bool is an int in Python, here as everywhere: ("127.0.0.1", True) is port 1.
  if (typeof flags === "boolean") flags = Number(flags);
  if (typeof flags !== "number" || !Number.isInteger(flags)) {
    // Python parses the flags first.
    throw new TypeError(`'${pyTypeName(flags)}' object cannot be interpreted as an integer`);
  }
  if (!Array.isArray(sockaddr)) throw new TypeError("getnameinfo() argument 1 must be a tuple");
  if (sockaddr.length < 2 || sockaddr.length > 4) {
    throw new TypeError("getnameinfo(): illegal sockaddr argument");
  }
  const [host, port, flowinfo = 0, scopeArg = 0] = (sockaddr as unknown[]).map((v, i) =>
    i > 0 && typeof v === "boolean" ? Number(v) : v
  );
  if (typeof host !== "string") throw new TypeError("getnameinfo(): illegal sockaddr argument");
  for (const v of [port, flowinfo, scopeArg]) {
    if (typeof v !== "number" || !Number.isInteger(v)) {
      // Python's message: it parses the numbers of the tuple as C integers.
      throw new TypeError(`'${pyTypeName(v)}' object cannot be interpreted as an integer`);
    }
  }
  // CPython 3.11 parses the port as a C int and hands its digits to
  // getaddrinfo: a negative one is no service, a big one keeps its low 16 bits.
  if ((port as number) > 0x7fffffff) {
    throw new OverflowError("signed integer is greater than maximum");
  }
  if ((port as number) < -0x80000000) {
    throw new OverflowError("signed integer is less than minimum");
  }
  if ((flowinfo as number) < 0 || (flowinfo as number) > 0xfffff) {
    throw new OverflowError("getnameinfo(): flowinfo must be 0-1048575.");
  }
  if ((port as number) < 0) throw new gaierror(EAI_SERVICE);
  const portNum = (port as number) & 0xffff;
  const numeric = resolverNumericHost(host);
  if (numeric === null) throw new gaierror(EAI_NONAME);
  if (numeric.family === C.AF_INET && sockaddr.length !== 2) {
    throw new OSError("IPv4 sockaddr must be 2 tuple");
  }
  const addr = numericAddress(numeric);
  const scopeId = (scopeArg as number) || addr.scopeId;

  let name: string | null = null;
  if (!(flags & NI_NUMERICHOST)) {
    name = await lookupService(addr.text, portNum);
    if (name !== null && flags & NI_NOFQDN) name = name.split(".")[0];
  }
  if (name === null) {
    if (flags & NI_NAMEREQD) throw new gaierror(EAI_NONAME);
    name = addr.text;
    if (addr.family === C.AF_INET6 && scopeId !== 0) {
      name += `%${interfaceName(scopeId) ?? scopeId}`;
    }
  }
  let service = String(portNum);
  if (!(flags & NI_NUMERICSERV)) {
    const proto = flags & NI_DGRAM ? "udp" : "tcp";
    service = (await loadServices()).byPort.get(`${portNum}/${proto}`) ?? service;
  }
  return [name, service];
}
