/**
 * Child processes for the selector loop: Python's `_UnixSubprocessTransport`
 * (with `BaseSubprocessTransport`), `_UnixReadPipeTransport` and
 * `_UnixWritePipeTransport`.
 *
 * The child is started with `posix_spawnp` (`sys().spawn`); never `fork()`,
 * which is unsafe in a multithreaded runtime. Its pipes are made with
 * `pipe2(O_CLOEXEC)` (the parent ends non-blocking) and `dup2`ed onto the
 * child's 0/1/2. The child is watched through a pidfd registered with
 * `loop.addReader`: it becomes readable when the child exits, and the
 * callback reaps it with `waitpid(WNOHANG)`. Without pidfds (an old kernel,
 * or `ASYNCIO_NO_PIDFD=1`), and for children whose loop was closed while they
 * ran, the process-wide reaper of `child_watcher.ts` (SIGCHLD + `waitpid`)
 * does it instead.
 *
 * @module
 */
import { accessSync, closeSync, constants as fsConstants, openSync, statSync } from "node:fs";
import { resolve as pathResolve } from "node:path";
import process from "node:process";
import { C, ERRNO, sys } from "../ffi/mod.ts";
import { returncodeOf } from "../ffi/spawn.ts";
import { checkChildWatcher, childReaper, pidfdEnabled } from "./child_watcher.ts";
import type { BaseSelectorEventLoop } from "./selector_events.ts";
import {
  type BaseTransport,
  FlowControlTransport,
  joinBytes,
  ReadTransport,
  SubprocessTransport,
  toBytes,
} from "./transports.ts";
import {
  type BaseProtocolLike,
  checkCallback,
  type ProtocolLike,
  type SubprocessProtocolLike,
} from "./protocols.ts";
import {
  AttributeError,
  BrokenPipeError,
  NotImplementedError,
  OSError,
  osErrorFromErrno,
  ProcessLookupError,
  ValueError,
} from "./exceptions.ts";
import type { Future } from "./futures.ts";
import type { TimerHandle } from "./events.ts";
import { logger, reportFatalError } from "./log.ts";
import { printAsRepr, pyRepr, pyTypeName } from "./format.ts";
import { AssertionError } from "./streams.ts";
import { Context } from "./contextvars.ts";
import { EVENT_READ, EVENT_WRITE } from "./selectors.ts";

const { EAGAIN, EINTR, ECHILD } = ERRNO;
/** Seconds an exit waits at most for the child's pipes to close before it is reported. */
const EXIT_HOLD = 0.05;
/** CPython's `sys.getswitchinterval()`: a busy loop keeps the GIL this long. */
const GIL_SWITCH_INTERVAL = 0.005;
/** Python's max_size for a pipe read. */
const MAX_SIZE = 256 * 1024;
const readBuf = new Uint8Array(MAX_SIZE);

/** `subprocess.PIPE`: make a pipe to the child. */
export const PIPE: number = -1;
/** `subprocess.STDOUT`: send stderr where stdout goes. */
export const STDOUT: number = -2;
/** `subprocess.DEVNULL`: connect to /dev/null. */
export const DEVNULL: number = -3;

/**
 * What a child stream is connected to: PIPE, STDOUT (stderr only), DEVNULL,
 * an fd or an object with `fileno()` (a `Socket`), or null (inherit).
 */
export type StdioSpec = number | { fileno(): number } | null | undefined;

/**
 * Python's text-mode and shell options, which asyncio's subprocess
 * functions accept only at their defaults (anything else is a `ValueError`).
 *
 * @example
 * ```ts
 * const opts: TextModeOptions = { text: false }; // accepted; `text: true` is refused
 * ```
 */
export interface TextModeOptions {
  /** Python's text-mode options: as in asyncio, only the default (false) is accepted. */
  universalNewlines?: boolean;
  /** Python's `shell`: must be false for exec, true (or absent) for shell. */
  shell?: boolean;
  /** Python's `bufsize`: only 0 (the default) is accepted. */
  bufsize?: number;
  /** Python's `text`: only false (the default) is accepted. */
  text?: boolean;
  /** Python's `encoding`: only null (the default) is accepted. */
  encoding?: string | null;
  /** Python's `errors`: only null (the default) is accepted. */
  errors?: string | null;
}

/** Options of {@link subprocessExec} / {@link subprocessShell}. */
export interface SubprocessOptions extends TextModeOptions {
  /** Default PIPE. */
  stdin?: StdioSpec;
  /** Default PIPE. */
  stdout?: StdioSpec;
  /** Default PIPE. */
  stderr?: StdioSpec;
  /** The child's working directory. */
  cwd?: string | null;
  /** The child's whole environment (default: this process's); a bytes value goes as it is. */
  env?: Record<string, string | Uint8Array> | null;
  /** Close every fd from 3 up in the child (Python's close_fds). Default true. */
  closeFds?: boolean;
  /** Start the child in a new session, `setsid()` (Python's start_new_session). */
  startNewSession?: boolean;
  /** Put the child in process group `processGroup`, 0 for a new one it leads (Python's process_group). */
  processGroup?: number | null;
  /**
   * Fds (3 and up) the child keeps at the same numbers (Python's pass_fds);
   * every other fd from 3 up is closed, whatever `closeFds` says, as in Python.
   */
  passFds?: readonly number[];
  /**
   * The file to run instead of the program (Python's `executable`): the
   * program name stays the child's argv[0]; for a shell, the shell to run
   * in place of `/bin/sh`.
   */
  executable?: string | Uint8Array | null;
  /** The child's file mode creation mask (Python's `umask`); negative (the default): this process's. */
  umask?: number;
}

/**
 * asyncio's pipes carry bytes: Python's `subprocess_exec`/`subprocess_shell`
 * refuse the text-mode options of `subprocess.Popen`, with these
 * `ValueError`s, in this order.
 */
function checkBinaryMode(opts: SubprocessOptions, shell: boolean): void {
  if (opts.universalNewlines) throw new ValueError("universal_newlines must be False");
  if (shell && opts.shell !== undefined && !opts.shell) {
    throw new ValueError("shell must be True");
  }
  if (!shell && opts.shell) throw new ValueError("shell must be False");
  if (opts.bufsize !== undefined && opts.bufsize !== 0) throw new ValueError("bufsize must be 0");
  if (opts.text) throw new ValueError("text must be False");
  if (opts.encoding != null) throw new ValueError("encoding must be None");
  if (opts.errors != null) throw new ValueError("errors must be None");
}

/** `fcntl` command: duplicate to the lowest free fd ≥ arg, close-on-exec. */
const F_DUPFD_CLOEXEC = 1030;

function checkAttrs(opts: SubprocessOptions): { passFds: number[]; pgroup: number | null } {
  const passFds = [...(opts.passFds ?? [])];
  for (const fd of passFds) {
    if (typeof fd !== "number" || !Number.isInteger(fd)) {
      throw new TypeError(`pass_fds must be integers, got ${typeof fd}`);
    }
    if (fd < 0) throw new ValueError("bad value(s) in fds_to_keep");
  }
  const umask = opts.umask ?? -1;
  if (typeof umask !== "number" || !Number.isInteger(umask)) {
    throw new TypeError(`'${pyTypeName(umask)}' object cannot be interpreted as an integer`);
  }
  const pgroup = opts.processGroup ?? null;
  if (pgroup !== null && (typeof pgroup !== "number" || !Number.isInteger(pgroup))) {
    throw new TypeError(`process_group must be an integer, got ${typeof pgroup}`);
  }
  if (pgroup !== null && pgroup < 0) throw new ValueError("process_group must be >= 0");
  return { passFds, pgroup };
}

// -- the loop's view ----------------------------------------------------------

type Loop = BaseSelectorEventLoop;

/**
 * `protocol`'s method `js` as a callback named as Python's Handle shows it
 * when it throws: `Exception in callback MyProtocol.pipe_data_received(1,
 * b'hi\n')`, the class that defines it and Python's name (`py`). Looked up
 * now, as Python's `call_soon(self._protocol.eof_received)` does: a protocol
 * without it is an AttributeError where the callback is scheduled.
 */
