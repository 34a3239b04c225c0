/**
 * `SelectorEventLoop`, the loop of this library: the selector loop plus the
 * Unix parts, signal handlers first (subprocesses come later).
 *
 * @module
 */
import { C, sys } from "../ffi/mod.ts";
import { listenSignal, NSIG, SIGNALS } from "../ffi/signals.ts";
import { BaseSelectorEventLoop } from "./selector_events.ts";
import { type Callback, Handle } from "./events.ts";
import { osErrorFromErrno, RuntimeError, ValueError } from "./exceptions.ts";
import { pyRepr, pyTypeName } from "./format.ts";
import { logger } from "./log.ts";
import { inThread } from "./running.ts";
import { checkKeywords } from "./keywords.ts";
import { iscoroutine, iscoroutinefunction } from "./coroutines.ts";
import * as sm from "./sock_methods.ts";
import type { Socket } from "./socket.ts";
import type { AddressLike, SocketAddress } from "./sockaddr.ts";
import type { AddrInfo, GetaddrinfoOptions } from "./dns.ts";
import * as conn from "./connections.ts";
import * as sf from "./sendfile.ts";
import {
  createDatagramEndpoint,
  type DatagramEndpointOptions,
  type SelectorDatagramTransport,
} from "./datagram.ts";
import {
  type DatagramProtocolInput,
  type ProtocolFactory,
  protocolFactory as asFactory,
  type SubprocessProtocolLike,
} from "./protocols.ts";
import {
  detachChildren,
  splitExecArgs,
  subprocessExec,
  type SubprocessOptions,
  subprocessShell,
  UnixReadPipeTransport,
  type UnixSubprocessTransport,
  UnixWritePipeTransport,
} from "./unix_subprocess.ts";
import { fileobjToFd } from "./selectors.ts";
import type { Future } from "./futures.ts";
import { bindMethodOnRead } from "./bound_methods.ts";
import type { ProtocolLike } from "./protocols.ts";
import type { Server } from "./servers.ts";
import { type SSLTransport, startTls, type StartTlsOptions } from "./sslproto.ts";
import type { SSLContext } from "./ssl.ts";
import type { BaseTransport } from "./transports.ts";
import type { BaseProtocolLike } from "./protocols.ts";

/**
 * The event loop over a selector (`EpollSelector` by default, or the
 * `PollSelector` / `SelectSelector` passed in), with signal handling.
 *
 * @example
 * ```ts
 * const loop = new asyncio.SelectorEventLoop();
 * loop.addSignalHandler(asyncio.signals.SIGTERM, () => loop.stop());
 * await loop.runForever();
 * loop.close();
 * ```
 */
export class SelectorEventLoop extends BaseSelectorEventLoop {
  #signalHandlers = new Map<
    number,
    { handle: Handle; unlisten: () => void; runner: boolean }
  >();

  // -- connections and servers ---------------------------------------------

  /** Opens a TCP connection; resolves to `[transport, protocol]`. */
  override createConnection<P extends BaseProtocolLike>(
    protocolFactory: ProtocolFactory<P>,
    host?: string | null | conn.AddressKeywords<conn.CreateConnectionOptions, conn.HostPort>,
    port?:
      | number
      | string
      | null
      | conn.AddressKeywords<conn.CreateConnectionOptions, conn.HostPort>,
    opts?: conn.CreateConnectionOptions,
  ): Promise<[conn.StreamTransport, P]> {
    return conn.createConnection(this, asFactory(protocolFactory), host, port, opts) as Promise<
      [conn.StreamTransport, P]
    >;
  }

  /** Listens on `host:port`; resolves to a `Server`. */
  override createServer(
    protocolFactory: ProtocolFactory<BaseProtocolLike>,
    host?:
      | string
      | string[]
      | null
      | conn.AddressKeywords<conn.CreateServerOptions, conn.ServerHostPort>,
    port?:
      | number
      | string
      | null
      | conn.AddressKeywords<conn.CreateServerOptions, conn.ServerHostPort>,
    opts?: conn.CreateServerOptions,
  ): Promise<Server> {
    return conn.createServer(this, asFactory(protocolFactory), host, port, opts);
  }

