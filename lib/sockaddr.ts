/**
 * Socket addresses: Python's address tuples (API.md rule 7) to and from raw
 * `struct sockaddr` bytes, numeric host parsing and printing, and
 * `gaierror`, the error of name and address translation.
 *
 * Only numeric hosts are parsed here: turning a name into an address needs
 * the resolver, which `getaddrinfo` in `dns.ts` runs off the main thread.
 *
 * @module
 */
import { readdirSync, readFileSync } from "node:fs";
import { C } from "../ffi/mod.ts";
import { OSError, OverflowError } from "./exceptions.ts";
import { pyRepr } from "./format.ts";

/** An IPv4 address: `[host, port]`. */
export type IPv4Address = [host: string, port: number];
/** An IPv6 address: `[host, port, flowinfo, scopeId]`. */
export type IPv6Address = [host: string, port: number, flowinfo: number, scopeId: number];
/** An address of a family this library does not decode: `[family, raw sockaddr bytes]`. */
export type RawAddress = [family: number, data: Uint8Array];
/**
 * A socket address as Python gives it: a tuple for IP, the path string for
 * AF_UNIX (an abstract name starts with `"\0"`; an unbound socket has `""`).
 */
export type SocketAddress = IPv4Address | IPv6Address | string | RawAddress;
/**
 * What address arguments accept: an IP tuple (`[host, port]`, or for IPv6
 * up to `[host, port, flowinfo, scopeId]`), or a Unix path as a string or
 * bytes.
 */
export type AddressLike =
  | readonly [host: string, port: number]
  | readonly [host: string, port: number, flowinfo: number]
  | readonly [host: string, port: number, flowinfo: number, scopeId: number]
  | string
  | Uint8Array;

// ---------------------------------------------------------------- gaierror

/** `getaddrinfo` error codes, as glibc (and Python's `socket.EAI_*`) number them. */
export const EAI_BADFLAGS: number = -1;
/** The name (or numeric address) is not known. */
export const EAI_NONAME: number = -2;
/** Temporary failure in name resolution. */
export const EAI_AGAIN: number = -3;
/** Non-recoverable failure in name resolution. */
export const EAI_FAIL: number = -4;
/** The host has no address. */
export const EAI_NODATA: number = -5;
/** The address family is not supported. */
export const EAI_FAMILY: number = -6;
/** The socket type is not supported. */
export const EAI_SOCKTYPE: number = -7;
/** The service is not supported for the socket type. */
export const EAI_SERVICE: number = -8;
/** The host has no address of the requested family. */
export const EAI_ADDRFAMILY: number = -9;
/** Out of memory. */
export const EAI_MEMORY: number = -10;
/** A system error; see errno. */
export const EAI_SYSTEM: number = -11;
/** A result buffer was too small. */
export const EAI_OVERFLOW: number = -12;

const GAI_MESSAGES: Record<number, [string, string]> = {
  [-1]: ["EAI_BADFLAGS", "Bad value for ai_flags"],
  [-2]: ["EAI_NONAME", "Name or service not known"],
  [-3]: ["EAI_AGAIN", "Temporary failure in name resolution"],
  [-4]: ["EAI_FAIL", "Non-recoverable failure in name resolution"],
  [-5]: ["EAI_NODATA", "No address associated with hostname"],
  [-6]: ["EAI_FAMILY", "ai_family not supported"],
  [-7]: ["EAI_SOCKTYPE", "ai_socktype not supported"],
  [-8]: ["EAI_SERVICE", "Servname not supported for ai_socktype"],
  [-9]: ["EAI_ADDRFAMILY", "Address family for hostname not supported"],
  [-10]: ["EAI_MEMORY", "Memory allocation failure"],
  [-11]: ["EAI_SYSTEM", "System error"],
  [-12]: ["EAI_OVERFLOW", "Argument buffer overflow"],
};

/**
 * Python's `socket.gaierror`: address or name translation failed. `errno`
 * is the `EAI_*` code (negative, as in Python) and `code` its name; the
 * message is glibc's `gai_strerror` text, as Python prints it.
 *
 * @example
 * ```ts
 * const e = new gaierror(EAI_NONAME);
 * e.message; // "[Errno -2] Name or service not known"
 * e.code; // "EAI_NONAME"
 * ```
 */
// deno-lint-ignore camelcase
export class gaierror extends OSError {
  /** The Python class name. */
  override name = "gaierror";
  /** The `EAI_*` name of `errno`, like `"EAI_NONAME"`. */
  override readonly code: string;

