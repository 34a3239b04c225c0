/**
 * The `asyncio` logger: Python's `logging.getLogger("asyncio")`, cut down to
 * what asyncio code uses. Messages at or above the logger's level go to its
 * handlers; with no handler added, WARNING and above are written to stderr
 * as bare messages, as Python's last-resort handler does.
 *
 * @module
 */
import process from "node:process";
import { KeyError } from "./exceptions.ts";
import { pyErrorName, pyModuleOf, pyRepr } from "./format.ts";
import { type StackFrame, stackFrames } from "./task_stack.ts";

/** Python's logging levels. @example `logger.setLevel(DEBUG)` */
export const DEBUG = 10;
/** Python's INFO level (20). @example `logger.setLevel(INFO)` */
export const INFO = 20;
/** Python's WARNING level (30), the default threshold. @example `logger.setLevel(WARNING)` */
export const WARNING = 30;
/** Python's ERROR level (40). @example `logger.setLevel(ERROR)` */
export const ERROR = 40;
/** Python's CRITICAL level (50). @example `logger.setLevel(CRITICAL)` */
export const CRITICAL = 50;

const levelNames: Record<number, string> = {
  10: "DEBUG",
  20: "INFO",
  30: "WARNING",
  40: "ERROR",
  50: "CRITICAL",
};

/** One logged event, as handed to a handler. */
export interface LogRecord {
  /** `"asyncio"`. */
  name: string;
  /** Numeric level. */
  level: number;
  /** `"ERROR"`, `"WARNING"`, ... */
  levelName: string;
  /** The formatted message. */
  message: string;
  /** The exception being logged, if any. */
  exception?: unknown;
}

/** A function that receives log records. */
export type LogHandler = (record: LogRecord) => void;

/**
 * A named logger with a level and handlers.
 *
 * @example
 * ```ts
 * import { logger, DEBUG } from "./log.ts";
 * logger.setLevel(DEBUG);
 * logger.addHandler((r) => console.log(r.levelName, r.message));
 * ```
 */
export class Logger {
  /** The logger's name. */
  readonly name: string;
  /** Records below this level are dropped; 0 means WARNING, Python's root default. */
  level = 0;
  /** True drops every record, as Python's `logger.disabled = True` does. */
  disabled = false;
  #handlers: LogHandler[] = [];

  /** Makes a logger; use the shared {@link logger} for asyncio's own messages. */
  constructor(name: string) {
    this.name = name;
  }

  /** Sets the threshold level. */
  setLevel(level: number): void {
    this.level = level;
  }

  /** The level in effect (WARNING when unset). */
  getEffectiveLevel(): number {
    return this.level || WARNING;
  }

  /** Whether a message at `level` would be handled. */
  isEnabledFor(level: number): boolean {
    return !this.disabled && level >= this.getEffectiveLevel();
  }

  /** Adds a handler; with none, WARNING and above go to stderr. */
  addHandler(h: LogHandler): void {
    this.#handlers.push(h);
  }

  /** Removes a handler added before. */
  removeHandler(h: LogHandler): void {
    const i = this.#handlers.indexOf(h);
    if (i >= 0) this.#handlers.splice(i, 1);
  }

