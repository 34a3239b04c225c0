// 1,000 concurrent clients on one echo server (streams), all connected at
// once before any sends, each checking its own bytes. Runs in a child under
// `ulimit -n 4096` (2,000+ sockets need more than a default soft limit of
// 1,024); a limit that cannot be raised is printed as the reason the test
// does not run.
import { spawn } from "node:child_process";
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { scriptCommand } from "./util.ts";

const N = 1000;

test(
  `${N} concurrent clients against one server, every byte echoed to its own client`,
  async () => {
    const [cmd, args] = scriptCommand("tests/fixtures/echo_many.ts");
    // Raise the soft limit to 4096 if the hard limit allows; else keep it (the child says so).
    const sh =
      'ulimit -n 4096 2>/dev/null || echo "ulimit -n 4096 failed: $(ulimit -Hn) hard" >&2; exec "$@"';
    const child = spawn("sh", ["-c", sh, "sh", cmd, ...args, String(N)], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "", err = "";
    child.stdout!.on("data", (d: Uint8Array) => (out += new TextDecoder().decode(d)));
    child.stderr!.on("data", (d: Uint8Array) => (err += new TextDecoder().decode(d)));
    const killer = setTimeout(() => child.kill("SIGKILL"), 100_000);
    const code = await new Promise<number | null>((r) => child.on("close", (c) => r(c)));
    clearTimeout(killer);
    await new Promise((r) => setTimeout(r, 20)); // Bun closes child stdio late
    assertEquals(code, 0, `exit ${code}\n${out}\n${err}`);
    const r = JSON.parse(out.trim().split("\n").pop()!);
    if (r.skip) {
      console.log(`SKIP - ${N} concurrent clients: ${r.skip}`);
      return;
    }
    assertEquals(r.failed, 0, JSON.stringify(r.errors));
    assertEquals(r.n, N);
    // All N were open on the server at the same moment.
    assertEquals(r.peak, N);
    // No fd opened by the round is left (a warm-up round ran before "before").
    assertEquals(r.leaked, [], `fds: ${r.fdsBefore} before, ${r.fdsAfter} after`);
  },
  { timeout: 120, fdCheck: false },
);
