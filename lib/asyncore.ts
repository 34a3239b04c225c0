/**
 * Python's `asyncore` module (deprecated in Python 3.6, removed in 3.12):
 * `dispatcher` channels in a map, served by `loop()`.
 *
 * The one difference from Python: {@link loop} (and {@link poll}) return a
 * Promise. Each pass asks a selector for readiness without waiting
 * (`select(0)`); when nothing is ready it waits off the main thread with
 * `sys().pollAsync(...)` over the selector's `waitSet()`, so the host's
 * timers and I/O keep running while a loop is waiting. Awaited inside a
 * running asyncio loop (`asyncio.run`), it waits through that loop's
 * `addReader`/`addWriter` instead, so both run together. The handlers
 * themselves (`handleRead()`, ...) run synchronously, as in Python.
 *
 * Class names keep their Python spelling (`dispatcher`,
 * `dispatcher_with_send`, `file_dispatcher`, `file_wrapper`) so ported code
 * reads the same; methods and attributes are camelCase.
 *
 * Out-of-band data calls `handleExptEvent()` (the `select(2)` path's
 * exceptional conditions, the `poll(2)` path's `POLLPRI`); with `usePoll`,
 * a hang-up or error calls `handleClose()`, as in Python's `poll2`.
 *
 * @example
 * ```ts
 * import * as asyncore from "./asyncore.ts";
 * class EchoHandler extends asyncore.dispatcher_with_send {
 *   override handleRead() {
 *     const data = this.recv(8192);
 *     if (data.length) this.send(data);
 *   }
 * }
 * class EchoServer extends asyncore.dispatcher {
 *   constructor(host: string, port: number) {
 *     super();
 *     this.createSocket();
 *     this.setReuseAddr();
 *     this.bind([host, port]);
 *     this.listen(5);
 *   }
 *   override handleAccepted(sock: Socket, _addr: unknown) {
 *     new EchoHandler(sock);
 *   }
 * }
 * new EchoServer("127.0.0.1", 8080);
 * await asyncore.loop();
 * ```
 *
 * @module
 */
import { C, ERRNO, errnoName, sys } from "../ffi/mod.ts";
import * as builtinErrors from "./exceptions.ts";
import {
  _isBaseError,
  AttributeError,
  KeyError,
  NotImplementedError,
  OSError,
  osErrorFromErrno,
  ValueError,
} from "./exceptions.ts";
import { _getRunningLoop, type AbstractEventLoop } from "./events.ts";
import { EVENT_READ, EVENT_WRITE, type WaitSet } from "./selectors.ts";
import type { AddressLike, SocketAddress } from "./sockaddr.ts";
import { bytesArg, Socket } from "./socket.ts";
import {
  errorArgs,
  objectHead,
  printAsRepr,
  pyAddress,
  pyErrorName,
  pyModuleOf,
  pyRepr,
  pyTypeName,
  setPyModule,
} from "./format.ts";
import { keywords } from "./keywords.ts";

const {
  EALREADY,
  EINPROGRESS,
  EWOULDBLOCK,
  EAGAIN,
  EISCONN,
  EINVAL,
  ENOTCONN,
  ESHUTDOWN,
  ECONNRESET,
  ECONNABORTED,
  EPIPE,
  EBADF,
  EINTR,
} = ERRNO;

/** The errnos that mean the peer is gone: Python's `asyncore._DISCONNECTED`. */
const DISCONNECTED: ReadonlySet<number> = new Set<number>([
  ECONNRESET,
  ENOTCONN,
  ESHUTDOWN,
  ECONNABORTED,
  EPIPE,
  EBADF,
]);

/** `F_DUPFD_CLOEXEC` (Linux): duplicate an fd, close-on-exec. */
const F_DUPFD_CLOEXEC = 1030;

/**
 * What a channel is to the loop: anything in a map. All `dispatcher`s are.
 *
 * @example
 * ```ts
 * const map: SocketMap = new Map();
 * ```
 */
export type SocketMap = Map<number, dispatcher>;

/**
 * The global map of channels that `loop()` serves when given none: Python's
 * `asyncore.socket_map`.
 *
 * @example
 * ```ts
 * console.log(socketMap.size);
 * ```
 */
export const socketMap: SocketMap = new Map();

/** An error from a channel's handler: returns the errno of an `OSError`. */
function errnoOf(e: unknown): number | undefined {
  return e instanceof OSError ? e.errno : undefined;
}

/** A stack frame as Python's traceback names it: file path, bare function name, line. */
interface Frame {
  file: string;
  fn: string;
  line: string;
}

/** The frames of a JS stack, innermost first. */
function stackFrames(stack: string): Frame[] {
  const frames: Frame[] = [];
  for (const line of stack.split("\n")) {
    const m = /^\s*at (?:(?:async )?(.*?) \()?(.*?):(\d+):\d+\)?$/.exec(line);
    if (m !== null && m[2] !== "unknown" && m[2] !== "native") {
      // Python names a frame by its file path and bare function name.
      const file = m[2].startsWith("file://") ? decodeURI(m[2].slice(7)) : m[2];
      // V8's `Object.method [as alias]` names the function the alias calls.
      const called = m[1]?.replace(/ \[as [^\]]*\]$/, "");
      const fn = called === undefined ? "<module>" : called.slice(called.lastIndexOf(".") + 1);
      frames.push({ file, fn, line: m[3] });
    }
  }
  return frames;
}

/**
 * The library's lib/ directory as stacks name it (where this module is),
 * or undefined when the stack says nothing.
 */
const LIB_DIR: string | undefined = stackFrames(new Error().stack ?? "")[0]?.file.replace(
  /[^/]*$/,
  "",
);

/**
 * Where `handleError()` was called from, which is where Python's
 * `sys.exc_info()` traceback starts: the function that caught the error
 * (read() of this module, or a handler's own `try`), past any
 * `handleError` overrides that called `super.handleError()`.
 */
function catchSite(): Frame | undefined {
  return stackFrames(new Error().stack ?? "").find((f) =>
    f.fn !== "handleError" && f.fn !== "catchSite" && f.fn !== "_handleError"
  );
}

/**
 * Python's `(<class 'ValueError'>:boom [file|function|line] ...)` of
 * `handle_error`'s message, from a JS error and its stack (outermost frame
 * first, as a traceback), from the frame of `site` where it was caught.
 */
