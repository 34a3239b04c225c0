// Every subprocess test again, with pidfds turned off: children are then
// reaped by the process-wide SIGCHLD + waitpid reaper (lib/child_watcher.ts),
// the documented fallback for kernels without pidfd_open.
import { test } from "./harness.ts";
import { assert } from "./assert.ts";
import { childReaper, pidfdEnabled, setPidfdEnabled } from "../lib/child_watcher.ts";
import * as asyncio from "../mod.ts";
import { createSubprocessExec } from "../lib/subprocess.ts";
import "./subprocess.test.ts";

setPidfdEnabled(false);

test("(this file runs with pidfds off: children are in the reaper)", () =>
  asyncio.run(async () => {
    assert(!pidfdEnabled());
    const p = await createSubprocessExec("sleep", "10");
    assert(childReaper().has(p.pid));
    p.kill();
    await p.wait();
  }));
