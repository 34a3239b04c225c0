/**
 * Python's exception classes, with Python's names and hierarchy (API.md
 * rule 8). Python's `TypeError` is JS `TypeError`; `ValueError` extends JS
 * `RangeError` so generic JS code recognises it as a bad-value error.
 *
 * OS failures are {@link OSError} subclasses chosen by errno the way Python
 * chooses them (PEP 3151), carrying `errno`, `code` (`"ECONNREFUSED"`) and
 * the C library's `strerror` text.
 *
 * @module
 */
import process from "node:process";
import { ERRNO, errnoName, sys } from "../ffi/mod.ts";
import { _setErrorArgs, errorArgs, pyRepr, setPyModule } from "./format.ts";

/**
 * Python's str() of an exception's one argument: a string as it is, an
 * error its message, anything else its repr (`4`, `None`, `[1, 'a']`).
 */
function strArg(message: unknown): string | undefined {
  if (message === undefined || typeof message === "string") return message;
  return message instanceof Error ? message.message : pyRepr(message);
}

/**
 * Python's `RuntimeError`.
 *
 * @example
 * ```ts
 * throw new RuntimeError("Event loop is closed");
 * ```
 */
export class RuntimeError extends Error {
  /** The Python class name. */
  override name = "RuntimeError";
  /**
   * `new RuntimeError(message?, options?)`: a message that is not a string (a
   * user's `RuntimeError(4)`) stays `args[0]`, and the message is its repr, as
   * Python's str().
   */
  constructor(message?: unknown, options?: ErrorOptions) {
    super(strArg(message), options);
    if (message !== undefined && typeof message !== "string") _setErrorArgs(this, [message]);
  }
  /** Python's `e.args`: the arguments it was made with, as an array. */
  get args(): unknown[] {
    return errorArgs(this);
  }
}

/**
 * Python's `ValueError`; a `RangeError` for JS code.
 *
 * @example
 * ```ts
 * throw new ValueError("Invalid file descriptor: -1");
 * ```
 */
export class ValueError extends RangeError {
  /** The Python class name. */
  override name = "ValueError";
  /**
   * @internal Classes that Python makes ValueErrors by a second base, which
   * JS classes cannot have (`ssl.SSLCertVerificationError`, an `SSLError`
   * too): registered by their modules, so `instanceof ValueError` holds.
   */
  static _virtualSubclasses: Array<abstract new (...args: never[]) => Error> = [];
  /** `instanceof` also sees {@link ValueError._virtualSubclasses}. */
  static override [Symbol.hasInstance](x: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, x)) return true;
    return this === ValueError && ValueError._virtualSubclasses.some((c) => x instanceof c);
  }
  /**
   * `new ValueError(message?, options?)`: a message that is not a string (a
   * user's `ValueError(4)`) stays `args[0]`, and the message is its repr, as
   * Python's str().
   */
  constructor(message?: unknown, options?: ErrorOptions) {
    super(strArg(message), options);
    if (message !== undefined && typeof message !== "string") _setErrorArgs(this, [message]);
  }
  /** Python's `e.args`: the arguments it was made with, as an array. */
  get args(): unknown[] {
    return errorArgs(this);
  }
}

/**
 * Python's `OverflowError`, raised for a number out of its C range (a port
 * above 65535); a `RangeError` for JS code, not a `ValueError`, as in Python.
 *
 * @example
 * ```ts
 * throw new OverflowError("bind(): port must be 0-65535.");
 * ```
 */
export class OverflowError extends RangeError {
  /** The Python class name. */
  override name = "OverflowError";
  /** Python's `e.args`: the arguments it was made with, as an array. */
  get args(): unknown[] {
    return errorArgs(this);
  }
}

/**
 * @internal Python's `AttributeError` where a ported program meets one
 * (an `async_chat` with no terminator set, `sendto()` on a datagram
 * transport whose connection is lost): a `TypeError` for JS code, as
 * JavaScript's own errors for a missing member are, named as Python names it.
 *
 * @example
 * ```ts
 * throw new AttributeError("'NoneType' object has no attribute 'call_exception_handler'");
 * ```
 */
export class AttributeError extends TypeError {
  /** The Python class name. */
  override name = "AttributeError";
}

