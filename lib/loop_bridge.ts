/**
 * Calling into a loop from another Worker (Python's
 * `asyncio.run_coroutine_threadsafe` and `loop.call_soon_threadsafe` used
 * from another thread, with a `concurrent.futures.Future` to wait on).
 *
 * A loop object cannot cross to a Worker, and neither can a coroutine, so
 * the loop's thread publishes named functions with a {@link LoopBridge};
 * {@link LoopBridge.link} makes a small cloneable {@link LoopLink} (a
 * `MessagePort` and a shared counter) to post to a Worker, and the Worker's
 * {@link connectLoop} turns it into a {@link RemoteLoop}:
 *
 * - `remote.runCoroutineThreadsafe(name, ...args)` runs the named coroutine
 *   function as a task on the loop and returns a {@link ThreadsafeFuture};
 * - `remote.callSoonThreadsafe(name, ...args)` schedules the named function
 *   as a plain callback (it runs in the loop's thread, on the loop).
 *
 * A {@link ThreadsafeFuture} can be awaited (it is a thenable), or waited on
 * synchronously with a timeout, `fut.result(timeout)`, which blocks the
 * Worker's thread (`Atomics.wait`) as Python's `future.result(timeout)`
 * blocks a thread, and throws `TimeoutError` when the time is up; the loop
 * keeps running in its own thread meanwhile. Arguments and results are
 * structured-cloned; an error thrown on the loop comes back with its class
 * (Python's names, `CancelledError`, `TimeoutError`, `ValueError`... and the
 * built-in JS classes), message and stack.
 *
 * @example
 * ```ts
 * // main thread
 * const bridge = new LoopBridge(loop, {
 *   lookup: async (key: string) => { await asyncio.sleep(0.01); return table.get(key); },
 * });
 * const link = bridge.link();
 * worker.postMessage(link, [link.port]);
 *
 * // in the worker
 * const remote = connectLoop(link);
 * const v = remote.runCoroutineThreadsafe("lookup", "k").result(2); // blocks up to 2 s
 * ```
 *
 * @module
 */
import { MessageChannel, type MessagePort, receiveMessageOnPort } from "node:worker_threads";
import type { AbstractEventLoop } from "./events.ts";
import { CancelledError, KeyError, RuntimeError, TimeoutError } from "./exceptions.ts";
import type { Future } from "./futures.ts";
import { logger } from "./log.ts";
import { type PackedError, type PackedValue, unpackError } from "./executor_worker.ts";
import { printAsRepr, pyAddress, pyTypeName } from "./format.ts";

/**
 * What {@link LoopBridge.link} makes for one Worker: post it (transferring
 * `port`) and pass it to {@link connectLoop} there.
 */
export interface LoopLink {
  /** The Worker's end of the channel (transfer it). */
  port: MessagePort;
  /** A shared counter the loop's side bumps after each reply, so a blocked Worker wakes. */
  replies: SharedArrayBuffer;
  /** The loop's thread, so a wait on that same thread is refused instead of deadlocking. */
  thread: string;
}

/** The links made here, so an executor sends one to its Worker by transferring its port. */
const links = new WeakSet<object>();

/**
 * @internal Whether `x` is a {@link LoopLink} made by this thread's
 * {@link LoopBridge.link}: a job of a {@link ThreadPoolExecutor} given one
 * transfers its port to the Worker (and the link is of no use here after).
 */
export function _isLink(x: unknown): x is LoopLink {
  return typeof x === "object" && x !== null && links.has(x);
}

// Each thread (isolate) has its own instance of this module, so this names the thread.
// (node:worker_threads' threadId is 0 in every Web Worker of Deno.)
const THIS_THREAD = crypto.randomUUID();

type Request =
  | { kind: "run"; id: number; name: string; args: unknown[] }
  | { kind: "call"; name: string; args: unknown[] }
  | { kind: "cancel"; id: number };

type Reply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; cancelled: boolean; error: PackedError | PackedValue };

/**
 * A function a Worker may ask for by name: a coroutine function, or any
 * function (its parameters are whatever the Worker sends).
 */