  /** Connects to a Unix socket; resolves to `[transport, protocol]`. */
  override createUnixConnection<P extends BaseProtocolLike>(
    protocolFactory: ProtocolFactory<P>,
    path?: string | null | conn.AddressKeywords<conn.CreateUnixConnectionOptions, conn.UnixPath>,
    opts?: conn.CreateUnixConnectionOptions,
  ): Promise<[conn.StreamTransport, P]> {
    return conn.createUnixConnection(this, asFactory(protocolFactory), path, opts) as Promise<
      [conn.StreamTransport, P]
    >;
  }

  /** Listens on a Unix socket path; resolves to a `Server`. */
  override createUnixServer(
    protocolFactory: ProtocolFactory<BaseProtocolLike>,
    path?: string | null | conn.AddressKeywords<conn.CreateUnixServerOptions, conn.UnixPath>,
    opts?: conn.CreateUnixServerOptions,
  ): Promise<Server> {
    // The server listens at once; its errors reject, as Python's raise at the await.
    try {
      return conn.createUnixServer(this, asFactory(protocolFactory), path, opts);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  // -- pipes -------------------------------------------------------------------

  /**
   * Reads the pipe (an fd or an object with `fileno()`) into a protocol;
   * resolves to `[transport, protocol]`. The transport owns the fd from now.
   */
  override connectReadPipe<P extends ProtocolLike>(
    protocolFactory: ProtocolFactory<P>,
    pipe: number | { fileno(): number },
  ): Promise<[UnixReadPipeTransport, P]> {
    return this.#connectPipe(asFactory(protocolFactory), pipe, UnixReadPipeTransport);
  }

  /** Writes to the pipe through a transport; resolves to `[transport, protocol]`. */
  override connectWritePipe<P extends BaseProtocolLike>(
    protocolFactory: ProtocolFactory<P>,
    pipe: number | { fileno(): number },
  ): Promise<[UnixWritePipeTransport, P]> {
    return this.#connectPipe(asFactory(protocolFactory), pipe, UnixWritePipeTransport);
  }

  async #connectPipe<P extends BaseProtocolLike, T extends BaseTransport>(
    protocolFactory: () => P,
    pipe: number | { fileno(): number },
    Transport: new (loop: this, fd: number, protocol: P, waiter: Future<void>) => T,
  ): Promise<[T, P]> {
    const fd = fileobjToFd(pipe);
    const protocol = protocolFactory();
    const waiter = this.createFuture<void>();
    const transport = new Transport(this, fd, protocol, waiter);
    // As in Python, extra info "pipe" is the pipe object given, not its fd.
    transport._extra.set("pipe", pipe);
    try {
      await waiter;
    } catch (e) {
      transport.close();
      throw e;
    }
    if (this.getDebug()) {
      const kind = Transport === (UnixReadPipeTransport as unknown) ? "Read" : "Write";
      logger.debug(`${kind} pipe ${fd} connected: (${pyRepr(transport)}, ${pyRepr(protocol)})`);
    }
    return [transport, protocol];
  }

  // -- subprocesses ----------------------------------------------------------

  /** Python's `loop.subprocess_exec`: a final plain object is the options. */
  override subprocessExec<P extends SubprocessProtocolLike>(
    protocolFactory: ProtocolFactory<P>,
    program: string | Uint8Array,
    ...args: Array<string | Uint8Array | SubprocessOptions>
  ): Promise<[UnixSubprocessTransport, P]> {
    const [argv, opts] = splitExecArgs<SubprocessOptions>(args);
    return subprocessExec(this, asFactory(protocolFactory), program, argv, opts ?? {});
  }

  /** Python's `loop.subprocess_shell` (`/bin/sh -c cmd`). */
  override subprocessShell<P extends SubprocessProtocolLike>(
    protocolFactory: ProtocolFactory<P>,
    cmd: string | Uint8Array,
    opts: SubprocessOptions = {},
  ): Promise<[UnixSubprocessTransport, P]> {
    return subprocessShell(this, asFactory(protocolFactory), cmd, opts);
  }

  /** Makes a UDP or Unix datagram endpoint; resolves to `[transport, protocol]`. */
  override createDatagramEndpoint<P extends DatagramProtocolInput>(
    protocolFactory: ProtocolFactory<P>,
    opts?: DatagramEndpointOptions,
  ): Promise<[SelectorDatagramTransport, P]> {
    return createDatagramEndpoint(this, asFactory(protocolFactory), opts);
  }

  /** Wraps an accepted socket in a transport. */
  override connectAcceptedSocket<P extends BaseProtocolLike>(
    protocolFactory: ProtocolFactory<P>,
    sock: Socket,
    opts?: conn.ConnectAcceptedSocketOptions,
  ): Promise<[conn.StreamTransport, P]> {
    return conn.connectAcceptedSocket(this, asFactory(protocolFactory), sock, opts) as Promise<
      [conn.StreamTransport, P]
    >;
  }

  /**
   * Upgrades an open connection to TLS (Python's `loop.start_tls`): resolves
   * to the new transport that `protocol` talks through from now on.
   */
  override startTls(
    transport: BaseTransport,
    protocol: BaseProtocolLike,
    sslcontext: SSLContext,
    opts?: StartTlsOptions,
  ): Promise<SSLTransport> {
    try {
      checkKeywords("BaseEventLoop.start_tls", opts, [
        "serverSide",
        "serverHostname",
        "sslHandshakeTimeout",
        "sslShutdownTimeout",
      ]);
    } catch (e) {
      return Promise.reject(e);
    }
    return startTls(this, transport, protocol, sslcontext, opts);
  }

  // -- sockets: try the call first, watch the fd only on EAGAIN ---------------

  /** Receives up to `n` bytes from the non-blocking `sock`. */
  override sockRecv(sock: Socket, n: number): Promise<Uint8Array> {
    return sm.sockRecv(this, sock, n);
  }

  /** Receives into `buf`; resolves to the number of bytes. */
  override sockRecvInto(sock: Socket, buf: Uint8Array): Promise<number> {
    return sm.sockRecvInto(this, sock, buf);
  }

  /** Sends all of `data`. */
  override sockSendall(sock: Socket, data: Uint8Array): Promise<null> {
    return sm.sockSendall(this, sock, data);
  }

  /**
   * Sends `file` (an fd, an object with `fileno()`, or a `FileHandle`)
   * from `offset`, `count` bytes (null: to its end), with sendfile(2);
   * reads and sends instead when that is not possible, unless
   * `fallback` is false. Resolves with the bytes sent.
   */
  override sockSendfile(
    sock: Socket,
    file: sf.SendfileFile,
    offset?: number,
    count?: number | null,
    opts?: sf.SendfileOptions,
  ): Promise<number> {
    return sf.sockSendfile(this, sock, file, offset, count, opts);
  }

  /**
   * Sends `file` over `transport` (sendfile(2) on a socket transport, once
   * its write buffer is flushed); resolves with the bytes sent.
   */
  override sendfile(
    transport: sf.SendfileTransport,
    file: sf.SendfileFile,
    offset?: number,
    count?: number | null,
    opts?: sf.SendfileOptions,
  ): Promise<number> {
    return sf.sendfile(this, transport, file, offset, count, opts);
  }

  /** Connects `sock` to `address` (names are resolved first). */
  override sockConnect(sock: Socket, address: AddressLike): Promise<null> {
    return sm.sockConnect(this, sock, address);
  }

  /** Accepts a connection: `[socket, address]`, the socket non-blocking. */
  override sockAccept(sock: Socket): Promise<[Socket, SocketAddress]> {
    return sm.sockAccept(this, sock);
  }

  /** Receives a datagram and its sender (Python 3.11). */
  override sockRecvfrom(
    sock: Socket,
    bufsize: number,
  ): Promise<[Uint8Array, SocketAddress | null]> {
    return sm.sockRecvfrom(this, sock, bufsize);
  }

  /** Receives a datagram into `buf` (Python 3.11). */
  override sockRecvfromInto(
    sock: Socket,
    buf: Uint8Array,
    nbytes = 0,
  ): Promise<[number, SocketAddress | null]> {
    return sm.sockRecvfromInto(this, sock, buf, nbytes);
  }

  /** Sends a datagram to `address` (Python 3.11). */
  override sockSendto(sock: Socket, data: Uint8Array, address: AddressLike): Promise<number> {
    return sm.sockSendto(this, sock, data, address);
  }

  /** Python's `getaddrinfo`: `[family, type, proto, canonname, sockaddr]` entries. */
  override getaddrinfo(
    host: string | Uint8Array | null | undefined,
    port: number | string | Uint8Array | null | undefined,
    opts?: GetaddrinfoOptions,
  ): Promise<AddrInfo[]> {
    return sm.loopGetaddrinfo(this, host, port, opts);
  }

  /** Python's `getnameinfo`: `[host, service]`. */
  override getnameinfo(
    sockaddr: readonly [string, number, ...number[]],
    flags = 0,
  ): Promise<[host: string, service: string]> {
    return sm.loopGetnameinfo(this, sockaddr, flags);
  }

  /**
   * Calls `callback(...args)` from the loop whenever signal `sig` arrives,
   * instead of its default action. Replaces an earlier handler for `sig`.
   * Returns null, as Python's returns None.
   */
  override addSignalHandler(sig: number, callback: Callback, ...args: unknown[]): null {
    // A coroutine object (`handler()` passed by mistake) too, as Python.
    if (iscoroutine(callback) || iscoroutinefunction(callback)) {
      throw new TypeError("coroutines cannot be used with add_signal_handler()");
    }
    checkSignal(sig);
    if (this._closed) throw new RuntimeError("Event loop is closed");
    // Python's `signal.set_wakeup_fd()` refuses any thread but the main one;
    // a function an executor runs here in a thread's stead is one.
    if (inThread()) {
      throw new RuntimeError("set_wakeup_fd only works in main thread of the main interpreter");
    }
    // CPython 3.11 does not check that `callback` is callable here: calling
    // it fails when the signal comes, through the exception handler.
    // The kernel never delivers these; some runtimes accept a listener anyway.
    if (sig === SIGNALS.SIGKILL || sig === SIGNALS.SIGSTOP) {
      throw new RuntimeError(`sig ${sig} cannot be caught`);
    }
    const handle = new Handle(callback, args.length ? args : null, this, null);
    const old = this.#signalHandlers.get(sig);
    let unlisten: () => void;
    try {
      unlisten = listenSignal(sig, () => this.#handleSignal(sig));
    } catch {
      throw new RuntimeError(`sig ${sig} cannot be caught`);
    }
    if (old !== undefined) old.unlisten();
    const runner = typeof callback === "function" && RUNNER_SIGINT in callback;
    this.#signalHandlers.set(sig, { handle, unlisten, runner });
    // Python's `signal.set_wakeup_fd(self._csock)`: one loop in the process
    // is told of signals, the last to add a handler (run()'s is no loop's).
    if (!runner) wakeupLoop = this;
    if (sig === SIGNALS.SIGINT) this._sigintHandlerChanged();
    return null;
  }

  /** Whether a handler for `sig` is installed. */
  hasSignalHandler(sig: number): boolean {
    return this.#signalHandlers.has(sig);
  }

  /**
   * Removes the handler for `sig`; true if there was one. The default action
   * returns. `run()`'s SIGINT handler is not the loop's in Python (see
   * {@link RUNNER_SIGINT}): false, and it stays.
   */
  override removeSignalHandler(sig: number): boolean {
    checkSignal(sig);
    if (this.#signalHandlers.get(sig)?.runner) return false;
    return this.#removeHandler(sig);
  }

  /** @internal `run()` removing its own SIGINT handler, if it is still the one installed. */
  _removeRunnerHandler(sig: number): void {
    if (this.#signalHandlers.get(sig)?.runner) this.#removeHandler(sig);
  }

  #removeHandler(sig: number): boolean {
    const entry = this.#signalHandlers.get(sig);
    if (entry === undefined) return false;
    this.#signalHandlers.delete(sig);
    entry.unlisten();
    // Its last handler gone, Python's loop calls `set_wakeup_fd(-1)`: no
    // loop is told of signals any more, even if another one set it since.
    if (!entry.runner && ![...this.#signalHandlers.values()].some((e) => !e.runner)) {
      wakeupLoop = null;
    }
    // Python restores `signal.default_int_handler`: KeyboardInterrupt again.
    if (sig === SIGNALS.SIGINT) this._sigintHandlerChanged();
    return true;
  }

  #handleSignal(sig: number): void {
    const entry = this.#signalHandlers.get(sig);
    if (entry === undefined || this._closed) return;
    if (!entry.runner && wakeupLoop !== this) return;
    if (entry.handle.cancelled()) {
      this.#removeHandler(sig);
      return;
    }
    // Delivered by a host callback: schedule it as callSoonThreadsafe would,
    // waking the loop if it waits. The same handle runs once per signal.
    this._addHandle(entry.handle);
  }

  /**
   * Closes the loop and removes its signal handlers. Child processes still
   * running are handed to the process-wide reaper, which reaps them when
   * they exit (see `lib/child_watcher.ts`).
   */
  override close(): void {
    if (!this.isRunning() && !this.isClosed()) detachChildren(this);
    super.close();
    for (const sig of [...this.#signalHandlers.keys()]) this.#removeHandler(sig);
  }
}

// Bound on read, as Python's bound methods (see selector_events.ts):
// `loop.call_later(1, loop.remove_signal_handler, SIGINT)` ports as it is.
bindMethodOnRead(
  SelectorEventLoop.prototype,
  "addSignalHandler",
  "_UnixSelectorEventLoop.add_signal_handler",
);
bindMethodOnRead(
  SelectorEventLoop.prototype,
  "removeSignalHandler",
  "_UnixSelectorEventLoop.remove_signal_handler",
);

// CPython's `asyncio.SelectorEventLoop` on Unix is `_UnixSelectorEventLoop`:
// a ported `type(loop).__name__` (`loop.constructor.name`) prints that.
Object.defineProperty(SelectorEventLoop, "name", { value: "_UnixSelectorEventLoop" });

/**
 * The loop that Python's wakeup fd would name (see `addSignalHandler`): its
 * handlers run when a signal comes; another loop's handlers for it do not.
 */
let wakeupLoop: SelectorEventLoop | null = null;

function checkSignal(sig: unknown): void {
  if (typeof sig !== "number" || !Number.isInteger(sig)) {
    throw new TypeError(`sig must be an int, not ${pyRepr(sig)}`);
  }
  // Python's `signal.valid_signals()`: 1 to NSIG - 1 but 32 and 33, which
  // glibc keeps for its threads.
  if (sig < 1 || sig >= NSIG || sig === 32 || sig === 33) {
    throw new ValueError(`invalid signal number ${sig}`);
  }
}

/**
 * Marks the SIGINT handler that `run()` installs (a property of its
 * callback). CPython's Runner sets its handler with `signal.signal()`, not
 * as one of the loop's: `loop.remove_signal_handler(SIGINT)` inside
 * `asyncio.run()` returns False and leaves it, while `add_signal_handler`
 * replaces it, as here. `Symbol.for`: runners.ts need not import this module.
 *
 * @internal
 */
export const RUNNER_SIGINT: symbol = Symbol.for("asyncio.runnerSigint");

/** Signal numbers by name, like Python's `signal.SIGTERM`. @example `loop.addSignalHandler(signals.SIGINT, stop)` */
export const signals: Readonly<Record<string, number>> = SIGNALS;

/**
 * Python's `os.pipe()`: a new pipe as `[readFd, writeFd]`, both
 * close-on-exec (not inherited by children, as since Python 3.4). Hand the
 * ends to `connectReadPipe` / `connectWritePipe`, whose transports own and
 * close them.
 *
 * @example
 * ```ts
 * const [r, w] = asyncio.pipe();
 * const [reader] = await loop.connectReadPipe(() => new asyncio.Protocol(), r);
 * const [writer] = await loop.connectWritePipe(() => new asyncio.Protocol(), w);
 * ```
 */
export function pipe(): [number, number] {
  const r = sys().pipe2(C.O_CLOEXEC);
  if (typeof r === "number") throw osErrorFromErrno(-r);
  return r;
}

/**
 * Python's `os.close(fd)`, for the ends of a {@link pipe} that no transport
 * owns: the write end handed to a child as its `stdout`, say, which the
 * parent must close to see the child's EOF. (Deno's `node:fs` cannot close
 * an fd it did not open.) A bad fd is an `OSError` (EBADF).
 *
 * @example
 * ```ts
 * const [r, w] = asyncio.pipe();
 * const p = await asyncio.createSubprocessExec("echo", "hi", { stdout: w });
 * asyncio.closeFd(w);
 * ```
 */
export function closeFd(fd: number): void {
  if (typeof fd !== "number" || !Number.isInteger(fd)) {
    const type = typeof fd === "number" ? "float" : pyTypeName(fd);
    throw new TypeError(`'${type}' object cannot be interpreted as an integer`);
  }
  const r = sys().close(fd);
  if (r < 0) throw osErrorFromErrno(-r);
}