  /** `new gaierror(EAI_NONAME)`, optionally with a more specific text. */
  constructor(eai: number, message?: string) {
    const known = GAI_MESSAGES[eai];
    super(eai, message ?? known?.[1] ?? `Unknown error ${eai}`);
    this.code = known?.[0] ?? `EAI_${-eai}`;
  }
}

// ---------------------------------------------------------------- numeric hosts

const IPV4_RE =
  /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

/**
 * The 4 bytes of a dotted-quad IPv4 address, or null if `s` is not one
 * (strictly as `inet_pton` reads it: four decimal parts, no leading zeros).
 *
 * @example
 * ```ts
 * parseIPv4("127.0.0.1"); // Uint8Array [127, 0, 0, 1]
 * parseIPv4("127.1"); // null
 * ```
 */
export function parseIPv4(s: string): Uint8Array | null {
  const m = IPV4_RE.exec(s);
  if (m === null) return null;
  return new Uint8Array([+m[1], +m[2], +m[3], +m[4]]);
}

const ATON_PART = /^(?:0[xX][0-9a-fA-F]+|0[0-7]*|[1-9]\d*)$/;

/**
 * The 4 bytes of an IPv4 address in any form glibc's `getaddrinfo` takes as
 * numeric (its `inet_aton`): 1 to 4 parts, each decimal, octal (`010`) or
 * hex (`0x7f`), the last filling the bytes left (`127.1` is 127.0.0.1).
 * Python's getaddrinfo, getnameinfo, bind and connect go through it, so
 * these hosts work there and come back in dotted form. Null otherwise.
 *
 * @example
 * ```ts
 * parseIPv4Aton("127.1"); // Uint8Array [127, 0, 0, 1]
 * parseIPv4Aton("1.2.3.4.5"); // null
 * ```
 */
export function parseIPv4Aton(s: string): Uint8Array | null {
  const parts = s.split(".");
  if (parts.length > 4) return null;
  const vals: number[] = [];
  for (const p of parts) {
    if (!ATON_PART.test(p) || p.length > 12) return null;
    const v = /^0[xX]/.test(p) ? parseInt(p.slice(2), 16) : p[0] === "0" ? parseInt(p, 8) : +p;
    if (v > 0xffffffff) return null;
    vals.push(v);
  }
  const last = vals.pop()!;
  // The leading parts are one byte each; the last takes the rest.
  if (vals.some((v) => v > 0xff) || last >= 2 ** (8 * (4 - vals.length))) return null;
  const out = new Uint8Array(4);
  out.set(vals);
  // The last part, big-endian, in the bytes after the leading ones.
  for (let i = 3, v = last; i >= vals.length; i--, v = Math.floor(v / 256)) out[i] = v % 256;
  return out;
}

/**
 * The 16 bytes of a textual IPv6 address (no `%scope`), or null if `s` is
 * not one. Accepts `::` compression and a dotted IPv4 tail, as `inet_pton`.
 *
 * @example
 * ```ts
 * parseIPv6("::1"); // 15 zero bytes, then 1
 * parseIPv6("::ffff:10.0.0.1"); // an IPv4-mapped address
 * ```
 */
export function parseIPv6(s: string): Uint8Array | null {
  if (s.length < 2 || s.length > 45) return null;
  let v4: Uint8Array | null = null;
  if (s.includes(".")) {
    const colon = s.lastIndexOf(":");
    if (colon < 0) return null;
    v4 = parseIPv4(s.slice(colon + 1));
    if (v4 === null) return null;
    // The dotted tail stands for two groups; parse placeholders in its place.
    s = s.slice(0, colon + 1) + "0:0";
  }
  const gap = s.indexOf("::");
  if (gap !== s.lastIndexOf("::")) return null;
  let head: string[];
  let tail: string[];
  if (gap >= 0) {
    const h = s.slice(0, gap);
    const t = s.slice(gap + 2);
    head = h === "" ? [] : h.split(":");
    tail = t === "" ? [] : t.split(":");
    if (head.length + tail.length > 7) return null;
  } else {
    head = s.split(":");
    tail = [];
    if (head.length !== 8) return null;
  }
  const out = new Uint8Array(16);
  const put = (groups: string[], at: number): boolean => {
    for (let i = 0; i < groups.length; i++) {
      if (!HEX_GROUP.test(groups[i])) return false;
      const w = parseInt(groups[i], 16);
      out[2 * (at + i)] = w >> 8;
      out[2 * (at + i) + 1] = w & 0xff;
    }
    return true;
  };
  if (!put(head, 0) || !put(tail, 8 - tail.length)) return null;
  if (v4 !== null) out.set(v4, 12);
  return out;
}