export type BridgeFunction = (...args: never[]) => unknown;

type Callable = (...args: unknown[]) => unknown;

// A port from node:worker_threads has on(); a Web Worker's (Deno, Bun) may only have addEventListener.
function listen(port: MessagePort, cb: (data: unknown) => void): void {
  const p = port as unknown as {
    on?: (ev: "message", cb: (d: unknown) => void) => void;
    addEventListener(ev: "message", cb: (e: { data: unknown }) => void): void;
    start?: () => void;
  };
  if (typeof p.on === "function") p.on("message", cb);
  else {
    p.addEventListener("message", (e) => cb(e.data));
    p.start?.();
  }
}

function packError(e: unknown): PackedError | PackedValue {
  if (
    e instanceof Error || (e !== null && typeof e === "object" && "name" in e && "message" in e)
  ) {
    const err = e as Error & Record<string, unknown>;
    const extra: Record<string, string | number | boolean | null> = {};
    for (const k of Object.keys(err)) {
      const v = err[k];
      if (k === "name" || k === "message" || k === "stack") continue;
      if (v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean") {
        extra[k] = v;
      }
    }
    return {
      kind: "error",
      name: String(err.name),
      message: String(err.message),
      stack: String(err.stack ?? ""),
      extra,
    };
  }
  try {
    structuredClone(e);
    return { kind: "value", value: e };
  } catch {
    return { kind: "value", value: String(e) };
  }
}

/**
 * The loop's side: serves named functions to Workers. Make it on the loop's
 * thread; `close()` it when done (its ports then close, and Workers' pending
 * futures never complete).
 *
 * @example
 * ```ts
 * const bridge = new LoopBridge(loop, { add: async (a: number, b: number) => a + b });
 * const link = bridge.link();
 * worker.postMessage({ link }, [link.port]);
 * ```
 */
export class LoopBridge {
  #loop: AbstractEventLoop;
  #functions: Map<string, Callable>;
  #ports = new Set<MessagePort>();
  #closed = false;

  /** Serves `functions` (by their keys) on `loop`. */
  constructor(loop: AbstractEventLoop, functions: Record<string, BridgeFunction>) {
    this.#loop = loop;
    this.#functions = new Map(Object.entries(functions) as Array<[string, Callable]>);
    for (const [name, f] of this.#functions) {
      if (typeof f !== "function") throw new TypeError(`${name} is not a function`);
    }
  }

  /** A new link for one Worker. `RuntimeError` once closed. */
  link(): LoopLink {
    if (this.#closed) throw new RuntimeError("the bridge is closed");
    const { port1, port2 } = new MessageChannel();
    const replies = new SharedArrayBuffer(4);
    const counter = new Int32Array(replies);
    const tasks = new Map<number, Future<unknown>>();
    const reply = (r: Reply) => {
      try {
        port1.postMessage(r);
      } catch (e) {
        // The result cannot be cloned: say so instead.
        const p = packError(e);
        if (p.kind === "error") p.message = `the result cannot be sent to the worker: ${p.message}`;
        port1.postMessage({ id: r.id, ok: false, cancelled: false, error: p } satisfies Reply);
      }
      Atomics.add(counter, 0, 1);
      Atomics.notify(counter, 0);
    };
    listen(port1, (m) => this.#onRequest(m as Request, reply, tasks));
    // The Worker keeps the process alive while it needs to; this end must not.
    (port1 as { unref?: () => void }).unref?.();
    this.#ports.add(port1);

    const link: LoopLink = { port: port2, replies, thread: THIS_THREAD };
    links.add(link);
    return link;
  }

  #onRequest(m: Request, reply: (r: Reply) => void, tasks: Map<number, Future<unknown>>): void {
    if (typeof m !== "object" || m === null) return;
    if (m.kind === "cancel") {
      const task = tasks.get(m.id);
      if (task !== undefined) this.#schedule(() => task.cancel(), null);
      return;
    }
    const fn = this.#functions.get(m.name);
    if (m.kind === "call") {
      if (fn === undefined) {
        logger.error(`LoopBridge: no function named ${JSON.stringify(m.name)}`);
        return;
      }
      this.#schedule(() => fn(...m.args), null);
      return;
    }
    const fail = (e: unknown, cancelled = false) =>
      reply({ id: m.id, ok: false, cancelled, error: packError(e) });
    if (fn === undefined) {
      fail(new KeyError(`no function named ${JSON.stringify(m.name)}`));
      return;
    }
    this.#schedule(() => {
      const task = this.#loop.createTask(async () => await fn(...m.args));
      tasks.set(m.id, task);
      task.addDoneCallback((t) => {
        tasks.delete(m.id);
        if (t.cancelled()) fail(new CancelledError(), true);
        else if (t.exception() !== null) fail(t.exception());
        else reply({ id: m.id, ok: true, value: t.result() });
      });
    }, fail);
  }

  #schedule(cb: () => void, onError: ((e: unknown) => void) | null): void {
    try {
      if (this.#closed) throw new RuntimeError("the bridge is closed");
      this.#loop.callSoonThreadsafe(cb);
    } catch (e) {
      if (onError !== null) onError(e);
      else logger.error("LoopBridge: a call from a worker was dropped", e);
    }
  }

  /** Closes every link; later requests are not served. */
  close(): void {
    this.#closed = true;
    for (const p of this.#ports) p.close();
    this.#ports.clear();
  }
}