/**
 * Python's `LookupError`: a key or context variable that has no value.
 *
 * @example
 * ```ts
 * throw new LookupError("<ContextVar name='x'>");
 * ```
 */
export class LookupError extends Error {
  /** The Python class name. */
  override name = "LookupError";
  /**
   * `new LookupError(key?, options?)`: a key that is not a string (a ContextVar, a
   * number) stays `args[0]`, and the message is its repr, as Python's str().
   * `{ cause }` is Python's `raise KeyError(k) from e`.
   */
  constructor(key?: unknown, options?: ErrorOptions) {
    super(key === undefined || typeof key === "string" ? key : pyRepr(key), options);
    if (key !== undefined && typeof key !== "string") _setErrorArgs(this, [key]);
  }
  /** Python's `e.args`: the arguments it was made with, as an array. */
  get args(): unknown[] {
    return errorArgs(this);
  }
}

/**
 * Python's `KeyError`, raised by selectors for unknown or duplicate keys.
 *
 * @example
 * ```ts
 * throw new KeyError("5 is not registered");
 * ```
 */
export class KeyError extends LookupError {
  /** The Python class name. */
  override name = "KeyError";
}

/**
 * Python's `IndexError`: `create_unix_server` indexes the path (`path[0]`,
 * its abstract-name check), so an empty path raises it.
 *
 * @example
 * ```ts
 * throw new IndexError("string index out of range");
 * ```
 */
export class IndexError extends LookupError {
  /** The Python class name. */
  override name = "IndexError";
}

/**
 * Python's `NotImplementedError`, raised by abstract methods.
 *
 * @example
 * ```ts
 * throw new NotImplementedError();
 * ```
 */
export class NotImplementedError extends RuntimeError {
  /** The Python class name. */
  override name = "NotImplementedError";
}

const messages = new Map<number, string>();

function strerror(errno: number): string {
  let m = messages.get(errno);
  if (m === undefined) {
    m = sys().strerror(errno);
    messages.set(errno, m);
  }
  return m;
}

/**
 * Python's `OSError`: an operating system call failed.
 *
 * `new OSError(errno)` fills in `code` and the strerror text; the message
 * reads as Python prints it: `[Errno 9] Bad file descriptor`. As in Python,
 * an errno with a subclass of its own makes that subclass:
 * `new OSError(2, "No such file")` is a `FileNotFoundError`.
 *
 * @example
 * ```ts
 * const e = new OSError(9);
 * e.code; // "EBADF"
 * e.message; // "[Errno 9] Bad file descriptor"
 * ```
 */
export class OSError extends Error {
  /** The Python class name. */
  override name = "OSError";
  /** Python's `e.args`: the arguments it was made with, as an array. */
  get args(): unknown[] {
    return errorArgs(this);
  }
  /** The errno value, or `undefined` when raised without one. */
  readonly errno: number | undefined;
  /** The errno symbol, like `"ECONNREFUSED"`. */
  readonly code: string | undefined;
  /** The C library's text for `errno`. */
  readonly strerror: string | undefined;
  /** The file name the call was about, when there is one. */
  readonly filename: string | undefined;

  /**
   * `new OSError(errno, strerror?, filename?)` or `new OSError(message)`, each
   * with JS's `{ cause }` last if wanted (Python's `raise OSError(...) from e`).
   */
  constructor(
    errnoOrMessage?: number | string,
    message?: string | ErrorOptions,
    filename?: string | ErrorOptions,
    options?: ErrorOptions,
  ) {
    if (isErrorOptions(message)) [options, message] = [message, undefined];
    if (isErrorOptions(filename)) [options, filename] = [filename, undefined];
    const errno = typeof errnoOrMessage === "number" ? errnoOrMessage : undefined;
    const text = errno === undefined ? undefined : message ?? strerror(errno);
    super(
      errno === undefined
        ? String(errnoOrMessage ?? "")
        : `[Errno ${errno}] ${text}` + (filename !== undefined ? `: '${filename}'` : ""),
      options,
    );
    this.errno = errno;
    this.code = errno === undefined ? undefined : errnoName(errno);
    this.strerror = text;
    this.filename = errno === undefined ? undefined : filename;
    // Python's OSError(errno, ...) makes the subclass for that errno:
    // `OSError(2, 'x')` is a FileNotFoundError (a subclass's own call is not changed).
    const Class = errno === undefined || new.target !== OSError ? undefined : byErrno.get(errno);
    if (Class !== undefined) return new Class(errno!, message, filename, options);
  }
}

