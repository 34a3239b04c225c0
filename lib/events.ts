/**
 * The event loop's public shapes: {@link Handle}, {@link TimerHandle},
 * {@link AbstractEventLoop}, and the running-loop functions.
 *
 * @module
 */
import { type Context, currentContext } from "./contextvars.ts";
import { _isBaseError, NotImplementedError, RuntimeError } from "./exceptions.ts";
import { _boundQualnames, formatCallback, printAsRepr, pyRepr, pyTypeName } from "./format.ts";
import { hooks, running, taskStorage, threadContext } from "./running.ts";
import type { Future } from "./futures.ts";
import type { CoroutineLike, Task } from "./tasks.ts";
import type { Executor } from "./executors.ts";
import type {
  BaseProtocolLike,
  DatagramProtocolInput,
  ProtocolFactory,
  ProtocolLike,
  SubprocessProtocolLike,
} from "./protocols.ts";
import type {
  AddressKeywords,
  ConnectAcceptedSocketOptions,
  CreateConnectionOptions,
  CreateServerOptions,
  CreateUnixConnectionOptions,
  CreateUnixServerOptions,
  HostPort,
  ServerHostPort,
  StreamTransport,
  UnixPath,
} from "./connections.ts";
import type { Server } from "./servers.ts";
import type { DatagramEndpointOptions, SelectorDatagramTransport } from "./datagram.ts";
import type {
  SubprocessOptions,
  UnixReadPipeTransport,
  UnixSubprocessTransport,
  UnixWritePipeTransport,
} from "./unix_subprocess.ts";
import type { SSLTransport, StartTlsOptions } from "./sslproto.ts";
import type { SSLContext } from "./ssl.ts";
import type { BaseTransport } from "./transports.ts";
import type { SendfileFile, SendfileOptions, SendfileTransport } from "./sendfile.ts";
import type { Socket } from "./socket.ts";
import type { AddressLike, SocketAddress } from "./sockaddr.ts";
import type { AddrInfo, GetaddrinfoOptions } from "./dns.ts";

/** A callback the loop calls with the arguments it was scheduled with. */
// deno-lint-ignore no-explicit-any
export type Callback = (...args: any[]) => unknown;

/**
 * The context object handed to exception handlers (Python's dict): keys
 * `message`, `exception`, `future`, `task`, `handle`, `protocol`,
 * `transport`, `socket`, and any others a caller adds.
 */
export interface ExceptionContext {
  /** What went wrong. */
  message?: string;
  /** The error, when there is one. */
  exception?: unknown;
  /** The future concerned. */
  future?: unknown;
  /** The task concerned. */
  task?: unknown;
  /** The handle whose callback failed. */
  handle?: unknown;
  /** The protocol concerned. */
  protocol?: unknown;
  /** The transport concerned. */
  transport?: unknown;
  /** The socket concerned. */
  socket?: unknown;
  /** Where the failing object was created (debug mode). */
  source_traceback?: string;
  /** Where the running handle was scheduled (debug mode). */
  handle_traceback?: string;
  /** Anything else. */
  [key: string]: unknown;
}

/** `(loop, context) => void`, as set by `setExceptionHandler`. */
export type ExceptionHandler = (loop: AbstractEventLoop, context: ExceptionContext) => void;

/** Options of `createTask`: a name, the context to run in, a signal that cancels the task. */
export interface TaskOptions {
  /** The task's name (default `Task-N`). */
  name?: string;
  /** The context to run in (default: a copy of the current one). */
  context?: Context;
  /** Aborting it cancels the task. */
  signal?: AbortSignal;
}

/** A function that makes tasks: `(loop, coro, {context, signal}) => Future` (`createTask` names the task afterwards, as Python 3.11 does). */
export type TaskFactory = (
  loop: AbstractEventLoop,
  coro: unknown,
  opts?: TaskOptions,
) => Future<unknown>;

/** What a handle needs of its loop. */
interface HandleLoop {
  callExceptionHandler(context: ExceptionContext): void;
  getDebug(): boolean;
}

/**
 * @internal What the loop's ready queue holds and runs: a {@link Handle},
 * or an object that is its own callback. A socket transport is the latter
 * for its reads, so that an idle connection keeps no Handle and closure of
 * its own (the loop's `_addSelfReader`).
 */