/**
 * Dotted-quad text of 4 bytes.
 *
 * @example
 * ```ts
 * formatIPv4(new Uint8Array([10, 0, 0, 1])); // "10.0.0.1"
 * ```
 */
export function formatIPv4(b: Uint8Array, at = 0): string {
  // A server accepts many connections from few hosts: the last text is kept
  // and shared, so each connection's address does not hold a string of its own.
  const key = ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
  if (key !== lastIPv4Key) {
    lastIPv4Key = key;
    lastIPv4Text = `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
  }
  return lastIPv4Text;
}
let lastIPv4Key = -1;
let lastIPv4Text = "";

/**
 * Text of a 16-byte IPv6 address exactly as glibc's `inet_ntop` writes it
 * (what Python shows): the longest run of two or more zero groups becomes
 * `::`, and IPv4-mapped and -compatible addresses end in dotted form.
 *
 * @example
 * ```ts
 * formatIPv6(parseIPv6("0:0:0:0:0:ffff:0a00:0001")!); // "::ffff:10.0.0.1"
 * ```
 */
export function formatIPv6(b: Uint8Array, at = 0): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push((b[at + 2 * i] << 8) | b[at + 2 * i + 1]);
  let bestBase = -1, bestLen = 0, curBase = -1, curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (words[i] === 0) {
      if (curBase < 0) (curBase = i), (curLen = 1);
      else curLen++;
      if (curLen > bestLen) (bestBase = curBase), (bestLen = curLen);
    } else curBase = -1;
  }
  if (bestLen < 2) bestBase = -1;
  let out = "";
  for (let i = 0; i < 8; i++) {
    if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += ":";
      continue;
    }
    if (i !== 0) out += ":";
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff))) {
      return out + formatIPv4(b, at + 12);
    }
    out += words[i].toString(16);
  }
  if (bestBase >= 0 && bestBase + bestLen === 8) out += ":";
  return out;
}

/**
 * The index of network interface `name` (`if_nametoindex`), or 0 if there
 * is none. Read from sysfs, so no libc resolver call is needed.
 *
 * @example
 * ```ts
 * interfaceIndex("lo"); // 1
 * ```
 */
export function interfaceIndex(name: string): number {
  if (!/^[^/\0]{1,15}$/.test(name) || name === "." || name === "..") return 0;
  try {
    const n = Number(readFileSync(`/sys/class/net/${name}/ifindex`, "utf8").trim());
    return Number.isInteger(n) && n > 0 ? n : 0;
  } catch {
    return 0;
  }
}

/**
 * The name of the network interface with index `index` (`if_indextoname`),
 * or null if there is none.
 *
 * @example
 * ```ts
 * interfaceName(1); // "lo"
 * ```
 */
export function interfaceName(index: number): string | null {
  try {
    for (const name of readdirSync("/sys/class/net")) {
      if (interfaceIndex(name) === index) return name;
    }
  } catch {
    // no sysfs: no names
  }
  return null;
}

/** A numeric host split into family, address bytes and IPv6 scope. */
export interface NumericHost {
  /** AF_INET or AF_INET6. */
  family: number;
  /** 4 or 16 bytes. */
  bytes: Uint8Array;
  /** The `%scope` of an IPv6 address as an interface index (0 if none). */
  scopeId: number;
}

/**
 * Parses a numeric host: dotted IPv4, or IPv6 with an optional `%scope`
 * (an interface name or number). Null if `host` is not numeric (a name, or
 * an unknown interface).
 *
 * @example
 * ```ts
 * parseNumericHost("fe80::1%lo"); // { family: AF_INET6, bytes, scopeId: 1 }
 * parseNumericHost("localhost"); // null
 * ```
 */
export function parseNumericHost(host: string): NumericHost | null {
  const v4 = parseIPv4(host);
  if (v4 !== null) return { family: C.AF_INET, bytes: v4, scopeId: 0 };
  const pct = host.indexOf("%");
  const v6 = parseIPv6(pct < 0 ? host : host.slice(0, pct));
  if (v6 === null) return null;
  let scopeId = 0;
  if (pct >= 0) {
    // glibc's rule (inet6_scopeid_pton): an interface name only for a
    // link-local address (fe80::/10, multicast ff?1 and ff?2), a number
    // (0 too) for any; else getaddrinfo says EAI_NONAME ("::1%lo").
    const scope = host.slice(pct + 1);
    const linkLocal = (v6[0] === 0xfe && (v6[1] & 0xc0) === 0x80) ||
      (v6[0] === 0xff && ((v6[1] & 0xf) === 1 || (v6[1] & 0xf) === 2));
    const index = linkLocal ? interfaceIndex(scope) : 0;
    if (index > 0) scopeId = index;
    else if (/^\d+$/.test(scope) && Number(scope) <= 0xffffffff) scopeId = Number(scope);
    else return null;
  }
  return { family: C.AF_INET6, bytes: v6, scopeId };
}

/**
 * {@link parseNumericHost}, with IPv4 also in the forms of
 * {@link parseIPv4Aton}: what glibc's getaddrinfo takes as numeric (Python's
 * getaddrinfo, getnameinfo and address arguments), where asyncio's own
 * checks (`_ipaddr_info`, inet_pton) take only dotted quads.
 *
 * @example
 * ```ts
 * resolverNumericHost("127.1"); // { family: AF_INET, bytes: [127, 0, 0, 1], scopeId: 0 }
 * ```
 */
export function resolverNumericHost(host: string): NumericHost | null {
  const n = parseNumericHost(host);
  if (n !== null) return n;
  const v4 = parseIPv4Aton(host);
  return v4 === null ? null : { family: C.AF_INET, bytes: v4, scopeId: 0 };
}

// ---------------------------------------------------------------- encoding

/** `sizeof(struct sockaddr_in)`. */
const SIN_SIZE = 16;
/** `sizeof(struct sockaddr_in6)`. */
const SIN6_SIZE = 28;
/** `sizeof(sun_path)`. */
const SUN_PATH_MAX = 108;
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

function typeName(v: unknown): string {
  if (v === null || v === undefined) return "NoneType";
  if (typeof v === "string") return "str";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  if (typeof v === "boolean") return "bool";
  if (Array.isArray(v)) return "tuple";
  if (v instanceof Uint8Array) return "bytes";
  return typeof v === "object" ? (v.constructor?.name ?? "object") : typeof v;
}

function intArg(v: unknown, what: string, max: number, fn: string): number {
  // A bool is an int in Python: ("127.0.0.1", True) is port 1.
  if (typeof v === "boolean") return Number(v);
  if (typeof v !== "number" || !Number.isInteger(v)) {
    throw new TypeError(`'${typeName(v)}' object cannot be interpreted as an integer`);
  }
  if (v < 0 || v > max) throw new OverflowError(`${fn}(): ${what} must be 0-${max}.`);
  return v;
}

function hostArg(v: unknown): string {
  if (typeof v === "string") return v;
  if (v instanceof Uint8Array) return fromUtf8.decode(v);
  throw new TypeError(`str, bytes or bytearray expected, not ${typeName(v)}`);
}

/** Names of /etc/hosts → their addresses in file order; read once. */
let hostsTable: Map<string, NumericHost[]> | null = null;

function hostsFile(): Map<string, NumericHost[]> {
  if (hostsTable !== null) return hostsTable;
  hostsTable = new Map();
  let text = "";
  try {
    text = readFileSync("/etc/hosts", "utf8");
  } catch { /* no hosts file: no names */ }
  for (const raw of text.split("\n")) {
    const [addr, ...names] = raw.replace(/#.*/, "").trim().split(/\s+/);
    const n = addr ? parseNumericHost(addr) : null;
    if (n === null) continue;
    for (const name of names) {
      const key = name.toLowerCase();
      const list = hostsTable.get(key) ?? [];
      list.push(n);
      hostsTable.set(key, list);
    }
  }
  return hostsTable;
}

/**
 * A host name's address of `family` from /etc/hosts, or null. Python's
 * socket methods resolve a name given in an address (`sendto(data,
 * ("localhost", 9999))`) with a blocking getaddrinfo; this answers the
 * names the hosts file knows (localhost above all) without blocking.
 */
function hostsFileAddress(host: string, family: number): NumericHost | null {
  return hostsFile().get(host.toLowerCase())?.find((n) => n.family === family) ?? null;
}

/**
 * A name neither numeric nor in /etc/hosts. Python would ask DNS and, for a
 * name nobody knows, raise this very error ("[Errno -2] Name or service not
 * known", the text a ported program prints); other names need
 * `getaddrinfo()` first here, as there is no blocking lookup.
 */
function notNumeric(_host: string): gaierror {
  return new gaierror(EAI_NONAME);
}

/** The 4 address bytes of an IPv4 host argument (`""` is INADDR_ANY, as in Python). */
function ipv4Host(host: string): Uint8Array {
  if (host === "") return new Uint8Array(4);
  if (host === "<broadcast>") return new Uint8Array([255, 255, 255, 255]);
  const b = parseIPv4(host);
  if (b !== null) return b;
  const n = resolverNumericHost(host);
  if (n !== null) {
    if (n.family !== C.AF_INET) throw new gaierror(EAI_ADDRFAMILY);
    return n.bytes;
  }
  const known = hostsFileAddress(host, C.AF_INET);
  if (known !== null) return known.bytes;
  throw notNumeric(host);
}

/**
 * `struct sockaddr` bytes for `address` in `family`, validated the way
 * Python validates it: a `TypeError` for the wrong shape, an `OverflowError`
 * for an out-of-range port or flowinfo, a {@link gaierror} for a host that
 * is not a numeric address of the family. `fn` names the calling method in
 * messages.
 *
 * @example
 * ```ts
 * const sa = encodeSockaddr(AF_INET, ["127.0.0.1", 8080]); // 16 bytes
 * sys().connect(fd, sa);
 * ```
 */
export function encodeSockaddr(family: number, address: unknown, fn = "bind"): Uint8Array {
  switch (family) {
    case C.AF_INET: {
      if (!Array.isArray(address)) {
        throw new TypeError(`${fn}(): AF_INET address must be tuple, not ${typeName(address)}`);
      }
      if (address.length !== 2) throw new TypeError("AF_INET address must be a pair (host, port)");
      const host = ipv4Host(hostArg(address[0]));
      const port = intArg(address[1], "port", 0xffff, fn);
      const sa = new Uint8Array(SIN_SIZE);
      const dv = new DataView(sa.buffer);
      dv.setUint16(0, C.AF_INET, true);
      dv.setUint16(2, port, false);
      sa.set(host, 4);
      return sa;
    }
    case C.AF_INET6: {
      if (!Array.isArray(address)) {
        throw new TypeError(`${fn}(): AF_INET6 address must be tuple, not ${typeName(address)}`);
      }
      if (address.length < 2 || address.length > 4) {
        throw new TypeError("AF_INET6 address must be a tuple (host, port[, flowinfo[, scopeid]])");
      }
      const host = hostArg(address[0]);
      const port = intArg(address[1], "port", 0xffff, fn);
      const flowinfo = address.length > 2 ? intArg(address[2], "flowinfo", 0xfffff, fn) : 0;
      let scopeId = address.length > 3 ? intArg(address[3], "scope_id", 0xffffffff, fn) : 0;
      let bytes: Uint8Array;
      if (host === "") {
        bytes = new Uint8Array(16);
      } else {
        const n = resolverNumericHost(host) ?? hostsFileAddress(host, C.AF_INET6);
        if (n === null) throw notNumeric(host);
        if (n.family !== C.AF_INET6) throw new gaierror(EAI_ADDRFAMILY);
        bytes = n.bytes;
        if (scopeId === 0) scopeId = n.scopeId;
      }
      const sa = new Uint8Array(SIN6_SIZE);
      const dv = new DataView(sa.buffer);
      dv.setUint16(0, C.AF_INET6, true);
      dv.setUint16(2, port, false);
      dv.setUint32(4, flowinfo, false);
      sa.set(bytes, 8);
      dv.setUint32(24, scopeId, true);
      return sa;
    }
    case C.AF_UNIX: {
      let path: Uint8Array;
      if (typeof address === "string") {
        // As CPython on Linux, a NUL inside a path is no error: the kernel
        // reads the path up to it ("a\0b" binds "a").
        path = utf8.encode(address);
      } else if (address instanceof Uint8Array) {
        path = address;
      } else {
        // CPython parses the address as a buffer ("y*"), whose message this is.
        throw new TypeError(`a bytes-like object is required, not '${typeName(address)}'`);
      }
      // As CPython: a filesystem path needs room for its NUL in sun_path
      // (108 bytes is too long), an abstract name is exactly its bytes.
      const abstract = path.length > 0 && path[0] === 0;
      if (path.length > (abstract ? SUN_PATH_MAX : SUN_PATH_MAX - 1)) {
        throw new OSError("AF_UNIX path too long");
      }
      // An empty path is a bare family: Linux then autobinds an abstract name.
      const nul = path.length > 0 && !abstract ? 1 : 0;
      const sa = new Uint8Array(2 + path.length + nul);
      new DataView(sa.buffer).setUint16(0, C.AF_UNIX, true);
      sa.set(path, 2);
      return sa;
    }
    default:
      throw new OSError(`${fn}(): bad family ${family}`);
  }
}

/**
 * The Python address of the first `len` bytes of a `struct sockaddr` (see
 * {@link SocketAddress}); null when `len` is 0 (no address, as `recvfrom`
 * on a connected stream or from an unbound Unix socket reports).
 *
 * @example
 * ```ts
 * const buf = new Uint8Array(128);
 * const len = sys().getsockname(fd, buf);
 * decodeSockaddr(buf, len); // ["127.0.0.1", 8080]
 * ```
 */
export function decodeSockaddr(buf: Uint8Array, len: number): SocketAddress | null {
  if (len <= 0) return null;
  len = Math.min(len, buf.length);
  const dv = new DataView(buf.buffer, buf.byteOffset, len);
  const family = len >= 2 ? dv.getUint16(0, true) : 0;
  switch (family) {
    case C.AF_INET:
      if (len < 8) break;
      return [formatIPv4(buf, 4), dv.getUint16(2, false)];
    case C.AF_INET6:
      if (len < SIN6_SIZE) break;
      return [
        formatIPv6(buf, 8),
        dv.getUint16(2, false),
        dv.getUint32(4, false),
        dv.getUint32(24, true),
      ];
    case C.AF_UNIX: {
      const path = buf.subarray(2, len);
      if (path.length > 0 && path[0] === 0) return fromUtf8.decode(path);
      const end = path.indexOf(0);
      return fromUtf8.decode(end < 0 ? path : path.subarray(0, end));
    }
  }
  return [family, buf.slice(0, len)];
}

/**
 * An address as Python's `str()` shows it in messages and reprs:
 * `('127.0.0.1', 8080)`, or a Unix path as it is.
 *
 * @example
 * ```ts
 * formatAddress(["::1", 80, 0, 0]); // "('::1', 80, 0, 0)"
 * ```
 */
export function formatAddress(address: unknown): string {
  if (typeof address === "string") return address.startsWith("\0") ? pyRepr(address) : address;
  if (Array.isArray(address)) {
    const items = address.map((x) => pyRepr(x));
    return `(${items.join(", ")}${items.length === 1 ? "," : ""})`;
  }
  return pyRepr(address);
}

/** Whether `x` is a plain object literal: keyword arguments, not a value. */
function isKeywords(x: unknown): x is Record<string, unknown> {
  if (typeof x !== "object" || x === null) return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/**
 * Python's keyword form of the leading address parameters of
 * `create_connection`, `create_server`, `open_connection`, ...: a call
 * such as `create_connection(f, sock=s)` or `open_connection(host=h,
 * port=p)`, ported by rule 3 of API.md, puts the options object where the
 * address would go. Returns the parameters in their places: `params` are
 * the positional values (host and port, or path), `opts` the trailing
 * options; keys named as a parameter move into its place.
 *
 * @example
 * ```ts
 * addressKeywords(["host", "port"], [{ sock }, undefined], undefined); // [[undefined, undefined], { sock }]
 * addressKeywords(["host", "port"], ["::1", { port: 80 }], undefined); // [["::1", 80], {}]
 * ```
 */
export function addressKeywords<O extends object>(
  names: readonly string[],
  params: readonly unknown[],
  opts: O | undefined,
): [unknown[], O | undefined] {
  const at = params.findIndex(isKeywords);
  if (at < 0 || params.slice(at + 1).some((p) => p !== undefined)) return [[...params], opts];
  const kw: Record<string, unknown> = { ...(params[at] as Record<string, unknown>), ...opts };
  const out = params.slice(0, at);
  for (let i = at; i < names.length; i++) {
    out.push(kw[names[i]]);
    delete kw[names[i]];
  }
  return [out, kw as O];
}