function protocolMethod(
  protocol: object | null,
  js: string,
  py: string,
): (...args: never[]) => void {
  if (protocol !== null) checkCallback(protocol, js, py);
  const callback = (...args: unknown[]) => {
    if (protocol === null) return;
    ((protocol as Record<string, unknown>)[js] as (...a: unknown[]) => void).apply(protocol, args);
  };
  let owner: object | null = protocol;
  while (owner !== null && !Object.hasOwn(owner, js)) owner = Object.getPrototypeOf(owner);
  const cls = (owner as { constructor?: { name?: string } } | null)?.constructor?.name ||
    "object";
  Object.defineProperty(callback, "__qualname__", { value: `${cls}.${py}` });
  return callback;
}

/** `fn` with the `__qualname__` a Handle shows for it, as Python's bound method's. */
function named<F extends (...args: never[]) => unknown>(qualname: string, fn: F): F {
  Object.defineProperty(fn, "__qualname__", { value: qualname });
  return fn;
}

// -- read pipe ------------------------------------------------------------------

/**
 * The read end of a pipe (Python's `_UnixReadPipeTransport`): reads whenever
 * it is readable and feeds `protocol.dataReceived`; at EOF `eofReceived()`
 * then `connectionLost(null)`. Owns the fd: closed after `connectionLost`.
 */
export class UnixReadPipeTransport extends ReadTransport {
  #loop: Loop;
  #fd: number;
  #protocol: ProtocolLike;
  #closing = false;
  #paused = false;
  #closed = false;