type State = "pending" | "finished" | "cancelled";

/**
 * Where a {@link ThreadsafeFuture} is settled: a Worker's {@link RemoteLoop},
 * or the loop's own thread (`asyncio.runCoroutineThreadsafe`).
 *
 * @internal
 */
export interface FutureSource {
  /** Cancels the task behind future `id` on its loop. */
  _cancel(id: number): void;
  /** Blocks until `fut` is done or `timeout` seconds (null: for ever) have passed, if it can. */
  _waitFor(fut: { done(): boolean }, timeout: number | null): void;
}

/**
 * Python's `concurrent.futures.Future` of one `runCoroutineThreadsafe`: the
 * Worker's view (`remote.runCoroutineThreadsafe`), or what
 * `asyncio.runCoroutineThreadsafe(coro, loop)` returns on the loop's own
 * thread. `result(timeout)` blocks the calling Worker up to `timeout`
 * seconds; awaiting it does not block. On the loop's own thread nothing can
 * finish it while the thread waits, so there `result(timeout)` of a pending
 * future throws `TimeoutError` at once (`RuntimeError` without a timeout,
 * where Python would wait for ever).
 *
 * @example
 * ```ts
 * const fut = remote.runCoroutineThreadsafe("slow", 5);
 * try { fut.result(0.5); } catch (e) { if (e instanceof TimeoutError) fut.cancel(); }
 * ```
 */
export class ThreadsafeFuture<T = unknown> implements PromiseLike<T> {
  #remote: FutureSource;
  #id: number;
  #state: State = "pending";
  #value: T | undefined;
  #error: unknown = null;
  #callbacks: Array<(f: ThreadsafeFuture<T>) => void> = [];
  #promise: Promise<T> | null = null;

  /** @internal */
  constructor(remote: FutureSource, id: number) {
    this.#remote = remote;
    this.#id = id;
  }

  /** Whether it has a result, an error, or was cancelled. */
  done(): boolean {
    return this.#state !== "pending";
  }
  /** Whether it was cancelled (here, or the task on the loop was). */
  cancelled(): boolean {
    return this.#state === "cancelled";
  }
  /** Python's `running()`: the loop's side does not report it, so always false. */
  running(): boolean {
    return false;
  }

