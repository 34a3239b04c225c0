/**
 * The program a {@link ProcessPoolExecutor} child runs (started by the pool,
 * never imported): it reads jobs from its stdin and writes replies to its
 * original stdout, one at a time, with the same job code as the thread pool's
 * workers (`WORKER_SOURCE`), so a function behaves the same in a thread and
 * in a process.
 *
 * Its stdout is moved to another fd first and fd 1 is pointed at the
 * parent's stdout (handed on as fd 3 on Node and Bun) or else at stderr,
 * so that what the submitted functions print (`console.log`) goes where a
 * Python pool child's print() goes, and never into the replies. Between jobs it waits for its
 * stdin off the main thread (`pollAsync`), so host timers keep running. At
 * EOF on stdin (the pool shut down, or the parent died) it exits.
 *
 * Wire format, both ways: a little-endian u32 length, then that many bytes
 * of `node:v8` serialization (the structured clone algorithm).
 *
 * @module
 */
import v8 from "node:v8";
import process from "node:process";
import { Buffer } from "node:buffer";
import { C, sys } from "../ffi/mod.ts";
import { WORKER_SOURCE } from "./executor_worker.ts";
import { encodeFrame, FrameReader } from "./process_frames.ts";

const F_DUPFD = 0;
const F_DUPFD_CLOEXEC = 1030;
const EAGAIN = 11;
const EINTR = 4;

const s = sys();
// The parent's stdout, when it could hand it on (as fd 3, on Node and Bun).
const outFd = Number(process.env.ASYNCIO_POOL_STDOUT_FD || -1);
delete process.env.ASYNCIO_POOL_STDOUT_FD;
const replyFd = s.fcntl(1, F_DUPFD_CLOEXEC, Math.max(3, outFd + 1));
if (replyFd < 0) throw new Error(`cannot move stdout: errno ${-replyFd}`);
s.close(1);
if (outFd >= 0 && s.fcntl(outFd, F_DUPFD, 1) === 1) s.close(outFd);
else s.fcntl(2, F_DUPFD, 1);

function writeAll(bytes: Uint8Array): void {
  const pfd = new Uint8Array(8);
  const view = new DataView(pfd.buffer);
  while (bytes.length > 0) {
    const n = s.write(replyFd, bytes);
    if (n >= 0) {
      bytes = bytes.subarray(n);
      continue;
    }
    if (n !== -EAGAIN && n !== -EINTR) throw new Error(`reply write failed: errno ${-n}`);
    // A non-blocking pipe from the host: wait until it takes more.
    view.setInt32(0, replyFd, true);
    view.setInt16(4, C.POLLOUT, true);
    s.poll(pfd, 1, -1);
  }
}

let onJob: ((msg: unknown) => void) | null = null;
let replied: (() => void) | null = null;
const port = {
  postMessage(m: unknown): void {
    // Throws synchronously for a value that cannot be cloned; the job code
    // catches that and replies with the error instead.
    const frame = encodeFrame(v8.serialize(m));
    writeAll(frame);
    replied?.();
  },
  onMessage(cb: (msg: unknown) => void): void {
    onJob = cb;
  },
};
new Function("workerPort", WORKER_SOURCE)(port);

const pollFd = new Uint8Array(8);
const pollView = new DataView(pollFd.buffer);
const chunk = new Uint8Array(64 * 1024);
const frames = new FrameReader();

/** The next job, or null at EOF. */
async function nextJob(): Promise<unknown> {
  for (;;) {
    const payload = frames.next();
    if (payload !== null) return v8.deserialize(Buffer.from(payload));
    const n = s.read(0, chunk);
    if (n > 0) {
      frames.push(chunk.slice(0, n));
      continue;
    }
    if (n === 0) return null;
    if (n !== -EAGAIN && n !== -EINTR) return null;
    pollView.setInt32(0, 0, true);
    pollView.setInt16(4, C.POLLIN, true);
    pollView.setInt16(6, 0, true);
    await s.pollAsync(pollFd, 1, -1);
  }
}

for (;;) {
  const job = await nextJob();
  if (job === null) break;
  const done = new Promise<void>((r) => (replied = r));
  onJob!(job);
  await done;
}
process.exit(0);
