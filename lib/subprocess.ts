/**
 * The high-level subprocess API (Python's `asyncio.subprocess`):
 * `createSubprocessExec`, `createSubprocessShell` and `Process`, with the
 * child's pipes as a `StreamWriter` (stdin) and `StreamReader`s.
 *
 * @module
 */
import { _getRunningLoop, type AbstractEventLoop } from "./events.ts";
import type { Future } from "./futures.ts";
import { bindMethodOnRead } from "./bound_methods.ts";
import { gather } from "./task_functions.ts";
import type { BaseTransport, WriteTransport } from "./transports.ts";
import { SubprocessProtocol, type SubprocessProtocolLike } from "./protocols.ts";
import {
  AttributeError,
  BrokenPipeError,
  ConnectionResetError,
  NotImplementedError,
} from "./exceptions.ts";
import { FlowControlMixin, loopAboutToRun, StreamReader, StreamWriter } from "./streams.ts";
import {
  DEVNULL,
  PIPE,
  splitExecArgs,
  type StdioSpec,
  STDOUT,
  subprocessExec,
  type SubprocessOptions,
  subprocessShell,
  type TextModeOptions,
  type UnixSubprocessTransport,
} from "./unix_subprocess.ts";
import type { BaseSelectorEventLoop } from "./selector_events.ts";
import { printAsRepr, pyRepr, setPyModule } from "./format.ts";
import { keywords } from "./keywords.ts";
import { logger } from "./log.ts";

export { DEVNULL, PIPE, STDOUT };

const DEFAULT_LIMIT = 2 ** 16;

/** Options of {@link createSubprocessExec} and {@link createSubprocessShell}. */
export interface ProcessOptions extends TextModeOptions {
  /** PIPE, DEVNULL, an fd, or null/undefined (inherit, the default). */
  stdin?: StdioSpec;
  /** PIPE, DEVNULL, an fd, or null/undefined (inherit, the default). */
  stdout?: StdioSpec;
  /** PIPE, STDOUT, DEVNULL, an fd, or null/undefined (inherit, the default). */
  stderr?: StdioSpec;
  /** The child's working directory. */
  cwd?: string | null;
  /** The child's whole environment (default: this process's); a bytes value goes as it is. */
  env?: Record<string, string | Uint8Array> | null;
  /** The StreamReaders' buffer limit (default 64 KiB). */
  limit?: number;
  /** Close fds from 3 up in the child (default true). */
  closeFds?: boolean;
  /** Start the child in a new session (`setsid()`, Python's start_new_session). */
  startNewSession?: boolean;
  /** The child's process group: 0 for a new one it leads (Python's process_group). */
  processGroup?: number | null;
  /** Fds (3 and up) the child keeps at the same numbers; all others from 3 up are closed (Python's pass_fds). */
  passFds?: readonly number[];
  /** The file to run in place of the program, or of `/bin/sh` for a shell (Python's `executable`). */
  executable?: string | Uint8Array | null;
  /** The child's file mode creation mask (Python's `umask`); negative (the default): this process's. */
  umask?: number;
}

/**
 * The protocol between a subprocess transport and its streams (Python's
 * `SubprocessStreamProtocol`).
 */
export class SubprocessStreamProtocol extends FlowControlMixin implements SubprocessProtocolLike {
  /** The child's stdin, when it is a pipe. */
  stdin: StreamWriter<WriteTransport> | null = null;
  /** The child's stdout, when it is a pipe. */
  stdout: StreamReader | null = null;
  /** The child's stderr, when it is a pipe. */
  stderr: StreamReader | null = null;
  #limit: number;
  #transport: UnixSubprocessTransport | null = null;
  #processExited = false;
  #pipeFds: number[] = [];
  #stdinClosed: Future<void>;

  /** Streams with buffer `limit` on `loop`. */
  constructor(limit: number, loop: AbstractEventLoop) {
    super(loop);
    this.#limit = limit;
    this.#stdinClosed = loop.createFuture<void>();
  }

