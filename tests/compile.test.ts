/**
 * `bun build --compile` turns a program that uses the library into one
 * standalone binary: the FFI backend must survive bundling. Compiling takes
 * seconds and ~100 MB, so only the Bun run of this file does it.
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { runtime, skip, test } from "./harness.ts";
import { assertEquals } from "./assert.ts";

const NAME = "bun build --compile of examples/compile_smoke.ts runs";
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Why a spawned process did not succeed, with everything it printed. */
function why(r: SpawnSyncReturns<string>): string {
  return `${r.error ?? r.signal ?? `exit code ${r.status}`}\n${r.stdout}${r.stderr}`;
}

if (runtime !== "bun") {
  skip(NAME, "bun build --compile is exercised once, from the Bun run");
} else if (!existsSync(path.join(root, "mod.ts"))) {
  skip(NAME, "mod.ts not present");
} else {
  // fdCheck off: Bun's first spawnSync opens an epoll fd and an eventfd that it
  // keeps for good. They are Bun's, not a leak of ours.
  test(NAME, () => {
    const dir = mkdtempSync(path.join(tmpdir(), "asyncio-compile-"));
    try {
      const bin = path.join(dir, "smoke");
      // spawnSync blocks the loop, so the harness timer cannot fire: these
      // timeouts keep the whole test under the 120 s below.
      const build = spawnSync(
        process.execPath, // the bun binary running this file
        ["build", "--compile", "--outfile", bin, "examples/compile_smoke.ts"],
        { cwd: root, encoding: "utf8", timeout: 90_000 },
      );
      assertEquals(build.status, 0, `bun build --compile failed: ${why(build)}`);
      const run = spawnSync(bin, [], { cwd: dir, encoding: "utf8", timeout: 20_000 });
      assertEquals(run.status, 0, `the compiled binary failed: ${why(run)}`);
      // The loop idled off-thread (a Worker inside the binary), read the pipe, and finished.
      assertEquals(run.stdout.trimEnd().split("\n"), ["read 3 bytes", "compiled ok"], why(run));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, { timeout: 120, fdCheck: false });
}