/** A JS `{ cause }` options object where OSError takes a string. */
function isErrorOptions(x: unknown): x is ErrorOptions {
  return typeof x === "object" && x !== null && "cause" in x;
}

/** Python's `BlockingIOError`: EAGAIN, EWOULDBLOCK, EALREADY, EINPROGRESS. @example `new BlockingIOError(11)` */
export class BlockingIOError extends OSError {
  /** The Python class name. */
  override name = "BlockingIOError";
}
/** Python's `ChildProcessError`: ECHILD. @example `new ChildProcessError(10)` */
export class ChildProcessError extends OSError {
  /** The Python class name. */
  override name = "ChildProcessError";
}
/** Python's `ConnectionError`, base of the connection errors. @example `new ConnectionError(104)` */
export class ConnectionError extends OSError {
  /** The Python class name. */
  override name = "ConnectionError";
}
/** Python's `BrokenPipeError`: EPIPE, ESHUTDOWN. @example `new BrokenPipeError(32)` */
export class BrokenPipeError extends ConnectionError {
  /** The Python class name. */
  override name = "BrokenPipeError";
}
/** Python's `ConnectionAbortedError`: ECONNABORTED. @example `new ConnectionAbortedError(103)` */
export class ConnectionAbortedError extends ConnectionError {
  /** The Python class name. */
  override name = "ConnectionAbortedError";
}
/** Python's `ConnectionRefusedError`: ECONNREFUSED. @example `new ConnectionRefusedError(111)` */
export class ConnectionRefusedError extends ConnectionError {
  /** The Python class name. */
  override name = "ConnectionRefusedError";
}
/** Python's `ConnectionResetError`: ECONNRESET. @example `new ConnectionResetError(104)` */
export class ConnectionResetError extends ConnectionError {
  /** The Python class name. */
  override name = "ConnectionResetError";
}
/** Python's `FileExistsError`: EEXIST. @example `new FileExistsError(17)` */
export class FileExistsError extends OSError {
  /** The Python class name. */
  override name = "FileExistsError";
}
/** Python's `FileNotFoundError`: ENOENT. @example `new FileNotFoundError(2)` */
export class FileNotFoundError extends OSError {
  /** The Python class name. */
  override name = "FileNotFoundError";
}
/** Python's `InterruptedError`: EINTR. @example `new InterruptedError(4)` */
export class InterruptedError extends OSError {
  /** The Python class name. */
  override name = "InterruptedError";
}
/** Python's `IsADirectoryError`: EISDIR. @example `new IsADirectoryError(21)` */
export class IsADirectoryError extends OSError {
  /** The Python class name. */
  override name = "IsADirectoryError";
}
/** Python's `NotADirectoryError`: ENOTDIR. @example `new NotADirectoryError(20)` */
export class NotADirectoryError extends OSError {
  /** The Python class name. */
  override name = "NotADirectoryError";
}
/** Python's `PermissionError`: EACCES, EPERM. @example `new PermissionError(13)` */
export class PermissionError extends OSError {
  /** The Python class name. */
  override name = "PermissionError";
}
/** Python's `ProcessLookupError`: ESRCH. @example `new ProcessLookupError(3)` */
export class ProcessLookupError extends OSError {
  /** The Python class name. */
  override name = "ProcessLookupError";
}

/**
 * Python's `TimeoutError`. As in Python 3.11+, asyncio's timeout error and the
 * OS's ETIMEDOUT are one class, an `OSError`; asyncio raises it without errno.
 *
 * @example
 * ```ts
 * throw new TimeoutError();
 * ```
 */
export class TimeoutError extends OSError {
  /** The Python class name. */
  override name = "TimeoutError";
}

type OSErrorClass = new (
  errno: number,
  message?: string,
  filename?: string,
  options?: ErrorOptions,
) => OSError;