export interface ReadyItem {
  /** Skipped by the loop when true. */
  _cancelled: boolean;
  /** As {@link Handle._wakes}. */
  readonly _wakes: boolean;
  /** As {@link Handle._wakeOwner}. */
  readonly _wakeOwner: object | null;
  /** As {@link Handle._sourceTraceback}. */
  readonly _sourceTraceback: string | null;
  /** Runs it; errors go to the loop's exception handler. */
  _run(): void;
  /** Called instead, if the loop is closed before it runs: frees what it would have taken over. */
  _dropped?: () => void;
  /** For an item that is no Handle: the repr of the Handle Python would run (debug-mode reports). */
  _handleRepr?: () => string;
}

/**
 * A scheduled callback, returned by `callSoon` and `callSoonThreadsafe`.
 *
 * @example
 * ```ts
 * const h = loop.callSoon(() => console.log("never"));
 * h.cancel();
 * h.cancelled(); // true
 * ```
 */
export class Handle {
  /** @internal */
  _callback: Callback | null;
  /** @internal */
  _args: unknown[] | null;
  /** @internal */
  _loop: HandleLoop;
  /** @internal */
  _context: Context;
  /** @internal */
  _cancelled = false;
  /**
   * @internal Running this callback resumes awaiting JS code (it settles a
   * native promise), so the loop lets microtasks run right after it.
   * (This and the fields below default on the prototype, keeping the
   * common handle small: a batch of a million handles is GC-bound.)
   */
  declare _wakes: boolean;
  /** @internal The task whose code a wake-up resumes, if known. */
  declare _wakeOwner: object | null;
  /** @internal Where it was scheduled, in debug mode. */
  declare _sourceTraceback: string | null;
  /** @internal */
  declare _repr: string | null;
  /** @internal As {@link ReadyItem._dropped}; set on the few handles that need it. */
  declare _dropped?: () => void;

  /** @internal Use `loop.callSoon()`. */
  constructor(
    callback: Callback,
    args: unknown[] | null,
    loop: HandleLoop,
    context?: Context | null,
  ) {
    this._callback = callback;
    this._args = args;
    this._loop = loop;
    // Python's Handle copies the current context when none is given: the
    // callback sees the values of this moment, and its set() stays its own.
    this._context = context ?? currentContext().copy();
    if (loop.getDebug()) this._sourceTraceback = new Error().stack ?? null;
  }

  /** Cancels the call; no effect once it ran or was cancelled. */
  cancel(): void {
    if (this._cancelled) return;
    this._cancelled = true;
    if (this._loop.getDebug()) this._repr = this.toString();
    this._callback = null;
    this._args = null;
  }

  /** Whether the call was cancelled. */
  cancelled(): boolean {
    return this._cancelled;
  }

  /** @internal Runs the callback in its context; errors go to the loop's handler. */
  _run(): void {
    const prev = running.context;
    running.context = this._context;
    try {
      // Called with no `this`, as a plain function: a method passed alone
      // fails plainly, never working on the Handle instead.
      const cb = this._callback!;
      const args = this._args;
      // Python's words for a callback that is not callable (add_reader takes one).
      if (typeof cb !== "function") {
        throw new TypeError(`'${pyTypeName(cb)}' object is not callable`);
      }
      const r = args === null ? cb() : cb(...args);
      // An async function (an async method passed alone, which fails
      // without its `this`) fails with a rejected promise, which nothing
      // else would see but the host, as an unhandled rejection ending the
      // program: it goes to the exception handler as a thrown error does.
      if (r instanceof Promise) {
        r.then(undefined, (exc: unknown) => {
          if (_isBaseError(exc)) throw exc;
          this._report(exc, cb, args);
        });
      }
    } catch (exc) {
      // As Python's Handle._run: Ctrl+C is not the callback's error to log
      // but the program's to see, out of runForever().
      if (_isBaseError(exc)) throw exc;
      // Python reports from outside the `Context.run` that raised: the
      // handler sees the loop's context, not the callback's.
      running.context = prev;
      this._report(exc, this._callback, this._args);
    } finally {
      running.context = prev;
    }
  }

  /** @internal "Exception in callback f(1)" to the loop's exception handler. */
  _report(exc: unknown, cb: unknown, args: unknown[] | null): void {
    const context: ExceptionContext = {
      message: `Exception in callback ${formatCallback(cb, args ?? [])}`,
      exception: exc,
      handle: this,
    };
    if (this._sourceTraceback) context.source_traceback = this._sourceTraceback;
    this._loop.callExceptionHandler(context);
  }

