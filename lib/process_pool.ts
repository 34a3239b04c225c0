/**
 * `ProcessPoolExecutor`: functions run in child processes of this same
 * runtime (Python's `concurrent.futures.ProcessPoolExecutor`), for work that
 * must not share the parent's heap or thread: CPU-bound code that would
 * compete with the loop's Worker threads, code that may crash or leak,
 * native code that is not thread-safe.
 *
 * **How a function reaches the child.** As in {@link ThreadPoolExecutor}, a
 * function travels as its source text and is compiled in the child: it may
 * use its arguments, the child's globals and `await import()` of absolute
 * URLs, but no variable of the scope it was written in (that is a
 * `ReferenceError` from the child). For a function exported by a module,
 * {@link moduleFunction} makes such a self-contained function from the
 * module's URL and the export's name (Python pickles a function the same
 * way: by module and name).
 *
 * **Arguments and results** are copied with the structured clone algorithm
 * (`node:v8` serialization): numbers, strings, plain objects, arrays,
 * `Map`, `Set`, `Date`, typed arrays, `bigint`... A function, a symbol or a
 * host object is refused: the job rejects with the runtime's clone error.
 *
 * **Errors** thrown in the child reject the job with an error of the same
 * name, message and stack (and primitive fields such as `code`); built-in
 * classes come back as themselves (`RangeError`). A child that dies while
 * the pool runs (killed, `process.exit()` in a job) breaks the pool, as in
 * Python: every pending job rejects with {@link BrokenProcessPool}, and so
 * does every later `submit`.
 *
 * **Children** start lazily, one per concurrent job up to `maxWorkers`, and
 * are reused. An idle child never keeps this process alive; a busy one
 * does. As in Python, an `initializer` (with `initargs`) runs first in each
 * new child, and `maxTasksPerChild` replaces a child after that many jobs.
 * `shutdown()` closes their stdin, so each exits after its last job;
 * `shutdown(true)` resolves once all have exited and been reaped (the host
 * reaps them: no zombie is left). `terminateWorkers()`/`killWorkers()` stop
 * them at once. A child whose parent dies reads EOF and exits.
 *
 * @module
 */
import v8 from "node:v8";
import { Buffer } from "node:buffer";
import { type RuntimeChild, spawnRuntimeChild } from "../ffi/process_child.ts";
import { cpuCount } from "../ffi/threads.ts";
import { RuntimeError, ValueError } from "./exceptions.ts";
import type { Executor, ShutdownOptions, Submission } from "./executors.ts";
import {
  functionSource,
  type JobMessage,
  type ReplyMessage,
  unpackError,
} from "./executor_worker.ts";
import { encodeFrame, FrameReader } from "./process_frames.ts";
import { logger } from "./log.ts";
import { submission, WorkerPool } from "./worker_pool.ts";
import { printAsRepr } from "./format.ts";

/**
 * The pool cannot run jobs any more: one of its children died unexpectedly,
 * or its workers were terminated (Python's
 * `concurrent.futures.process.BrokenProcessPool`, a `RuntimeError`).
 *
 * @example
 * ```ts
 * try { await pool.submit(() => Deno.exit(3)); }
 * catch (e) { if (e instanceof BrokenProcessPool) console.log("a child died"); }
 * ```
 */
export class BrokenProcessPool extends RuntimeError {
  /** "BrokenProcessPool". */
  override name = "BrokenProcessPool";
}

/** Options of {@link ProcessPoolExecutor}. */
export interface ProcessPoolExecutorOptions {
  /** At most this many children (default: the CPU count, as in Python). */
  maxWorkers?: number;
  /**
   * Runs first in every new child, with `initargs` (a self-contained
   * function, as jobs are). If it throws, the pool is broken.
   */
  initializer?: ((...args: never[]) => unknown) | null;
  /** The initializer's arguments (structured-cloned). */
  initargs?: readonly unknown[];
  /** A child is replaced by a fresh one after this many jobs (default: never). */
  maxTasksPerChild?: number | null;
}

// The child's entry, beside this module: .ts on Deno and Bun, the compiled .js on Node.
const WORKER_URL = new URL(
  import.meta.url.endsWith(".ts") ? "./process_worker.ts" : "./process_worker.js",
  import.meta.url,
);

