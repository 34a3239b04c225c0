/**
 * UDP (and Unix datagram) endpoints: the datagram transport over a
 * non-blocking socket, and `createDatagramEndpoint`.
 *
 * @module
 */
import { C } from "../ffi/mod.ts";
import type { BaseSelectorEventLoop } from "./selector_events.ts";
import { DatagramTransport, toBytes, WriteFlowControl } from "./transports.ts";
import type { DatagramProtocolLike } from "./protocols.ts";
import { BlockingIOError, InterruptedError, OSError, ValueError } from "./exceptions.ts";
import type { Future } from "./futures.ts";
import { getaddrinfo } from "./dns.ts";
import { Socket } from "./socket.ts";
import { type AddressLike, formatAddress, type SocketAddress } from "./sockaddr.ts";
import { sockConnect } from "./sock_methods.ts";
import { logger } from "./log.ts";

/** The largest UDP payload. */
const MAX_DATAGRAM = 65536;

function sameAddress(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * A datagram transport: `sendto(data, addr?)`, and `datagramReceived` on
 * its protocol for each datagram in.
 *
 * @example
 * ```ts
 * const [t] = await loop.createDatagramEndpoint(() => new MyProtocol(), { localAddr: ["127.0.0.1", 0] });
 * t.sendto(new TextEncoder().encode("hi"), ["127.0.0.1", 9999]);
 * ```
 */
export class SelectorDatagramTransport extends DatagramTransport {
  #loop: BaseSelectorEventLoop;
  #sock: Socket;
  #fd: number;
  #protocol: DatagramProtocolLike;
  #address: SocketAddress | null;
  #pending: Array<[Uint8Array, SocketAddress | null]> = [];
  #pendingSize = 0;
  #closing = false;
  #connLost = 0;
  #flow: WriteFlowControl;

  /** @internal Made by `createDatagramEndpoint`. */
  constructor(
    loop: BaseSelectorEventLoop,
    sock: Socket,
    protocol: DatagramProtocolLike,
    address: SocketAddress | null,
    waiter: Future<void> | null,
  ) {
    super({ socket: sock });
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
    loop.callSoon(() => protocol.connectionMade(this));
    loop.callSoon(() => {
      if (!this.#closing) loop.addReader(this.#fd, this.#readReady);
    });
    if (waiter !== null) {
      loop.callSoon(() => {
        if (!waiter.cancelled()) waiter.setResult(undefined);
      });
    }
  }

  #readReady = (): void => {
    if (this.#connLost) return;
    let data: Uint8Array;
    let addr: SocketAddress | null;
    try {
      [data, addr] = this.#sock.recvfrom(MAX_DATAGRAM);
    } catch (e) {
      if (e instanceof BlockingIOError || e instanceof InterruptedError) return;
      if (e instanceof OSError) this.#protocol.errorReceived(e);
      else this.#fatalError(e, "Fatal read error on datagram transport");
      return;
    }
    this.#protocol.datagramReceived(data, addr as never);
  };

  /** Sends `data` to `addr` (or the connected remote address). */
  override sendto(data: Uint8Array, addr?: AddressLike | null): void {
    data = toBytes(data);
    let target = (addr ?? null) as SocketAddress | null;
    if (this.#address !== null) {
      if (target !== null && !sameAddress(target, this.#address)) {
        throw new ValueError(`Invalid address: must be None or ${formatAddress(this.#address)}`);
      }
      target = null; // connected: send(), not sendto()
    } else if (target === null) {
      throw new ValueError("Invalid address: must be given for an unconnected socket");
    }
    if (this.#connLost) {
      if (this.#connLost >= 5) logger.warning("socket.sendto() raised exception.");
      this.#connLost++;
      return;
    }
    if (this.#pending.length === 0) {
      try {
        if (target === null) this.#sock.send(data);
        else this.#sock.sendto(data, target as AddressLike);
        return;
      } catch (e) {
        if (!(e instanceof BlockingIOError || e instanceof InterruptedError)) {
          if (e instanceof OSError) this.#protocol.errorReceived(e);
          else this.#fatalError(e, "Fatal write error on datagram transport");
          return;
        }
        this.#loop.addWriter(this.#fd, this.#writeReady);
      }
    }
    this.#pending.push([data.slice(), target]);
    this.#pendingSize += data.length;
    this.#flow.maybePause();
  }

  #writeReady = (): void => {
    while (this.#pending.length) {
      const [data, target] = this.#pending[0];
      try {
        if (target === null) this.#sock.send(data);
        else this.#sock.sendto(data, target as AddressLike);
      } catch (e) {
        if (e instanceof BlockingIOError || e instanceof InterruptedError) return;
        this.#pending.shift();
        this.#pendingSize -= data.length;
        if (e instanceof OSError) this.#protocol.errorReceived(e);
        else {
          this.#fatalError(e, "Fatal write error on datagram transport");
          return;
        }
        continue;
      }
      this.#pending.shift();
      this.#pendingSize -= data.length;
    }
    this.#flow.maybeResume();
    this.#loop.removeWriter(this.#fd);
    if (this.#closing) this.#callConnectionLost(null);
  };

  /** Datagrams waiting to be sent, in bytes. */
  getWriteBufferSize(): number {
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
    this.#loop.removeReader(this.#fd);
    if (this.#pending.length === 0) {
      this.#connLost++;
      this.#loop.callSoon(() => this.#callConnectionLost(null));
    }
  }

  /** Closes at once, dropping queued datagrams. */
  override abort(): void {
    this.#forceClose(null);
  }

  #fatalError(exc: unknown, message: string): void {
    this.#loop.callExceptionHandler({
      message,
      exception: exc,
      transport: this,
      protocol: this.#protocol,
    });
    this.#forceClose(exc);
  }

  #forceClose(exc: unknown): void {
    if (this.#connLost) return;
    if (this.#pending.length) {
      this.#pending = [];
      this.#pendingSize = 0;
      this.#loop.removeWriter(this.#fd);
    }
    if (!this.#closing) {
      this.#closing = true;
      this.#loop.removeReader(this.#fd);
    }
    this.#connLost++;
    this.#loop.callSoon(() => this.#callConnectionLost(exc));
  }

  #callConnectionLost(exc: unknown): void {
    try {
      this.#protocol.connectionLost((exc ?? null) as Error | null);
    } finally {
      this.#sock.close();
    }
  }
}