  /** @internal The parts of the repr after the class name. */
  _reprInfo(): string[] {
    const info: string[] = [];
    if (this._cancelled) info.push("cancelled");
    if (this._callback !== null) info.push(formatCallback(this._callback, this._args ?? []));
    return info;
  }

  /** `<Handle f(1)>`, as Python prints it. */
  toString(): string {
    if (this._repr !== null) return this._repr;
    const info = this._reprInfo();
    // `<Handle>` when there is nothing to show (`call_soon(None)`), as Python's join.
    if (info.length === 0) return `<${this.constructor.name}>`;
    return `<${this.constructor.name} ${info.join(" ")}>`;
  }
}

Handle.prototype._wakes = false;
Handle.prototype._wakeOwner = null;
Handle.prototype._sourceTraceback = null;
Handle.prototype._repr = null;

/**
 * A callback scheduled for a time, returned by `callLater` and `callAt`.
 *
 * @example
 * ```ts
 * const h = loop.callLater(1.5, () => {});
 * h.when(); // loop.time() + 1.5
 * ```
 */
export class TimerHandle extends Handle {
  /** @internal The loop time it is due. */
  _when: number;
  /** @internal Whether it is still in the loop's timer heap. */
  _scheduled = false;
  /** @internal */
  declare _loop: HandleLoop & { _timerHandleCancelled(h: TimerHandle): void };

  /** @internal Use `loop.callAt()` or `loop.callLater()`. */
  constructor(
    when: number,
    callback: Callback,
    args: unknown[] | null,
    loop: HandleLoop & { _timerHandleCancelled(h: TimerHandle): void },
    context?: Context | null,
  ) {
    super(callback, args, loop, context);
    this._when = when;
  }

  /** The absolute loop time the callback is due, in seconds. */
  when(): number {
    return this._when;
  }

  /** Cancels the call and tells the loop, which drops cancelled timers in bulk. */
  override cancel(): void {
    if (!this._cancelled) this._loop._timerHandleCancelled(this);
    super.cancel();
  }

  /** @internal */
  override _reprInfo(): string[] {
    const info = super._reprInfo();
    info.splice(this._cancelled ? 1 : 0, 0, `when=${pyRepr(this._when)}`);
    return info;
  }
}

// Python code passes a handle's bound `cancel` as a callback:
// `loop.call_soon_threadsafe(handle.cancel)`, `loop.call_later(5, h.cancel)`.
// Read as a value, `cancel` is a copy bound to its handle, made on each read
// (as futures' `cancel` is, futures.ts): handles are many and short-lived,
// and a call `h.cancel()` that an optimizing compiler inlines makes none.
// Each copy's name is the key of its Python name in a Handle's repr
// (`<Handle TimerHandle.cancel()>`). Read from a prototype, the method itself.
function bindCancelOnEachRead(
  proto: Handle,
  qualname: string,
  bind: (self: Handle) => () => void,
): void {
  const method = proto.cancel;
  _boundQualnames.set(bind(proto).name, qualname);
  Object.defineProperty(proto, "cancel", {
    configurable: true,
    get(this: Handle) {
      return Object.hasOwn(this, "constructor") ? method : bind(this);
    },
    set(this: Handle, value: unknown) {
      Object.defineProperty(this, "cancel", { value, writable: true, configurable: true });
    },
  });
}
const handleCancel = Handle.prototype.cancel;
const timerHandleCancel = TimerHandle.prototype.cancel;
bindCancelOnEachRead(Handle.prototype, "Handle.cancel", (self) =>
  function boundHandleCancel() {
    handleCancel.call(self);
  });
bindCancelOnEachRead(
  TimerHandle.prototype,
  "TimerHandle.cancel",
  (self) =>
    function boundTimerHandleCancel() {
      timerHandleCancel.call(self);
    },
);

function notImplemented(): never {
  throw new NotImplementedError();
}

/**
 * The interface of every event loop. Its methods throw
 * `NotImplementedError`; {@link SelectorEventLoop} implements them.
 *
 * @example
 * ```ts
 * class MyLoop extends AbstractEventLoop { ... }
 * ```
 */
export abstract class AbstractEventLoop {
  /** Callbacks slower than this many seconds are logged in debug mode. */
  slowCallbackDuration = 0.1;

