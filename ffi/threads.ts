/**
 * Threads for the executors of `lib/executors.ts`: a Worker made from
 * source text, behind one {@link WorkerHandle} shape, and the CPU count.
 * The one place that knows how each runtime makes a Worker.
 *
 * - **Bun**: a Web Worker from a Blob URL (`type: "module"`), as
 *   `bun_poll.ts` makes its poll worker; Bun's Worker has `ref`/`unref`.
 * - **Deno and Node**: `node:worker_threads` with `eval: true`. Deno's Web
 *   Worker has no `unref`, and an idle one that the parent listens to keeps
 *   the process alive for ever (seen on Deno 2.9), so an idle pool would
 *   never let a finished script exit; Deno's `node:worker_threads` Worker
 *   can be unref'd.
 *
 * Workers are created synchronously, so the module is loaded with
 * `createRequire` rather than `import()`.
 *
 * @module
 */
import { createRequire } from "node:module";
import type { Worker as NodeWorker } from "node:worker_threads";

/**
 * The parent's side of a Worker. A worker starts ref'd (it keeps the
 * process alive); callers `unref()` it while it has nothing to do.
 *
 * @example
 * ```ts
 * const w = spawnWorker(`workerPort.onMessage((n) => workerPort.postMessage(n * 2));`);
 * w.onMessage((m) => console.log(m)); // 42
 * w.postMessage(21);
 * ```
 */
export interface WorkerHandle {
  /** Sends a structured-cloned message; throws `DataCloneError` synchronously. */
  postMessage(message: unknown, transfer?: readonly object[]): void;
  /** Calls `cb` with each message the worker sends. */
  onMessage(cb: (message: unknown) => void): void;
  /**
   * Calls `cb` once if the worker fails: an uncaught error in it, an exit
   * of its own (`process.exit()` in worker code), or a message that could
   * not be deserialized. The worker is unusable afterwards; terminate it.
   */
  onError(cb: (error: Error) => void): void;
  /** Stops the worker; resolves once its thread is gone. Idempotent. */
  terminate(): Promise<void>;
  /** Makes the worker keep the process alive. */
  ref(): void;
  /** Lets the process exit while the worker lives. */
  unref(): void;
}

// Inside the worker, `source` is the body of a function whose one parameter
// is `workerPort`, so the same text runs as Node's eval'd CommonJS script and
// as Bun's module worker. No static import or export, no top-level await.
const NODE_PRELUDE = `const { parentPort } = require("node:worker_threads");
const port = {
  postMessage(m, t) { parentPort.postMessage(m, t); },
  onMessage(cb) { parentPort.on("message", cb); },
};
`;
const WEB_PRELUDE = `const port = {
  postMessage(m, t) { self.postMessage(m, t ?? []); },
  onMessage(cb) { self.addEventListener("message", (e) => cb(e.data)); },
};
`;

function wrap(prelude: string, source: string): string {
  // The newline before ")" ends a trailing line comment in `source`.
  return `${prelude}(function (workerPort) {\n${source}\n})(port);\n`;
}

let req: NodeJS.Require | undefined;
function nodeRequire(): NodeJS.Require {
  return req ??= createRequire(import.meta.url);
}

const isBun = (globalThis as { Bun?: unknown }).Bun !== undefined;

/**
 * Starts a Worker running `source`. Inside, the code sees one binding,
 * `workerPort`, with `postMessage(message, transfer?)` and
 * `onMessage(cb)`; it may use the runtime's globals and `await import()` of
 * absolute URLs, but no static `import`.
 *
 * @example
 * ```ts
 * const w = spawnWorker(`workerPort.onMessage((m) => workerPort.postMessage(m + 1));`);
 * w.onMessage((m) => { console.log(m); w.terminate(); });
 * w.postMessage(1);
 * ```
 */
export function spawnWorker(source: string): WorkerHandle {
  return isBun ? spawnWeb(wrap(WEB_PRELUDE, source)) : spawnNode(wrap(NODE_PRELUDE, source));
}