const byErrno = new Map<number, OSErrorClass>([
  [ERRNO.EAGAIN, BlockingIOError],
  [ERRNO.EALREADY, BlockingIOError],
  [ERRNO.EINPROGRESS, BlockingIOError],
  [ERRNO.ECHILD, ChildProcessError],
  [ERRNO.EPIPE, BrokenPipeError],
  [ERRNO.ESHUTDOWN, BrokenPipeError],
  [ERRNO.ECONNABORTED, ConnectionAbortedError],
  [ERRNO.ECONNREFUSED, ConnectionRefusedError],
  [ERRNO.ECONNRESET, ConnectionResetError],
  [ERRNO.EEXIST, FileExistsError],
  [ERRNO.ENOENT, FileNotFoundError],
  [ERRNO.EINTR, InterruptedError],
  [ERRNO.EISDIR, IsADirectoryError],
  [ERRNO.ENOTDIR, NotADirectoryError],
  [ERRNO.EACCES, PermissionError],
  [ERRNO.EPERM, PermissionError],
  [ERRNO.ESRCH, ProcessLookupError],
  [ERRNO.ETIMEDOUT, TimeoutError],
]);

/**
 * The `OSError` subclass Python would raise for `errno`.
 *
 * @example
 * ```ts
 * osErrorFromErrno(111) instanceof ConnectionRefusedError; // true
 * ```
 */
export function osErrorFromErrno(errno: number, filename?: string): OSError {
  const Class = byErrno.get(errno) ?? OSError;
  return new Class(errno, undefined, filename);
}

/**
 * Returns `r` when it is a success (`>= 0`); throws the OSError for `-r`.
 * Syscall results from `ffi/` are `-errno` on failure.
 *
 * @example
 * ```ts
 * const fd = check(sys().eventfd(0, 0));
 * ```
 */
export function check(r: number): number {
  if (r < 0) throw osErrorFromErrno(-r);
  return r;
}

// ---------------------------------------------------------------------------
// asyncio's own exceptions.

/**
 * Python's `KeyboardInterrupt`: `run()` rejects with it when SIGINT (Ctrl+C)
 * cancelled the main task.
 *
 * @example
 * ```ts
 * try { await asyncio.run(main); } catch (e) { if (e instanceof KeyboardInterrupt) {} }
 * ```
 */
export class KeyboardInterrupt extends Error {
  /** The Python class name. */
  override name = "KeyboardInterrupt";
  /** Python's `e.args`: the arguments it was made with, as an array. */
  get args(): unknown[] {
    return errorArgs(this);
  }
  /** `new KeyboardInterrupt(message?)`. */
  constructor(message?: string) {
    super(message);
    hookUncaught();
  }
}

/**
 * Python's `SystemExit` (`sys.exit(code)`): raised inside a task, it leaves
 * `runUntilComplete()` / `run()` at once, as `KeyboardInterrupt` does, and is
 * never reported to the exception handler. `code` is the exit status (or
 * message) given, `null` when none was.
 *
 * @example
 * ```ts
 * try { await asyncio.run(main); } catch (e) {
 *   if (e instanceof SystemExit) process.exitCode = typeof e.code === "number" ? e.code : 1;
 * }
 * ```
 */
export class SystemExit extends Error {
  /** The Python class name. */
  override name = "SystemExit";
  /** Python's `e.args`: the arguments it was made with, as an array. */
  get args(): unknown[] {
    return errorArgs(this);
  }
  /** The exit status (or message) it was raised with; `null` for none. */
  readonly code: number | string | null;
  /** `new SystemExit(code?)`: the message is the code, as Python's `str()` gives it. */
  constructor(code: number | string | null = null) {
    super(code === null ? "" : String(code));
    this.code = code;
    // Python's args: `()` for no code, `(code,)` (a number stays a number).
    if (code !== null) _setErrorArgs(this, [code]);
    hookUncaught();
  }
}

let hooked = false;

/**
 * Python's interpreter on a KeyboardInterrupt or SystemExit that nothing
 * caught (`asyncio.run(main())` at the top level, say): a SystemExit exits
 * with its code, silently (a message code goes to stderr, status 1); a
 * KeyboardInterrupt prints its traceback and the process ends by SIGINT, as
 * Ctrl+C ends it (status 130 in a shell). A JS runtime would print the error
 * and exit with 1. Hooked when the first of them is made: nothing changes
 * for other errors.
 */