function compactTraceback(exc: unknown, site?: Frame): string {
  if (!(exc instanceof Error)) return `(<class '${typeof exc}'>:${String(exc)} )`;
  const frames = stackFrames(exc.stack ?? "").reverse();
  // Python's traceback starts where the error was caught: read(), write(),
  // ... of this module, or a handler that called handleError() itself; the
  // JS stack also has the frames above it.
  let caught = site === undefined
    ? -1
    : frames.findLastIndex((f) => f.file === site.file && f.fn === site.fn);
  if (caught === -1) {
    caught = frames.findLastIndex((f) => /\/asyncore\.[jt]s$/.test(f.file) && CATCHERS.has(f.fn));
  }
  const shown = caught === -1 ? frames : frames.slice(caught);
  // Python's traceback ends where the error was raised: in a handler, or in
  // asyncore/asynchat. Python's socket module is C, so the JS frames of the
  // library's socket, syscall and error helpers below that are not shown,
  // nor this module's own helpers that Python's methods do inline.
  const lib = LIB_DIR;
  if (lib !== undefined) {
    const ffi = lib.replace(/lib\/$/, "ffi/");
    const internal = ({ file, fn }: Frame) =>
      /\/asyncore\.[jt]s$/.test(file)
        ? HELPERS.has(fn)
        : (file.startsWith(lib) || file.startsWith(ffi)) && !/\/asynchat\.[jt]s$/.test(file);
    while (shown.length > 1 && internal(shown.at(-1)!)) shown.pop();
  }
  const tb = shown.map((f) => `[${f.file}|${f.fn}|${f.line}]`).join(" ");
  return `(${pyClassRepr(exc)}:${errorStr(exc)} ${tb})`;
}

/**
 * Python's str(exc): the message; a KeyError's is the repr of its key, an
 * ExceptionGroup's says how many it holds.
 */
function errorStr(exc: Error): string {
  if (exc instanceof KeyError && exc.args.length === 1) return pyRepr(exc.args[0]);
  if (exc instanceof AggregateError) {
    const n = exc.errors.length;
    return `${exc.message} (${n} sub-exception${n === 1 ? "" : "s"})`;
  }
  return exc.message;
}

/**
 * Python's str(message) of what `log()` and `logInfo()` print: a string
 * as it is, an exception's message, anything else its repr.
 */
function pyStr(message: unknown): string {
  if (typeof message === "string") return message;
  return message instanceof Error ? errorStr(message) : pyRepr(message);
}

/** The library's stand-ins for Python's built-in exceptions (and its helpers). */
const BUILTIN_ERRORS: ReadonlySet<unknown> = new Set(Object.values(builtinErrors));

/** Built-in exceptions the library defines elsewhere (streams, task functions). */
const BUILTIN_NAMES: ReadonlySet<string> = new Set([
  "AssertionError",
  "AttributeError",
  "EOFError",
  "ExceptionGroup",
  "BaseExceptionGroup",
]);

/**
 * Python's repr of an exception's class: `<class 'ValueError'>` for a
 * built-in (a JS one too, `Exception` for a plain `Error`),
 * `<class 'asyncio.exceptions.CancelledError'>` for asyncio's own, and
 * `<class '__main__.AppError'>` for a class the program defines.
 */
function pyClassRepr(exc: Error): string {
  const cls = exc.constructor;
  const name = pyErrorName(exc);
  const module = pyModuleOf(cls);
  if (module !== "__main__") return `<class '${module}.${name}'>`;
  const builtin = typeof cls !== "function" || BUILTIN_ERRORS.has(cls) ||
    BUILTIN_NAMES.has(cls.name) || (globalThis as Record<string, unknown>)[cls.name] === cls;
  return `<class '${builtin ? "" : "__main__."}${name}'>`;
}

/**
 * The functions of this module that raise for a method (`socketOf()` for
 * `self.socket.send` on None, `connectError()` for `connect()`): Python's
 * traceback ends in the method itself.
 */
const HELPERS: ReadonlySet<string> = new Set(["socketOf", "connectError"]);

/** The functions of this module that catch a handler's error for `handleError()`. */
const CATCHERS: ReadonlySet<string> = new Set(["read", "write", "readwrite", "exception"]);

/**
 * Raised by a handler to stop {@link loop}: {@link read}, {@link write} and
 * {@link readwrite} let it through instead of calling `handleError()`.
 * Python's `asyncore.ExitNow`.
 *
 * @example
 * ```ts
 * class Once extends dispatcher {
 *   override handleRead() { throw new ExitNow(); }
 * }
 * ```
 */
export class ExitNow extends Error {
  /** The Python class name. */
  override name = "ExitNow";
  /** Python's `e.args`: the arguments it was made with, as an array. */
  get args(): unknown[] {
    return errorArgs(this);
  }
}

/**
 * @internal Python's truth of a value: an empty list, bytes, str, Map or
 * Set is false, as are 0, NaN, null and false. What `loop()` makes of
 * `readable()` and `writable()`, and `async_chat` of its queue's entries.
 *
 * @example
 * ```ts
 * _pyTruth([]); // false
 * _pyTruth(new Uint8Array(1)); // true
 * ```
 */
export function _pyTruth(x: unknown): boolean {
  if (typeof x === "string" || Array.isArray(x)) return x.length > 0;
  if (ArrayBuffer.isView(x)) return x.byteLength > 0;
  if (x instanceof Map || x instanceof Set) return x.size > 0;
  return !!x;
}

/**
 * Python's `_reraised_exceptions`: `ExitNow`, `KeyboardInterrupt` and
 * `SystemExit` leave the loop (and `closeAll()`) instead of going to
 * `handleError()`.
 */
function reraised(e: unknown): boolean {
  return e instanceof ExitNow || _isBaseError(e);
}

/**
 * The error being handed to a `handleError()` while that call runs:
 * Python's `sys.exc_info()` inside `handle_error`, so an override that
 * takes no argument and calls `super.handleError()` still reports it.
 */
let handling: { exc: unknown } | null = null;

/**
 * @internal Calls `obj.handleError(exc)` with `exc` as the error being
 * handled (see `handling`); for the module's catchers and async_chat's.
 *
 * @example
 * ```ts
 * _handleError(channel, new ValueError("bad"));
 * ```
 */
export function _handleError(obj: dispatcher, exc: unknown): void {
  const outer = handling;
  handling = { exc };
  try {
    obj.handleError(exc);
  } finally {
    handling = outer;
  }
}