  /** Logs at `level`. */
  log(level: number, message: string, exception?: unknown): void {
    if (!this.isEnabledFor(level)) return;
    const record: LogRecord = {
      name: this.name,
      level,
      levelName: levelNames[level] ?? `Level ${level}`,
      message,
      exception,
    };
    if (this.#handlers.length === 0) {
      // Python's last-resort handler has a level of its own, WARNING: a
      // logger set lower shows no more without a handler.
      if (level >= WARNING) lastResort(record);
      return;
    }
    for (const h of this.#handlers) h(record);
  }

  /** Logs at DEBUG. */
  debug(message: string): void {
    this.log(DEBUG, message);
  }
  /** Logs at INFO. */
  info(message: string): void {
    this.log(INFO, message);
  }
  /** Logs at WARNING. */
  warning(message: string, exception?: unknown): void {
    this.log(WARNING, message, exception);
  }
  /** Logs at ERROR. */
  error(message: string, exception?: unknown): void {
    this.log(ERROR, message, exception);
  }
  /** Logs at CRITICAL. */
  critical(message: string, exception?: unknown): void {
    this.log(CRITICAL, message, exception);
  }
}

/**
 * Python's traceback of an exception, as the logger prints it:
 * `Traceback (most recent call last):`, a `File "...", line N, in fn` line
 * per frame of its stack (oldest first, from the caller's code: the loop's
 * own frames that called it are left out, as Python's traceback starts
 * where the exception was caught), then the line Python ends with,
 * `ValueError: boom`. A `cause` that is an error comes first, as Python's
 * `raise ... from` prints it, else the error it was raised while handling
 * (see {@link _exceptionContext}). With no frames to show, or for an
 * exception never raised (see {@link _unraised}), it is that last line
 * alone, as Python prints an exception whose `__traceback__` is None. An
 * `ExceptionGroup` (any `AggregateError`) is drawn as Python 3.11 draws
 * one, its errors boxed and numbered below it.
 *
 * @example
 * ```ts
 * formatException(new ValueError("boom"));
 * // Traceback (most recent call last):
 * //   File "/app/main.ts", line 3, in main
 * // ValueError: boom
 * ```
 */
export function formatException(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  return formatLines(e, { seen: new Set(), depth: 0, needClose: false }).join("\n");
}

/** Python's `_ExceptionPrintContext`: how deep in groups, and whether a box is open. */
interface PrintContext {
  seen: Set<unknown>;
  depth: number;
  needClose: boolean;
  /** Errors of a group that were made in its argument list, never raised: no traceback. */
  bare?: Set<Error>;
}

/** traceback.py's limits: errors shown per group, groups nested. */
const MAX_GROUP_WIDTH = 15;
const MAX_GROUP_DEPTH = 10;

/** `lines` with the margin of the group depth: `    | ` (`+` at a group's first line). */
function emit(ctx: PrintContext, lines: string[], margin = "|"): string[] {
  let indent = " ".repeat(2 * ctx.depth);
  if (ctx.depth > 0) indent += margin + " ";
  return lines.map((l) => indent + l);
}

/** Python's `TracebackException.format()`, line by line. */
function formatLines(e: Error, ctx: PrintContext): string[] {
  // The chain, newest first: each error with what links it to the next
  // (its cause, or the error it was raised while handling).
  const chain: Array<[string | null, Error]> = [];
  for (let exc: Error | null = e; exc !== null;) {
    ctx.seen.add(exc);
    const cause: unknown = (exc as { cause?: unknown }).cause;
    const during: unknown = _exceptionContext.get(exc);
    let next: Error | null = null;
    let link: string | null = null;
    if (cause instanceof Error && !ctx.seen.has(cause)) {
      next = cause;
      link = "The above exception was the direct cause of the following exception:";
    } else if (during instanceof Error && !ctx.seen.has(during)) {
      next = during;
      link = "During handling of the above exception, another exception occurred:";
    }
    chain.push([link, exc]);
    exc = next;
  }
  const out: string[] = [];
  for (let k = chain.length - 1; k >= 0; k--) {
    const [link, exc] = chain[k];
    // The link to the error printed above this one comes between them.
    if (link !== null) out.push(...emit(ctx, ["", link, ""]));
    const bare = _unraised.has(exc) || ctx.bare?.has(exc) === true;
    const frames = bare ? [] : pyFrames(exc.stack ?? "", "outer");
    if (!(exc instanceof AggregateError)) {
      if (frames.length > 0) {
        out.push(...emit(ctx, ["Traceback (most recent call last):", ...frames]));
      }
      out.push(...emit(ctx, [exceptionOnly(exc)]));
    } else if (ctx.depth > MAX_GROUP_DEPTH) {
      out.push(...emit(ctx, [`... (max_group_depth is ${MAX_GROUP_DEPTH})`]));
    } else {
      out.push(...formatGroup(exc, frames, ctx));
    }
  }
  return out;
}

/** A group: its traceback and line, then each of its errors in a numbered box. */
function formatGroup(group: AggregateError, frames: string[], ctx: PrintContext): string[] {
  const out: string[] = [];
  const top = ctx.depth === 0;
  if (top) ctx.depth++;
  if (frames.length > 0) {
    out.push(...emit(ctx, ["Exception Group Traceback (most recent call last):"], top ? "+" : "|"));
    out.push(...emit(ctx, frames));
  }
  const errors = group.errors;
  out.push(...emit(ctx, [exceptionOnly(group)]));
  const n = errors.length <= MAX_GROUP_WIDTH ? errors.length : MAX_GROUP_WIDTH + 1;
  ctx.needClose = false;
  for (let i = 0; i < n; i++) {
    const last = i === n - 1;
    if (last) ctx.needClose = true;
    const truncated = i >= MAX_GROUP_WIDTH;
    const title = truncated ? "..." : String(i + 1);
    out.push(
      " ".repeat(2 * ctx.depth) + (i === 0 ? "+-" : "  ") +
        `+---------------- ${title} ----------------`,
    );
    ctx.depth++;
    if (!truncated) {
      const sub = errors[i];
      if (sub instanceof Error && madeForGroup(sub, group)) (ctx.bare ??= new Set()).add(sub);
      out.push(...(sub instanceof Error ? formatLines(sub, ctx) : emit(ctx, [String(sub)])));
    } else {
      const more = errors.length - MAX_GROUP_WIDTH;
      out.push(...emit(ctx, [`and ${more} more exception${more > 1 ? "s" : ""}`]));
    }
    if (last && ctx.needClose) {
      out.push(" ".repeat(2 * ctx.depth) + "+------------------------------------");
      ctx.needClose = false;
    }
    ctx.depth--;
  }
  if (top) ctx.depth = 0;
  return out;
}

/**
 * Whether `sub` was made in `group`'s argument list
 * (`throw new ExceptionGroup("g", [new ValueError("a")])`), so never
 * raised: Python prints such an error with no traceback. JS stacks are
 * taken when an error is made, not raised; one made there has the group's
 * frames, its newest at the group's line or below (a call spread over
 * lines), as no error raised and caught could have.
 */
function madeForGroup(sub: Error, group: AggregateError): boolean {
  return madeAtCall(
    programFrames(sub.stack ?? "", "outer"),
    programFrames(group.stack ?? "", "outer"),
  );
}

/**
 * Whether an error with frames `s` was made in the argument list of the
 * call made from frames `g`: the same frames, its newest at the call's
 * line or below (a call spread over lines).
 */
function madeAtCall(s: StackFrame[], g: StackFrame[]): boolean {
  if (g.length === 0 || s.length !== g.length) return false;
  const last = g.length - 1;
  for (let i = 0; i <= last; i++) {
    if (s[i].filename !== g[i].filename || s[i].name !== g[i].name) return false;
    if (i < last ? s[i].lineno !== g[i].lineno : s[i].lineno < g[i].lineno) return false;
  }
  return true;
}

/**
 * @internal Python's `__context__`, where the library knows it: the
 * exception that was being handled when this one was raised, printed
 * first, as `During handling of the above exception, another exception
 * occurred:` says.
 */
export const _exceptionContext: WeakMap<object, unknown> = new WeakMap();

/**
 * @internal Exception-handler contexts the library reports outside any
 * `except` (as Python's done callback of a `client_connected_cb` task): a
 * failing handler's error is not raised "during handling" of their
 * exception.
 */
export const _reportedOutsideExcept: WeakSet<object> = new WeakSet();

/**
 * @internal Exceptions handed to a plain future's `setException()` and not
 * seen raised since: Python's exceptions with no `__traceback__`, whose
 * report shows no traceback.
 */
export const _unraised: WeakSet<object> = new WeakSet();

/**
 * @internal Adds to {@link _unraised} an `exception` made in the argument
 * list of the library call this is called from:
 * `loop.callExceptionHandler({ exception: new ValueError("v") })`
 * reports it with no traceback, as Python does an exception never raised.
 */
export function _markUnraisedArgument(exception: unknown): void {
  if (!(exception instanceof Error) || _unraised.has(exception)) return;
  // The caller's frames as the error's would be, had it been made there:
  // the library's newest ones (this one, the handler's) left out, and room
  // for them in the stack, so that the caller's oldest frames are kept.
  const E = Error as { stackTraceLimit?: number };
  const limit = E.stackTraceLimit;
  if (typeof limit === "number") E.stackTraceLimit = limit + 8;
  const stack = new Error().stack ?? "";
  if (typeof limit === "number") E.stackTraceLimit = limit;
  const caller = programFrames(stack, "outer");
  while (caller.length > 0 && isOwnFrame(caller[caller.length - 1].filename)) caller.pop();
  if (madeAtCall(programFrames(exception.stack ?? "", "outer"), caller)) _unraised.add(exception);
}

/**
 * Python's `Coroutine created at (most recent call last)` frames of a stack
 * captured with `new Error().stack` inside the library: the library's own
 * innermost frames (the constructor that captured it) are left out, as
 * Python's are.
 *
 * @example
 * ```ts
 * formatStack(new Error().stack); // '  File "/app/main.ts", line 3, in main'
 * ```
 */
export function formatStack(stack: unknown): string {
  return pyFrames(String(stack ?? ""), "inner").join("\n");
}

/**
 * Python's `traceback.format_exception_only`: `Name: message`, `Name` when
 * the message is empty (`Exception` for a plain `Error`, see
 * {@link pyErrorName}), the module first for asyncio's own classes
 * (`asyncio.exceptions.CancelledError`); a `KeyError`'s message is quoted,
 * as Python's `str(KeyError('k'))` is `'k'`.
 */
function exceptionOnly(e: Error): string {
  let name = pyErrorName(e);
  const module = pyModuleOf(e.constructor);
  if (module !== "__main__") name = `${module}.${name}`;
  let msg = e.message;
  // One argument: its repr (`KeyError: 2`, `KeyError: 'k'`).
  if (e instanceof KeyError && e.args.length === 1) msg = pyRepr(e.args[0]);
  if (e instanceof AggregateError) {
    // An ExceptionGroup's str(): the message and how many it holds.
    const n = e.errors.length;
    msg += ` (${n} sub-exception${n === 1 ? "" : "s"})`;
  }
  return msg === "" ? name : `${name}: ${msg}`;
}

/** A path for a stack's file: `file://` URLs as the path Python would print. */
function framePath(file: string): string {
  return file.startsWith("file://") ? decodeURIComponent(new URL(file).pathname) : file;
}

/**
 * The library's directories (lib/ and ffi/) as stacks name them: where this
 * module is, and where a stack says it is (a source map names the .ts of a
 * compiled build). Their frames are the loop's, not the program's.
 */
function libDirs(): string[] {
  const dirs = new Set<string>();
  const add = (lib: string) => dirs.add(lib).add(lib.replace(/lib\/$/, "ffi/"));
  add(decodeURIComponent(new URL("./", import.meta.url).pathname));
  const here = stackFrames(new Error().stack ?? "").at(-1);
  if (here !== undefined) {
    const path = framePath(here.filename);
    add(path.slice(0, path.lastIndexOf("/") + 1));
  }
  return [...dirs];
}

const LIB_DIRS = libDirs();

/** The library's module of exception classes, as a frame names it (`.js` once built). */
const EXCEPTIONS_FILE = /\/lib\/exceptions\.[jt]s$/;

/** Whether a frame is the library's. */
function isOwnFrame(path: string): boolean {
  return LIB_DIRS.some((d) => path.startsWith(d));
}

/**
 * The frames of a JS stack as Python's traceback lines, oldest first,
 * without the runtime's own. `outer`: an exception's, from the program's
 * code that raised it, cut where the library called that code (the loop,
 * or the task, that caught it), keeping the library's frames the code
 * called; `inner`: a stack captured inside the library, without the
 * library's frames that captured it. All the frames when none is the
 * program's.
 */
function pyFrames(stack: string, trim: "outer" | "inner"): string[] {
  return programFrames(stack, trim).map((f) =>
    `  File "${f.filename}", line ${f.lineno}, in ${f.name}`
  );
}

/**
 * @internal The frames a traceback of an exception with this stack shows
 * (see {@link pyFrames}), oldest first, named as Python names them: what
 * `Task.getStack()` gives for a task that failed.
 */
export function tracebackFrames(stack: string): StackFrame[] {
  return programFrames(stack, "outer");
}

/** {@link pyFrames}' frames, before they are made lines. */
function programFrames(stack: string, trim: "outer" | "inner"): StackFrame[] {
  // Newest first, as the JS stack lists them; the runtime's own frames
  // (`node:internal/...`, Deno's `ext:core/...`, Bun's `native`) go.
  const frames = stackFrames(stack).reverse()
    .map((f) => ({ ...f, filename: framePath(f.filename) }))
    // `<string>`: a job's function a Worker ran from its text (executor_worker.ts).
    .filter((f) =>
      !/^(node|ext|internal):/.test(f.filename) &&
      (f.filename.includes("/") || f.filename === "<string>")
    )
    // The library's exception constructors (`new OSError` making the errno's
    // subclass; JSC also lists a RangeError subclass's, and the
    // constructor of ExceptionGroup, which lives in task_functions.ts):
    // Python raises after __init__ returns, so its traceback never shows
    // that frame.
    .filter((f) =>
      !(f.name.startsWith("new ") &&
        (EXCEPTIONS_FILE.test(f.filename) ||
          (f.name === "new ExceptionGroup" && isOwnFrame(f.filename))))
    );
  const first = frames.findIndex((f) => !isOwnFrame(f.filename));
  let shown = frames;
  if (first !== -1) {
    if (trim === "inner") shown = frames.slice(first);
    else {
      const caller = frames.findIndex((f, i) => i > first && isOwnFrame(f.filename));
      shown = caller === -1 ? frames : frames.slice(0, caller);
    }
  }
  return shown.reverse().map((f) => {
    // Python names a frame by its code's bare name: `_run`, not `Handle._run`
    // (nor V8's `fn [as cb]`); a constructor's is `__init__`.
    let name = f.name.replace(/ \[as [^\]]*\]$/, "");
    if (name.startsWith("new ")) name = "__init__";
    else if (!name.startsWith("<")) name = name.slice(name.lastIndexOf(".") + 1);
    return { ...f, name };
  });
}