  /** Makes the streams over the pipe transports. */
  override connectionMade(transport: BaseTransport): void {
    const t = transport as UnixSubprocessTransport;
    this.#transport = t;
    const out = t.getPipeTransport(1);
    if (out !== null) {
      this.stdout = new StreamReader(this.#limit, this._loop);
      this.stdout.setTransport(out as never);
      this.#pipeFds.push(1);
    }
    const err = t.getPipeTransport(2);
    if (err !== null) {
      this.stderr = new StreamReader(this.#limit, this._loop);
      this.stderr.setTransport(err as never);
      this.#pipeFds.push(2);
    }
    const inp = t.getPipeTransport(0);
    if (inp !== null) {
      this.stdin = new StreamWriter(inp as WriteTransport, this, null, this._loop);
    }
  }

  /** Feeds the reader of pipe `fd`. */
  pipeDataReceived(fd: number, data: Uint8Array): void {
    const reader = fd === 1 ? this.stdout : fd === 2 ? this.stderr : null;
    reader?.feedData(data);
  }

  /** Ends the reader of pipe `fd`, or the stdin writer. */
  pipeConnectionLost(fd: number, exc: Error | null): void {
    if (fd === 0) {
      this.stdin?.close();
      this.connectionLost(exc);
      if (!this.#stdinClosed.done()) {
        if (exc === null) this.#stdinClosed.setResult(undefined);
        else {
          this.#stdinClosed.setException(exc);
          // Nobody may wait for it: do not log it as never retrieved.
          this.#stdinClosed.exception();
        }
      }
      return;
    }
    const reader = fd === 1 ? this.stdout : fd === 2 ? this.stderr : null;
    if (reader !== null) {
      if (exc === null) reader.feedEof();
      else reader.setException(exc);
    }
    const i = this.#pipeFds.indexOf(fd);
    if (i >= 0) this.#pipeFds.splice(i, 1);
    this.#maybeCloseTransport();
  }

  /** The child exited. */
  processExited(): void {
    this.#processExited = true;
    this.#maybeCloseTransport();
  }

  #maybeCloseTransport(): void {
    if (this.#pipeFds.length === 0 && this.#processExited && this.#transport !== null) {
      this.#transport.close();
      this.#transport = null;
    }
  }

  /** @internal */
  override _getCloseWaiter(stream: StreamWriter<WriteTransport>): PromiseLike<void> {
    if (stream === this.stdin) return this.#stdinClosed;
    throw new NotImplementedError();
  }

  /** `<SubprocessStreamProtocol stdin=... stdout=...>`, as Python prints it (pipes only). */
  override toString(): string {
    const info = [this.constructor.name];
    if (this.stdin !== null) info.push(`stdin=${pyRepr(this.stdin)}`);
    if (this.stdout !== null) info.push(`stdout=${pyRepr(this.stdout)}`);
    if (this.stderr !== null) info.push(`stderr=${pyRepr(this.stderr)}`);
    return `<${info.join(" ")}>`;
  }
}

/**
 * A child process started by {@link createSubprocessExec} or
 * {@link createSubprocessShell} (Python's `asyncio.subprocess.Process`).
 *
 * @example
 * ```ts
 * const p = await createSubprocessExec("echo", "hi", { stdout: PIPE });
 * const [out] = await p.communicate();
 * ```
 */
export class Process {
  #transport: UnixSubprocessTransport;
  #protocol: SubprocessStreamProtocol;
  #loop: AbstractEventLoop;
  /** The child's stdin (null unless it is PIPE). */
  readonly stdin: StreamWriter<WriteTransport> | null;
  /** The child's stdout (null unless it is PIPE). */
  readonly stdout: StreamReader | null;
  /** The child's stderr (null unless it is PIPE). */
  readonly stderr: StreamReader | null;
  /** The child's process id. */
  readonly pid: number;