/**
 * Calls `obj.handleReadEvent()`; an exception goes to `obj.handleError(exc)`
 * ({@link ExitNow}, `KeyboardInterrupt` and `SystemExit` propagate).
 *
 * @example
 * ```ts
 * read(channel);
 * ```
 */
export function read(obj: dispatcher): void {
  try {
    obj.handleReadEvent();
  } catch (e) {
    if (reraised(e)) throw e;
    _handleError(obj, e);
  }
}

/**
 * Calls `obj.handleWriteEvent()`; an exception goes to `obj.handleError(exc)`
 * ({@link ExitNow}, `KeyboardInterrupt` and `SystemExit` propagate).
 *
 * @example
 * ```ts
 * write(channel);
 * ```
 */
export function write(obj: dispatcher): void {
  try {
    obj.handleWriteEvent();
  } catch (e) {
    if (reraised(e)) throw e;
    _handleError(obj, e);
  }
}

/** Calls `obj.handleExptEvent()`, as {@link read} does `handleReadEvent()`. */
function exception(obj: dispatcher): void {
  try {
    obj.handleExptEvent();
  } catch (e) {
    if (reraised(e)) throw e;
    _handleError(obj, e);
  }
}

/**
 * Python's `readwrite(obj, flags)`, with `poll(2)` flags (`C.POLLIN`, ...):
 * read, write, then out-of-band data (`POLLPRI`); a hang-up or error
 * (`POLLHUP`, `POLLERR`, `POLLNVAL`) calls `handleClose()`. A disconnect
 * error closes the channel, {@link ExitNow} (and `KeyboardInterrupt`,
 * `SystemExit`) propagates, any other error
 * goes to `handleError(exc)`.
 *
 * @example
 * ```ts
 * readwrite(channel, C.POLLIN);
 * ```
 */
export function readwrite(obj: dispatcher, flags: number): void {
  try {
    if (flags & C.POLLIN) obj.handleReadEvent();
    if (flags & C.POLLOUT) obj.handleWriteEvent();
    if (flags & C.POLLPRI) obj.handleExptEvent();
    if (flags & (C.POLLHUP | C.POLLERR | C.POLLNVAL)) obj.handleClose();
  } catch (e) {
    const errno = errnoOf(e);
    if (errno !== undefined && DISCONNECTED.has(errno)) obj.handleClose();
    else if (reraised(e)) throw e;
    else _handleError(obj, e);
  }
}

function sleep(seconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, seconds) * 1000));
}

const POLLFD_SIZE = 8;

/**
 * The pollfd records of Python's `poll2`: `POLLIN | POLLPRI` for a readable
 * channel, `POLLOUT` for a writable one, in the order of `regs`.
 */
function pollSet(regs: Array<[number, number]>): WaitSet {
  const fds = new Uint8Array(Math.max(1, regs.length) * POLLFD_SIZE);
  const i32 = new Int32Array(fds.buffer);
  const i16 = new Int16Array(fds.buffer);
  regs.forEach(([fd, events], i) => {
    i32[i * 2] = fd;
    i16[i * 4 + 2] = (events & EVENT_READ ? C.POLLIN | C.POLLPRI : 0) |
      (events & EVENT_WRITE ? C.POLLOUT : 0);
  });
  return { fds, nfds: regs.length };
}

/** `poll(2)` over `set` without waiting: `[fd, revents]` of the ready records, in order. */
function pollNow(set: WaitSet): Array<[number, number]> {
  const i32 = new Int32Array(set.fds.buffer);
  const i16 = new Int16Array(set.fds.buffer);
  for (let i = 0; i < set.nfds; i++) i16[i * 4 + 3] = 0;
  let n: number;
  do n = sys().poll(set.fds, set.nfds, 0); while (n === -EINTR);
  if (n < 0) throw osErrorFromErrno(-n);
  const ready: Array<[number, number]> = [];
  for (let i = 0; i < set.nfds && ready.length < n; i++) {
    const revents = i16[i * 4 + 3] & 0xffff;
    if (revents !== 0) ready.push([i32[i * 2], revents]);
  }
  return ready;
}

/**
 * One pass over `map`: waits up to `timeout` seconds for a channel to be
 * ready, then runs the handlers of the ready ones, in the map's order.
 * Python's `asyncore.poll` (`usePoll` false: over `select(2)`, every
 * readable channel first, then every writable one) and `asyncore.poll2`
 * (`usePoll` true: over `poll(2)`, with {@link readwrite}), as a Promise:
 * the wait never blocks the thread.
 *
 * The arguments go by position or, as Python's keywords, as
 * `{ timeout, map }`.
 *
 * @example
 * ```ts
 * await poll(0.1, myMap);
 * await poll({ timeout: 0.1, map: myMap }); // the same
 * ```
 */
export async function poll(
  timeoutOrKeywords: number | null | { timeout?: number | null; map?: SocketMap | null } = 0,
  map: SocketMap | null = socketMap,
  usePoll = false,
): Promise<void> {
  // Python's `poll(timeout=0.0, map=None)`, by position or by keyword.
  const kw = keywords("poll", timeoutOrKeywords, ["timeout", "map"]);
  let timeout = (kw === null ? timeoutOrKeywords : kw.timeout === undefined ? 0 : kw.timeout) as
    | number
    | null;
  if (kw !== null) map = (kw.map ?? map) as SocketMap | null;
  map ??= socketMap;
  if (map.size === 0) return;
  const regs: Array<[number, number]> = [];
  for (const [fd, obj] of [...map]) {
    // Python's truth of what they return: an empty list or bytes is false.
    const r = _pyTruth(obj.readable());
    const w = _pyTruth(obj.writable()) && !obj.accepting;
    const events = (r ? EVENT_READ : 0) | (w ? EVENT_WRITE : 0);
    if (events && typeof fd !== "number") {
      // A channel added again after delChannel() sits under Python's None
      // key, which select() and poll.register() refuse.
      throw new TypeError("argument must be an int, or have a fileno() method.");
    }
    if (events) regs.push([fd, events]);
  }
  if (!usePoll && timeout !== null && timeout < 0) {
    // Python's select() and time.sleep() refuse a negative timeout.
    throw new ValueError(
      regs.length ? "timeout must be non-negative" : "sleep length must be non-negative",
    );
  }
  if (regs.length === 0) {
    // Python's time.sleep(None) refuses None; poll2's poll() waits it out.
    if (!usePoll && timeout === null) {
      throw new TypeError("'NoneType' object cannot be interpreted as an integer");
    }
    await sleep(timeout ?? 0);
    return;
  }
  const set = pollSet(regs);
  if (usePoll) {
    // poll(2) takes a negative timeout as no limit, as None.
    if (timeout !== null && timeout < 0) timeout = null;
    let ready = pollNow(set);
    if (ready.length === 0 && (timeout === null || timeout > 0)) {
      const aloop = _getRunningLoop();
      if (aloop === null || !(await waitOnLoop(aloop, regs, timeout))) {
        await waitReady(() => set, () => pollNow(set).length > 0, timeout);
      }
      ready = pollNow(set);
    }
    for (const [fd, flags] of ready) {
      const obj = map.get(fd);
      if (obj !== undefined) readwrite(obj, flags);
    }
    return;
  }
  let ready = selectNow(regs);
  if (ready === null && (timeout === null || timeout > 0)) {
    const aloop = _getRunningLoop();
    if (aloop === null || !(await waitOnLoop(aloop, regs, timeout))) {
      await waitReady(() => set, () => selectNow(regs) !== null, timeout);
    }
    ready = selectNow(regs);
  }
  if (ready === null) return;
  for (const fd of ready.r) {
    const obj = map.get(fd);
    if (obj !== undefined) read(obj);
  }
  for (const fd of ready.w) {
    const obj = map.get(fd);
    if (obj !== undefined) write(obj);
  }
  for (const fd of ready.e) {
    const obj = map.get(fd);
    if (obj !== undefined) exception(obj);
  }
}

