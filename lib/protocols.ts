/**
 * Protocols: the callbacks a transport calls (Python's `asyncio.protocols`).
 *
 * A transport works with any object that has the methods it calls, so each
 * kind of protocol is also a TypeScript interface (`ProtocolLike`, ...).
 * The classes give every callback an empty default, so a subclass writes
 * only the ones it needs.
 *
 * @module
 */
import { AttributeError, RuntimeError } from "./exceptions.ts";
import { objectHead, printAsRepr, pyTypeName, setPyModule } from "./format.ts";
import type { BaseTransport } from "./transports.ts";

/**
 * A socket address (API.md rule 7): `[host, port]` for IPv4,
 * `[host, port, flowinfo, scopeId]` for IPv6, a path for a Unix socket.
 *
 * @example
 * ```ts
 * const addr: Address = ["127.0.0.1", 8888];
 * ```
 */
export type Address = string | [string, number] | [string, number, number, number];

/**
 * What every protocol has: the connection callbacks and write flow control.
 * A protocol may narrow the transport type in its own `connectionMade`.
 *
 * @example
 * ```ts
 * const p: BaseProtocolLike = {
 *   connectionMade(t) {},
 *   connectionLost(exc) {},
 *   pauseWriting() {},
 *   resumeWriting() {},
 * };
 * ```
 */
export interface BaseProtocolLike {
  /** The connection is made; `transport` is its transport. */
  connectionMade(transport: BaseTransport): void;
  /** The connection is lost or closed: `exc` is the error, null for a regular end. */
  connectionLost(exc: Error | null): void;
  /** The transport's write buffer went over its high-water mark. */
  pauseWriting(): void;
  /** The transport's write buffer drained to its low-water mark. */
  resumeWriting(): void;
}

/**
 * A streaming protocol (TCP, Unix sockets, pipes): data arrives in chunks.
 *
 * @example
 * ```ts
 * class Echo extends Protocol implements ProtocolLike {
 *   override dataReceived(data: Uint8Array) { console.log(data.length); }
 * }
 * ```
 */
export interface ProtocolLike extends BaseProtocolLike {
  /** Some bytes arrived (never empty). */
  dataReceived(data: Uint8Array): void;
  /**
   * The peer will send no more. A truthy result keeps the transport open
   * (closing it is then the protocol's job); a falsy one closes it. `null`
   * is allowed, as a port of Python's `return None` writes it.
   */
  eofReceived(): boolean | null | void;
}

/**
 * A streaming protocol that hands out its own receive buffer.
 *
 * @example
 * ```ts
 * const buf = new Uint8Array(65536);
 * class Reader extends BufferedProtocol {
 *   override getBuffer(sizeHint: number) { return buf; }
 *   override bufferUpdated(n: number) { console.log(buf.subarray(0, n)); }
 * }
 * ```
 */
export interface BufferedProtocolLike extends BaseProtocolLike {
  /** A buffer for the transport to read into, at least one byte long; `sizeHint` is a wish. */
  getBuffer(sizeHint: number): Uint8Array;
  /** The transport wrote `nbytes` bytes at the start of the last buffer. */
  bufferUpdated(nbytes: number): void;
  /** As {@link ProtocolLike.eofReceived}. */
  eofReceived(): boolean | null | void;
}

/**
 * A datagram (UDP) protocol.
 *
 * @example
 * ```ts
 * class Ping extends DatagramProtocol {
 *   override datagramReceived(data: Uint8Array, addr: Address) { console.log(addr); }
 * }
 * ```
 */
export interface DatagramProtocolLike extends BaseProtocolLike {
  /** A datagram arrived from `addr`. */
  datagramReceived(data: Uint8Array, addr: Address): void;
  /** A send or receive failed with an `OSError` (often ICMP feedback). */
  errorReceived(exc: Error): void;
}