interface Job {
  id: number;
  frame: Uint8Array;
  promise: Submission<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

interface Slot {
  child: RuntimeChild;
  job: Job | null;
  frames: FrameReader;
  /** We asked it to go (stdin closed or a signal): its exit is expected. */
  leaving: boolean;
  /** The id of its initializer's reply while that is awaited, else 0. */
  initId: number;
  /** Jobs it has finished. */
  done: number;
  exited: Promise<void>;
}

/**
 * Makes a function that calls export `name` of the module at `url` (an
 * absolute URL; on Node a compiled `.js` file): the way to run a module's
 * function in a {@link ProcessPoolExecutor} or `ThreadPoolExecutor`, since
 * only self-contained functions travel.
 *
 * @example
 * ```ts
 * const fib = moduleFunction<[number], number>(new URL("./fib.ts", import.meta.url), "fib");
 * await pool.submit(fib, 30);
 * ```
 */
export function moduleFunction<A extends unknown[] = unknown[], R = unknown>(
  url: string | URL,
  name: string,
): (...args: A) => Promise<Awaited<R>> {
  const href = String(new URL(url));
  if (typeof name !== "string" || name === "") {
    throw new TypeError("name must be a non-empty string");
  }
  // Built from text, so its source has the URL and name in it as literals.
  return new Function(
    "...args",
    `return import(${JSON.stringify(href)}).then((m) => {
  const f = m[${JSON.stringify(name)}];
  if (typeof f !== "function") throw new TypeError(${
      JSON.stringify(`${href} has no function export ${name}`)
    });
  return f(...args);
});`,
  ) as (...args: A) => Promise<Awaited<R>>;
}

/**
 * A pool of child processes of this runtime running functions (see the
 * module doc for what can travel). Usable wherever an executor is:
 * `loop.runInExecutor(pool, fn, ...args)`.
 *
 * @example
 * ```ts
 * await using pool = new ProcessPoolExecutor({ maxWorkers: 2 });
 * const pid = await loop.runInExecutor(pool, () => process.pid);
 * const sum = await pool.submit((n: number) => {
 *   let s = 0;
 *   for (let i = 0; i < n; i++) s += i;
 *   return s;
 * }, 1e7);
 * ```
 */
export class ProcessPoolExecutor implements Executor {
  /** The most children this pool runs at once. */
  readonly maxWorkers: number;
  /** Jobs per child before it is replaced (null: no limit). */
  readonly maxTasksPerChild: number | null;
  #initializer: { src: string; args: unknown[] } | null = null;
  /** Children retired after maxTasksPerChild, until they have exited. */
  #retiring = new Set<Slot>();
  #pool: WorkerPool<Slot, Job>;
  #nextId = 1;
  #broken: string | null = null;