const FD_SET_BYTES = 128;

/**
 * `select(2)` without waiting over Python's three lists: the readable
 * channels, the writable ones, and every one of them for exceptional
 * conditions (out-of-band data). The ready fds of each list, in the map's
 * order; null when none is ready.
 */
function selectNow(
  regs: Array<[number, number]>,
): { r: number[]; w: number[]; e: number[] } | null {
  const rs = new Uint8Array(FD_SET_BYTES);
  const ws = new Uint8Array(FD_SET_BYTES);
  const es = new Uint8Array(FD_SET_BYTES);
  let maxFd = -1;
  for (const [fd, events] of regs) {
    if (fd < 0 || fd >= C.FD_SETSIZE) {
      throw new ValueError("filedescriptor out of range in select()");
    }
    const b = fd >> 3, bit = 1 << (fd & 7);
    if (events & EVENT_READ) rs[b] |= bit;
    if (events & EVENT_WRITE) ws[b] |= bit;
    es[b] |= bit;
    if (fd > maxFd) maxFd = fd;
  }
  let n: number;
  do n = sys().select(maxFd + 1, rs, ws, es, 0); while (n === -EINTR);
  if (n < 0) throw osErrorFromErrno(-n);
  if (n === 0) return null;
  const isSet = (fds: Uint8Array, fd: number) => (fds[fd >> 3] & (1 << (fd & 7))) !== 0;
  const ready = { r: [] as number[], w: [] as number[], e: [] as number[] };
  for (const [fd] of regs) {
    if (isSet(rs, fd)) ready.r.push(fd);
    if (isSet(ws, fd)) ready.w.push(fd);
    if (isSet(es, fd)) ready.e.push(fd);
  }
  return ready;
}

/**
 * Python's `asyncore.poll2`: one pass over `poll(2)`.
 *
 * @example
 * ```ts
 * await poll2(0.1, myMap);
 * ```
 */
export function poll2(
  timeout: number | null | { timeout?: number | null; map?: SocketMap | null } = 0,
  map: SocketMap | null = socketMap,
): Promise<void> {
  const kw = keywords("poll2", timeout, ["timeout", "map"]);
  if (kw !== null) {
    return poll(
      (kw.timeout === undefined ? 0 : kw.timeout) as number | null,
      (kw.map ?? map) as SocketMap | null,
      true,
    );
  }
  return poll(timeout as number | null, map, true);
}

/**
 * Python's `asyncore.poll3`, the same function as {@link poll2}.
 *
 * @example
 * ```ts
 * await poll3(0.1, myMap);
 * ```
 */
export const poll3: typeof poll2 = poll2;

/**
 * Inside a running asyncio loop (which owns the process's off-thread poll),
 * waits through that loop: `addReader`/`addWriter` on the channels' fds and
 * a `callLater` for the timeout. False when the loop refused an fd.
 */
function waitOnLoop(
  aloop: AbstractEventLoop,
  regs: Array<[number, number]>,
  timeout: number | null,
): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const readers: number[] = [];
    const writers: number[] = [];
    let timer: { cancel(): void } | null = null;
    let done = false;
    const finish = (ok: boolean) => {
      if (done) return;
      done = true;
      for (const fd of readers) aloop.removeReader(fd);
      for (const fd of writers) aloop.removeWriter(fd);
      timer?.cancel();
      resolve(ok);
    };
    try {
      for (const [fd, events] of regs) {
        if (events & EVENT_READ) {
          aloop.addReader(fd, () => finish(true));
          readers.push(fd);
        }
        if (events & EVENT_WRITE) {
          aloop.addWriter(fd, () => finish(true));
          writers.push(fd);
        }
      }
      if (timeout !== null) timer = aloop.callLater(timeout, () => finish(true));
    } catch {
      finish(false);
    }
  });
}

/**
 * Waits off the main thread until a record of `waitSet()` is ready or
 * `timeout` seconds (null: no limit) pass. When another waiter (an asyncio
 * loop) has the process's one off-thread poll in use, falls back to short
 * sleeps, asking `readyNow()` after each.
 */
async function waitReady(
  waitSet: () => WaitSet,
  readyNow: () => boolean,
  timeout: number | null,
): Promise<void> {
  const deadline = timeout === null ? Infinity : performance.now() + timeout * 1000;
  for (;;) {
    const left = deadline - performance.now();
    if (left <= 0) return;
    const ms = left === Infinity ? -1 : Math.min(0x7fffffff, Math.ceil(left));
    const { fds, nfds } = waitSet();
    let r: number;
    try {
      r = await sys().pollAsync(fds, nfds, ms);
    } catch {
      // The off-thread poll is busy: look again in a little while.
      await sleep(Math.min(0.01, left / 1000));
      if (readyNow()) return;
      continue;
    }
    if (r === -EINTR) continue;
    if (r < 0) throw osErrorFromErrno(-r);
    return;
  }
}

/** Options of {@link loop}. */
export interface LoopOptions {
  /** Seconds each pass waits at most (Python's default 30); null: no limit. */
  timeout?: number | null;
  /** Wait with `poll(2)` instead of `select(2)`. Default false. */
  usePoll?: boolean;
  /** The channels; default the global {@link socketMap}. */
  map?: SocketMap;
  /** Stop after this many passes; default: when the map is empty. */
  count?: number | null;
}

