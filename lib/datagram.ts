/**
 * UDP (and Unix datagram) endpoints: the datagram transport over a
 * non-blocking socket, and `createDatagramEndpoint`.
 *
 * @module
 */
import { C, ERRNO } from "../ffi/mod.ts";
import { type BaseSelectorEventLoop, transportRepr } from "./selector_events.ts";
import { toBytes, Transport, type WriteBufferLimits, WriteFlowControl } from "./transports.ts";
import {
  checkCallback,
  type DatagramProtocolInput,
  type DatagramProtocolLike,
  protocolFactory,
} from "./protocols.ts";
import {
  AttributeError,
  BlockingIOError,
  InterruptedError,
  OSError,
  osErrorFromErrno,
  ValueError,
} from "./exceptions.ts";
import type { Future } from "./futures.ts";
import { getaddrinfo, ipaddrInfo } from "./dns.ts";
import { recvfromInto, Socket, transportSocket } from "./socket.ts";
import { bindOnRead } from "./bound_methods.ts";
import { removeStaleUnixSocket } from "./connections.ts";
import { type AddressLike, formatAddress, type SocketAddress } from "./sockaddr.ts";
import { sockConnect } from "./sock_methods.ts";
import { logger, reportFatalError } from "./log.ts";
import { madeCallbackName } from "./selector_transports.ts";
import { printAsRepr, pyRepr } from "./format.ts";

/**
 * Python's `max_size`: the largest datagram read at once (a Unix datagram
 * may be bigger than UDP's 64 KiB).
 */
const MAX_DATAGRAM = 256 * 1024;

/**
 * Where datagrams are read, then copied out: one buffer for every transport
 * (JS runs one callback at a time), not 256 KiB for each datagram.
 */
let readScratch: Uint8Array | undefined;

