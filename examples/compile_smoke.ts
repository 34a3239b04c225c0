/**
 * A small program for `bun build --compile`: runs a loop that idles in the
 * off-thread wait (a Worker on Bun), watches a pipe and runs a task, then
 * prints "compiled ok". tests/compile.test.ts builds and runs it.
 *
 * @module
 */
import * as asyncio from "../mod.ts";
import { C, sys } from "../ffi/mod.ts";

await asyncio.run(async () => {
  const loop = asyncio.getRunningLoop();
  const fds = sys().pipe2(C.O_NONBLOCK | C.O_CLOEXEC);
  if (typeof fds === "number") throw new asyncio.OSError(-fds);
  const [r, w] = fds;
  const got = loop.createFuture<number>();
  loop.addReader(r, () => {
    loop.removeReader(r);
    got.setResult(sys().read(r, new Uint8Array(8)));
  });
  setTimeout(() => sys().write(w, new Uint8Array([1, 2, 3])), 20);
  const n = await got;
  await asyncio.sleep(0.01);
  sys().close(r);
  sys().close(w);
  console.log(`read ${n} bytes`);
});
console.log("compiled ok");