/**
 * Serves the channels of `map` until it is empty (every channel closed) or
 * `count` passes have run. Python's `asyncore.loop`, as a Promise. The
 * arguments go by keyword (`{ timeout, usePoll, map, count }`) or, as in
 * Python, by position.
 *
 * @example
 * ```ts
 * await loop({ timeout: 1, count: 10 });
 * await loop(1, false, myMap, 10); // the same, positionally, over myMap
 * ```
 */
export async function loop(
  timeout: number | null | LoopOptions = {},
  usePoll?: boolean,
  map?: SocketMap | null,
  count?: number | null,
): Promise<void> {
  // Python's `loop(timeout=30.0, use_poll=False, map=None, count=None)`
  // takes its arguments by keyword (the documented form here) or by
  // position: `loop(1)` is a one-second timeout, not the default.
  const kw = keywords("loop", timeout, ["timeout", "usePoll", "map", "count"]) as
    | LoopOptions
    | null;
  let seconds = timeout as number | null | undefined;
  if (kw !== null) ({ timeout: seconds, usePoll, map, count } = kw);
  // An explicit null timeout waits without a limit, as Python's None does.
  if (seconds === undefined) seconds = 30;
  usePoll ??= false;
  map ??= socketMap;
  count ??= null;
  if (count === null) {
    while (map.size) await poll(seconds, map, usePoll);
  } else {
    while (map.size && count > 0) {
      await poll(seconds, map, usePoll);
      count--;
    }
  }
}

/**
 * The error of a `connect()` that failed at once: Python raises
 * `OSError(err, errorcode[err])`, so its strerror is the errno's name
 * (`[Errno 2] ENOENT`), in the errno's `OSError` subclass.
 */
function connectError(err: number): OSError {
  const Class = osErrorFromErrno(err).constructor as new (
    errno: number,
    strerror: string,
  ) => OSError;
  return new Class(err, errnoName(err));
}

/**
 * What a dispatcher wraps: a {@link Socket}, or a {@link file_wrapper}.
 */
export interface SocketLike {
  /** The fd (-1 once closed). */
  fileno(): number;
  /** Receives up to `n` bytes. */
  recv(n: number): Uint8Array;
  /** Sends bytes; returns how many went. */
  send(data: Uint8Array): number;
  /** Closes it. */
  close(): void;
  /** An int option (SO_ERROR). */
  getsockopt(level: number, optname: number): number;
}

/**
 * The keyword form of a channel's `(sock=None, map=None)`: Python's
 * `dispatcher(map=m)` or the spec's `async_chat.__init__(self, sock=sock)`
 * ported by rule 3 of API.md, `new dispatcher({ map: m })`,
 * `super({ sock })`, or `new dispatcher(sock, { map: m })`.
 *
 * @example
 * ```ts
 * class Server extends dispatcher {
 *   constructor(map: SocketMap) {
 *     super({ map });
 *   }
 * }
 * ```
 */
export interface ChannelOptions {
  /** The socket to wrap (Python's `sock`). */
  sock?: Socket | null;
  /** The map to join (Python's `map`); default the global {@link socketMap}. */
  map?: SocketMap | null;
}

/**
 * `[sock, map]` from a channel constructor's arguments, positional or
 * {@link ChannelOptions}; `fn` names the constructor in the `TypeError` for
 * an unknown keyword, as Python does.
 */
function channelArgs(
  fn: string,
  sock: Socket | null | ChannelOptions,
  map: SocketMap | null | Pick<ChannelOptions, "map">,
): [Socket | null, SocketMap | null] {
  // Anything with fileno() is a socket, even a plain object.
  const kw = sock !== null && typeof (sock as Partial<Socket>).fileno === "function"
    ? null
    : keywords(fn, sock, ["sock", "map"]);
  if (kw !== null) {
    sock = (kw.sock ?? null) as Socket | null;
    map = (kw.map ?? map) as SocketMap | null;
  }
  const kwMap = keywords(fn, map, ["map"]);
  if (kwMap !== null) map = (kwMap.map ?? null) as SocketMap | null;
  return [(sock ?? null) as Socket | null, (map ?? null) as SocketMap | null];
}

/**
 * The channel's socket. Without one, the same message on every runtime:
 * Python's AttributeError for `None.<attr>` (a TypeError for JS code), so
 * `e.name` and handleError's `<class 'AttributeError'>` read as Python's.
 */
function socketOf(d: { socket: Socket | SocketLike | null }, attr: string): Socket {
  if (d.socket === null || d.socket === undefined) {
    throw new AttributeError(`'NoneType' object has no attribute '${attr}'`);
  }
  return d.socket as Socket;
}

/**
 * A channel: a thin wrapper around a non-blocking socket, with handlers the
 * loop calls. Python's `asyncore.dispatcher`.
 *
 * @example
 * ```ts
 * class Client extends dispatcher {
 *   override handleConnect() {}
 *   override handleRead() { console.log(this.recv(8192)); }
 * }
 * ```
 */
// deno-lint-ignore camelcase
export class dispatcher {
  /** Log every event (Python's `debug`). */
  debug = false;
  /** The socket is connected. */
  connected = false;
  /** The socket listens (`listen()` was called). */
  accepting = false;
  /** A `connect()` is under way. */
  connecting = false;
  /** Python's `closing` flag (not used by the loop). */
  closing = false;
  /** The address given to bind/connect, or the peer's. */
  addr: AddressLike | SocketAddress | null = null;
  /** The log types `logInfo` does not print. */
  ignoreLogTypes: Set<string> = new Set(["warning"]);
  /** The wrapped socket, or null. */
  socket: Socket | SocketLike | null = null;
  /** The `[family, type]` given to `createSocket`. */
  familyAndType: [number, number] | null = null;
  /** The map this channel lives in. */
  protected map: SocketMap;
  /** The fd under which it is in its map. */
  protected channelFd: number | null = null;