  /** @internal */
  constructor(
    transport: UnixSubprocessTransport,
    protocol: SubprocessStreamProtocol,
    loop: AbstractEventLoop,
  ) {
    this.#transport = transport;
    this.#protocol = protocol;
    this.#loop = loop;
    this.stdin = protocol.stdin;
    this.stdout = protocol.stdout;
    this.stderr = protocol.stderr;
    this.pid = transport.getPid();
  }

  /** The exit code; minus the signal number if a signal killed it; null while it runs. */
  get returncode(): number | null {
    return this.#transport.getReturncode();
  }

  /** Waits for the child to exit; resolves with its returncode. */
  wait(): Promise<number> {
    return this.#transport._wait();
  }

  /** Sends signal number `sig`. */
  sendSignal(sig: number): void {
    this.#transport.sendSignal(sig);
  }
  /** SIGTERM. */
  terminate(): void {
    this.#transport.terminate();
  }
  /** SIGKILL. */
  kill(): void {
    this.#transport.kill();
  }

  async #feedStdin(input: Uint8Array): Promise<null> {
    const stdin = this.stdin;
    // CPython 3.11 writes to `self.stdin` unchecked: input for a child
    // without a stdin pipe fails with its AttributeError (a TypeError here).
    if (stdin === null) throw new AttributeError("'NoneType' object has no attribute 'write'");
    // In debug mode Python logs each step of communicate().
    const debug = this.#loop.getDebug();
    try {
      stdin.write(input);
      if (debug) logger.debug(`${this} communicate: feed stdin (${input.length} bytes)`);
      await stdin.drain();
    } catch (e) {
      if (!(e instanceof BrokenPipeError || e instanceof ConnectionResetError)) throw e;
      if (debug) logger.debug(`${this} communicate: stdin got ${pyRepr(e)}`);
    }
    if (debug) logger.debug(`${this} communicate: close stdin`);
    try {
      stdin.close();
    } catch (e) {
      if (!(e instanceof BrokenPipeError || e instanceof ConnectionResetError)) throw e;
    }
    return null;
  }

