/**
 * `Server`: listening sockets that accept connections into transports.
 *
 * @module
 */
import { C, ERRNO } from "../ffi/mod.ts";
import type { BaseSelectorEventLoop } from "./selector_events.ts";
import { type BaseProtocolLike, checkCallback } from "./protocols.ts";
import { _isBaseError, NotImplementedError, osErrorFromErrno, RuntimeError } from "./exceptions.ts";
import type { AbstractEventLoop } from "./events.ts";
import type { Future } from "./futures.ts";
import { bindMethodOnRead } from "./bound_methods.ts";
import { lazyMethods } from "./coroutines.ts";
import { acceptRaw, closeSocketFd, type Socket, transportSocket, wrapSocketFd } from "./socket.ts";
import { formatAddress } from "./sockaddr.ts";
import { logger } from "./log.ts";
import { SelectorSocketTransport } from "./selector_transports.ts";
import { objectHead, printAsRepr, pyRepr, setPyModule } from "./format.ts";
import { _skipTaskNumber, sleep } from "./tasks.ts";
import { AssertionError } from "./streams.ts";

/** Python waits this long before accepting again when out of fds. */
const ACCEPT_RETRY_DELAY = 1;
const RESOURCE_ERRNOS = new Set<number>([ERRNO.EMFILE, ERRNO.ENFILE, ERRNO.ENOBUFS, ERRNO.ENOMEM]);

/**
 * Python's `asyncio.AbstractServer`: the interface of what
 * `loop.createServer()` returns, the base class of {@link Server}. Its
 * methods raise `NotImplementedError`, as Python's do; `await using` closes
 * the server and waits for it, as Python's `async with` does.
 *
 * @example
 * ```ts
 * const server = await asyncio.startServer(handler, "127.0.0.1", 0);
 * server instanceof asyncio.AbstractServer; // true
 * ```
 */
export class AbstractServer {
  /** Stops serving; existing connections stay open. */
  close(): void {
    throw new NotImplementedError();
  }

  /** The event loop the server is attached to. */
  getLoop(): AbstractEventLoop {
    throw new NotImplementedError();
  }

  /** Whether the server accepts connections. */
  isServing(): boolean {
    throw new NotImplementedError();
  }

  /** Starts accepting connections (idempotent). */
  async startServing(): Promise<null> {
    throw new NotImplementedError();
  }

  /** Accepts connections until cancelled; the server is closed then. */
  async serveForever(): Promise<void> {
    throw new NotImplementedError();
  }

  /** Waits until the server is closed. */
  async waitClosed(): Promise<null> {
    throw new NotImplementedError();
  }

  /** `await using`: `close()` then `waitClosed()`, as Python's `async with server`. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
    await this.waitClosed();
  }

  /** `<asyncio.events.AbstractServer object at 0x7f...>`, Python's default repr. */
  toString(): string {
    return `<${objectHead(this)}>`;
  }
}

/**
 * A server made by `loop.createServer()` / `asyncio.startServer()`.
 * `await using server = ...` closes it and waits for its connections.
 *
 * @example
 * ```ts
 * const server = await loop.createServer(() => new EchoProtocol(), "127.0.0.1", 0);
 * console.log(server.sockets[0].getsockname());
 * server.close();
 * await server.waitClosed();
 * ```
 */
export class Server extends AbstractServer {
  #loop: BaseSelectorEventLoop;
  #sockets: Socket[] | null;
  #factory: () => BaseProtocolLike;
  #backlog: number;
  #serving = false;
  #active = 0;
  #waiters: Array<Future<void>> | null = [];
  #servingForever: Future<void> | null = null;

  /** @internal Made by the loop. */
  constructor(
    loop: BaseSelectorEventLoop,
    sockets: Socket[],
    factory: () => BaseProtocolLike,
    backlog: number,
  ) {
    super();
    this.#loop = loop;
    this.#sockets = sockets;
    this.#factory = factory;
    this.#backlog = backlog;
  }

  /**
   * The listening sockets (empty once closed), as Python's
   * `TransportSocket` views: they print as `<asyncio.TransportSocket ...>`.
   */
  get sockets(): Socket[] {
    return this.#sockets ? this.#sockets.map(transportSocket) : [];
  }

  /** The loop the server runs on. */
  override getLoop(): BaseSelectorEventLoop {
    return this.#loop;
  }

  /** Whether it accepts connections. */
  override isServing(): boolean {
    return this.#serving;
  }