function hookUncaught(): void {
  if (hooked) return;
  hooked = true;
  const g = globalThis as unknown as {
    addEventListener?: (type: string, fn: (ev: never) => void) => void;
    Deno?: unknown;
  };
  process.on("uncaughtExceptionMonitor", (err: unknown) => {
    exitAsPython(err);
  });
  if (g.Deno !== undefined && typeof g.addEventListener === "function") {
    // Deno reports its uncaught errors as events (the monitor is Node's).
    g.addEventListener("unhandledrejection", (ev: { reason: unknown; preventDefault(): void }) => {
      if (exitAsPython(ev.reason)) ev.preventDefault();
    });
    g.addEventListener("error", (ev: { error: unknown; preventDefault(): void }) => {
      if (exitAsPython(ev.error)) ev.preventDefault();
    });
  }
}

function exitAsPython(err: unknown): boolean {
  if (err instanceof SystemExit) {
    const code = err.code;
    if (code === null) process.exit(0);
    if (typeof code === "number") process.exit(code & 0xff);
    process.stderr.write(`${code}\n`);
    process.exit(1);
  }
  if (err instanceof KeyboardInterrupt) {
    process.stderr.write(`${err.stack ?? err}\n`);
    // The default action of SIGINT: listeners left behind would take it.
    process.removeAllListeners("SIGINT");
    process.kill(process.pid, "SIGINT");
    // Still here: the runtime keeps a handler of its own, which may act from
    // another thread (Deno's, once a SIGINT listener was ever added). Give it
    // a moment to end the process by the signal, then exit as a shell would
    // report it; the caller keeps the runtime from exiting first.
    setTimeout(() => process.exit(130), 1000);
    return true;
  }
  return false;
}

/**
 * @internal Python's `(KeyboardInterrupt, SystemExit)`: the BaseExceptions
 * asyncio lets propagate out of the loop at once rather than store or log.
 */
export function _isBaseError(exc: unknown): exc is KeyboardInterrupt | SystemExit {
  return exc instanceof KeyboardInterrupt || exc instanceof SystemExit;
}

/**
 * The operation was cancelled (`Future.cancel()`, `Task.cancel()`).
 *
 * @example
 * ```ts
 * try { await task; } catch (e) { if (e instanceof CancelledError) {} }
 * ```
 */
export class CancelledError extends Error {
  /** The Python class name. */
  override name = "CancelledError";
  /**
   * `new CancelledError(message?)`: a `cancel(msg)` message that is not a
   * string (`task.cancel(123)`) stays `args[0]`, its repr the message, as
   * Python's str().
   */
  constructor(message?: unknown, options?: ErrorOptions) {
    super(strArg(message), options);
    if (message !== undefined && typeof message !== "string") _setErrorArgs(this, [message]);
  }
  /** Python's `e.args`: the arguments it was made with, as an array. */
  get args(): unknown[] {
    return errorArgs(this);
  }
}

/**
 * An operation is not allowed in the Future's current state, like setting
 * the result of a done Future.
 *
 * @example
 * ```ts
 * throw new InvalidStateError("invalid state");
 * ```
 */
export class InvalidStateError extends Error {
  /** The Python class name. */
  override name = "InvalidStateError";
  /** Python's `e.args`: the arguments it was made with, as an array. */
  get args(): unknown[] {
    return errorArgs(this);
  }
}

/**
 * The OS (or the transport) cannot do sendfile; a `RuntimeError`.
 *
 * @example
 * ```ts
 * throw new SendfileNotAvailableError("not a regular file");
 * ```
 */
export class SendfileNotAvailableError extends RuntimeError {
  /** The Python class name. */
  override name = "SendfileNotAvailableError";
}

// A traceback's last line names the module of asyncio's own exceptions:
// `asyncio.exceptions.CancelledError`; Python's builtins go bare.
setPyModule("asyncio.exceptions", CancelledError, InvalidStateError, SendfileNotAvailableError);