  /**
   * Cancels it: it is cancelled at once, and the task on the loop is
   * cancelled too. False if it had finished; true if it was already cancelled.
   */
  cancel(): boolean {
    if (this.#state !== "pending") return this.#state === "cancelled";
    this.#remote._cancel(this.#id);
    this._setCancelled();
    return true;
  }

  /**
   * The result, waiting up to `timeout` seconds (null: for ever), blocking
   * this thread. `TimeoutError` if it is not done by then; `CancelledError`
   * if cancelled; the loop's error if the coroutine failed. `RuntimeError`
   * on the loop's own thread, where the wait could never end.
   */
  result(timeout: number | null = null): T {
    this.#wait(timeout);
    if (this.#state === "cancelled") throw new CancelledError();
    if (this.#error !== null) throw this.#error;
    return this.#value as T;
  }

  /** The error the coroutine failed with, or null; waits as {@link result} does. */
  exception(timeout: number | null = null): unknown {
    this.#wait(timeout);
    if (this.#state === "cancelled") throw new CancelledError();
    return this.#error;
  }

  /** Calls `cb(this)` once it is done (at once if it is). */
  addDoneCallback(cb: (f: ThreadsafeFuture<T>) => void): void {
    if (this.#state === "pending") this.#callbacks.push(cb);
    else this.#call(cb);
  }

  /** Awaiting it waits without blocking the thread. */
  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    this.#promise ??= new Promise<T>((resolve, reject) => {
      this.addDoneCallback(() => {
        if (this.#state === "cancelled") reject(new CancelledError());
        else if (this.#error !== null) reject(this.#error);
        else resolve(this.#value as T);
      });
    });
    return this.#promise.then(onfulfilled, onrejected);
  }

  /** As a Promise's `catch()`. */
  catch<R = never>(onrejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.then(undefined, onrejected);
  }

  /** As a Promise's `finally()`. */
  finally(onfinally?: (() => void) | null): Promise<T> {
    return this.then().finally(onfinally);
  }

  #wait(timeout: number | null): void {
    if (this.#state !== "pending") return;
    if (timeout !== null && (typeof timeout !== "number" || Number.isNaN(timeout))) {
      throw new TypeError("timeout must be a number of seconds or null");
    }
    this.#remote._waitFor(this, timeout);
    if (this.#state === "pending") throw new TimeoutError();
  }

  /** @internal Settles it from a Worker's reply. */
  _settle(r: Reply): void {
    if (r.ok) this._setResult(r.value as T);
    else if (r.cancelled) this._setCancelled();
    // Raised on the loop's thread: its stack names real frames, so no
    // worker mark (see `_fromWorker`).
    else this._setException(unpackError(r.error, false) ?? new Error("the coroutine failed"));
  }

  /** @internal Settles it with a result; no effect once done. */
  _setResult(value: T): void {
    if (this.#state !== "pending") return;
    this.#state = "finished";
    this.#value = value;
    this.#runCallbacks();
  }

  /** @internal Settles it with an error; no effect once done. */
  _setException(error: unknown): void {
    if (this.#state !== "pending") return;
    this.#state = "finished";
    this.#error = error ?? new Error("the coroutine failed");
    this.#runCallbacks();
  }

  /** @internal Marks it cancelled; no effect once done. */
  _setCancelled(): void {
    if (this.#state !== "pending") return;
    this.#state = "cancelled";
    this.#runCallbacks();
  }

  #runCallbacks(): void {
    for (const cb of this.#callbacks.splice(0)) this.#call(cb);
  }

  /** Calls a done callback; what it throws is logged, as concurrent.futures does. */
  #call(cb: (f: ThreadsafeFuture<T>) => void): void {
    try {
      cb(this);
    } catch (e) {
      logger.error(`exception calling callback for ${this}`, e);
    }
  }

  /**
   * Python's repr of a `concurrent.futures.Future`:
   * `<Future at 0x7f... state=pending>`, `... state=finished returned int>`,
   * `... state=finished raised ValueError>`, `... state=cancelled>`.
   */
  toString(): string {
    let state = `state=${this.#state}`;
    if (this.#state === "finished") {
      state += this.#error !== null
        ? ` raised ${(this.#error as { name?: unknown })?.name ?? pyTypeName(this.#error)}`
        : ` returned ${pyTypeName(this.#value)}`;
    }
    return `<Future at ${pyAddress(this)} ${state}>`;
  }
}

/**
 * A loop in another thread, as a Worker sees it through a {@link LoopLink}.
 *
 * @example
 * ```ts
 * const remote = connectLoop(link);
 * remote.callSoonThreadsafe("log", "from the worker");
 * const n = await remote.runCoroutineThreadsafe<number>("count");
 * remote.close();
 * ```
 */
export class RemoteLoop {
  #port: MessagePort;
  #counter: Int32Array;
  #loopThread: string;
  #nextId = 1;
  #pending = new Map<number, { _settle(r: Reply): void }>();
  #closed = false;

  /** @internal Use {@link connectLoop}. */
  constructor(link: LoopLink) {
    this.#port = link.port;
    this.#counter = new Int32Array(link.replies);
    this.#loopThread = link.thread;
    listen(this.#port, (r) => this.#dispatch(r as Reply));
  }

  #dispatch(r: Reply): void {
    if (typeof r !== "object" || r === null) return;
    const fut = this.#pending.get(r.id);
    if (fut === undefined) return;
    this.#pending.delete(r.id);
    fut._settle(r);
  }

  /**
   * Runs the loop's function `name` with `args` as a task on the loop;
   * returns a future of its result. `RuntimeError` once closed; arguments
   * that cannot be cloned throw here.
   */
  runCoroutineThreadsafe<T = unknown>(name: string, ...args: unknown[]): ThreadsafeFuture<T> {
    if (this.#closed) throw new RuntimeError("the link to the loop is closed");
    const id = this.#nextId++;
    const fut = new ThreadsafeFuture<T>(this, id);
    this.#port.postMessage({ kind: "run", id, name, args } satisfies Request);
    this.#pending.set(id, fut);
    return fut;
  }

  /** Schedules the loop's function `name(...args)` as a callback on the loop. */
  callSoonThreadsafe(name: string, ...args: unknown[]): void {
    if (this.#closed) throw new RuntimeError("the link to the loop is closed");
    this.#port.postMessage({ kind: "call", name, args } satisfies Request);
  }

  /** Closes the link; pending futures stay pending. */
  close(): void {
    this.#closed = true;
    this.#port.close();
  }

  /** @internal */
  _cancel(id: number): void {
    this.#pending.delete(id);
    if (!this.#closed) this.#port.postMessage({ kind: "cancel", id } satisfies Request);
  }

  /** @internal Blocks until `fut` is settled or `timeout` seconds have passed. */
  _waitFor(fut: { done(): boolean }, timeout: number | null): void {
    const deadline = timeout === null ? Infinity : performance.now() + Math.max(0, timeout) * 1000;
    for (;;) {
      const seen = Atomics.load(this.#counter, 0);
      // Replies that arrived while this thread was busy or blocked.
      for (let m; (m = receiveMessageOnPort(this.#port)) !== undefined;) {
        this.#dispatch(m.message as Reply);
      }
      if (fut.done()) return;
      if (this.#loopThread === THIS_THREAD) {
        throw new RuntimeError("result() would block the loop's own thread for ever; await it");
      }
      const left = deadline - performance.now();
      if (left <= 0 || this.#closed) return;
      Atomics.wait(this.#counter, 0, seen, left === Infinity ? undefined : left);
    }
  }
}

/**
 * The Worker's side of a {@link LoopLink} posted by the loop's thread.
 *
 * @example
 * ```ts
 * import { parentPort } from "node:worker_threads";
 * parentPort!.once("message", (link) => {
 *   const remote = connectLoop(link);
 *   const v = remote.runCoroutineThreadsafe("answer").result(5);
 *   parentPort!.postMessage(v);
 *   remote.close();
 * });
 * ```
 */
export function connectLoop(link: LoopLink): RemoteLoop {
  if (
    typeof link !== "object" || link === null || !(link.replies instanceof SharedArrayBuffer) ||
    typeof (link.port as { postMessage?: unknown })?.postMessage !== "function"
  ) {
    throw new TypeError("connectLoop() needs the object LoopBridge.link() made");
  }
  return new RemoteLoop(link);
}

printAsRepr(ThreadsafeFuture);