/**
 * What `createDatagramEndpoint` accepts: a {@link DatagramProtocolLike} that
 * may leave out every callback but `connectionMade` and `datagramReceived`,
 * as the spec's plain-class UDP echo server does. As in Python, a callback
 * the transport needs and the protocol lacks fails when it is called, and
 * the loop's exception handler reports it.
 *
 * @example
 * ```ts
 * class EchoServerProtocol {
 *   transport!: asyncio.DatagramTransport;
 *   connectionMade(t: asyncio.BaseTransport) { this.transport = t as asyncio.DatagramTransport; }
 *   datagramReceived(data: Uint8Array, addr: asyncio.Address) { this.transport.sendto(data, addr); }
 * }
 * await loop.createDatagramEndpoint(EchoServerProtocol, { localAddr: ["127.0.0.1", 9999] });
 * ```
 */
export type DatagramProtocolInput =
  & Pick<DatagramProtocolLike, "connectionMade" | "datagramReceived">
  & Partial<DatagramProtocolLike>;

/**
 * A protocol for a child process and its pipes.
 *
 * @example
 * ```ts
 * class Out extends SubprocessProtocol {
 *   override pipeDataReceived(fd: number, data: Uint8Array) { console.log(fd, data); }
 * }
 * ```
 */
export interface SubprocessProtocolLike extends BaseProtocolLike {
  /** The child wrote `data` to its stdout (fd 1) or stderr (fd 2). */
  pipeDataReceived(fd: number, data: Uint8Array): void;
  /** One of the child's pipes closed; `exc` as in `connectionLost`. */
  pipeConnectionLost(fd: number, exc: Error | null): void;
  /** The child exited. */
  processExited(): void;
}

/**
 * @internal Python's `object.__repr__`: `<asyncio.protocols.Protocol object
 * at 0x7f3a1c2d4e10>`; a class the library did not name is a user's, which
 * a ported script defines in `__main__`.
 *
 * @example
 * ```ts
 * defaultRepr(new Protocol()); // "<asyncio.protocols.Protocol object at 0x...>"
 * ```
 */
export function defaultRepr(obj: object): string {
  return `<${objectHead(obj)}>`;
}

/**
 * The base of all protocols: empty connection and flow-control callbacks.
 * Subclass it directly only for a write-only transport (a write pipe).
 *
 * @example
 * ```ts
 * class Sink extends BaseProtocol {
 *   override connectionLost(exc: Error | null) { console.log("gone", exc); }
 * }
 * ```
 */
export class BaseProtocol implements BaseProtocolLike {
  /** Python's default repr: `<__main__.Echo object at 0x7f3a1c2d4e10>` for a user's class. */
  toString(): string {
    return defaultRepr(this);
  }

  /** Called once when the connection is made. Keep `transport` if you need it. */
  connectionMade(_transport: BaseTransport): void {}
  /** Called once when the connection is lost or closed; `exc` is null for a regular end. */
  connectionLost(_exc: Error | null): void {}
  /** Stop writing until `resumeWriting()`: the transport's buffer is full. */
  pauseWriting(): void {}
  /** Writing may go on. */
  resumeWriting(): void {}
}

/**
 * The base class of streaming protocols (TCP, SSL, Unix sockets, pipes).
 *
 * @example
 * ```ts
 * class EchoServer extends Protocol {
 *   #transport!: Transport;
 *   override connectionMade(t: Transport) { this.#transport = t; }
 *   override dataReceived(data: Uint8Array) { this.#transport.write(data); }
 * }
 * ```
 */
export class Protocol extends BaseProtocol implements ProtocolLike {
  /** Some bytes arrived; how the stream is cut into chunks is up to the transport. */
  dataReceived(_data: Uint8Array): void {}
  /** The peer sent EOF. The default returns nothing, so the transport closes itself. */
  eofReceived(): boolean | null | void {}
}