  async #readStream(fd: 1 | 2): Promise<Uint8Array> {
    const transport = this.#transport.getPipeTransport(fd);
    const stream = fd === 2 ? this.stderr! : this.stdout!;
    const name = fd === 2 ? "stderr" : "stdout";
    if (this.#loop.getDebug()) logger.debug(`${this} communicate: read ${name}`);
    const out = await stream.read();
    if (this.#loop.getDebug()) logger.debug(`${this} communicate: close ${name}`);
    transport?.close();
    return out;
  }

  /**
   * Sends `input` to stdin (then closes it), reads stdout and stderr to
   * their end, and waits for the child: resolves to `[stdout, stderr]`
   * (null for a stream that is not a pipe). Without `input`, stdin is left
   * as it is, as in CPython 3.11 (3.12 closes it): a child that reads its
   * stdin to the end waits until the caller closes `proc.stdin`.
   */
  async communicate(
    input?: Uint8Array | null | { input?: Uint8Array | null },
  ): Promise<[Uint8Array | null, Uint8Array | null]> {
    const kw = keywords("Process.communicate", input, ["input"]);
    const data = (kw !== null ? kw.input : input) as Uint8Array | null | undefined;
    // Functions, not running Promises: gather runs each in a task, as Python
    // wraps the coroutines, so that they can be cancelled (on an error in
    // another one, or when asyncio.run() ends).
    const noop = async (): Promise<null> => null;
    const a = data != null ? () => this.#feedStdin(data) : noop;
    const b = this.stdout !== null ? () => this.#readStream(1) : noop;
    const c = this.stderr !== null ? () => this.#readStream(2) : noop;
    const [, out, err] = (await gather(a, b, c)) as [null, Uint8Array | null, Uint8Array | null];
    await this.wait();
    return [out, err];
  }

  /** `<Process 1234>`. */
  toString(): string {
    return `<Process ${this.pid}>`;
  }

  /** @internal */
  get _protocol(): SubprocessStreamProtocol {
    return this.#protocol;
  }
  /** @internal */
  get _loop(): AbstractEventLoop {
    return this.#loop;
  }
}

function loopOpts(o: ProcessOptions): SubprocessOptions {
  // `limit` is the streams'; any other key goes on, for Popen's TypeError.
  const { limit: _limit, ...rest } = o;
  return {
    ...rest,
    stdin: o.stdin ?? null,
    stdout: o.stdout ?? null,
    stderr: o.stderr ?? null,
    cwd: o.cwd ?? null,
    env: o.env ?? null,
    closeFds: o.closeFds ?? true,
    startNewSession: o.startNewSession ?? false,
    processGroup: o.processGroup ?? null,
    passFds: o.passFds ?? [],
    // Passed on for their ValueErrors (asyncio refuses text mode).
    universalNewlines: o.universalNewlines,
    shell: o.shell,
    bufsize: o.bufsize,
    text: o.text,
    encoding: o.encoding,
    errors: o.errors,
  };
}

function selectorLoop(loop: AbstractEventLoop): BaseSelectorEventLoop {
  if (typeof (loop as BaseSelectorEventLoop).addReader !== "function") {
    throw new NotImplementedError(`${loop.constructor.name} cannot run subprocesses`);
  }
  return loop as BaseSelectorEventLoop;
}

/**
 * Starts `program` with `args`; a final plain object is the options. The
 * streams default to inheriting this process's (pass `PIPE` for pipes).
 * A missing program rejects with FileNotFoundError.
 *
 * @example
 * ```ts
 * const p = await createSubprocessExec("cat", { stdin: PIPE, stdout: PIPE });
 * const [out] = await p.communicate(new TextEncoder().encode("hello"));
 * ```
 */
export async function createSubprocessExec(
  program: string | Uint8Array,
  ...rest: Array<string | Uint8Array | ProcessOptions>
): Promise<Process> {
  if (program === undefined || splitExecArgs<ProcessOptions>([program])[1] !== undefined) {
    // Nothing, or only the options: Python's call fails on its signature.
    throw new TypeError(
      "create_subprocess_exec() missing 1 required positional argument: 'program'",
    );
  }
  const [args, given] = splitExecArgs<ProcessOptions>(rest);
  const opts = given ?? {};
  // The running loop, else the next to start (see loopAboutToRun).
  const loop = _getRunningLoop() ?? await loopAboutToRun();
  const limit = opts.limit ?? DEFAULT_LIMIT;
  const [transport, protocol] = await subprocessExec(
    selectorLoop(loop),
    () => new SubprocessStreamProtocol(limit, loop),
    program,
    args,
    loopOpts(opts),
  );
  return new Process(transport, protocol, loop);
}

/**
 * Runs `cmd` with `/bin/sh -c`.
 *
 * @example
 * ```ts
 * const p = await createSubprocessShell("ls | wc -l", { stdout: PIPE });
 * ```
 */
export async function createSubprocessShell(
  cmd: string | Uint8Array,
  opts: ProcessOptions = {},
): Promise<Process> {
  const loop = _getRunningLoop() ?? await loopAboutToRun();
  const limit = opts.limit ?? DEFAULT_LIMIT;
  const [transport, protocol] = await subprocessShell(
    selectorLoop(loop),
    () => new SubprocessStreamProtocol(limit, loop),
    cmd,
    loopOpts(opts),
  );
  return new Process(transport, protocol, loop);
}

// Python passes these as callbacks, as bound methods:
// `loop.call_later(timeout, proc.kill)`. Bound on read, they port as they
// are, and show in a Handle as Python names them: `<TimerHandle Process.kill()>`.
bindMethodOnRead(Process.prototype, "kill", "Process.kill");
bindMethodOnRead(Process.prototype, "terminate", "Process.terminate");
bindMethodOnRead(Process.prototype, "sendSignal", "Process.send_signal");

printAsRepr(Process, SubprocessStreamProtocol);
// Python's class has SubprocessProtocol as its second base.
SubprocessProtocol._virtualSubclasses.push(SubprocessStreamProtocol);
setPyModule("asyncio.subprocess", SubprocessStreamProtocol);
