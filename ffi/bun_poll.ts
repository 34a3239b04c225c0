/**
 * `pollAsync` for Bun, which has no asynchronous FFI call: one Worker does
 * the blocking `poll` while the main thread awaits `Atomics.waitAsync`.
 *
 * The worker is made from a Blob URL of inline source, so it needs no file
 * of its own and also runs inside `bun build --compile` binaries. It loads
 * `bun:ffi` itself and talks to the main thread through one
 * SharedArrayBuffer:
 *
 * | bytes | i32 word | meaning |
 * |---|---|---|
 * | 0–3 | 0 | state: IDLE, REQUEST, DONE, or RESIZE (drop this buffer, take the next message's) |
 * | 4–7 | 1 | nfds |
 * | 8–11 | 2 | timeout in ms |
 * | 12–15 | 3 | result: count or -errno |
 * | 16– | | the pollfd records |
 *
 * The worker is `unref()`'d while idle, so an idle one never keeps the
 * process alive, and `ref()`'d while a poll is in flight, because a pending
 * `Atomics.waitAsync` alone does not keep Bun running.
 *
 * A new worker takes 10–20 ms to start (a JS realm, then `dlopen`), and the
 * first wait of a program comes at once: `run(main)` whose main sleeps 1 ms
 * used to sleep 11–20 ms. Until the worker says it is ready, a wait is done
 * on the main thread instead, as non-blocking polls a millisecond apart
 * (host timers), which keeps both the deadline and the host running.
 *
 * @module
 */
import { POLLFD_SIZE } from "./common.ts";

const IDLE = 0;
const REQUEST = 1;
const DONE = 2;
const RESIZE = 3;
const HEADER = 16;

const SOURCE = `
import { dlopen, toArrayBuffer } from "bun:ffi";
const defs = {
  poll: { args: ["buffer", "u32", "i32"], returns: "i32" },
  __errno_location: { args: [], returns: "ptr" },
};
let lib, last;
for (const name of ["libc.so.6", "libc.so"]) {
  try { lib = dlopen(name, defs).symbols; break; } catch (e) { last = e; }
}
if (!lib) throw last;
const errno = new Int32Array(toArrayBuffer(lib.__errno_location(), 0, 4));
postMessage("ready");
self.onmessage = (event) => {
  const sab = event.data;
  const ctl = new Int32Array(sab, 0, 4);
  const recs = new Uint8Array(sab, ${HEADER});
  for (;;) {
    let s;
    while ((s = Atomics.load(ctl, 0)) !== ${REQUEST} && s !== ${RESIZE}) Atomics.wait(ctl, 0, s);
    if (s === ${RESIZE}) return;
    const r = lib.poll(recs, ctl[1], ctl[2]);
    ctl[3] = r < 0 ? -errno[0] : r;
    Atomics.store(ctl, 0, ${DONE});
    Atomics.notify(ctl, 0);
  }
};
`;

// The slice of the web Worker and Atomics APIs used here, typed locally:
// the Node build's lib has neither Bun's Worker.ref/unref nor waitAsync.
interface BunWorker {
  postMessage(message: unknown): void;
  ref(): void;
  unref(): void;
  addEventListener(
    type: "error",
    listener: (event: { message?: string; error?: unknown }) => void,
  ): void;
  addEventListener(type: "message", listener: () => void): void;
}
/** `poll(fds, nfds, timeoutMs)` on the calling thread: the count, or -errno. */
export type SyncPoll = (fds: Uint8Array, nfds: number, timeoutMs: number) => number;
type WaitAsync = (
  view: Int32Array,
  index: number,
  value: number,
) => { async: false; value: string } | { async: true; value: Promise<string> };

/** The one poll worker of a Bun process, made on the first `pollAsync`. */
export class BunPollWorker {
  readonly #worker: BunWorker;
  readonly #waitAsync: WaitAsync;
  #ctl!: Int32Array;
  #recs!: Uint8Array;
  #busy = false;
  /** Whether the worker has loaded libc and waits for requests. */
  #ready = false;
  /** Settles when `#ready` becomes true (or the worker fails: then rejects). */
  readonly ready: Promise<void>;
  #settleReady!: (failure?: Error) => void;
  readonly #pollNow: SyncPoll;
  #failure: Error | undefined;
  #rejectPending: ((e: unknown) => void) | undefined;