  /** @internal Takes `fd` (made non-blocking here). */
  constructor(loop: Loop, fd: number, protocol: ProtocolLike, waiter: Future<void> | null = null) {
    super({ pipe: fd });
    this.#loop = loop;
    this.#fd = fd;
    this.#protocol = protocol;
    checkPipeFd(fd);
    setNonBlocking(fd);
    // A protocol without connectionMade (or null) fails here, before the
    // transport owns the fd, as Python's __init__ does.
    checkCallback(protocol, "connectionMade", "connection_made");
    const made = protocolMethod(protocol, "connectionMade", "connection_made");
    loop._openTransports.set(this, this);
    // Named as Python's Handles show them when the protocol throws.
    named("_UnixReadPipeTransport._read_ready", this.#readReady);
    loop.callSoon(made, this);
    loop.callSoon(() => {
      if (!this.#closing && !this.#paused) loop.addReader(fd, this.#readReady);
    });
    if (waiter !== null) loop.callSoon(() => waiter.done() || waiter.setResult(undefined));
  }

  #readReady = (): void => {
    if (this.#closing) return;
    const n = sys().read(this.#fd, readBuf);
    if (n < 0) {
      if (n === -EAGAIN || n === -EINTR) return;
      this._fatalError(osErrorFromErrno(-n), "Fatal read error on pipe transport");
      return;
    }
    if (n > 0) {
      // As Python's: an error of the protocol's goes to the reader's Handle,
      // `Exception in callback _UnixReadPipeTransport._read_ready()`, and the
      // pipe stays open.
      checkCallback(this.#protocol, "dataReceived", "data_received");
      this.#protocol.dataReceived(readBuf.slice(0, n));
      return;
    }
    if (this.#loop.getDebug()) logger.info(`${this} was closed by peer`);
    this.#closing = true;
    this.#loop.removeReader(this.#fd);
    this.#loop.callSoon(protocolMethod(this.#protocol, "eofReceived", "eof_received"));
    this.#loop.callSoon(this.#connectionLostCallback(), null);
  };

  /** Whether data is being read. */
  override isReading(): boolean {
    return !this.#paused && !this.#closing;
  }
  /** Stops reading until `resumeReading()`. */
  override pauseReading(): void {
    if (this.#closing || this.#paused) return;
    this.#paused = true;
    this.#loop.removeReader(this.#fd);
    // As Python's, logged after the selector change: the repr says `idle`.
    if (this.#loop.getDebug()) logger.debug(`${this} pauses reading`);
  }
  /** Reads again. */
  override resumeReading(): void {
    if (this.#closing || !this.#paused) return;
    this.#paused = false;
    this.#loop.addReader(this.#fd, this.#readReady);
    if (this.#loop.getDebug()) logger.debug(`${this} resumes reading`);
  }
  /** Replaces the protocol. */
  override setProtocol(protocol: BaseProtocolLike): void {
    this.#protocol = protocol as ProtocolLike;
  }
  /** The protocol. */
  override getProtocol(): BaseProtocolLike {
    return this.#protocol;
  }
  /** Whether it is closing or closed. */
  override isClosing(): boolean {
    return this.#closing;
  }
  /** Stops reading and closes the pipe; `connectionLost(null)` follows. */
  override close(): void {
    if (!this.#closing) this.#close(null);
  }

  /** @internal */
  _fatalError(exc: unknown, message: string): void {
    const eio = exc instanceof OSError && exc.errno === ERRNO.EIO;
    reportFatalError(this.#loop, eio, exc, message, this, this.#protocol);
    this.#close(exc);
  }

  #close(exc: unknown): void {
    this.#closing = true;
    this.#loop.removeReader(this.#fd);
    this.#loop.callSoon(this.#connectionLostCallback(), exc);
  }

  /** Named as Python's: `_UnixReadPipeTransport._call_connection_lost(None)`. */
  #connectionLostCallback(): (exc: unknown) => void {
    const lost = (exc: unknown) => this.#callConnectionLost(exc);
    return named("_UnixReadPipeTransport._call_connection_lost", lost);
  }

  #callConnectionLost(exc: unknown): void {
    if (this.#closed) return;
    try {
      checkCallback(this.#protocol, "connectionLost", "connection_lost");
      this.#protocol.connectionLost((exc ?? null) as Error | null);
    } finally {
      // Closed only now: in connectionLost the repr says `closing fd=7 idle`,
      // as Python's, whose pipe is closed after the protocol's call.
      if (!this.#closed) {
        this.#closed = true;
        this.#closeFd();
      }
    }
  }

  #closeFd(): void {
    this.#loop._openTransports.delete(this);
    sys().close(this.#fd);
  }

  /** @internal The loop closed with this transport open: the fd is closed, no callback runs. */
  _loopClosed(): void {
    if (this.#closed) return;
    this.#closed = this.#closing = true;
    this.#closeFd();
  }

  /**
   * Python's: `<_UnixReadPipeTransport fd=7 polling>`, `idle` while the
   * selector does not watch it (paused, closing, or before the loop's first
   * turn), `<_UnixReadPipeTransport closed fd=7 closed>` once closed.
   */
  override toString(): string {
    const info = [this.constructor.name];
    if (this.#closed) info.push("closed");
    else if (this.#closing) info.push("closing");
    info.push(`fd=${this.#fd}`);
    info.push(this.#closed ? "closed" : pollState(this.#loop, this.#fd, EVENT_READ));
    return `<${info.join(" ")}>`;
  }
}

// -- write pipe -----------------------------------------------------------------

/**
 * The write end of a pipe (Python's `_UnixWritePipeTransport`): writes at
 * once, buffers what the pipe does not take, and flushes when it is
 * writable. A pipe's or socket's fd is also watched for reading: on Linux
 * the write end reports an error event once the reader has closed, which closes the
 * transport (with `BrokenPipeError` if data was still buffered). EPIPE from
 * a write closes it with `BrokenPipeError`; later writes are dropped.
 */
export class UnixWritePipeTransport extends FlowControlTransport {
  /** @internal */
  declare _loop: BaseSelectorEventLoop;
  #fd: number;
  #protocol: BaseProtocolLike;
  #buffer: Uint8Array[] = [];
  #bufSize = 0;
  #connLost = 0;
  #closing = false;
  #closed = false;
  /** connectionLost() has run: Python's `_loop`, `_protocol` and `_pipe` are None since. */
  #lost = false;

  /** @internal Takes `fd` (made non-blocking here). */
  constructor(
    loop: Loop,
    fd: number,
    protocol: BaseProtocolLike,
    waiter: Future<void> | null = null,
  ) {
    super({ pipe: fd }, loop);
    this.#fd = fd;
    this.#protocol = protocol;
    const type = checkPipeFd(fd, "Pipe transport is only for pipes, sockets and character devices");
    setNonBlocking(fd);
    checkCallback(protocol, "connectionMade", "connection_made");
    const made = protocolMethod(protocol, "connectionMade", "connection_made");
    loop._openTransports.set(this, this);
    // Named as Python's Handle shows it when the protocol throws.
    loop.callSoon(made, this);
    // The reader trick (told when the read end closes) is for pipes and
    // sockets only, as in Python: a character device is not watched (epoll
    // refuses /dev/null; a terminal is readable whenever a key is typed).
    if (type === C.S_IFIFO || type === C.S_IFSOCK) {
      loop.callSoon(() => {
        if (!this.#closing) loop.addReader(fd, this.#readReady);
      });
    }
    if (waiter !== null) loop.callSoon(() => waiter.done() || waiter.setResult(undefined));
  }

  /** Bytes buffered. */
  override getWriteBufferSize(): number {
    return this.#bufSize;
  }

  #readReady = (): void => {
    // The read end closed.
    if (this._loop.getDebug()) logger.info(`${this} was closed by peer`);
    if (this.#bufSize) this.#close(new BrokenPipeError());
    else this.#close(null);
  };

  /** Writes `data` now if the pipe takes it, else buffers it. */
  override write(data: Uint8Array): void {
    // Python 3.11 asserts the type here: AssertionError with the data's repr.
    if (!ArrayBuffer.isView(data)) throw new AssertionError(pyRepr(data));
    data = toBytes(data);
    if (data.length === 0) return;
    if (this.#connLost || this.#closing) {
      if (this.#connLost >= 5) {
        logger.warning("pipe closed by peer or os.write(pipe, data) raised exception.");
      }
      this.#connLost++;
      return;
    }
    if (this.#bufSize === 0) {
      const n = sys().write(this.#fd, data);
      if (n === data.length) return;
      if (n < 0 && n !== -EAGAIN && n !== -EINTR) {
        this.#connLost++;
        this._fatalError(osErrorFromErrno(-n), "Fatal write error on pipe transport");
        return;
      }
      if (n > 0) data = data.subarray(n);
      this._loop.addWriter(this.#fd, this.#writeReady);
    }
    this.#buffer.push(data.slice());
    this.#bufSize += data.length;
    this._maybePauseProtocol();
  }

  #writeReady = (): void => {
    while (this.#buffer.length) {
      const chunk = this.#buffer[0];
      const n = sys().write(this.#fd, chunk);
      if (n < 0) {
        if (n === -EAGAIN || n === -EINTR) return;
        this.#buffer = [];
        this.#bufSize = 0;
        this.#connLost++;
        this._loop.removeWriter(this.#fd);
        this._fatalError(osErrorFromErrno(-n), "Fatal write error on pipe transport");
        return;
      }
      this.#bufSize -= n;
      if (n === chunk.length) this.#buffer.shift();
      else {
        this.#buffer[0] = chunk.subarray(n);
        break;
      }
    }
    // Python 3.11 resumes the protocol only once the buffer is empty, not
    // when it falls below the low-water mark as a socket transport does.
    if (this.#bufSize === 0) {
      this._loop.removeWriter(this.#fd);
      this._maybeResumeProtocol();
      if (this.#closing) {
        this._loop.removeReader(this.#fd);
        this.#callConnectionLost(null);
      }
    }
  };

  /**
   * Writes the chunks joined first, as Python 3.11's default `writelines()`
   * does: an item that is not bytes is a `TypeError` before anything is written.
   */
  override writeLines(list: Iterable<Uint8Array>): void {
    this.write(joinBytes(list));
  }
  /** Pipes can be closed for writing: true. */
  override canWriteEof(): boolean {
    return true;
  }
  /** Closes the pipe once the buffer is flushed. */
  override writeEof(): void {
    if (this.#closing) return;
    this.#closing = true;
    if (this.#bufSize === 0) {
      this._loop.removeReader(this.#fd);
      this._loop.callSoon(this.#connectionLostCallback(), null);
    }
  }
  /** Replaces the protocol. */
  override setProtocol(protocol: BaseProtocolLike): void {
    this.#protocol = protocol;
  }
  /** The protocol. */
  override getProtocol(): BaseProtocolLike {
    return this.#protocol;
  }
  /** Whether it is closing or closed. */
  override isClosing(): boolean {
    return this.#closing;
  }
  /** Closes once the buffer is flushed. */
  override close(): void {
    if (!this.#closed && !this.#closing) this.writeEof();
  }
  /** Closes at once, dropping buffered data. */
  override abort(): void {
    // Python 3.11's `_close()` once `_call_connection_lost()` has run meets
    // its `_loop` set to None: an AttributeError out of abort().
    if (this.#lost) throw new AttributeError("'NoneType' object has no attribute '_remove_reader'");
    this.#close(null);
  }

  /** @internal */
  _fatalError(exc: unknown, message: string): void {
    reportFatalError(this._loop, exc instanceof OSError, exc, message, this, this.#protocol);
    this.#close(exc);
  }

  #close(exc: unknown): void {
    if (this.#closed) return;
    this.#closing = true;
    if (this.#bufSize) this._loop.removeWriter(this.#fd);
    this.#buffer = [];
    this.#bufSize = 0;
    this._loop.removeReader(this.#fd);
    this._loop.callSoon(this.#connectionLostCallback(), exc);
  }

  /** Named as Python's: `_UnixWritePipeTransport._call_connection_lost(None)`. */
  #connectionLostCallback(): (exc: unknown) => void {
    const lost = (exc: unknown) => this.#callConnectionLost(exc);
    return named("_UnixWritePipeTransport._call_connection_lost", lost);
  }

  #callConnectionLost(exc: unknown): void {
    if (this.#closed) {
      // A second one (close() then abort() before it ran): Python's finds
      // its `_protocol` and `_pipe` set to None, an error in the callback.
      if (this.#lost) throw new AttributeError("'NoneType' object has no attribute 'close'");
      return;
    }
    this.#lost = true;
    // Not counted in #connLost, as Python's `_call_connection_lost`: writes
    // after a close are dropped in silence until the fifth, as there.
    try {
      checkCallback(this.#protocol, "connectionLost", "connection_lost");
      this.#protocol.connectionLost((exc ?? null) as Error | null);
    } finally {
      // Closed only now: in connectionLost the repr says `closing fd=7 idle
      // bufsize=0`, as Python's, whose pipe is closed after the call.
      if (!this.#closed) {
        this.#closed = true;
        this.#closeFd();
      }
    }
  }

  #closeFd(): void {
    (this._loop as Loop)._openTransports.delete(this);
    sys().close(this.#fd);
  }

  /** @internal The loop closed with this transport open: the fd is closed, no callback runs. */
  _loopClosed(): void {
    if (this.#closed) return;
    this.#closed = this.#closing = true;
    this.#buffer = [];
    this.#bufSize = 0;
    this.#closeFd();
  }

  /**
   * Python's: `<_UnixWritePipeTransport fd=7 idle bufsize=0>`, `polling`
   * while data waits for the pipe, `<_UnixWritePipeTransport closed fd=7
   * closed>` once closed.
   */
  override toString(): string {
    const info = [this.constructor.name];
    if (this.#closed) info.push("closed");
    else if (this.#closing) info.push("closing");
    info.push(`fd=${this.#fd}`);
    if (this.#closed) info.push("closed");
    else {
      const state = pollState(this._loop, this.#fd, EVENT_WRITE);
      info.push(state);
      if (state !== "open") info.push(`bufsize=${this.#bufSize}`);
    }
    return `<${info.join(" ")}>`;
  }
}

/**
 * The state a pipe's repr shows, read from the loop's selector as Python
 * does: `polling` while the fd is watched for `event`, else `idle`; `open`
 * once the loop is closed (Python's closed loop has no selector).
 */
function pollState(loop: Loop, fd: number, event: number): string {
  if (loop.isClosed()) return "open";
  const events = loop._selector.getMap()?.get(fd)?.events ?? 0;
  return events & event ? "polling" : "idle";
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * As Python's pipe transports check at the call: a closed fd is `OSError`
 * (EBADF), a regular file or a directory `ValueError` (epoll cannot watch it),
 * worded as the read or the write transport words it. Returns the file type
 * (`S_IFIFO`, `S_IFSOCK` or `S_IFCHR`).
 */
function checkPipeFd(fd: number, message = "Pipe transport is for pipes/sockets only."): number {
  const st = sys().fstat(fd);
  if (typeof st === "number") throw osErrorFromErrno(-st);
  const type = st.mode & C.S_IFMT;
  if (type !== C.S_IFIFO && type !== C.S_IFSOCK && type !== S_IFCHR) {
    throw new ValueError(message);
  }
  return type;
}

/** Character devices (a terminal, /dev/null) may back a pipe transport too. */
const S_IFCHR = 0o020000;

function setNonBlocking(fd: number): void {
  const s = sys();
  const fl = s.fcntl(fd, C.F_GETFL, 0);
  if (fl >= 0 && !(fl & C.O_NONBLOCK)) s.fcntl(fd, C.F_SETFL, fl | C.O_NONBLOCK);
}

// -- the pipes' protocols (Python's WriteSubprocessPipeProto / ReadSubprocessPipeProto)

class PipeProto implements ProtocolLike {
  pipe: BaseTransport | null = null;
  disconnected = false;
  constructor(readonly proc: UnixSubprocessTransport, readonly fd: number) {}
  connectionMade(t: BaseTransport): void {
    this.pipe = t;
  }
  connectionLost(exc: Error | null): void {
    this.disconnected = true;
    this.proc._pipeConnectionLost(this.fd, exc);
  }
  pauseWriting(): void {
    this.proc._protocol?.pauseWriting();
  }
  resumeWriting(): void {
    this.proc._protocol?.resumeWriting();
  }
  dataReceived(data: Uint8Array): void {
    this.proc._pipeDataReceived(this.fd, data);
  }
  eofReceived(): boolean | null | void {}
  /** Python's: `<ReadSubprocessPipeProto fd=1 pipe=<_UnixReadPipeTransport fd=6 polling>>`. */
  toString(): string {
    const name = this.fd === 0 ? "WriteSubprocessPipeProto" : "ReadSubprocessPipeProto";
    return `<${name} fd=${this.fd} pipe=${pyRepr(this.pipe)}>`;
  }
}

// -- the subprocess transport ---------------------------------------------------

/** The children each loop watches, so that closing the loop can hand them to the reaper. */
const liveChildren = new WeakMap<Loop, Set<UnixSubprocessTransport>>();

/**
 * Hands the children still running on `loop` to the process-wide reaper:
 * the loop calls it as it closes, so a child that outlives its loop is still
 * reaped when it exits (never left a zombie). Its transport's
 * `getReturncode()` stays null, as in CPython, whose watcher cannot report
 * an exit to a closed loop.
 *
 * @example
 * ```ts
 * detachChildren(loop); // from SelectorEventLoop.close()
 * ```
 */
export function detachChildren(loop: Loop): void {
  const live = liveChildren.get(loop);
  if (live === undefined) return;
  liveChildren.delete(loop);
  for (const t of [...live]) t._detachFromLoop();
}

/** The parent's ends of a child's pipes (null: that stream is no pipe). */
type ParentFds = { stdin: number | null; stdout: number | null; stderr: number | null };

/** The pipes to connect: the child's fd, the parent's end, whether it is written. */
type PipeList = Array<[fd: number, parentFd: number, write: boolean]>;

/**
 * A subprocess transport's `getExtraInfo("subprocess")`, Python's
 * `subprocess.Popen` object: the attributes that do not block (`args`,
 * `pid`, `returncode`, `poll()`), with the parent's pipe fds as `stdin`,
 * `stdout` and `stderr` (null where the stream is no pipe).
 *
 * @example
 * ```ts
 * const popen = transport.getExtraInfo("subprocess") as Popen;
 * console.log(String(popen)); // <Popen: returncode: None args: ('sleep', '1')>
 * ```
 */
export class Popen {
  /** The program and its arguments, or the shell command, as given. */
  readonly args: string | Uint8Array | ReadonlyArray<string | Uint8Array>;
  /** The child's process id. */
  readonly pid: number;
  /** The parent's end of the child's stdin pipe, or null. */
  readonly stdin: number | null;
  /** The parent's end of the child's stdout pipe, or null. */
  readonly stdout: number | null;
  /** The parent's end of the child's stderr pipe, or null. */
  readonly stderr: number | null;
  #transport: UnixSubprocessTransport;

  /** @internal Made by {@link subprocessExec}. */
  constructor(
    transport: UnixSubprocessTransport,
    args: string | Uint8Array | ReadonlyArray<string | Uint8Array>,
    fds: ParentFds,
  ) {
    this.#transport = transport;
    this.args = args;
    this.pid = transport.getPid();
    this.stdin = fds.stdin;
    this.stdout = fds.stdout;
    this.stderr = fds.stderr;
  }

  /** The exit code once the transport has heard of the exit, else null. */
  get returncode(): number | null {
    return this.#transport.getReturncode();
  }

  /** The returncode, or null while the child runs (the loop reaps it, not this). */
  poll(): number | null {
    return this.returncode;
  }

  /** `<Popen: returncode: None args: ('ls', '-l')>`, cut at 80 characters as Python's. */
  toString(): string {
    const a = this.args;
    const args = typeof a === "string" || a instanceof Uint8Array
      ? pyRepr(a)
      : `(${a.map((x) => pyRepr(x)).join(", ")}${a.length === 1 ? "," : ""})`;
    const rc = this.returncode === null ? "None" : this.returncode;
    const text = `<Popen: returncode: ${rc} args: ${args}>`;
    return text.length > 80 ? text.slice(0, 76) + "...>" : text;
  }
}

/**
 * A child process with its pipes (Python's `_UnixSubprocessTransport`).
 * Made by {@link subprocessExec}/{@link subprocessShell}.
 */
export class UnixSubprocessTransport extends SubprocessTransport {
  #loop: Loop;
  /** @internal */
  _protocol: SubprocessProtocolLike | null;
  #pid: number;
  #pidfd = -1;
  /** Set by the reaper (a host callback) before the loop hears of the exit. */
  #reaped: number | null = null;
  #returncode: number | null = null;
  #closed = false;
  #finished = false;
  /** The transport is finished (Python's `_proc` is None): signals raise. */
  #gone = false;
  #connected = false;
  /** Calls held until the pipes are connected, each scheduling its callback. */
  #pending: Array<() => void> | null = [];
  #pipes = new Map<number, PipeProto | null>();
  /** The fds whose pipe transport is made (it may still be connecting). */
  #wrapped = new Set<number>();
  #exitWaiters: Future<number>[] = [];
  #status = new Int32Array(1);
  /** The child is reaped, its exit not yet reported (see #exited). */
  #exitPending = false;
  /** The timer that reports a held exit if the pipes stay open (see #pipesOpen). */
  #held: TimerHandle | null = null;

  /** @internal Use {@link subprocessExec}. */
  constructor(
    loop: Loop,
    protocol: SubprocessProtocolLike,
    pid: number,
    parentFds: ParentFds,
    extra: Record<string, unknown> | null,
  ) {
    super(extra);
    this.#loop = loop;
    this._protocol = protocol;
    this.#pid = pid;
    this._extra.set("subprocess", { pid });
    if (parentFds.stdin !== null) this.#pipes.set(0, null);
    if (parentFds.stdout !== null) this.#pipes.set(1, null);
    if (parentFds.stderr !== null) this.#pipes.set(2, null);
    this.#watch();
  }

  #watch(): void {
    let live = liveChildren.get(this.#loop);
    if (live === undefined) liveChildren.set(this.#loop, live = new Set());
    live.add(this);
    const fd = pidfdEnabled() ? sys().pidfdOpen(this.#pid, 0) : -1;
    if (fd >= 0) {
      this.#pidfd = fd;
      this.#loop.addReader(fd, this.#reap);
      return;
    }
    // No pidfd: the process-wide reaper (SIGCHLD + waitpid) tells us, from a
    // host callback, so the loop is woken to run the exit callbacks.
    childReaper().add(this.#pid, (rc) => {
      this.#reaped = rc;
      if (!this.#loop.isClosed()) this.#loop.callSoonThreadsafe(() => this.#exited(rc));
    });
  }

  /** Reaps the child if it has exited; true when it is gone. */
  #reap = (): boolean => {
    if (this.#returncode !== null) return true;
    if (this.#reaped !== null) return true; // the reaper has it; #exited is scheduled
    const r = sys().waitpid(this.#pid, this.#status, C.WNOHANG);
    if (r === 0 || r === -EINTR) return false;
    let rc: number | null;
    if (r === -ECHILD) {
      // Someone else reaped it (as Python's watchers say).
      logger.warning(
        `child process pid ${this.#pid} exit status already read:  will report returncode 255`,
      );
      rc = 255;
    } else if (r < 0) {
      return false;
    } else {
      rc = returncodeOf(this.#status[0]);
      if (rc === null) return false; // stopped/continued
    }
    this.#exited(rc);
    return true;
  };

  #exited(rc: number): void {
    if (this.#returncode !== null || this.#exitPending) return;
    // Python's child watcher logs the reaping, in debug mode.
    if (this.#loop.getDebug()) logger.debug(`process ${this.#pid} exited with returncode ${rc}`);
    this.#stopWatching();
    // After the loop closed nothing can run on it: only the returncode is kept.
    if (this.#loop.isClosed()) {
      this.#returncode = rc;
      return;
    }
    // Reaped, not yet reported: `#reaped` keeps sendSignal off the pid, and
    // the transport stays live so that _detachFromLoop keeps the returncode
    // if the loop closes first.
    this.#exitPending = true;
    this.#reaped = rc;
    liveChildren.get(this.#loop)?.add(this);
    if (this.#pipesOpen()) this.#held = this.#loop.callLater(EXIT_HOLD, () => this.#releaseExit());
    else this.#releaseExit();
  }

  /**
   * Whether a pipe is still open. The child's pipes close as it exits, a
   * moment before the pidfd says so; CPython 3.11 (whose watcher thread
   * hears of the exit later still) nearly always reports the pipes'
   * `pipeConnectionLost` before `processExited`, so the exit is held until
   * they close: at most {@link EXIT_HOLD}, for a pipe a grandchild keeps
   * open or a paused reader.
   */
  #pipesOpen(): boolean {
    for (const p of this.#pipes.values()) if (p === null || !p.disconnected) return true;
    return false;
  }

  /**
   * Reports the exit two trips through the ready queue later, as CPython's
   * watcher does (its thread's `call_soon_threadsafe`, then the loop's
   * callback's): code that has just read a pipe's EOF sees `returncode`
   * still null, as it does there.
   */
  #releaseExit(): void {
    this.#held?.cancel();
    this.#held = null;
    // CPython's watcher thread posts the exit once it gets the GIL: when the
    // loop next waits in select(), or after the 5 ms switch interval if the
    // loop stays busy. Code that goes on without waiting after the pipes'
    // EOF (a gather of the readers, a sleep(0)) still sees returncode None.
    let fallback: TimerHandle | null = null;
    const post = () => {
      if (fallback === null) return;
      fallback.cancel();
      fallback = null;
      // In a context of its own, empty: CPython's watcher thread posts from
      // a new thread's context, so `processExited` and a `connectionLost`
      // it brings on see no value the program set.
      this.#loop.callSoon(() => this.#loop.callSoon(() => this.#reportExit()), {
        context: new Context(),
      });
    };
    fallback = this.#loop.callLater(GIL_SWITCH_INTERVAL, post);
    this.#loop._whenIdle.push(post);
  }

  #reportExit(): void {
    if (!this.#exitPending) return;
    this.#exitPending = false;
    liveChildren.get(this.#loop)?.delete(this);
    if (this.#returncode === null) this._processExited(this.#reaped!);
  }

  #stopWatching(): void {
    liveChildren.get(this.#loop)?.delete(this);
    childReaper().remove(this.#pid);
    if (this.#pidfd >= 0) {
      if (!this.#loop.isClosed()) this.#loop.removeReader(this.#pidfd);
      sys().close(this.#pidfd);
      this.#pidfd = -1;
    }
  }

  /**
   * @internal The loop is closing while the child runs: its pidfd goes, and
   * the process-wide reaper reaps the child whenever it exits and logs
   * CPython's warning that the loop handling the pid is closed. As there,
   * the returncode is not recorded (CPython's watcher thread only posts it
   * to the loop): `returncode` stays null and the transport says `running`.
   */
  _detachFromLoop(): void {
    if (this.#returncode !== null) return;
    if (this.#reaped !== null) {
      // Reaped, but the loop closes before its callback ran (or the exit was held).
      this.#held = null;
      this.#returncode = this.#reaped;
      return;
    }
    if (this.#reap()) return;
    this.#stopWatching();
    const loop = this.#loop;
    const pid = this.#pid;
    childReaper().add(pid, (rc) => {
      // Kept off the returncode; it keeps signals off a pid that may be reused.
      this.#reaped = rc;
      // CPython's watcher thread, reaping it, finds the loop closed and says so.
      logger.warning(`Loop ${loop} that handles pid ${pid} is closed`);
    });
  }

  /**
   * @internal Connects the pipe transports, then schedules `connectionMade`
   * and sets `waiter`, in a task, as Python's `_connect_pipes` runs: that
   * task takes a task name (`Task-N`) and as many loop turns as there.
   */
  _connectPipes(parentFds: ParentFds, waiter: Future<void>): void {
    const pipes: PipeList = [];
    if (parentFds.stdin !== null) pipes.push([0, parentFds.stdin, true]);
    if (parentFds.stdout !== null) pipes.push([1, parentFds.stdout, false]);
    if (parentFds.stderr !== null) pipes.push([2, parentFds.stderr, false]);
    const task = this.#loop.createTask(() => this.#runConnect(pipes, waiter));
    // Cancelled before its first step (asyncio.run() ending as the child
    // starts): it connected nothing.
    task.addDoneCallback((t) => {
      if (!t.cancelled()) return;
      this.#abandonConnect(pipes);
      if (!waiter.done()) waiter.cancel();
    });
  }

  async #runConnect(pipes: PipeList, waiter: Future<void>): Promise<void> {
    try {
      await this.#connectPipes(pipes);
    } catch (e) {
      this.#abandonConnect(pipes);
      if (!waiter.done()) waiter.setException(e);
      return;
    }
    // Set after connectionMade was scheduled: the caller resumes after it ran.
    if (!waiter.done()) waiter.setResult(undefined);
  }

  async #connectPipes(pipes: PipeList): Promise<void> {
    const loop = this.#loop;
    // One pipe after the other, each awaited, as Python's `_connect_pipes`:
    // the selector starts watching them a loop turn apart, so a child that
    // exits at once is heard on stdin, then stdout, then stderr, as there.
    for (const [fd, parentFd, write] of pipes) {
      const proto = new PipeProto(this, fd);
      const w = loop.createFuture<void>();
      const pipe = write
        ? new UnixWritePipeTransport(loop, parentFd, proto, w)
        : new UnixReadPipeTransport(loop, parentFd, proto, w);
      this.#wrapped.add(fd);
      try {
        await w;
      } catch (e) {
        // As Python's connect_read_pipe()/connect_write_pipe(), cancelled.
        pipe.close();
        throw e;
      }
      // Only now, as Python's `_connect_pipes` stores it once connected: a
      // close() meanwhile (the caller cancelled) leaves this pipe open, and
      // it reports its end when the child's exit closes it, in the
      // kernel's order, as there.
      this.#pipes.set(fd, proto);
      if (this.#held !== null && !this.#pipesOpen()) this.#releaseExit();
      if (loop.getDebug()) {
        // As Python's loop.connect_read_pipe()/connect_write_pipe() log it.
        const kind = write ? "Write" : "Read";
        logger.debug(`${kind} pipe ${parentFd} connected: (${proto.pipe}, ${proto})`);
      }
    }
    loop.callSoon(this.#protocolCallback("connectionMade", "connection_made"), this);
    for (const schedule of this.#pending ?? []) schedule();
    this.#pending = null;
    this.#connected = true;
    // A pipe that ended before it was stored did not finish the transport.
    this.#tryFinish();
  }

  /**
   * The connecting task failed or was cancelled: the pipes not yet wrapped
   * are closed and forgotten and the held calls released, so the transport
   * can still finish and its `_wait()` resolve once the child is gone
   * (CPython's `_wait()` hangs there for good).
   */
  #abandonConnect(pipes: PipeList): void {
    for (const [fd, parentFd] of pipes) {
      if (this.#pipes.get(fd) !== null) continue;
      this.#pipes.delete(fd);
      // A pipe with a transport is closed by it (see #connectPipes).
      if (!this.#wrapped.has(fd)) sys().close(parentFd);
    }
    for (const schedule of this.#pending ?? []) schedule();
    this.#pending = null;
    this.#tryFinish();
  }

  /** Python's `_call`: `cb(...args)` soon, or once the pipes are connected. */
  #call(cb: (...args: never[]) => void, ...args: unknown[]): void {
    if (this.#pending !== null) this.#pending.push(() => this.#loop.callSoon(cb, ...args));
    else this.#loop.callSoon(cb, ...args);
  }

  /**
   * The protocol's method `js` as a callback named as Python's Handle shows
   * it when it throws: `Exception in callback
   * MyProtocol.pipe_data_received(1, b'hi\n')`, the class that defines it
   * and Python's name (`py`).
   */
  #protocolCallback(
    js: "connectionMade" | "pipeDataReceived" | "pipeConnectionLost" | "processExited",
    py: string,
  ): (...args: never[]) => void {
    return protocolMethod(this._protocol, js, py);
  }

  /** @internal */
  _pipeConnectionLost(fd: number, exc: Error | null): void {
    this.#call(this.#protocolCallback("pipeConnectionLost", "pipe_connection_lost"), fd, exc);
    if (this.#held !== null && !this.#pipesOpen()) this.#releaseExit();
    this.#tryFinish();
  }

  /** @internal */
  _pipeDataReceived(fd: number, data: Uint8Array): void {
    this.#call(this.#protocolCallback("pipeDataReceived", "pipe_data_received"), fd, data);
  }

  /** @internal */
  _processExited(returncode: number): void {
    if (this.#loop.getDebug()) logger.info(`${this} exited with return code ${returncode}`);
    this.#returncode = returncode;
    this.#call(this.#protocolCallback("processExited", "process_exited"));
    this.#tryFinish();
  }

  #tryFinish(): void {
    if (this.#finished || this.#returncode === null) return;
    for (const p of this.#pipes.values()) if (p !== null && !p.disconnected) return;
    if ([...this.#pipes.values()].some((p) => p === null)) return; // not connected yet
    this.#finished = true;
    // Named as Python's: `BaseSubprocessTransport._call_connection_lost(None)`.
    const lost = (exc: Error | null) => this.#callConnectionLost(exc);
    this.#call(named("BaseSubprocessTransport._call_connection_lost", lost), null);
  }

  #callConnectionLost(exc: Error | null): void {
    try {
      if (this._protocol !== null) {
        checkCallback(this._protocol, "connectionLost", "connection_lost");
        this._protocol.connectionLost(exc);
      }
    } finally {
      // As Python: wait() resolves here, once the child has exited and every
      // pipe is closed, not at the exit itself.
      const rc = this.#returncode!;
      for (const w of this.#exitWaiters) if (!w.cancelled() && !w.done()) w.setResult(rc);
      this.#exitWaiters = [];
      this.#gone = true;
      this._protocol = null;
    }
  }

  /**
   * @internal Resolves with the returncode once the child has exited and the
   * transport is finished (every pipe closed), as Python's `_wait()`; at
   * once if the child has already exited.
   */
  async _wait(): Promise<number> {
    if (this.#returncode !== null) return this.#returncode;
    const w = this.#loop.createFuture<number>();
    this.#exitWaiters.push(w);
    return await w;
  }

  /** The child's pid. */
  override getPid(): number {
    return this.#pid;
  }
  /** The exit code; minus the signal number if a signal killed it; null while it runs. */
  override getReturncode(): number | null {
    return this.#returncode;
  }
  /** The transport of pipe `fd` (0: stdin, 1: stdout, 2: stderr), or null. */
  override getPipeTransport(fd: number): BaseTransport | null {
    return this.#pipes.get(fd)?.pipe ?? null;
  }
  /**
   * Sends `sig`. As Python: a child that has exited is not signalled (no
   * error) until the transport is finished; after that it is
   * `ProcessLookupError()` (no errno, empty message).
   */
  override sendSignal(sig: number): void {
    if (this.#gone) throw new ProcessLookupError();
    if (this.#returncode !== null || this.#reaped !== null) return;
    if (typeof sig !== "number" || !Number.isInteger(sig)) {
      // Python's os.kill().
      throw new TypeError(`'${pyTypeName(sig)}' object cannot be interpreted as an integer`);
    }
    const r = sys().kill(this.#pid, sig);
    if (r < 0 && r !== -ERRNO.ESRCH) throw osErrorFromErrno(-r);
  }
  /** SIGTERM. */
  override terminate(): void {
    this.sendSignal(C.SIGTERM);
  }
  /** SIGKILL. */
  override kill(): void {
    this.sendSignal(C.SIGKILL);
  }
  /** Whether `close()` was called. */
  override isClosing(): boolean {
    return this.#closed;
  }
  /** Closes the pipes and kills the child if it is still running (as Python). */
  override close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const p of this.#pipes.values()) p?.pipe?.close();
    if (this.#returncode === null && !this.#reap()) {
      if (this.#loop.getDebug()) logger.warning(`Close running child process: kill ${this}`);
      sys().kill(this.#pid, C.SIGKILL);
    }
  }
  /** The protocol. */
  override getProtocol(): BaseProtocolLike {
    return this._protocol as BaseProtocolLike;
  }
  /** Replaces the protocol. */
  override setProtocol(p: BaseProtocolLike): void {
    this._protocol = p as SubprocessProtocolLike;
  }

  /**
   * Python's: `<_UnixSubprocessTransport pid=123 running stdin=<...>
   * stdout=<...>>`, with `closed` after close() and `returncode=N` once the
   * exit is reported.
   */
  override toString(): string {
    const info = [this.constructor.name];
    if (this.#closed) info.push("closed");
    info.push(`pid=${this.#pid}`);
    info.push(this.#returncode === null ? "running" : `returncode=${this.#returncode}`);
    for (const [fd, name] of [[0, "stdin"], [1, "stdout"], [2, "stderr"]] as const) {
      const pipe = this.#pipes.get(fd)?.pipe;
      if (pipe) info.push(`${name}=${pipe}`);
    }
    return `<${info.join(" ")}>`;
  }

  /** @internal Whether the protocol has heard `connectionMade`. */
  get _connected(): boolean {
    return this.#connected;
  }
}

// -- starting ---------------------------------------------------------------------

function closeAll(fds: Array<number | null | undefined>): void {
  for (const fd of fds) if (typeof fd === "number" && fd >= 0) sys().close(fd);
}

/**
 * The fd of a stream spec. As Popen, anything but an int must have a
 * `fileno()`: else Python's AttributeError (a TypeError subclass here).
 */
function checkSpec(v: StdioSpec): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v === "number" && Number.isInteger(v)) return v;
  const fileno = typeof v === "object" ? (v as { fileno?: unknown }).fileno : undefined;
  if (typeof fileno !== "function") {
    throw new AttributeError(`'${pyTypeName(v)}' object has no attribute 'fileno'`);
  }
  const fd = fileno.call(v);
  if (typeof fd !== "number" || !Number.isInteger(fd)) {
    throw new TypeError(`'${pyTypeName(fd)}' object cannot be interpreted as an integer`);
  }
  return fd;
}

/** The keyword arguments of Python's `subprocess.Popen`, camelCased (rule 2 of API.md). */
const POPEN_KEYWORDS = new Set([
  "bufsize",
  "executable",
  "stdin",
  "stdout",
  "stderr",
  "preexecFn",
  "closeFds",
  "shell",
  "cwd",
  "env",
  "universalNewlines",
  "startupinfo",
  "creationflags",
  "restoreSignals",
  "startNewSession",
  "passFds",
  "user",
  "group",
  "extraGroups",
  "encoding",
  "errors",
  "text",
  "umask",
  "pipesize",
  "processGroup",
]);

/**
 * Popen options that need code in the child between fork and exec, which
 * `posix_spawn` has no place for: refused rather than ignored, since a child
 * run as the wrong user, or without its `preexec_fn`, is worse than none.
 * (`pipesize` and `restoreSignals` are hints this spawn does without: the
 * kernel's pipe size; SIGPIPE and SIGXFSZ always back to their defaults.)
 */
function refuseForkOnly(opts: object): void {
  const o = opts as Record<string, unknown>;
  for (
    const [key, py] of [["preexecFn", "preexec_fn"], ["user", "user"], ["group", "group"], [
      "extraGroups",
      "extra_groups",
    ]]
  ) {
    if (o[key] != null) {
      throw new NotImplementedError(
        `${py} is not supported: children are started with posix_spawn`,
      );
    }
  }
}

/**
 * A key that `Popen` does not take is Python's TypeError, named as Python
 * spells it (`startNewSesion` → `'start_new_sesion'`), not a typo ignored.
 */
function checkKeywords(opts: object): void {
  for (const key of Object.keys(opts)) {
    if (POPEN_KEYWORDS.has(key)) continue;
    if (key === "loop") {
      // Old code's `loop=loop` meets the transport's own first parameter.
      throw new TypeError(
        "BaseSubprocessTransport.__init__() got multiple values for argument 'loop'",
      );
    }
    const snake = key.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase());
    throw new TypeError(`Popen.__init__() got an unexpected keyword argument '${snake}'`);
  }
}

/**
 * The child's environment as `KEY=value` strings (Python's `env_list`):
 * keys and values are str or bytes, and a key holds no `=`.
 */
function envList(env: Record<string, unknown>): Array<string | Uint8Array> {
  if (typeof env !== "object" || Array.isArray(env)) {
    throw new AttributeError(`'${pyTypeName(env)}' object has no attribute 'items'`);
  }
  return Object.entries(env).map(([k, v]) => {
    if (k.includes("=")) throw new ValueError("illegal environment variable name");
    // A bytes value goes on as it is (Python does not decode it either).
    if (v instanceof Uint8Array) return joinBytes([new TextEncoder().encode(`${k}=`), v]);
    return `${k}=${fsArg(v)}`;
  });
}

/** A program or argument as Python's `os.fsencode` takes it: str or bytes (decoded as UTF-8). */
function fsArg(x: unknown): string {
  if (typeof x === "string") return x;
  if (x instanceof Uint8Array) return new TextDecoder().decode(x);
  throw new TypeError(`expected str, bytes or os.PathLike object, not ${pyTypeName(x)}`);
}

/**
 * An argument of the child: a str, or bytes passed on as they are (Python
 * does not decode them: `b"\xff"` reaches the child as that byte, where a
 * UTF-8 round trip would make it U+FFFD).
 */
function fsArgOrBytes(x: unknown): string | Uint8Array {
  return x instanceof Uint8Array ? x : fsArg(x);
}

/**
 * The file to exec for `program`. `posix_spawnp` searches this process's
 * PATH; Python searches the PATH of the child's `env` when one is given
 * (`os.get_exec_path(env)`, `/bin:/usr/bin` if it has none), trying each
 * directory in turn from the child's cwd. So with `env`, a bare name is
 * resolved here: the first executable file, else the first that exists (its
 * exec fails with EACCES, as Python reports), else the first candidate
 * (ENOENT).
 */
function searchEnvPath(
  program: string,
  env: Record<string, string> | null,
  cwd: string | null,
): string {
  // An empty name is searched for too, as Python does: each directory is
  // tried as such, and exec'ing one is EACCES (posix_spawnp says ENOENT).
  if ((env === null && program !== "") || program.includes("/")) return program;
  const path = env !== null ? env.PATH : process.env.PATH;
  const candidates = (path ?? "/bin:/usr/bin").split(":")
    .map((dir) => (dir === "" ? "." : dir) + "/" + program);
  const base = cwd ?? process.cwd();
  const full = (c: string) => pathResolve(base, c);
  const isFile = (c: string) => {
    try {
      return statSync(full(c)).isFile();
    } catch {
      return false;
    }
  };
  const executable = (c: string) => {
    try {
      accessSync(full(c), fsConstants.X_OK);
      return isFile(c);
    } catch {
      return false;
    }
  };
  return candidates.find(executable) ?? candidates.find(isFile) ?? candidates[0] ?? program;
}

/** The error of a failed start: `[Errno 2] No such file or directory: 'prog'`. */
function childError(errno: number, filename: string | null): OSError {
  const err = osErrorFromErrno(errno, filename ?? undefined);
  err.message = `[Errno ${errno}] ${sys().strerror(errno)}` +
    (filename !== null ? `: '${filename}'` : "");
  return err;
}

/** `KEY=value` strings back as a dictionary. */
function envDict(envp: Array<string | Uint8Array>): Record<string, string> {
  return Object.fromEntries(envp.map((entry) => {
    const e = typeof entry === "string" ? entry : new TextDecoder().decode(entry);
    const i = e.indexOf("=");
    return [e.slice(0, i), e.slice(i + 1)];
  }));
}

/**
 * Splits `...args` as API.md rule 3 reads them: a final plain object (not a
 * string) is the options object, the rest are the program's arguments.
 *
 * @example
 * ```ts
 * splitExecArgs(["-l", { stdout: PIPE }]); // [["-l"], { stdout: -1 }]
 * ```
 */
export function splitExecArgs<O extends object>(
  rest: ReadonlyArray<string | Uint8Array | O>,
): [Array<string | Uint8Array>, O | undefined] {
  const last = rest[rest.length - 1];
  if (
    rest.length && typeof last === "object" && last !== null && !Array.isArray(last) &&
    (Object.getPrototypeOf(last) === Object.prototype || Object.getPrototypeOf(last) === null)
  ) {
    return [rest.slice(0, -1) as Array<string | Uint8Array>, last as O];
  }
  return [rest as Array<string | Uint8Array>, undefined];
}

/**
 * Starts `program` with `args` (argv[0] = program) on `loop`; resolves with
 * `[transport, protocol]` once the pipes are connected (Python's
 * `loop.subprocess_exec`). The program and arguments are strings or bytes
 * (UTF-8). A missing program rejects with FileNotFoundError. `shellCmd` is
 * the command {@link subprocessShell} runs, for the debug-mode log lines.
 *
 * @example
 * ```ts
 * const [t, p] = await subprocessExec(loop, () => new MyProto(), "ls", ["-l"], {});
 * ```
 */
export async function subprocessExec<P extends SubprocessProtocolLike>(
  loop: Loop,
  protocolFactory: () => P,
  program: string | Uint8Array,
  args: ReadonlyArray<string | Uint8Array> = [],
  opts: SubprocessOptions = {},
  shellCmd: string | Uint8Array | null = null,
): Promise<[UnixSubprocessTransport, P]> {
  checkBinaryMode(opts, false);
  checkKeywords(opts);
  // Popen's Windows-only options: anything but their defaults is refused.
  const { startupinfo, creationflags } = opts as { startupinfo?: unknown; creationflags?: unknown };
  if (startupinfo != null) {
    throw new ValueError("startupinfo is only supported on Windows platforms");
  }
  if (creationflags !== undefined && creationflags !== 0) {
    throw new ValueError("creationflags is only supported on Windows platforms");
  }
  refuseForkOnly(opts);
  const stdinSpec = checkSpec(opts.stdin === undefined ? PIPE : opts.stdin);
  const stdoutSpec = checkSpec(opts.stdout === undefined ? PIPE : opts.stdout);
  const stderrSpec = checkSpec(opts.stderr === undefined ? PIPE : opts.stderr);
  const name = fsArg(program);
  const argv = [name, ...args.map(fsArgOrBytes)];
  // Python's `executable` is the file run; argv[0] stays the program's name.
  const exe = opts.executable == null ? name : fsArg(opts.executable);
  const envp = opts.env == null ? null : envList(opts.env);
  const cwd = opts.cwd == null ? null : fsArg(opts.cwd);
  const { passFds, pgroup } = checkAttrs(opts);
  // Python's child dup2()s a bad fd (STDOUT for stdin/stdout, another
  // negative number, a closed fd) before it changes directory and execs:
  // OSError EBADF, named after the cwd if one was given (3.11's "noexec").
  const specs = [["stdin", stdinSpec], ["stdout", stdoutSpec], ["stderr", stderrSpec]] as const;
  for (const [name, spec] of specs) {
    if (
      spec === null || spec === PIPE || spec === DEVNULL || (spec === STDOUT && name === "stderr")
    ) continue;
    if (spec < 0 || sys().fcntl(spec, C.F_GETFD, 0) < 0) {
      throw childError(ERRNO.EBADF, cwd);
    }
  }
  const protocol = protocolFactory();
  // In debug mode Python logs the start (not the arguments: they may hold
  // passwords) and, once the pipes are connected, the transport.
  const debugLog = !loop.getDebug()
    ? null
    : shellCmd !== null
    ? `run shell command ${pyRepr(shellCmd)}`
    : `execute program ${pyRepr(program)}`;
  if (debugLog !== null) logSubprocess(debugLog, stdinSpec, stdoutSpec, stderrSpec);
  // Python asks the policy's child watcher before it starts the child.
  checkChildWatcher();
  const s = sys();
  const toClose: number[] = []; // the child's ends, closed in the parent after spawn
  const parentFds: ParentFds = {
    stdin: null,
    stdout: null,
    stderr: null,
  };
  const fdMap: Array<[number, number]> = [];
  let devnull = -1;
  const devNull = (): number => {
    if (devnull < 0) {
      devnull = openSync("/dev/null", "r+");
      toClose.push(devnull);
    }
    return devnull;
  };
  let pid: number;
  try {
    const pipe = (): [number, number] => {
      const r = s.pipe2(C.O_CLOEXEC);
      if (typeof r === "number") throw osErrorFromErrno(-r);
      return r;
    };
    let stdoutChild: number | null = null;
    if (stdinSpec === PIPE) {
      const [r, w] = pipe();
      toClose.push(r);
      parentFds.stdin = w;
      fdMap.push([0, r]);
    } else if (stdinSpec === DEVNULL) fdMap.push([0, devNull()]);
    else if (stdinSpec !== null) fdMap.push([0, stdinSpec]);
    if (stdoutSpec === PIPE) {
      const [r, w] = pipe();
      toClose.push(w);
      parentFds.stdout = r;
      stdoutChild = w;
    } else if (stdoutSpec === DEVNULL) stdoutChild = devNull();
    else if (stdoutSpec !== null) stdoutChild = stdoutSpec;
    if (stdoutChild !== null) fdMap.push([1, stdoutChild]);
    if (stderrSpec === PIPE) {
      const [r, w] = pipe();
      toClose.push(w);
      parentFds.stderr = r;
      fdMap.push([2, w]);
    } else if (stderrSpec === DEVNULL) fdMap.push([2, devNull()]);
    else if (stderrSpec === STDOUT) fdMap.push([2, stdoutChild ?? 1]);
    else if (stderrSpec !== null) fdMap.push([2, stderrSpec]);
    for (const a of [...argv, ...(envp ?? []), cwd ?? ""]) {
      if (typeof a === "string" ? a.includes("\0") : a.includes(0)) {
        throw new ValueError("embedded null byte");
      }
    }
    // The map is applied in order, 0 then 1 then 2: a source fd below 3 could
    // be overwritten by an earlier entry (this process had its stdin closed,
    // so a pipe got fd 0). Such sources are moved out of the way first.
    for (const entry of fdMap) {
      if (entry[1] < 3 && entry[1] !== entry[0]) {
        const moved = s.fcntl(entry[1], F_DUPFD_CLOEXEC, 3);
        if (moved < 0) throw osErrorFromErrno(-moved);
        toClose.push(moved);
        entry[1] = moved;
      }
    }
    // posix_spawn has no umask attribute: the child inherits ours, set for
    // the (synchronous) spawn only.
    const umask = opts.umask ?? -1;
    const savedUmask = umask >= 0 ? process.umask(umask) : -1;
    try {
      pid = s.spawn(
        searchEnvPath(exe, envp === null ? null : envDict(envp), cwd),
        argv,
        envp,
        cwd,
        fdMap,
        passFds.length > 0 || (opts.closeFds ?? true),
        { setsid: opts.startNewSession === true, pgroup, passFds },
      );
    } finally {
      if (savedUmask >= 0) process.umask(savedUmask);
    }
    if (pid < 0) {
      // posix_spawn reports a failed chdir and a failed exec alike; Python
      // names the directory when it is the cwd that is missing.
      throw childError(-pid, cwd !== null && !isDirectory(cwd) ? cwd : exe);
    }
  } catch (e) {
    closeAll([parentFds.stdin, parentFds.stdout, parentFds.stderr]);
    throw e;
  } finally {
    for (const fd of toClose) {
      if (fd === devnull) closeSync(fd);
      else s.close(fd);
    }
  }
  const transport = new UnixSubprocessTransport(loop, protocol, pid, parentFds, null);
  transport._extra.set(
    "subprocess",
    new Popen(transport, shellCmd ?? [program, ...args], parentFds),
  );
  if (loop.getDebug()) {
    logger.debug(`process ${pyRepr(shellCmd ?? program)} created: pid ${pid}`);
  }
  try {
    const waiter = loop.createFuture<void>();
    transport._connectPipes(parentFds, waiter);
    await waiter;
  } catch (e) {
    transport.close();
    await transport._wait();
    throw e;
  }
  if (debugLog !== null) logger.info(`${debugLog}: ${transport}`);
  return [transport, protocol];
}

/**
 * Python's `_log_subprocess`: `execute program 'ls' stdin=<pipe>
 * stdout=stderr=<pipe>`, the streams given (not inherited) only.
 */
function logSubprocess(
  msg: string,
  stdin: number | null,
  stdout: number | null,
  stderr: number | null,
): void {
  const pipe = (fd: number) => fd === PIPE ? "<pipe>" : fd === STDOUT ? "<stdout>" : String(fd);
  const info = [msg];
  if (stdin !== null) info.push(`stdin=${pipe(stdin)}`);
  if (stdout !== null && stderr === STDOUT) info.push(`stdout=stderr=${pipe(stdout)}`);
  else {
    if (stdout !== null) info.push(`stdout=${pipe(stdout)}`);
    if (stderr !== null) info.push(`stderr=${pipe(stderr)}`);
  }
  logger.debug(info.join(" "));
}

/**
 * Runs `cmd` with `/bin/sh -c` (Python's `loop.subprocess_shell`).
 *
 * @example
 * ```ts
 * const [t, p] = await subprocessShell(loop, () => new MyProto(), "ls | wc -l");
 * ```
 */
export function subprocessShell<P extends SubprocessProtocolLike>(
  loop: Loop,
  protocolFactory: () => P,
  cmd: string | Uint8Array,
  opts: SubprocessOptions = {},
): Promise<[UnixSubprocessTransport, P]> {
  const given = cmd;
  // A bytes command goes to the shell as it is (not decoded: any bytes).
  if (typeof cmd !== "string" && !(cmd instanceof Uint8Array)) {
    return Promise.reject(new ValueError("cmd must be a string"));
  }
  try {
    checkBinaryMode(opts, true);
  } catch (e) {
    return Promise.reject(e);
  }
  const shellOpts = { ...opts, shell: false };
  // Python's `executable` replaces the shell, as argv[0] too; an empty one
  // is left in argv but still run (and fails, as in Python).
  const shell = opts.executable ? opts.executable : "/bin/sh";
  return subprocessExec(loop, protocolFactory, shell, ["-c", cmd], shellOpts, given);
}

// CPython's classes are private (`_UnixSubprocessTransport`, ...): a ported
// `type(transport).__name__` (`transport.constructor.name`) prints that.
for (const cls of [UnixReadPipeTransport, UnixWritePipeTransport, UnixSubprocessTransport]) {
  Object.defineProperty(cls, "name", { value: `_${cls.name}` });
}

printAsRepr(UnixReadPipeTransport, UnixWritePipeTransport, UnixSubprocessTransport, Popen);