  /** Runs until `stop()` is called. */
  runForever(): Promise<void> {
    notImplemented();
  }
  /** Runs until `future` is done; resolves to its result. */
  runUntilComplete<T>(_future: CoroutineLike<T>): Promise<T> {
    notImplemented();
  }
  /** Stops the loop after the current batch of callbacks. */
  stop(): void {
    notImplemented();
  }
  /** Whether the loop is running. */
  isRunning(): boolean {
    notImplemented();
  }
  /** Whether the loop was closed. */
  isClosed(): boolean {
    notImplemented();
  }
  /** Closes the loop. */
  close(): void {
    notImplemented();
  }
  /** Closes every async generator the loop tracks; resolves to null (Python's None). */
  shutdownAsyncgens(): Promise<null> {
    notImplemented();
  }
  /** Schedules `callback(...args)` to run soon. */
  callSoon(_callback: Callback, ..._args: unknown[]): Handle {
    notImplemented();
  }
  /** Like `callSoon`, and wakes the loop from any thread or host callback. */
  callSoonThreadsafe(_callback: Callback, ..._args: unknown[]): Handle {
    notImplemented();
  }
  /** Schedules `callback(...args)` after `delay` seconds. */
  callLater(_delay: number, _callback: Callback, ..._args: unknown[]): TimerHandle {
    notImplemented();
  }
  /** Schedules `callback(...args)` at loop time `when`. */
  callAt(_when: number, _callback: Callback, ..._args: unknown[]): TimerHandle {
    notImplemented();
  }
  /** The loop's monotonic clock, in seconds. */
  time(): number {
    notImplemented();
  }
  /** A new Future bound to this loop. */
  createFuture<T = unknown>(): Future<T> {
    notImplemented();
  }
  /** Schedules a coroutine as a Task. */
  createTask<T = unknown>(_coro: unknown, _opts?: TaskOptions): Task<T> {
    notImplemented();
  }
  /** Sets the factory `createTask` uses; `null` restores the default. */
  setTaskFactory(_factory: TaskFactory | null): void {
    notImplemented();
  }
  /** The task factory, or `null` for the default. */
  getTaskFactory(): TaskFactory | null {
    notImplemented();
  }
  /** Calls `callback(...args)` whenever `fd` is readable; null (Python's None). */
  addReader(_fd: number | { fileno(): number }, _callback: Callback, ..._args: unknown[]): null {
    notImplemented();
  }
  /** Stops watching `fd` for reading; whether it was watched. */
  removeReader(_fd: number | { fileno(): number }): boolean {
    notImplemented();
  }
  /** Calls `callback(...args)` whenever `fd` is writable; null (Python's None). */
  addWriter(_fd: number | { fileno(): number }, _callback: Callback, ..._args: unknown[]): null {
    notImplemented();
  }
  /** Stops watching `fd` for writing; whether it was watched. */
  removeWriter(_fd: number | { fileno(): number }): boolean {
    notImplemented();
  }
  /** Runs `func(...args)` in `executor` (null: the default pool of Workers). */
  runInExecutor<A extends unknown[], R>(
    _executor: Executor | null,
    _func: (...args: A) => R,
    ..._args: A
  ): Future<Awaited<R>> {
    notImplemented();
  }
  /** Sets the executor `runInExecutor(null, ...)` uses. */
  setDefaultExecutor(_executor: Executor): void {
    notImplemented();
  }
  /** Shuts the default executor down, waiting up to `timeout` seconds; resolves to null. */
  shutdownDefaultExecutor(_timeout?: number | null): Promise<null> {
    notImplemented();
  }
  /** Sets the exception handler; `null` restores the default. */
  setExceptionHandler(_handler: ExceptionHandler | null): void {
    notImplemented();
  }
  /** The exception handler, or `null` for the default. */
  getExceptionHandler(): ExceptionHandler | null {
    notImplemented();
  }
  /** Logs `context` the default way. */
  defaultExceptionHandler(_context: ExceptionContext): void {
    notImplemented();
  }
  /** Hands `context` to the current exception handler. */
  callExceptionHandler(_context: ExceptionContext): void {
    notImplemented();
  }
  /**
   * @internal Queues `h` to run in the next iteration: what futures made
   * with `new Future({ loop })` schedule their callbacks through.
   */
  _addHandle(_h: ReadyItem): void {
    notImplemented();
  }
  /** Whether debug mode is on. */
  getDebug(): boolean {
    notImplemented();
  }
  /** Turns debug mode on or off. */
  setDebug(_enabled: boolean): void {
    notImplemented();
  }