function sameAddress(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * A datagram transport: `sendto(data, addr?)`, and `datagramReceived` on
 * its protocol for each datagram in.
 *
 * As in Python 3.11, where `_SelectorDatagramTransport` derives from
 * `_SelectorTransport` alone, it is a {@link Transport} (so `write()`,
 * `writeLines()`, `writeEof()` and `canWriteEof()` raise
 * `NotImplementedError`) and not a `DatagramTransport` to `instanceof`
 * (3.12 added that base); it has every `DatagramTransport` method.
 *
 * @example
 * ```ts
 * const [t] = await loop.createDatagramEndpoint(() => new MyProtocol(), { localAddr: ["127.0.0.1", 0] });
 * t.sendto(new TextEncoder().encode("hi"), ["127.0.0.1", 9999]);
 * ```
 */
export class SelectorDatagramTransport extends Transport {
  #loop: BaseSelectorEventLoop;
  #sock: Socket;
  #fd: number;
  #protocol: DatagramProtocolLike;
  #address: SocketAddress | null;
  #pending: Array<[Uint8Array, SocketAddress | null]> = [];
  #pendingSize = 0;
  #closing = false;
  /** `pauseReading()` was called (and not `resumeReading()` since). */
  #paused = false;
  #connLost = 0;
  /** connectionLost has run: Python's transport then has no socket and no loop. */
  #lost = false;
  #flow: WriteFlowControl;

  /** @internal Made by `createDatagramEndpoint`. */
  constructor(
    loop: BaseSelectorEventLoop,
    sock: Socket,
    protocol: DatagramProtocolLike,
    address: SocketAddress | null,
    waiter: Future<void> | null,
  ) {
    super({ socket: transportSocket(sock) });
    this.#loop = loop;
    this.#sock = sock;
    this.#fd = sock.fileno();
    this.#protocol = protocol;
    this.#address = address;
    this.#flow = new WriteFlowControl(this, loop);
    try {
      this._extra.set("sockname", sock.getsockname());
    } catch {
      this._extra.set("sockname", null);
    }
    try {
      this._extra.set("peername", sock.getpeername());
    } catch {
      this._extra.set("peername", null);
    }
    loop._openTransports.set(this.#fd, this);
    // The reader as Python's Handle names it when datagramReceived throws.
    Object.defineProperty(this.#readReady, "__qualname__", {
      value: "_SelectorDatagramTransport._read_ready",
    });
    Object.defineProperty(this.#writeReady, "__qualname__", {
      value: "_SelectorDatagramTransport._sendto_ready",
    });
    // Named as Python's Handle shows it in errors: `Proto.connection_made(<transport>)`.
    const made = (t: this) => protocol.connectionMade(t);
    Object.defineProperty(made, "__qualname__", { value: madeCallbackName(protocol) });
    loop.callSoon(made, this);
    loop.callSoon(() => {
      if (this.isReading()) loop._addReader(this.#fd, this.#readReady);
    });
    if (waiter !== null) {
      loop.callSoon(() => {
        if (!waiter.cancelled()) waiter.setResult(undefined);
      });
    }
  }

  /** Python's `max_size`: the largest datagram read at once, 256 KiB. */
  get maxSize(): number {
    return MAX_DATAGRAM;
  }

  #readReady = (): void => {
    if (this.#connLost) return;
    readScratch ??= new Uint8Array(MAX_DATAGRAM);
    // A closed socket's fileno() is -1: EBADF, an OSError as in Python.
    const r = recvfromInto(this.#sock.fileno(), readScratch, 0);
    if (typeof r === "number") {
      if (r === -ERRNO.EAGAIN || r === -ERRNO.EINTR) return;
      this.#errorReceived(osErrorFromErrno(-r));
      return;
    }
    // A plain-object protocol may lack it: Python's AttributeError, not a JS TypeError.
    checkCallback(this.#protocol, "datagramReceived", "datagram_received");
    this.#protocol.datagramReceived(readScratch.slice(0, r[0]), r[1] as never);
  };

  /**
   * Sends `data` to `addr` (or the connected remote address). As in Python,
   * only the data and, on a connected transport, the address are checked
   * here; a send that fails goes to `errorReceived` (an OSError, such as a
   * gaierror for a host name) or is a fatal error that closes the transport
   * (a malformed address, a missing one on an unconnected transport).
   */
  sendto(data: Uint8Array, addr?: AddressLike | null): void {
    data = toBytes(data);
    // Python 3.11 drops an empty datagram here, before any address check
    // (3.13 sends it, gh-113812; 3.11 is the reference).
    if (data.length === 0) return;
    let target = (addr ?? null) as SocketAddress | null;
    if (this.#address !== null) {
      if (target !== null && !sameAddress(target, this.#address)) {
        throw new ValueError(`Invalid address: must be None or ${formatAddress(this.#address)}`);
      }
      target = this.#address;
    }
    if (this.#connLost && this.#address !== null) {
      if (this.#connLost >= 5) logger.warning("socket.send() raised exception.");
      this.#connLost++;
      return;
    }
    // Python tries anyway. Once connection_lost has run, its socket and
    // loop are None: the send fails, and so does the report of that
    // failure, an AttributeError out of sendto(). A close() that waited for
    // queued datagrams leaves Python's _conn_lost at 0: a connected
    // transport gets here too.
    if (this.#lost) {
      throw new AttributeError("'NoneType' object has no attribute 'call_exception_handler'");
    }
    if (this.#pending.length === 0) {
      try {
        this.#send(data, target);
        return;
      } catch (e) {
        if (!(e instanceof BlockingIOError || e instanceof InterruptedError)) {
          if (e instanceof OSError) this.#errorReceived(e);
          else this.#fatalError(e, "Fatal write error on datagram transport");
          return;
        }
        this.#loop._addWriter(this.#fd, this.#writeReady);
      }
    }
    this.#pending.push([data.slice(), target]);
    this.#pendingSize += data.length;
    this.#flow.maybePause();
  }

  /** The protocol's errorReceived(), which a plain-object protocol may lack (Python's AttributeError then). */
  #errorReceived(exc: OSError): void {
    checkCallback(this.#protocol, "errorReceived", "error_received");
    this.#protocol.errorReceived(exc);
  }

  /**
   * `send()` when the socket is connected (it has a peer), else `sendto()`.
   * As Python tests the peer's truthiness, an unnamed Unix peer (a
   * socketpair's, `''`) counts as none: sendto() without an address fails.
   */
  #send(data: Uint8Array, target: SocketAddress | null): void {
    const peer = this._extra.get("peername");
    if (peer !== null && peer !== undefined && peer !== "") this.#sock.send(data);
    else this.#sock.sendto(data, target as AddressLike);
  }

  #writeReady = (): void => {
    if (this.#connLost) {
      // abort() with nothing queued leaves the writer registered, as
      // Python's _force_close does. Python's _sendto_ready then fails on its
      // loop, None once connection_lost has run: the same error is reported
      // here, and connectionLost is not called a second time.
      if (this.#lost) {
        // Removed after the report, which shows the handle as Python's (not cancelled).
        const loop = this.#loop, fd = this.#fd;
        loop.callSoon(() => loop._removeWriter(fd));
        throw new AttributeError("'NoneType' object has no attribute '_remove_writer'");
      }
      this.#loop._removeWriter(this.#fd);
      return;
    }
    while (this.#pending.length) {
      const [data, target] = this.#pending[0];
      try {
        this.#send(data, target);
      } catch (e) {
        // The rest waits for the next writable event, but as in Python the
        // protocol is resumed below if what was sent brought the queue down
        // to the low-water mark.
        if (e instanceof BlockingIOError || e instanceof InterruptedError) break;
        this.#pending.shift();
        this.#pendingSize -= data.length;
        // As Python: the rest waits for the next writable event.
        if (e instanceof OSError) this.#errorReceived(e);
        else this.#fatalError(e, "Fatal write error on datagram transport");
        return;
      }
      this.#pending.shift();
      this.#pendingSize -= data.length;
    }
    // resumeWriting() may queue more (a sendto() that would block): the
    // writer stays until the queue is empty, as in Python.
    this.#flow.maybeResume();
    if (this.#pending.length !== 0) return;
    this.#loop._removeWriter(this.#fd);
    if (this.#closing) this.#callConnectionLost(null);
  };

  /** Whether datagrams are received: not closing, not paused (Python 3.11's `is_reading()`). */
  override isReading(): boolean {
    return !this.#closing && !this.#paused;
  }

  /** Stops receiving until `resumeReading()`: datagrams wait in the kernel meanwhile. */
  override pauseReading(): void {
    if (!this.isReading()) return;
    this.#paused = true;
    this.#loop._removeReader(this.#fd);
    if (this.#loop.getDebug()) logger.debug(`${this} pauses reading`);
  }

  /** Receives again after `pauseReading()`. */
  override resumeReading(): void {
    if (this.#closing || !this.#paused) return;
    this.#paused = false;
    this.#loop._addReader(this.#fd, this.#readReady);
    if (this.#loop.getDebug()) logger.debug(`${this} resumes reading`);
  }

  /** `[low, high]`: the water marks of the send buffer for `pauseWriting`/`resumeWriting`. */
  override getWriteBufferLimits(): [number, number] {
    return this.#flow.getLimits();
  }

  /**
   * Sets the water marks as a socket transport's `setWriteBufferLimits`
   * does (`high` 64 KiB by default, `low` a quarter of it), then pauses the
   * protocol if the buffer is already above `high`.
   */
  override setWriteBufferLimits(
    high?: number | null | WriteBufferLimits,
    low?: number | null,
  ): void {
    this.#flow.setLimits(high, low);
    this.#flow.maybePause();
  }

  /** Datagrams waiting to be sent, in bytes. */
  override getWriteBufferSize(): number {
    return this.#pendingSize;
  }

  /** The protocol. */
  override getProtocol(): DatagramProtocolLike {
    return this.#protocol;
  }

  /** Replaces the protocol. */
  override setProtocol(p: DatagramProtocolLike): void {
    this.#protocol = p;
  }

  /** Whether it is closing. */
  override isClosing(): boolean {
    return this.#closing;
  }

  /** Closes once queued datagrams are sent. */
  override close(): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#loop._removeReader(this.#fd);
    if (this.#pending.length === 0) {
      this.#connLost++;
      // The writer may still be registered with nothing queued (a send that
      // failed in #writeReady leaves it for the next event): as Python, drop
      // it, or it would call connectionLost a second time.
      this.#loop._removeWriter(this.#fd);
      this.#loop.callSoon(this.#connectionLostCallback(), null);
    }
  }

  /** Closes at once, dropping queued datagrams. */
  override abort(): void {
    this.#forceClose(null);
  }

  #fatalError(exc: unknown, message: string): void {
    reportFatalError(this.#loop, exc instanceof OSError, exc, message, this, this.#protocol);
    this.#forceClose(exc);
  }

  #forceClose(exc: unknown): void {
    if (this.#connLost) return;
    if (this.#pending.length) {
      // Python 3.11 clears the buffer but not its size: after abort(),
      // getWriteBufferSize() (and the repr's bufsize) still count the
      // dropped datagrams.
      this.#pending = [];
      this.#loop._removeWriter(this.#fd);
    }
    if (!this.#closing) {
      this.#closing = true;
      this.#loop._removeReader(this.#fd);
    }
    this.#connLost++;
    // After a close() that drained the queue (Python's _conn_lost still 0),
    // Python's loop is None: abort() fails instead of a second connection_lost.
    if (this.#lost) throw new AttributeError("'NoneType' object has no attribute 'call_soon'");
    this.#loop.callSoon(this.#connectionLostCallback(), exc);
  }

  /**
   * `#callConnectionLost` as a callback named as Python's Handle shows it
   * when `connectionLost` throws: `Exception in callback
   * _SelectorTransport._call_connection_lost(None)`.
   */
  #connectionLostCallback(): (exc: unknown) => void {
    const callback = (exc: unknown) => this.#callConnectionLost(exc);
    Object.defineProperty(callback, "__qualname__", {
      value: "_SelectorTransport._call_connection_lost",
    });
    return callback;
  }

  #callConnectionLost(exc: unknown): void {
    try {
      checkCallback(this.#protocol, "connectionLost", "connection_lost");
      this.#protocol.connectionLost((exc ?? null) as Error | null);
    } finally {
      const open = this.#loop._openTransports;
      if (open.get(this.#fd) === this) open.delete(this.#fd);
      this.#sock.close();
      this.#lost = true;
    }
  }

  /** @internal The loop closed with this transport open: the socket is closed, no callback runs. */
  _loopClosed(): void {
    this.#closing = true;
    this.#pending = [];
    this.#sock.close();
  }

  /**
   * Python's repr: `<_SelectorDatagramTransport fd=6 read=polling
   * write=<idle, bufsize=0>>`, with `closing` first once it is, and
   * `<_SelectorDatagramTransport closed fd=6>` after `connectionLost`.
   */
  override toString(): string {
    return transportRepr(
      "_SelectorDatagramTransport",
      this.#loop,
      this.#fd,
      this.#sock.fileno() < 0,
      this.#closing,
      this.#pendingSize,
    );
  }
}

// Python names the class `_SelectorDatagramTransport`, as
// `transport.constructor.name` then prints.
Object.defineProperty(SelectorDatagramTransport, "name", { value: "_SelectorDatagramTransport" });

printAsRepr(SelectorDatagramTransport);
// Python code passes these as callbacks (`loop.call_later(5, transport.close)`).
bindOnRead(SelectorDatagramTransport.prototype, [
  "sendto",
  "close",
  "abort",
  "pauseReading",
  "resumeReading",
], {
  // Python's names, with the class each is defined on.
  close: "_SelectorTransport.close",
  abort: "_SelectorTransport.abort",
  pauseReading: "_SelectorTransport.pause_reading",
  resumeReading: "_SelectorTransport.resume_reading",
});

/** Options of `createDatagramEndpoint`. */
export interface DatagramEndpointOptions {
  /** Bind to this address: `[host, port]`, or a path with `family: AF_UNIX`. */
  localAddr?: AddressLike | null;
  /** Connect to this address: sendto() then needs no address. */
  remoteAddr?: AddressLike | null;
  /** AF_INET, AF_INET6 or AF_UNIX; required when neither address is given. */
  family?: number;
  /** Protocol number. */
  proto?: number;
  /** getaddrinfo flags. */
  flags?: number;
  /** SO_REUSEPORT. */
  reusePort?: boolean;
  /** SO_BROADCAST. */
  allowBroadcast?: boolean;
  /** A datagram socket to use instead. */
  sock?: Socket | null;
}

/**
 * Python's `_set_reuseport`: a socket that refuses SO_REUSEPORT (an AF_UNIX
 * one) fails the call with this ValueError, not the OSError.
 */
function setReusePort(s: Socket): void {
  try {
    s.setsockopt(C.SOL_SOCKET, C.SO_REUSEPORT, 1);
  } catch (e) {
    if (!(e instanceof OSError)) throw e;
    throw new ValueError(
      "reuse_port not supported by socket module, SO_REUSEPORT defined but not implemented.",
    );
  }
}

/** Python's truth value of an address option: null, undefined, "" and [] are false. */
function given(x: unknown): boolean {
  return x !== null && x !== undefined && x !== "" && !(Array.isArray(x) && x.length === 0);
}

/** Python's `str()` of an option's value, for the error about `sock` with modifiers (format.ts's pyStr is a repr). */
function optionStr(v: unknown): string {
  if (typeof v === "string") return v;
  if (v === true) return "True";
  if (Array.isArray(v)) return formatAddress(v);
  return String(v);
}

/**
 * Makes a datagram endpoint; resolves to `[transport, protocol]`.
 * The sockets are made as Python's `create_datagram_endpoint` makes them:
 * both addresses resolved, one attempt per (family, protocol) that both
 * have, the first error raised when all fail.
 *
 * @example
 * ```ts
 * const [t, p] = await createDatagramEndpoint(loop, () => new Echo(), { localAddr: ["127.0.0.1", 0] });
 * ```
 */
export async function createDatagramEndpoint<P extends DatagramProtocolInput>(
  loop: BaseSelectorEventLoop,
  factory: () => P,
  opts: DatagramEndpointOptions = {},
): Promise<[SelectorDatagramTransport, P]> {
  factory = protocolFactory(factory);
  // Python 3.11 removed reuse_address here (a security hazard for UDP).
  if ((opts as { reuseAddress?: unknown }).reuseAddress !== undefined) {
    throw new TypeError(
      "BaseEventLoop.create_datagram_endpoint() got an unexpected keyword argument 'reuse_address'",
    );
  }
  let sock = opts.sock ?? undefined; // `sock: null` is Python's sock=None
  let remote: SocketAddress | null = null;
  const localAddr = opts.localAddr ?? null;
  const remoteAddr = opts.remoteAddr ?? null;
  const proto0 = opts.proto ?? 0;
  const flags = opts.flags ?? 0;
  const family0 = opts.family ?? 0;
  if (sock !== undefined) {
    // Python 3.11's check and message (3.13: "A datagram socket was expected").
    if ((sock.type & 0xf) !== C.SOCK_DGRAM) {
      throw new ValueError(`A UDP Socket was expected, got ${sock}`);
    }
    const mods: Array<[string, unknown]> = [
      ["local_addr", localAddr],
      ["remote_addr", remoteAddr],
      ["family", family0],
      ["proto", proto0],
      ["flags", flags],
      ["reuse_port", opts.reusePort],
      ["allow_broadcast", opts.allowBroadcast],
    ];
    const problems = mods.filter(([, v]) => given(v) && v !== 0 && v !== false);
    if (problems.length) {
      throw new ValueError(
        "socket modifier keyword arguments can not be used when sock is specified. (" +
          problems.map(([k, v]) => `${k}=${optionStr(v)}`).join(", ") + ")",
      );
    }
    sock.setblocking(false);
  } else {
    let pairs: Array<[number, number, SocketAddress | null, SocketAddress | null]>;
    if (!given(localAddr) && !given(remoteAddr)) {
      if (family0 === 0) throw new ValueError("unexpected address family");
      pairs = [[family0, proto0, null, null]];
    } else if (family0 === C.AF_UNIX) {
      for (const addr of [localAddr, remoteAddr]) {
        if (addr !== null && typeof addr !== "string") throw new TypeError("string is expected");
      }
      const path = localAddr as string | null;
      if (given(path) && path![0] !== "\0") removeStaleUnixSocket(path!);
      pairs = [[
        family0,
        proto0,
        localAddr as SocketAddress | null,
        remoteAddr as SocketAddress | null,
      ]];
    } else {
      // (family, proto) -> [local, remote], in order of first appearance.
      const byKey = new Map<string, [number, number, SocketAddress | null, SocketAddress | null]>();
      for (const [idx, addr] of [[2, localAddr], [3, remoteAddr]] as const) {
        if (addr === null) continue;
        if (!Array.isArray(addr) || addr.length !== 2) throw new TypeError("2-tuple is expected");
        const [host, port] = addr as [string, number];
        const numeric = ipaddrInfo(host, port, family0, C.SOCK_DGRAM, proto0);
        const resolve = (loop as { getaddrinfo?: typeof getaddrinfo }).getaddrinfo?.bind(loop) ??
          getaddrinfo;
        const infos = numeric !== null ? [numeric] : await resolve(host, port, {
          family: family0,
          type: C.SOCK_DGRAM,
          proto: proto0,
          flags,
        });
        if (infos.length === 0) throw new OSError("getaddrinfo() returned empty list");
        for (const [fam, , pro, , address] of infos) {
          const key = `${fam}/${pro}`;
          let entry = byKey.get(key);
          if (entry === undefined) byKey.set(key, entry = [fam, pro, null, null]);
          entry[idx] = address as SocketAddress;
        }
      }
      pairs = [...byKey.values()].filter(([, , l, r]) =>
        !((given(localAddr) && l === null) || (given(remoteAddr) && r === null))
      );
      if (pairs.length === 0) throw new ValueError("can not get address information");
    }
    const errors: unknown[] = [];
    for (const [family, proto, localAddress, remoteAddress] of pairs) {
      let s: Socket | undefined;
      try {
        s = new Socket(family, C.SOCK_DGRAM, proto);
        if (opts.reusePort) setReusePort(s);
        if (opts.allowBroadcast) s.setsockopt(C.SOL_SOCKET, C.SO_BROADCAST, 1);
        s.setblocking(false);
        if (given(localAddr)) s.bind(localAddress as AddressLike);
        if (given(remoteAddr)) {
          // A broadcast endpoint is not connected: it sends to the address.
          if (!opts.allowBroadcast) await sockConnect(loop, s, remoteAddress as AddressLike);
          remote = remoteAddress;
        }
      } catch (e) {
        s?.close();
        if (!(e instanceof OSError)) throw e;
        errors.push(e);
        remote = null;
        continue;
      }
      sock = s;
      break;
    }
    if (sock === undefined) throw errors[0];
  }
  let protocol: ReturnType<typeof factory>;
  try {
    protocol = factory();
    // Python's transport looks connection_made up at once: a protocol
    // without it (None too) fails the call with AttributeError.
    checkCallback(protocol, "connectionMade", "connection_made");
  } catch (e) {
    // A socket made here is closed (Python's collector closes it); a given one stays.
    if (opts.sock === undefined || opts.sock === null) sock.close();
    throw e;
  }
  const waiter = loop.createFuture<void>();
  const transport = new SelectorDatagramTransport(
    loop,
    sock,
    protocol as DatagramProtocolLike,
    remote,
    waiter,
  );
  if (loop.getDebug()) {
    // Python's report: the addresses as given, the transport not yet reading.
    const a = (x: unknown) => Array.isArray(x) ? formatAddress(x) : pyRepr(x);
    const made = `created: (${transport}, ${pyRepr(protocol)})`;
    if (given(localAddr)) {
      logger.info(
        `Datagram endpoint local_addr=${a(localAddr)} remote_addr=${a(remoteAddr)} ${made}`,
      );
    } else logger.debug(`Datagram endpoint remote_addr=${a(remoteAddr)} ${made}`);
  }
  try {
    await waiter;
  } catch (e) {
    transport.close();
    throw e;
  }
  return [transport, protocol];
}