  /**
   * Starts the worker with room for 64 records; `pollNow` is the
   * main thread's `poll`, used while the worker starts.
   */
  constructor(pollNow: SyncPoll) {
    this.#pollNow = pollNow;
    this.ready = new Promise<void>((resolve, reject) => {
      this.#settleReady = (failure) => failure ? reject(failure) : resolve();
    });
    // Nobody need wait for it: a failure also reaches every poll().
    this.ready.catch(() => {});
    const g = globalThis as unknown as {
      Worker: new (url: string) => BunWorker;
      URL: { createObjectURL(blob: Blob): string };
      Atomics: { waitAsync: WaitAsync };
    };
    this.#waitAsync = g.Atomics.waitAsync;
    const url = g.URL.createObjectURL(new Blob([SOURCE], { type: "application/javascript" }));
    this.#worker = new g.Worker(url);
    // Held until it is ready, so that awaiting `ready` keeps Bun running.
    this.#worker.addEventListener("error", (event) => this.#fail(event));
    this.#worker.addEventListener("message", () => {
      this.#ready = true;
      if (!this.#busy) this.#worker.unref();
      this.#settleReady();
    });
    this.#allocate(64);
  }

  /**
   * Runs `poll` over a copy of the first `nfds` records of `fds` in the
   * worker; resolves with its result. One call at a time.
   */
  poll(fds: Uint8Array, nfds: number, timeoutMs: number): Promise<number> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#busy) return Promise.reject(new Error("pollAsync: a call is already in flight"));
    if (!this.#ready) return this.#pollWhileStarting(fds, nfds, timeoutMs);
    const bytes = nfds * POLLFD_SIZE;
    if (bytes > this.#recs.length) {
      const old = this.#ctl;
      this.#allocate(Math.max(nfds, 2 * (this.#recs.length / POLLFD_SIZE)));
      Atomics.store(old, 0, RESIZE);
      Atomics.notify(old, 0);
    }
    const ctl = this.#ctl;
    this.#recs.set(fds.subarray(0, bytes));
    ctl[1] = nfds;
    ctl[2] = timeoutMs;
    ctl[3] = 0;
    Atomics.store(ctl, 0, REQUEST);
    Atomics.notify(ctl, 0);
    this.#busy = true;
    this.#worker.ref();
    return new Promise<number>((resolve, reject) => {
      this.#rejectPending = reject;
      this.#await(ctl, resolve);
    });
  }

  /** The wait of `poll()` before the worker is ready: on this thread, without blocking it. */
  async #pollWhileStarting(fds: Uint8Array, nfds: number, timeoutMs: number): Promise<number> {
    const deadline = timeoutMs < 0 ? Infinity : performance.now() + timeoutMs;
    // Over a copy, as the worker's poll is: the caller may reuse `fds`.
    const recs = this.#recs.length >= nfds * POLLFD_SIZE
      ? this.#recs
      : new Uint8Array(nfds * POLLFD_SIZE);
    recs.set(fds.subarray(0, nfds * POLLFD_SIZE));
    this.#busy = true;
    let left: number;
    try {
      for (;;) {
        const r = this.#pollNow(recs, nfds, 0);
        if (r !== 0) return r;
        left = deadline - performance.now();
        if (left <= 0) return 0;
        if (this.#failure) throw this.#failure;
        if (this.#ready) break;
        await new Promise((resolve) => setTimeout(resolve, Math.min(1, left)));
      }
    } finally {
      this.#busy = false;
      // Readiness that came meanwhile left the worker held for this call.
      if (this.#ready) this.#worker.unref();
    }
    return this.poll(fds, nfds, left === Infinity ? -1 : Math.ceil(left));
  }

  #await(ctl: Int32Array, resolve: (n: number) => void): void {
    const w = this.#waitAsync(ctl, 0, REQUEST);
    if (w.async) w.value.then(() => this.#collect(ctl, resolve));
    else this.#collect(ctl, resolve);
  }

  #collect(ctl: Int32Array, resolve: (n: number) => void): void {
    if (!this.#busy) return; // settled by a worker failure meanwhile
    if (Atomics.load(ctl, 0) !== DONE) return this.#await(ctl, resolve);
    const r = ctl[3];
    Atomics.store(ctl, 0, IDLE);
    this.#idle();
    resolve(r);
  }

  #idle(): void {
    this.#busy = false;
    this.#rejectPending = undefined;
    this.#worker.unref();
  }

  #allocate(records: number): void {
    const sab = new SharedArrayBuffer(HEADER + records * POLLFD_SIZE);
    this.#ctl = new Int32Array(sab, 0, 4);
    this.#recs = new Uint8Array(sab, HEADER);
    this.#worker.postMessage(sab);
  }

  #fail(event: { message?: string; error?: unknown }): void {
    const cause = event.error ?? event.message;
    this.#failure = new Error(`pollAsync worker failed: ${event.message ?? String(cause)}`, {
      cause,
    });
    this.#settleReady(this.#failure);
    const reject = this.#rejectPending;
    this.#idle();
    reject?.(this.#failure);
  }
}