  /**
   * A channel over `sock` (made non-blocking, considered connected if it
   * has a peer), or with no socket yet (`createSocket()` makes one). It is
   * added to `map` (default the global {@link socketMap}). Also
   * `{ sock, map }` ({@link ChannelOptions}), as Python's keywords.
   */
  constructor(
    sock: Socket | null | ChannelOptions = null,
    map: SocketMap | null | Pick<ChannelOptions, "map"> = null,
  ) {
    [sock, map] = channelArgs("dispatcher.__init__", sock, map);
    this.map = map ?? socketMap;
    if (sock) {
      sock.setblocking(false);
      this.setSocket(sock, map);
      this.connected = true;
      try {
        this.addr = sock.getpeername();
      } catch (e) {
        const errno = errnoOf(e);
        if (errno === ENOTCONN || errno === EINVAL) {
          // Listening or unconnected socket.
          this.connected = false;
        } else {
          this.delChannel(map);
          throw e;
        }
      }
    } else {
      this.socket = null;
    }
  }

  /** The socket's fd (-1 when there is none): Python delegates this to the socket. */
  fileno(): number {
    return this.socket?.fileno() ?? -1;
  }

  /**
   * Python's repr: `<__main__.Echo connected 127.0.0.1:8080 at 0x7f3c...>`.
   * A subclass is named as Python names a class of the main program
   * (`__main__.`), the library's own classes by their module; the address
   * stands in for Python's `id()`.
   */
  toString(): string {
    const status = [`${pyModuleOf(this.constructor)}.${this.constructor.name}`];
    if (this.accepting && _pyTruth(this.addr)) status.push("listening");
    else if (this.connected) status.push("connected");
    const addr = this.addr as unknown;
    if (Array.isArray(addr) && addr.length === 2 && typeof addr[1] === "number") {
      status.push(`${addr[0]}:${Math.trunc(addr[1])}`);
    } else if (Array.isArray(addr)) {
      // Python's '%s:%d' % addr fails for anything but a pair: repr(addr),
      // and an address is a tuple (an IPv6 one has four items).
      const items = addr.map((x) => pyRepr(x));
      status.push(`(${items.join(", ")}${items.length === 1 ? "," : ""})`);
    } else if (addr !== null && addr !== undefined) {
      status.push(pyRepr(addr));
    }
    return `<${status.join(" ")} at ${pyAddress(this)}>`;
  }

  /** Puts this channel in `map` (default its own). */
  addChannel(map: SocketMap | null = null): void {
    (map ?? this.map).set(this.channelFd!, this);
  }

  /** Takes this channel out of `map` (default its own). */
  delChannel(map: SocketMap | null = null): void {
    const fd = this.channelFd;
    const m = map ?? this.map;
    // Whatever channel is under the fd goes, as in Python: one that took
    // over this channel's socket too. A channel added again after
    // delChannel() sits under Python's None key (null here), which close()
    // takes out too.
    if (m.has(fd as number)) m.delete(fd as number);
    this.channelFd = null;
  }

  /**
   * Makes the channel's non-blocking socket and adds the channel to its map.
   * Also `createSocket({ family, type })`, as Python's keywords.
   */
  createSocket(
    family: number | { family?: number; type?: number } = C.AF_INET,
    type: number = C.SOCK_STREAM,
  ): void {
    const kw = keywords("dispatcher.create_socket", family, ["family", "type"]);
    const fam = (kw === null ? family : kw.family ?? C.AF_INET) as number;
    if (kw !== null) type = (kw.type ?? type) as number;
    this.familyAndType = [fam, type];
    const sock = new Socket(fam, type);
    sock.setblocking(false);
    this.setSocket(sock);
  }

  /** Uses `sock` as the channel's socket and adds the channel to `map`. */
  setSocket(sock: Socket | SocketLike, map: SocketMap | null = null): void {
    this.socket = sock;
    this.channelFd = sock.fileno();
    this.addChannel(map);
  }

  /** Sets SO_REUSEADDR; errors are ignored. */
  setReuseAddr(): void {
    try {
      // Without a socket: Python's AttributeError for None, not an OSError.
      const s = socketOf(this, "setsockopt");
      s.setsockopt(
        C.SOL_SOCKET,
        C.SO_REUSEADDR,
        (s.getsockopt(C.SOL_SOCKET, C.SO_REUSEADDR) as number) | 1,
      );
    } catch (e) {
      if (!(e instanceof OSError)) throw e;
    }
  }

  // -- predicates the loop asks ---------------------------------------------

  /**
   * Whether the loop should watch for reads. Default true. Any value that
   * Python takes as true counts: an empty array or bytes does not.
   */
  readable(): boolean | number | readonly unknown[] | Uint8Array {
    return true;
  }

  /**
   * Whether the loop should watch for writes. Default true. Any truthy
   * value counts, as in Python: `async_chat` returns its non-empty queue;
   * an empty array or bytes is false.
   */
  writable(): boolean | number | readonly unknown[] | Uint8Array {
    return true;
  }

  // -- socket methods -------------------------------------------------------

  /** Listens for connections; the channel becomes an acceptor. */
  listen(num: number): void {
    this.accepting = true;
    socketOf(this, "listen").listen(num);
  }

  /** Binds the socket to `addr`. */
  bind(addr: AddressLike): void {
    this.addr = addr;
    socketOf(this, "bind").bind(addr);
  }

  /**
   * Starts connecting to `address`; `handleConnect()` runs once it is
   * connected (at once if it already is).
   */
  connect(address: AddressLike): void {
    this.connected = false;
    this.connecting = true;
    const err = socketOf(this, "connect_ex").connectEx(address);
    if (err === EINPROGRESS || err === EALREADY || err === EWOULDBLOCK) {
      this.addr = address;
      return;
    }
    if (err === 0 || err === EISCONN) {
      this.addr = address;
      this.handleConnectEvent();
    } else {
      throw connectError(err);
    }
  }

  /** A pending connection `[sock, addr]`, or null when there is none. */
  accept(): [Socket, SocketAddress] | null {
    try {
      return socketOf(this, "accept").accept();
    } catch (e) {
      const errno = errnoOf(e);
      if (errno === EWOULDBLOCK || errno === ECONNABORTED || errno === EAGAIN) return null;
      throw e;
    }
  }

  /** Sends bytes; returns how many went (0 when the socket would block or the peer is gone). */
  send(data: Uint8Array): number {
    try {
      return socketOf(this, "send").send(bytesArg(data));
    } catch (e) {
      const errno = errnoOf(e);
      if (errno === EWOULDBLOCK) return 0;
      if (errno !== undefined && DISCONNECTED.has(errno)) {
        this.handleClose();
        return 0;
      }
      throw e;
    }
  }