  /** A pool; no child starts until the first `submit`. `ValueError` if `maxWorkers` < 1. */
  constructor(opts: ProcessPoolExecutorOptions = {}) {
    const n = opts.maxWorkers ?? cpuCount();
    if (!Number.isInteger(n) || n <= 0) throw new ValueError("max_workers must be greater than 0");
    this.maxWorkers = n;
    const m = opts.maxTasksPerChild ?? null;
    if (m !== null && (!Number.isInteger(m) || m <= 0)) {
      throw new ValueError("max_tasks_per_child must be >= 1");
    }
    this.maxTasksPerChild = m;
    this.#pool = new WorkerPool<Slot, Job>({
      maxWorkers: n,
      spawn: () => this.#spawn(),
      dispatch: (slot, job) => this.#dispatch(slot, job),
      // After shutdown an idle child gets EOF and exits; held until it has,
      // so `await shutdown()` is not left hanging.
      release: (slot) => {
        slot.leaving = true;
        slot.child.ref();
        slot.child.endInput();
      },
      accepting: () => this.#broken === null,
      // Finished when the last child has exited, retired ones included.
      leaving: () => this.#retiring.size,
    });
    if (opts.initializer !== undefined && opts.initializer !== null) {
      const src = functionSource(opts.initializer, "ProcessPoolExecutor");
      const args = [...(opts.initargs ?? [])];
      v8.serialize(args); // unclonable initargs fail here, not in every child
      this.#initializer = { src, args };
    }
  }

  /**
   * Runs `fn(...args)` in a child; resolves to its result. `TypeError` for a
   * non-function or one without source; `RuntimeError` after `shutdown()`;
   * {@link BrokenProcessPool} once the pool is broken. Arguments that cannot
   * be cloned reject the returned promise.
   */
  submit<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): Submission<Awaited<R>> {
    if (this.#broken !== null) throw new BrokenProcessPool(this.#broken);
    if (this.#pool.isShutdown) {
      throw new RuntimeError("cannot schedule new futures after shutdown");
    }
    const src = functionSource(fn);
    const s = submission();
    const id = this.#nextId++;
    const msg: JobMessage = { id, src, args };
    let frame: Uint8Array;
    try {
      frame = encodeFrame(v8.serialize(msg));
    } catch (e) {
      s.reject(e);
      return s.promise as Submission<Awaited<R>>;
    }
    this.#pool.enqueue({ id, frame, ...s });
    return s.promise as Submission<Awaited<R>>;
  }

  /**
   * Stops taking jobs. Queued jobs still run unless `cancelFutures` (they
   * reject with `CancelledError`); each child's stdin is closed once it is
   * idle, and it exits. With `wait` (default), resolves when every child has
   * exited and been reaped.
   */
  shutdown(wait = true, opts: ShutdownOptions = {}): Promise<void> {
    return this.#pool.shutdown(wait, opts.cancelFutures === true);
  }

  /**
   * Sends SIGTERM to every child now (Python 3.14's `terminate_workers`):
   * running and queued jobs reject with {@link BrokenProcessPool}, and the
   * pool is shut down. Resolves once every child has been reaped.
   */
  terminateWorkers(): Promise<void> {
    return this.#stopAll("SIGTERM");
  }

  /** As {@link terminateWorkers}, with SIGKILL (Python 3.14's `kill_workers`). */
  killWorkers(): Promise<void> {
    return this.#stopAll("SIGKILL");
  }

  /** `await using pool = new ProcessPoolExecutor()` shuts it down, waiting. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown(true);
  }

  /** The pids of the children running now. */
  get pids(): number[] {
    return [...this.#pool.slots, ...this.#retiring].map((s) => s.child.pid);
  }

  /** `<ProcessPoolExecutor maxWorkers=2 workers=1 queued=0>` */
  toString(): string {
    const state = this.#broken !== null ? " broken" : this.#pool.isShutdown ? " shutdown" : "";
    return `<ProcessPoolExecutor maxWorkers=${this.maxWorkers} workers=${this.#pool.slots.size} ` +
      `queued=${this.#pool.queue.length}${state}>`;
  }

  #spawn(): Slot {
    const child = spawnRuntimeChild(WORKER_URL);
    let markExited!: () => void;
    const slot: Slot = {
      child,
      job: null,
      frames: new FrameReader(),
      leaving: false,
      initId: 0,
      done: 0,
      exited: new Promise<void>((r) => (markExited = r)),
    };
    if (this.#initializer !== null) {
      // Sent first; the child answers it before the job that follows it.
      slot.initId = this.#nextId++;
      const msg: JobMessage = { id: slot.initId, ...this.#initializer };
      child.write(encodeFrame(v8.serialize(msg)));
    }
    child.onData((bytes) => this.#onData(slot, bytes));
    child.onExit((code, signal) => {
      markExited();
      this.#onExit(slot, code, signal);
    });
    child.unref();
    return slot;
  }

  #dispatch(slot: Slot, job: Job): void {
    slot.job = job;
    slot.child.ref();
    slot.child.write(job.frame);
    job.frame = new Uint8Array(0);
  }

  #onData(slot: Slot, bytes: Uint8Array): void {
    slot.frames.push(bytes);
    for (let payload; (payload = slot.frames.next()) !== null;) {
      let m: ReplyMessage;
      try {
        m = v8.deserialize(Buffer.from(payload)) as ReplyMessage;
      } catch (e) {
        logger.error("ProcessPoolExecutor: an unreadable reply from a child", e);
        continue;
      }
      if (typeof m !== "object" || m === null) continue;
      if (slot.initId !== 0 && m.id === slot.initId) {
        slot.initId = 0;
        if (!m.ok) {
          const e = unpackError(m.error) as Error;
          logger.error("Exception in initializer:", e);
          this.#breakPool(`A child process's initializer failed: ${e?.name}: ${e?.message}`);
        }
        continue;
      }
      const job = slot.job;
      if (job === null || m.id !== job.id) continue;
      slot.job = null;
      slot.done++;
      slot.child.unref();
      if (this.maxTasksPerChild !== null && slot.done >= this.maxTasksPerChild) this.#retire(slot);
      else this.#pool.idle.push(slot);
      if (m.ok) job.resolve(m.value);
      else job.reject(unpackError(m.error));
    }
    this.#pool.pump();
  }

  // Python's max_tasks_per_child: the child goes (EOF), a fresh one takes its place.
  #retire(slot: Slot): void {
    this.#pool.slots.delete(slot);
    this.#retiring.add(slot);
    slot.leaving = true;
    slot.child.ref();
    slot.child.endInput();
  }

  #onExit(slot: Slot, code: number | null, signal: string | null): void {
    this.#retiring.delete(slot);
    this.#pool.forget(slot);
    const job = slot.job;
    slot.job = null;
    if (!slot.leaving && this.#broken === null) {
      const how = code === null && signal === null
        ? "could not be started"
        : signal !== null
        ? `was killed by ${signal}`
        : `exited with code ${code}`;
      this.#breakPool(
        `A child process of the pool (pid ${slot.child.pid}) ${how} while the pool was running`,
      );
    }
    if (job !== null) job.reject(new BrokenProcessPool(this.#broken ?? "the child exited"));
    this.#pool.maybeFinish();
  }

  #breakPool(reason: string): void {
    this.#broken = reason;
    this.#pool.isShutdown = true;
    for (const job of this.#pool.queue.splice(0)) job.reject(new BrokenProcessPool(reason));
    for (const slot of this.#pool.slots) {
      if (slot.job !== null) {
        slot.job.reject(new BrokenProcessPool(reason));
        slot.job = null;
      }
      if (!slot.leaving) {
        slot.leaving = true;
        slot.child.kill("SIGKILL");
      }
    }
  }

  #stopAll(signal: "SIGTERM" | "SIGKILL"): Promise<void> {
    const all = [...this.#pool.slots, ...this.#retiring];
    const waits = all.map((s) => s.exited);
    for (const slot of all) {
      slot.leaving = true;
      slot.child.ref();
      slot.child.kill(signal);
    }
    if (this.#broken === null) this.#breakPool(`the pool's workers were stopped with ${signal}`);
    return this.shutdown(true).then(() => Promise.all(waits)).then(() => {});
  }
}

printAsRepr(ProcessPoolExecutor);