  // The rest of Python's AbstractEventLoop: declared here so that code typed
  // with the running loop (`getRunningLoop()`) reaches every method;
  // SelectorEventLoop implements them.

  /** Opens a TCP connection; resolves to `[transport, protocol]`. */
  createConnection<P extends BaseProtocolLike>(
    _protocolFactory: ProtocolFactory<P>,
    _host?: string | null | AddressKeywords<CreateConnectionOptions, HostPort>,
    _port?: number | string | null | AddressKeywords<CreateConnectionOptions, HostPort>,
    _opts?: CreateConnectionOptions,
  ): Promise<[StreamTransport, P]> {
    notImplemented();
  }
  /** Listens on `host:port`; resolves to a `Server`. */
  createServer(
    _protocolFactory: ProtocolFactory<BaseProtocolLike>,
    _host?: string | string[] | null | AddressKeywords<CreateServerOptions, ServerHostPort>,
    _port?: number | string | null | AddressKeywords<CreateServerOptions, ServerHostPort>,
    _opts?: CreateServerOptions,
  ): Promise<Server> {
    notImplemented();
  }
  /** Connects to a Unix socket; resolves to `[transport, protocol]`. */
  createUnixConnection<P extends BaseProtocolLike>(
    _protocolFactory: ProtocolFactory<P>,
    _path?: string | null | AddressKeywords<CreateUnixConnectionOptions, UnixPath>,
    _opts?: CreateUnixConnectionOptions,
  ): Promise<[StreamTransport, P]> {
    notImplemented();
  }
  /** Listens on a Unix socket path; resolves to a `Server`. */
  createUnixServer(
    _protocolFactory: ProtocolFactory<BaseProtocolLike>,
    _path?: string | null | AddressKeywords<CreateUnixServerOptions, UnixPath>,
    _opts?: CreateUnixServerOptions,
  ): Promise<Server> {
    notImplemented();
  }
  /** Makes a UDP or Unix datagram endpoint; resolves to `[transport, protocol]`. */
  createDatagramEndpoint<P extends DatagramProtocolInput>(
    _protocolFactory: ProtocolFactory<P>,
    _opts?: DatagramEndpointOptions,
  ): Promise<[SelectorDatagramTransport, P]> {
    notImplemented();
  }
  /** Wraps an accepted socket in a transport. */
  connectAcceptedSocket<P extends BaseProtocolLike>(
    _protocolFactory: ProtocolFactory<P>,
    _sock: Socket,
    _opts?: ConnectAcceptedSocketOptions,
  ): Promise<[StreamTransport, P]> {
    notImplemented();
  }
  /** Upgrades an open connection to TLS; resolves to the new transport. */
  startTls(
    _transport: BaseTransport,
    _protocol: BaseProtocolLike,
    _sslcontext: SSLContext,
    _opts?: StartTlsOptions,
  ): Promise<SSLTransport> {
    notImplemented();
  }
  /** Reads a pipe into a protocol; resolves to `[transport, protocol]`. */
  connectReadPipe<P extends ProtocolLike>(
    _protocolFactory: ProtocolFactory<P>,
    _pipe: number | { fileno(): number },
  ): Promise<[UnixReadPipeTransport, P]> {
    notImplemented();
  }
  /** Writes to a pipe through a transport; resolves to `[transport, protocol]`. */
  connectWritePipe<P extends BaseProtocolLike>(
    _protocolFactory: ProtocolFactory<P>,
    _pipe: number | { fileno(): number },
  ): Promise<[UnixWritePipeTransport, P]> {
    notImplemented();
  }
  /** Runs `program` with `args`; a final plain object is the options. */
  subprocessExec<P extends SubprocessProtocolLike>(
    _protocolFactory: ProtocolFactory<P>,
    _program: string | Uint8Array,
    ..._args: Array<string | Uint8Array | SubprocessOptions>
  ): Promise<[UnixSubprocessTransport, P]> {
    notImplemented();
  }
  /** Runs `cmd` with the shell. */
  subprocessShell<P extends SubprocessProtocolLike>(
    _protocolFactory: ProtocolFactory<P>,
    _cmd: string | Uint8Array,
    _opts?: SubprocessOptions,
  ): Promise<[UnixSubprocessTransport, P]> {
    notImplemented();
  }
  /** Sends a file over a transport; resolves with the bytes sent. */
  sendfile(
    _transport: SendfileTransport,
    _file: SendfileFile,
    _offset?: number,
    _count?: number | null,
    _opts?: SendfileOptions,
  ): Promise<number> {
    notImplemented();
  }
  /** Receives up to `n` bytes from a non-blocking socket. */
  sockRecv(_sock: Socket, _n: number): Promise<Uint8Array> {
    notImplemented();
  }
  /** Receives into `buf`; resolves to the number of bytes. */
  sockRecvInto(_sock: Socket, _buf: Uint8Array): Promise<number> {
    notImplemented();
  }
  /** Receives a datagram and its sender. */
  sockRecvfrom(_sock: Socket, _bufsize: number): Promise<[Uint8Array, SocketAddress | null]> {
    notImplemented();
  }
  /** Receives a datagram into `buf`. */
  sockRecvfromInto(
    _sock: Socket,
    _buf: Uint8Array,
    _nbytes?: number,
  ): Promise<[number, SocketAddress | null]> {
    notImplemented();
  }
  /** Sends all of `data`. */
  sockSendall(_sock: Socket, _data: Uint8Array): Promise<null> {
    notImplemented();
  }
  /** Sends a datagram to `address`. */
  sockSendto(_sock: Socket, _data: Uint8Array, _address: AddressLike): Promise<number> {
    notImplemented();
  }
  /** Sends a file over a socket; resolves with the bytes sent. */
  sockSendfile(
    _sock: Socket,
    _file: SendfileFile,
    _offset?: number,
    _count?: number | null,
    _opts?: SendfileOptions,
  ): Promise<number> {
    notImplemented();
  }
  /** Connects `sock` to `address`. */
  sockConnect(_sock: Socket, _address: AddressLike): Promise<null> {
    notImplemented();
  }
  /** Accepts a connection: `[socket, address]`. */
  sockAccept(_sock: Socket): Promise<[Socket, SocketAddress]> {
    notImplemented();
  }
  /** Python's `getaddrinfo`. */
  getaddrinfo(
    _host: string | Uint8Array | null | undefined,
    _port: number | string | Uint8Array | null | undefined,
    _opts?: GetaddrinfoOptions,
  ): Promise<AddrInfo[]> {
    notImplemented();
  }
  /** Python's `getnameinfo`: `[host, service]`. */
  getnameinfo(
    _sockaddr: readonly [string, number, ...number[]],
    _flags?: number,
  ): Promise<[host: string, service: string]> {
    notImplemented();
  }
  /** Calls `callback(...args)` from the loop whenever signal `sig` arrives; null (Python's None). */
  addSignalHandler(_sig: number, _callback: Callback, ..._args: unknown[]): null {
    notImplemented();
  }
  /** Removes the handler for `sig`; whether there was one. */
  removeSignalHandler(_sig: number): boolean {
    notImplemented();
  }
}

