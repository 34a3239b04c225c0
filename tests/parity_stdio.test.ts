// A child started with stdin/stdout/stderr left as null inherits this
// process's fds 0-2, as Python's does, on every runtime. Node marks its own
// stdio close-on-exec, so there a plain posix_spawn gave the child none of
// them: `cat` with stdout=None failed with status 1 and printed nothing.
// The Node backend now clears that flag on fds 0-2 when it loads.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { existsSync } from "node:fs";
import * as asyncio from "../mod.ts";

const dec = new TextDecoder();

test("a child inherits the fds 0-2 that are left unset", async () => {
  await asyncio.run(async () => {
    // Which of the child's fds 0 and 2 are open, seen from inside it; its
    // fd 1 is the pipe. Only fds open here can be inherited.
    const p = await asyncio.createSubprocessExec(
      "sh",
      "-c",
      'for f in 0 2; do [ -e /proc/$$/fd/$f ] && printf "%s " $f; done; exit 0',
      { stdout: asyncio.subprocess.PIPE },
    );
    const [out] = await asyncio.waitFor(p.communicate(), 10);
    const want = [0, 2].filter((fd) => existsSync(`/proc/self/fd/${fd}`)).map((fd) => `${fd} `);
    assertEquals(dec.decode(out!), want.join(""));
    assertEquals(p.returncode, 0);
  });
}, { timeout: 20 });

test("a child writes to an inherited stdout (cat with stdout=None)", async () => {
  await asyncio.run(async () => {
    // The child's stdout is ours: cat copies nothing to it, but fails with
    // status 1 ("standard output: Bad file descriptor") when it is closed.
    const p = await asyncio.createSubprocessExec("cat", { stdin: asyncio.subprocess.PIPE });
    p.stdin!.close();
    assertEquals(await asyncio.waitFor(p.wait(), 10), existsSync("/proc/self/fd/1") ? 0 : 1);
  });
}, { timeout: 20 });