/**
 * @internal Python's `traceback.format_exception_only()` of `e`, its last
 * line: `ValueError: boom` (what `Task.printStack()` ends with).
 */
export function formatExceptionOnly(e: unknown): string {
  return e instanceof Error ? exceptionOnly(e) : String(e);
}

function lastResort(r: LogRecord): void {
  let text = r.message;
  // Python's `exc_info=None` (here null or undefined) logs no traceback.
  if (r.exception != null) text += "\n" + formatException(r.exception);
  process.stderr.write(text + "\n");
}

/**
 * asyncio's logger, named `"asyncio"` as in Python.
 *
 * @example
 * ```ts
 * logger.warning("Executing %s took 0.2 seconds");
 * ```
 */
export const logger: Logger = new Logger("asyncio");

/** What {@link reportFatalError} needs of a loop. */
interface ErrorSink {
  getDebug(): boolean;
  callExceptionHandler(context: {
    message: string;
    exception: unknown;
    transport: unknown;
    protocol: unknown;
  }): void;
}

/**
 * @internal The report half of Python's `_fatal_error` on transports. An
 * error the caller calls `expected` (a dropped peer's OSError) is routine,
 * so it is logged only in debug mode, with the error as Python's
 * `exc_info=True` gives it; anything else goes to the loop's exception
 * handler with the transport and protocol. The debug line names `reporter`
 * (the SSL protocol reports for its transport).
 */
export function reportFatalError(
  loop: ErrorSink,
  expected: boolean,
  exc: unknown,
  message: string,
  transport: unknown,
  protocol: unknown,
  reporter: unknown = transport,
): void {
  if (!expected) {
    loop.callExceptionHandler({ message, exception: exc, transport, protocol });
  } else if (loop.getDebug()) {
    logger.log(DEBUG, `${reporter}: ${message}`, exc);
  }
}