  /**
   * Starts accepting (if `startServing: false` was given), then skips one
   * loop iteration, as Python does, so the readers it added go through:
   * tasks that are ready run before the caller resumes.
   */
  override async startServing(): Promise<null> {
    if (!this.#serving && this.#sockets === null) {
      // Python's _start_serving marks a closed server serving, then
      // iterates its sockets, which are None by then.
      this.#serving = true;
      throw new TypeError("'NoneType' object is not iterable");
    }
    this._startServing();
    await sleep(0);
    return null;
  }

  /** @internal */
  _startServing(): void {
    if (this.#serving || this.#sockets === null) return;
    this.#serving = true;
    for (const sock of this.#sockets) {
      sock.listen(this.#backlog);
      this.#watch(sock);
    }
  }

  #watch(sock: Socket): void {
    this.#loop.addReader(sock.fileno(), () => this.#accept(sock));
  }

  #accept(sock: Socket): void {
    for (let i = 0; i < this.#backlog; i++) {
      const r = acceptRaw(sock.fileno());
      if (typeof r === "number") {
        const errno = -r;
        if (errno === ERRNO.EAGAIN || errno === ERRNO.EINTR || errno === ERRNO.ECONNABORTED) return;
        const exc = osErrorFromErrno(errno);
        if (RESOURCE_ERRNOS.has(errno)) {
          this.#loop.callExceptionHandler({
            message: "socket.accept() out of system resource",
            exception: exc,
            socket: transportSocket(sock),
          });
          this.#loop.removeReader(sock.fileno());
          this.#loop.callLater(ACCEPT_RETRY_DELAY, () => {
            if (this.#serving && this.#sockets?.includes(sock)) this.#watch(sock);
          });
          return;
        }
        this.#loop.callExceptionHandler({
          message: "Error on accept()",
          exception: exc,
          socket: transportSocket(sock),
        });
        return;
      }
      // accept4 made it non-blocking and close-on-exec; the transport makes
      // its Socket object only if someone asks for it.
      // The protocol and transport are made one iteration later, as
      // Python's _accept_connection2 task does; that task takes a Task-N
      // name, so the handler's task is numbered after it.
      _skipTaskNumber();
      const [fd, addr] = r;
      if (this.#loop.getDebug()) this.#logAccepted(sock, fd, addr);
      const h = this.#loop.callSoon(() => this.#connectionMade(sock, fd, addr));
      // Until then the fd is nobody's: a loop closed first closes it.
      h._dropped = () => closeSocketFd(fd);
    }
  }

  /**
   * Python's debug-mode report of an accepted connection: `<Server ...>
   * got a new connection from ('127.0.0.1', 51234): <socket.socket fd=7,
   * ...>`, the new socket shown as Python's accept() makes it (the
   * listener's family, type and protocol).
   */
  #logAccepted(listener: Socket, fd: number, addr: unknown): void {
    const conn = wrapSocketFd(fd, listener.family, listener.type, listener.proto, null);
    const peer = typeof addr === "string" ? pyRepr(addr) : formatAddress(addr);
    logger.debug(`${this} got a new connection from ${peer}: ${conn}`);
    conn.detach();
  }

  #connectionMade(listener: Socket, fd: number, addr: unknown): void {
    let protocol: BaseProtocolLike | null = null;
    try {
      protocol = this.#factory();
      // Python's transport fails at once when it looks the callback up:
      // the same quiet drop as a failing factory, never a read.
      checkCallback(protocol, "connectionMade", "connection_made");
      // Python's transport asserts that its server is open as it attaches
      // (`Server._attach`): a `close()` between the accept and this step
      // fails the transport creation, the same quiet drop (the connection
      // is never served, `connection_made` never called).
      if (this.#sockets === null) throw new AssertionError();
    } catch (e) {
      // Python drops the socket (its refcount closes it) and tells the
      // exception handler only in debug mode, with no "socket" key.
      closeSocketFd(fd);
      // A factory's SystemExit or KeyboardInterrupt leaves the loop, as
      // out of Python's _accept_connection2 task.
      if (_isBaseError(e)) throw e;
      if (this.#loop.getDebug()) {
        this.#loop.callExceptionHandler({
          message: "Error on transport creation for incoming connection",
          exception: e,
          ...(protocol != null ? { protocol } : {}),
        });
      }
      return;
    }
    new SelectorSocketTransport(this.#loop, listener, protocol, null, null, this, fd, addr);
  }

  /** @internal A transport of this server opened. */
  _attach(): void {
    this.#active++;
  }

  /** @internal A transport of this server closed. */
  _detach(_transport: unknown): void {
    this.#active--;
    if (this.#active === 0 && this.#sockets === null) this.#wakeup();
  }

  #wakeup(): void {
    const waiters = this.#waiters;
    this.#waiters = null;
    for (const w of waiters ?? []) if (!w.done()) w.setResult(undefined);
  }

  /**
   * Stops listening and closes the listening sockets; connections stay
   * open (wait for them with `waitClosed()`). A Unix socket's file stays,
   * as in Python 3.11.
   */
  override close(): void {
    const sockets = this.#sockets;
    if (sockets === null) return;
    this.#sockets = null;
    for (const sock of sockets) {
      this.#loop.removeReader(sock.fileno());
      sock.close();
    }
    this.#serving = false;
    const f = this.#servingForever;
    if (f !== null && !f.done()) f.cancel();
    this.#servingForever = null;
    if (this.#active === 0) this.#wakeup();
  }

  /**
   * Waits until the server is closed and all its connections are gone, when
   * called before `close()`. Called after `close()`, it returns at once, as
   * in Python 3.11: a handler that returns without closing its writer leaves
   * its connection open (Python's reference counting would close it there;
   * JS has nothing like it), and waiting for it would never end.
   */
  override async waitClosed(): Promise<null> {
    if (this.#sockets === null || this.#waiters === null) return null;
    const w = this.#loop.createFuture<void>();
    this.#waiters.push(w);
    await w;
    return null;
  }

  /** Serves until cancelled; closes the server then. */
  override async serveForever(): Promise<void> {
    if (this.#servingForever !== null) {
      throw new RuntimeError(`server ${this} is already being awaited on serve_forever()`);
    }
    if (this.#sockets === null) throw new RuntimeError(`server ${this} is closed`);
    this._startServing();
    this.#servingForever = this.#loop.createFuture<void>();
    try {
      await this.#servingForever;
    } finally {
      this.close();
      await this.waitClosed();
    }
  }

  /** `await using`: `close()` then `waitClosed()`, as Python's `async with server`. */
  override async [Symbol.asyncDispose](): Promise<void> {
    this.close();
    await this.waitClosed();
  }

  /** `<Server sockets=(...)>`. */
  override toString(): string {
    // A tuple, as Python prints it: one item has its comma.
    const items = this.sockets.map(String);
    return `<Server sockets=(${items.join(", ")}${items.length === 1 ? "," : ""})>`;
  }
}

/** Listen-socket options shared by TCP and Unix servers. @internal */
export function enableReuse(sock: Socket, reuseAddress: boolean, reusePort: boolean): void {
  if (reuseAddress) sock.setsockopt(C.SOL_SOCKET, C.SO_REUSEADDR, 1);
  if (reusePort) sock.setsockopt(C.SOL_SOCKET, C.SO_REUSEPORT, 1);
}

// Python's `asyncio.create_task(server.serve_forever())`: lazy, so the call
// runs in the task made for it, and cancelling that task ends the serving
// (closing the server) as in CPython; an eager call would run detached.
// `start_serving` and `wait_closed` too: `createTask(server.waitClosed())`
// looks at the server when its task first runs, so a `close()` made before
// that returns at once, as in CPython (an eager call waited for the
// connections); `createTask(server.startServing())` serves from then on.
lazyMethods(Server.prototype, {
  serveForever: "Server.serve_forever",
  startServing: "Server.start_serving",
  waitClosed: "Server.wait_closed",
});

// Python passes a server's bound methods as callbacks:
// `loop.call_later(10, server.close)`, `add_signal_handler(SIGTERM,
// server.close)`. Bound on read, they port as they are, and show in a
// Handle as Python names them: `<Handle Server.close()>`. The coroutine
// methods too, so `createTask(server.serveForever)` (a function returning
// an awaitable, rule 9) serves this server.
bindMethodOnRead(Server.prototype, "close", "Server.close");
bindMethodOnRead(Server.prototype, "isServing", "Server.is_serving");
bindMethodOnRead(Server.prototype, "getLoop", "Server.get_loop");
bindMethodOnRead(Server.prototype, "startServing", "Server.start_serving");
bindMethodOnRead(Server.prototype, "serveForever", "Server.serve_forever");
bindMethodOnRead(Server.prototype, "waitClosed", "Server.wait_closed");

setPyModule("asyncio.events", AbstractServer);
printAsRepr(AbstractServer, Server);
