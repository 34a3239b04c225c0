/**
 * A tour of what runs today: tasks on the loop, timers, an fd watched with
 * addReader, and a host API awaited inside a task while the loop idles.
 *
 * Run: npm run demo   (or: deno run -A examples/demo.ts, bun examples/demo.ts)
 *
 * @module
 */
import * as asyncio from "../mod.ts";
import { C, sys } from "../ffi/mod.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Resolves with the next chunk readable from `fd`, through the loop's selector. */
function readOnce(fd: number): Promise<string> {
  const loop = asyncio.getRunningLoop();
  const fut = loop.createFuture<string>();
  loop.addReader(fd, () => {
    loop.removeReader(fd);
    const buf = new Uint8Array(256);
    const n = sys().read(fd, buf);
    fut.setResult(dec.decode(buf.subarray(0, n)));
  });
  return fut as unknown as Promise<string>;
}

async function ticker(name: string, every: number, times: number): Promise<string> {
  for (let i = 1; i <= times; i++) {
    await asyncio.sleep(every);
    console.log(`  ${name}: tick ${i} at +${elapsed()} s`);
  }
  return `${name} done`;
}

let start = 0;
const elapsed = () => (asyncio.getRunningLoop().time() - start).toFixed(2);

await asyncio.run(async () => {
  const loop = asyncio.getRunningLoop();
  start = loop.time();
  console.log(`loop: ${loop}`);

  console.log("1. two tasks interleave on the loop's timers");
  const a = asyncio.createTask(() => ticker("fast", 0.1, 3), { name: "fast" });
  const b = asyncio.createTask(() => ticker("slow", 0.15, 2), { name: "slow" });
  console.log("  results:", await Promise.all([a, b]));

  console.log("2. a pipe watched by the selector, written by a host timer");
  const fds = sys().pipe2(C.O_NONBLOCK | C.O_CLOEXEC);
  if (typeof fds === "number") throw new asyncio.OSError(-fds);
  const [r, w] = fds;
  setTimeout(() => sys().write(w, enc.encode("hello through epoll")), 50);
  console.log(`  read: ${JSON.stringify(await readOnce(r))} at +${elapsed()} s`);
  sys().close(r);
  sys().close(w);

  console.log("3. a host promise inside a task, while the loop idles");
  const host = await new Promise<string>((res) => setTimeout(() => res("host timer fired"), 50));
  console.log(`  ${host} at +${elapsed()} s, task ${asyncio.currentTask()?.getName()}`);

  console.log("4. cancellation reaches the innermost await");
  const sleeper = asyncio.createTask(async () => {
    try {
      await asyncio.sleep(60);
    } catch (e) {
      console.log(`  sleeper got ${(e as Error).name}: ${(e as Error).message}`);
      throw e;
    }
  });
  await asyncio.sleep(0.01);
  sleeper.cancel("demo is over");
  try {
    await sleeper;
  } catch {
    console.log(`  sleeper.cancelled() = ${sleeper.cancelled()}`);
  }
});
console.log("done: the loop is closed and the process exits by itself");