/** Options of `createDatagramEndpoint`. */
export interface DatagramEndpointOptions {
  /** Bind to this address: `[host, port]`, or a path for AF_UNIX. */
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
  sock?: Socket;
}

async function resolveDatagram(addr: AddressLike, family: number, proto: number, flags: number) {
  if (typeof addr === "string") return { family: C.AF_UNIX, address: addr as SocketAddress };
  const [host, port] = addr as [string, number];
  const infos = await getaddrinfo(host, port, { family, type: C.SOCK_DGRAM, proto, flags });
  if (infos.length === 0) throw new OSError("getaddrinfo() returned empty list");
  return { family: infos[0][0], address: infos[0][4] as SocketAddress };
}

/**
 * Makes a datagram endpoint; resolves to `[transport, protocol]`.
 *
 * @example
 * ```ts
 * const [t, p] = await createDatagramEndpoint(loop, () => new Echo(), { localAddr: ["127.0.0.1", 0] });
 * ```
 */
export async function createDatagramEndpoint<P extends DatagramProtocolLike>(
  loop: BaseSelectorEventLoop,
  factory: () => P,
  opts: DatagramEndpointOptions = {},
): Promise<[SelectorDatagramTransport, P]> {
  let sock = opts.sock;
  let remote: SocketAddress | null = null;
  if (sock !== undefined) {
    if ((sock.type & 0xf) !== C.SOCK_DGRAM) {
      throw new ValueError(`A datagram socket was expected, got ${sock}`);
    }
    if (opts.localAddr || opts.remoteAddr || opts.family || opts.reusePort || opts.allowBroadcast) {
      throw new ValueError(
        "socket modifier keyword arguments can not be used when sock is specified.",
      );
    }
    sock.setblocking(false);
  } else {
    const proto = opts.proto ?? 0;
    const flags = opts.flags ?? 0;
    let family = opts.family ?? 0;
    const local = opts.localAddr
      ? await resolveDatagram(opts.localAddr, family, proto, flags)
      : null;
    const rem = opts.remoteAddr
      ? await resolveDatagram(opts.remoteAddr, family, proto, flags)
      : null;
    if (local && rem && local.family !== rem.family) {
      throw new ValueError("local and remote addresses are of different families");
    }
    family = local?.family ?? rem?.family ?? family;
    if (family === 0) throw new ValueError("unexpected address family");
    sock = new Socket(family, C.SOCK_DGRAM, proto);
    sock.setblocking(false);
    try {
      if (opts.reusePort) sock.setsockopt(C.SOL_SOCKET, C.SO_REUSEPORT, 1);
      if (opts.allowBroadcast) sock.setsockopt(C.SOL_SOCKET, C.SO_BROADCAST, 1);
      if (local) sock.bind(local.address as AddressLike);
      if (rem) {
        await sockConnect(loop, sock, rem.address as AddressLike);
        remote = rem.address;
      }
    } catch (e) {
      sock.close();
      throw e;
    }
  }
  const protocol = factory();
  const waiter = loop.createFuture<void>();
  const transport = new SelectorDatagramTransport(loop, sock, protocol, remote, waiter);
  try {
    await waiter;
  } catch (e) {
    transport.close();
    throw e;
  }
  return [transport, protocol];
}