/** Reports the first failure only, and nothing after `terminate()`. */
class FailureLatch {
  #cbs: Array<(e: Error) => void> = [];
  #done = false;
  add(cb: (e: Error) => void): void {
    this.#cbs.push(cb);
  }
  fire(e: Error): void {
    if (this.#done) return;
    this.#done = true;
    for (const cb of this.#cbs) cb(e);
  }
  close(): void {
    this.#done = true;
  }
}

function asError(e: unknown, fallback: string): Error {
  return e instanceof Error ? e : new Error(e === undefined || e === null ? fallback : String(e));
}

function spawnNode(code: string): WorkerHandle {
  const { Worker } = nodeRequire()("node:worker_threads") as typeof import("node:worker_threads");
  const w: NodeWorker = new Worker(code, { eval: true });
  const failure = new FailureLatch();
  let terminated: Promise<void> | undefined;
  w.on("error", (e: unknown) => failure.fire(asError(e, "worker failed")));
  w.on("messageerror", (e: unknown) => failure.fire(asError(e, "could not deserialize a message")));
  w.on("exit", (code: number) => failure.fire(new Error(`worker exited with code ${code}`)));
  return {
    postMessage: (m, t) => w.postMessage(m, t as Parameters<NodeWorker["postMessage"]>[1]),
    onMessage: (cb) => void w.on("message", cb),
    onError: (cb) => failure.add(cb),
    terminate() {
      failure.close();
      return terminated ??= w.terminate().then(() => {});
    },
    ref: () => w.ref(),
    unref: () => w.unref(),
  };
}

// Bun's Web Worker, typed locally: the Node build's lib has no Worker.
interface BunWorker {
  postMessage(message: unknown, transfer?: readonly object[]): void;
  addEventListener(type: "message", cb: (e: { data: unknown }) => void): void;
  addEventListener(type: "error", cb: (e: { message?: string; error?: unknown }) => void): void;
  addEventListener(type: "messageerror" | "close", cb: (e: unknown) => void): void;
  terminate(): void;
  ref(): void;
  unref(): void;
}

/**
 * Bun's ErrorEvent for an uncaught error has `error: null` and a `message`
 * of a source excerpt, then "Name: message", then the stack: rebuilt here.
 */
function bunWorkerError(e: { message?: string; error?: unknown }): Error {
  if (e.error instanceof Error) return e.error;
  const text = e.message ?? "worker failed";
  const lines = text.split("\n");
  const i = lines.findIndex((l) => /^[A-Za-z_$][\w$]*: /.test(l));
  if (i < 0) return new Error(text);
  const [, name, message] = /^([A-Za-z_$][\w$]*): (.*)$/.exec(lines[i])!;
  const err = new Error(message);
  err.name = name;
  err.stack = lines.slice(i).join("\n").trimEnd();
  return err;
}

function spawnWeb(code: string): WorkerHandle {
  const g = globalThis as unknown as {
    Worker: new (url: string, opts: { type: "module" }) => BunWorker;
  };
  const url = URL.createObjectURL(new Blob([code], { type: "application/javascript" }));
  const w = new g.Worker(url, { type: "module" });
  const failure = new FailureLatch();
  let closed = false;
  let onClosed: (() => void) | undefined;
  let terminated: Promise<void> | undefined;
  w.addEventListener("error", (e) => failure.fire(bunWorkerError(e)));
  w.addEventListener("messageerror", () => {
    failure.fire(new Error("could not deserialize a message from the worker"));
  });
  w.addEventListener("close", () => {
    // Not earlier: Bun may still be loading the source when the constructor returns.
    URL.revokeObjectURL(url);
    closed = true;
    failure.fire(new Error("worker exited"));
    onClosed?.();
  });
  return {
    postMessage: (m, t) => w.postMessage(m, t ?? []),
    onMessage: (cb) => w.addEventListener("message", (e) => cb(e.data)),
    onError: (cb) => failure.add(cb),
    terminate() {
      failure.close();
      // Bun's terminate() returns nothing; the thread is gone at "close".
      return terminated ??= new Promise<void>((resolve) => {
        if (closed) return resolve();
        onClosed = resolve;
        w.terminate();
      });
    },
    ref: () => w.ref(),
    unref: () => w.unref(),
  };
}

/**
 * How many CPUs this process may use (at least 1): what Python's
 * `os.cpu_count()` gives `ThreadPoolExecutor`'s default size.
 *
 * @example
 * ```ts
 * const maxWorkers = Math.min(32, cpuCount() + 4);
 * ```
 */
export function cpuCount(): number {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  const n = nav?.hardwareConcurrency ??
    (nodeRequire()("node:os") as typeof import("node:os")).availableParallelism();
  return Math.max(1, n | 0);
}
