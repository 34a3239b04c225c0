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
}
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
  #failure: Error | undefined;
  #rejectPending: ((e: unknown) => void) | undefined;

  /** Starts the worker (unref'd) with room for 64 records. */
  constructor() {
    const g = globalThis as unknown as {
      Worker: new (url: string) => BunWorker;
      URL: { createObjectURL(blob: Blob): string };
      Atomics: { waitAsync: WaitAsync };
    };
    this.#waitAsync = g.Atomics.waitAsync;
    const url = g.URL.createObjectURL(new Blob([SOURCE], { type: "application/javascript" }));
    this.#worker = new g.Worker(url);
    this.#worker.unref();
    this.#worker.addEventListener("error", (event) => this.#fail(event));
    this.#allocate(64);
  }

  /**
   * Runs `poll` over a copy of the first `nfds` records of `fds` in the
   * worker; resolves with its result. One call at a time.
   */
  poll(fds: Uint8Array, nfds: number, timeoutMs: number): Promise<number> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#busy) return Promise.reject(new Error("pollAsync: a call is already in flight"));
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
    const reject = this.#rejectPending;
    this.#idle();
    reject?.(this.#failure);
  }
}