/**
 * The loop running the current code, or `null`: the loop whose callback is
 * on the stack, else the loop of the task whose code is running, else the
 * one loop inside `runForever` (host callbacks while it waits).
 *
 * @example
 * ```ts
 * const loop = _getRunningLoop(); // null outside a loop
 * ```
 */
export function _getRunningLoop(): AbstractEventLoop | null {
  if (running.loop !== null) {
    if (running.loops.length < 2) return running.loop as AbstractEventLoop;
    // Two loops run side by side (each `runForever` is a Promise): a task of
    // one, resumed while the other drains, belongs to its own.
    const task = taskStorage.getStore();
    return (task !== undefined && running.loops.includes(task._loop)
      ? task._loop
      : running.loop) as AbstractEventLoop;
  }
  const task = taskStorage.getStore();
  if (task !== undefined && running.loops.includes(task._loop)) {
    return task._loop as AbstractEventLoop;
  }
  // An executor's function run on the main thread: a thread of its own in Python.
  if (running.thread > 0) return null;
  // The same function resumed after one of its awaits (see threadContext).
  if (threadContext.getStore() !== undefined) return null;
  if (running.loops.length === 1) return running.loops[0] as AbstractEventLoop;
  return null;
}

/**
 * The running event loop; a `RuntimeError` when none runs.
 *
 * @example
 * ```ts
 * await asyncio.run(async () => {
 *   const loop = asyncio.getRunningLoop();
 * });
 * ```
 */
export function getRunningLoop(): AbstractEventLoop {
  const loop = _getRunningLoop();
  if (loop === null) throw new RuntimeError("no running event loop");
  return loop;
}

hooks.getRunningLoop = _getRunningLoop;

printAsRepr(Handle);