/**
 * The base class of streaming protocols that manage their receive buffer:
 * the transport reads straight into the buffer `getBuffer()` returns.
 *
 * @example
 * ```ts
 * class Counter extends BufferedProtocol {
 *   #buf = new Uint8Array(4096);
 *   total = 0;
 *   override getBuffer() { return this.#buf; }
 *   override bufferUpdated(n: number) { this.total += n; }
 * }
 * ```
 */
export class BufferedProtocol extends BaseProtocol implements BufferedProtocolLike {
  /**
   * The buffer to receive into: override it. The default returns null, as
   * Python's returns None, which a transport rejects with the TypeError of
   * Python's `len(None)` (see {@link _bufferLength}).
   */
  getBuffer(_sizeHint: number): Uint8Array {
    return null as unknown as Uint8Array;
  }
  /** `nbytes` bytes were written at the start of the buffer from `getBuffer()`. */
  bufferUpdated(_nbytes: number): void {}
  /** The peer sent EOF. The default returns nothing, so the transport closes itself. */
  eofReceived(): boolean | null | void {}
}

/**
 * The base class of datagram (UDP) protocols.
 *
 * @example
 * ```ts
 * class Echo extends DatagramProtocol {
 *   transport!: DatagramTransport;
 *   override connectionMade(t: DatagramTransport) { this.transport = t; }
 *   override datagramReceived(data: Uint8Array, addr: Address) { this.transport.sendto(data, addr); }
 * }
 * ```
 */
export class DatagramProtocol extends BaseProtocol implements DatagramProtocolLike {
  /** A datagram arrived from `addr`. */
  datagramReceived(_data: Uint8Array, _addr: Address): void {}
  /** A previous send or receive failed with an `OSError`. */
  errorReceived(_exc: Error): void {}
}

/**
 * The base class of protocols talking to a child process through pipes.
 *
 * @example
 * ```ts
 * class Collect extends SubprocessProtocol {
 *   out: Uint8Array[] = [];
 *   override pipeDataReceived(fd: number, data: Uint8Array) { if (fd === 1) this.out.push(data); }
 * }
 * ```
 */
export class SubprocessProtocol extends BaseProtocol implements SubprocessProtocolLike {
  /**
   * @internal Classes that Python makes SubprocessProtocols by a second base,
   * which JS classes cannot have (`asyncio.subprocess.SubprocessStreamProtocol`,
   * a `Protocol` through `FlowControlMixin` first): registered by their
   * modules, so `instanceof SubprocessProtocol` holds for them, as
   * `isinstance()` does in Python.
   */
  static _virtualSubclasses: Array<abstract new (...args: never[]) => unknown> = [];
  /**
   * `instanceof` also sees {@link SubprocessProtocol._virtualSubclasses}, and
   * their prototypes (`C.prototype instanceof SubprocessProtocol`, the JS
   * spelling of `issubclass`).
   */
  static override [Symbol.hasInstance](x: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, x)) return true;
    return this === SubprocessProtocol &&
      SubprocessProtocol._virtualSubclasses.some((c) => x === c.prototype || x instanceof c);
  }

  /** The child wrote `data` to pipe `fd` (1: stdout, 2: stderr). */
  pipeDataReceived(_fd: number, _data: Uint8Array): void {}
  /** Pipe `fd` of the child closed. */
  pipeConnectionLost(_fd: number, _exc: Error | null): void {}
  /** The child exited. */
  processExited(): void {}
}

/**
 * @internal Whether a transport reads into `p`'s buffers: Python's
 * `isinstance(p, BufferedProtocol)`. An object of another class (a plain
 * object, which API.md lets be a protocol) counts when it has `getBuffer`
 * and no `dataReceived`; a `Protocol` with a helper method named
 * `getBuffer` still gets `dataReceived()`, as in Python.
 */
export function _isBufferedProtocol(p: BaseProtocolLike): p is BufferedProtocolLike {
  if (p instanceof BufferedProtocol) return true;
  const q = p as Partial<BufferedProtocolLike & ProtocolLike>;
  return typeof q.getBuffer === "function" && typeof q.dataReceived !== "function";
}