  /**
   * Receives up to `bufferSize` bytes. Empty at EOF (or when the peer is
   * gone), after calling `handleClose()`. May throw `BlockingIOError`.
   */
  recv(bufferSize: number): Uint8Array {
    try {
      const data = socketOf(this, "recv").recv(bufferSize);
      if (data.length === 0) {
        this.handleClose();
        return new Uint8Array(0);
      }
      return data;
    } catch (e) {
      const errno = errnoOf(e);
      if (errno !== undefined && DISCONNECTED.has(errno)) {
        this.handleClose();
        return new Uint8Array(0);
      }
      throw e;
    }
  }

  /** Takes the channel out of its map and closes the socket. */
  close(): void {
    this.connected = false;
    this.accepting = false;
    this.connecting = false;
    this.delChannel();
    if (this.socket !== null) {
      try {
        this.socket.close();
      } catch (e) {
        const errno = errnoOf(e);
        if (errno !== ENOTCONN && errno !== EBADF) throw e;
      }
    }
  }

  // -- logging --------------------------------------------------------------

  /** Prints `log: message` to stderr (whatever `debug` is, as in Python). */
  log(message: unknown): void {
    console.error(`log: ${pyStr(message)}`);
  }

  /**
   * Prints `type: message` unless `type` is in `ignoreLogTypes`. Also
   * `logInfo(message, { type })`, as Python's `log_info(msg, type="error")`.
   */
  logInfo(message: unknown, type: string | { type?: string } = "info"): void {
    const kw = keywords("dispatcher.log_info", type, ["type"]);
    const t = kw === null ? type as string : (kw.type ?? "info") as string;
    // Python's '%s: %s' % (type, message): str() of whatever was logged
    // (bytes as b'...', None, a list), not JS's String().
    if (!this.ignoreLogTypes.has(t)) console.log(`${t}: ${pyStr(message)}`);
  }

  // -- events the loop calls ------------------------------------------------

  /** A read event: accept, finish connecting, or read. */
  handleReadEvent(): void {
    if (this.accepting) {
      this.handleAccept();
    } else if (!this.connected) {
      if (this.connecting) this.handleConnectEvent();
      this.handleRead();
    } else {
      this.handleRead();
    }
  }

  /** Checks SO_ERROR and, if the connect worked, calls `handleConnect()`. */
  handleConnectEvent(): void {
    const err = socketOf(this, "getsockopt").getsockopt(C.SOL_SOCKET, C.SO_ERROR) as number;
    if (err !== 0) throw osErrorFromErrno(err);
    this.handleConnect();
    this.connected = true;
    this.connecting = false;
  }

  /** A write event: finish connecting, then write. */
  handleWriteEvent(): void {
    if (this.accepting) return;
    if (!this.connected && this.connecting) this.handleConnectEvent();
    this.handleWrite();
  }

  /** An exceptional condition: close on a socket error, else `handleExpt()`. */
  handleExptEvent(): void {
    const err = socketOf(this, "getsockopt").getsockopt(C.SOL_SOCKET, C.SO_ERROR) as number;
    if (err !== 0) this.handleClose();
    else this.handleExpt();
  }

  /**
   * An uncaught error in a handler: logs it and closes the channel. The
   * loop passes the error as `exc` (Python's handlers read
   * `sys.exc_info()`; an override may rethrow it, as Python's `raise`).
   * Called without it while the loop is handing an error over (an
   * override's `super.handleError()`), it reports that error.
   */
  handleError(exc?: unknown): void {
    // An override without the argument, calling super.handleError().
    if (exc === undefined && handling !== null) exc = handling.exc;
    let selfRepr: string;
    try {
      selfRepr = String(this);
    } catch {
      // Python's '%0x' % id(self): the address in hex, without the 0x.
      selfRepr = `<__repr__(self) failed for object at ${pyAddress(this).slice(2)}>`;
    }
    const info = exc === undefined ? "" : ` ${compactTraceback(exc, catchSite())}`;
    this.logInfo(`uncaptured python exception, closing channel ${selfRepr}${info}`, "error");
    this.handleClose();
  }

  /** Out-of-band data is waiting (urgent TCP data). */
  handleExpt(): void {
    this.logInfo("unhandled incoming priority event", "warning");
  }

  /** Data can be read. */
  handleRead(): void {
    this.logInfo("unhandled read event", "warning");
  }

  /** Data can be written. */
  handleWrite(): void {
    this.logInfo("unhandled write event", "warning");
  }

  /** The connection is made. */
  handleConnect(): void {
    this.logInfo("unhandled connect event", "warning");
  }

  /** A connection is pending on a listening channel: accepts it. */
  handleAccept(): void {
    const pair = this.accept();
    if (pair !== null) this.handleAccepted(pair[0], pair[1]);
  }

  /** A connection was accepted. The default closes it. */
  handleAccepted(sock: Socket, _addr: SocketAddress): void {
    sock.close();
    this.logInfo("unhandled accepted event", "warning");
  }

  /** The peer closed, or an error: the default closes the channel. */
  handleClose(): void {
    this.logInfo("unhandled close event", "warning");
    this.close();
  }
}

/**
 * A dispatcher with a simple output buffer: `send()` queues and writes
 * what it can. Python's `asyncore.dispatcher_with_send`.
 *
 * @example
 * ```ts
 * class Echo extends dispatcher_with_send {
 *   override handleRead() { this.send(this.recv(8192)); }
 * }
 * ```
 */
// deno-lint-ignore camelcase
export class dispatcher_with_send extends dispatcher {
  /** Bytes not yet sent. */
  outBuffer: Uint8Array = new Uint8Array(0);

  /** Sends up to 64 KiB of the buffer. */
  initiateSend(): void {
    const n = super.send(this.outBuffer.subarray(0, 65536));
    this.outBuffer = this.outBuffer.subarray(n);
  }

  /** Writes more of the buffer. */
  override handleWrite(): void {
    this.initiateSend();
  }

  /**
   * While connecting, or while there is something to send. Python's
   * `(not self.connected) or len(self.out_buffer)`: true, or the count of
   * bytes queued (0 when none), which is what `print(d.writable())` shows.
   */
  override writable(): boolean | number {
    return !this.connected || this.outBuffer.length;
  }

  /**
   * Queues `data` and sends what the socket takes. Returns null, as
   * Python's does (typed as the base's count for the override).
   */
  override send(data: Uint8Array): number {
    if (this.debug) this.logInfo(`sending ${pyRepr(data)}`);
    const raw: unknown = data;
    if (!ArrayBuffer.isView(raw)) {
      // Python's out_buffer + data.
      throw new TypeError(`can't concat ${pyTypeName(raw)} to bytes`);
    }
    const d = bytesArg(raw);
    const out = new Uint8Array(this.outBuffer.length + d.length);
    out.set(this.outBuffer);
    out.set(d, this.outBuffer.length);
    this.outBuffer = out;
    this.initiateSend();
    return null as unknown as number;
  }
}

/**
 * Closes every channel of `map` and empties it. Python's `asyncore.close_all`.
 *
 * @example
 * ```ts
 * closeAll();
 * ```
 */
export function closeAll(
  map: SocketMap | null | { map?: SocketMap | null; ignoreAll?: boolean } = null,
  ignoreAll = false,
): void {
  // Python's `close_all(map=None, ignore_all=False)` by position or by
  // keyword: `closeAll({ map: m, ignoreAll: true })`.
  const kw = keywords("close_all", map, ["map", "ignoreAll"]);
  if (kw !== null) {
    map = (kw.map ?? null) as SocketMap | null;
    ignoreAll = (kw.ignoreAll ?? ignoreAll) as boolean;
  }
  const channels = (map ?? socketMap) as SocketMap;
  for (const x of [...channels.values()]) {
    try {
      x.close();
    } catch (e) {
      if (errnoOf(e) === EBADF) continue;
      // ExitNow, KeyboardInterrupt and SystemExit get through even
      // `ignoreAll`, as Python re-raises them.
      if (!ignoreAll || reraised(e)) throw e;
    }
  }
  channels.clear();
}

/**
 * A socket-like wrapper over a duplicate of an fd (a pipe, a tty), so the
 * original may be closed on its own. Python's `asyncore.file_wrapper`.
 *
 * @example
 * ```ts
 * const w = new file_wrapper(fd);
 * w.recv(100);
 * w.close();
 * ```
 */
// deno-lint-ignore camelcase
export class file_wrapper implements SocketLike {
  /** The duplicated fd (-1 once closed). */
  fd: number;

  /** Duplicates `fd` (close-on-exec). */
  constructor(fd: number) {
    const r = sys().fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (r < 0) throw osErrorFromErrno(-r);
    this.fd = r;
  }

  /** `os.read`: up to `n` bytes (empty at EOF); `BlockingIOError` when none yet. */
  recv(n: number): Uint8Array {
    if (this.fd < 0) throw new OSError(EBADF);
    const buf = new Uint8Array(n);
    for (;;) {
      const r = sys().read(this.fd, buf);
      if (r === -EINTR) continue;
      if (r < 0) throw osErrorFromErrno(-r);
      return r === n ? buf : buf.slice(0, r);
    }
  }

  /** `os.write`: returns how many bytes went. */
  send(data: Uint8Array): number {
    if (this.fd < 0) throw new OSError(EBADF);
    for (;;) {
      const r = sys().write(this.fd, bytesArg(data));
      if (r === -EINTR) continue;
      if (r < 0) throw osErrorFromErrno(-r);
      return r;
    }
  }

  /** Same as {@link recv}. */
  read(n: number): Uint8Array {
    return this.recv(n);
  }

  /** Same as {@link send}. */
  write(data: Uint8Array): number {
    return this.send(data);
  }

  /** Only `SO_ERROR` (always 0), as in Python. */
  getsockopt(level: number, optname: number, buflen?: number): number {
    if (level === C.SOL_SOCKET && optname === C.SO_ERROR && !buflen) return 0;
    throw new NotImplementedError("Only asyncore specific behaviour implemented.");
  }

  /** Closes the duplicate, once. */
  close(): void {
    if (this.fd < 0) return;
    const fd = this.fd;
    this.fd = -1;
    const r = sys().close(fd);
    if (r < 0) throw osErrorFromErrno(-r);
  }

  /** The duplicated fd. */
  fileno(): number {
    return this.fd;
  }

  /**
   * Python's default repr, which is also its str():
   * `print(d.socket)` shows `<asyncore.file_wrapper object at 0x...>`.
   */
  toString(): string {
    return `<${objectHead(this)}>`;
  }
}

/**
 * A channel over a file descriptor (or anything with `fileno()`), made
 * non-blocking and wrapped in a {@link file_wrapper}. Python's
 * `asyncore.file_dispatcher`.
 *
 * @example
 * ```ts
 * class Reader extends file_dispatcher {
 *   override handleRead() { console.log(this.recv(1024)); }
 * }
 * new Reader(pipeReadFd);
 * ```
 */
// deno-lint-ignore camelcase
export class file_dispatcher extends dispatcher {
  /**
   * Wraps `fd` (a number or an object with `fileno()`) and adds the channel
   * to `map`. Also `(fd, { map })` or `({ fd, map })`, as Python's keywords.
   */
  constructor(
    fd: number | { fileno(): number } | {
      fd: number | { fileno(): number };
      map?: SocketMap | null;
    },
    map: SocketMap | null | Pick<ChannelOptions, "map"> = null,
  ) {
    // An object with fileno() is a file, not keywords.
    const kw = typeof fd === "object" && fd !== null && !("fileno" in fd)
      ? keywords("file_dispatcher.__init__", fd, ["fd", "map"])
      : null;
    if (kw !== null) {
      fd = kw.fd as number | { fileno(): number };
      map = (kw.map ?? map) as SocketMap | null;
    }
    super(null, map);
    this.connected = true;
    const n = typeof fd === "number" ? fd : (fd as { fileno(): number }).fileno();
    this.setFile(n);
    const s = sys();
    const fl = s.fcntl(n, C.F_GETFL, 0);
    if (fl < 0) throw osErrorFromErrno(-fl);
    if (!(fl & C.O_NONBLOCK)) {
      const r = s.fcntl(n, C.F_SETFL, fl | C.O_NONBLOCK);
      if (r < 0) throw osErrorFromErrno(-r);
    }
  }

  /** Uses a duplicate of `fd` as the channel's "socket". */
  setFile(fd: number): void {
    this.socket = new file_wrapper(fd);
    this.channelFd = this.socket.fileno();
    this.addChannel();
  }
}

printAsRepr(dispatcher, file_wrapper);
// The module Python names them with: in reprs (`<asyncore.file_wrapper
// object at 0x...>`), in handle_error's `<class 'asyncore.ExitNow'>` and
// in tracebacks (`asyncore.ExitNow: ...`).
setPyModule("asyncore", dispatcher, dispatcher_with_send, file_dispatcher, file_wrapper, ExitNow);