/**
 * @internal `len(buf)` of what a `getBuffer()` returned, as Python takes it:
 * no buffer (null or undefined: Python's None, from the default or from an
 * override without a `return`) is the TypeError of `len(None)`, where an
 * empty one is the transport's RuntimeError.
 */
export function _bufferLength(buf: Uint8Array | null | undefined): number {
  if (buf === null || buf === undefined) {
    throw new TypeError("object of type 'NoneType' has no len()");
  }
  return buf.length;
}

/**
 * Hands `data` to a buffered protocol through as many `getBuffer()` /
 * `bufferUpdated()` rounds as its buffers need (Python's
 * `_feed_data_to_buffered_proto`, for transports that receive into their
 * own buffer, like SSL, and then must feed a `BufferedProtocol`).
 *
 * @example
 * ```ts
 * feedDataToBufferedProto(protocol, chunk);
 * ```
 */
export function feedDataToBufferedProto(proto: BufferedProtocolLike, data: Uint8Array): void {
  let rest = data;
  while (rest.length > 0) {
    const buf = proto.getBuffer(rest.length);
    if (_bufferLength(buf) === 0) throw new RuntimeError("get_buffer() returned an empty buffer");
    const n = Math.min(buf.length, rest.length);
    buf.set(rest.subarray(0, n));
    proto.bufferUpdated(n);
    rest = rest.subarray(n);
  }
}

/** Whether `f` is a `class` (which throws when called without `new`). */
function isClass(f: unknown): f is new () => unknown {
  return typeof f === "function" && /^class[\s{]/.test(Function.prototype.toString.call(f));
}

/**
 * A protocol factory as the loop calls it. Python code passes a protocol
 * class itself as the factory (`loop.create_server(EchoProtocol, host,
 * port)`), and a class is a callable there; a JS class needs `new`, so a
 * class given here is wrapped in `() => new Class()`. A function is
 * returned as it is. Anything else fails only when the loop calls it, with
 * Python's TypeError, as in Python (which connects first, or for a server,
 * fails each accepted connection).
 *
 * @example
 * ```ts
 * const f = protocolFactory(Protocol);
 * f() instanceof Protocol; // true
 * ```
 */
export function protocolFactory<P>(f: ProtocolFactory<P>): () => P {
  if (typeof f !== "function") {
    return () => {
      throw new TypeError(`'${pyTypeName(f)}' object is not callable`);
    };
  }
  if (!isClass(f)) return f as () => P;
  const cls = f as new () => P;
  return () => new cls();
}

/** A protocol factory: a function making the protocol, or its class (as in Python). */
export type ProtocolFactory<P> = (() => P) | (new () => P);

/**
 * Checks that `protocol` has the callback `js` before a transport calls it.
 * Any object with the callbacks a transport needs is a protocol (the spec's
 * UDP echo server has no `connection_lost`); a missing one fails as in
 * Python, with its AttributeError (a TypeError for JS code), where each JS
 * runtime would word its own.
 *
 * @example
 * ```ts
 * class Echo { connectionMade() {} }
 * checkCallback(new Echo(), "connectionLost", "connection_lost");
 * // AttributeError: 'Echo' object has no attribute 'connection_lost'
 * ```
 */
export function checkCallback(protocol: unknown, js: string, py: string): void {
  if (typeof (protocol as Record<string, unknown> | null)?.[js] !== "function") {
    throw new AttributeError(`'${pyTypeName(protocol)}' object has no attribute '${py}'`);
  }
}

setPyModule(
  "asyncio.protocols",
  BaseProtocol,
  Protocol,
  BufferedProtocol,
  DatagramProtocol,
  SubprocessProtocol,
);
// print(protocol) shows that repr for subclasses too (the symbol is inherited).
printAsRepr(BaseProtocol);
