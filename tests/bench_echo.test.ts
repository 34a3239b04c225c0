// The echo benchmark's harness, for a moment: `node bench/run.mjs --smoke`
// builds the C client and server, starts the C server and this runtime's
// protocol echo server of ours, measures half a second of 1 KiB ping-pong
// and 100 idle connections, and writes its numbers to a temp file. No
// timing thresholds: only that it ran, measured something and saw no errors.
import { spawn, spawnSync } from "node:child_process";
import process from "node:process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { runtime, skip, test } from "./harness.ts";
import { assert, assertEquals } from "./assert.ts";

interface SizeRow {
  msgs_per_s: number;
  mb_per_s: number;
  p50_us: number;
  p99_us: number;
  cpu_us_per_msg: number | null;
  errors: number;
}

interface Report {
  options: { sizes: number[] };
  servers: Record<
    string,
    { sizes?: Record<string, SizeRow>; idle?: { bytes_per_conn: number }; error?: string }
  >;
}

function runNode(
  args: string[],
  timeoutSec: number,
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    // bench/run.mjs is plain Node, whatever runtime runs this test.
    const child = spawn("node", args, { stdio: ["ignore", "pipe", "pipe"], detached: true });
    let out = "";
    child.stdout!.on("data", (d: Uint8Array) => (out += new TextDecoder().decode(d)));
    child.stderr!.on("data", (d: Uint8Array) => (out += new TextDecoder().decode(d)));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // gone already
      }
    }, timeoutSec * 1000);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

const CC = process.env.CC || "cc";
const haveCc = spawnSync(CC, ["--version"]).status === 0;
const smokeName = "npm run bench -- --smoke: the echo harness measures the C server and ours";

if (!haveCc) skip(smokeName, `no C compiler (${CC}) to build the load client`);
else {test(smokeName, async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "echo-smoke-"));
    try {
      const json = path.join(dir, "echo.json");
      const ours = `ours-${runtime}-protocol`;
      const r = await runNode(
        ["bench/run.mjs", "--smoke", `--servers=c,${ours}`, `--json=${json}`],
        90,
      );
      assertEquals(r.code, 0, r.out);
      const rep = JSON.parse(readFileSync(json, "utf8")) as Report;
      assertEquals(rep.options.sizes, [1024]);
      for (const id of ["c", ours]) {
        const e = rep.servers[id];
        assert(e && !e.error, `${id}: ${e?.error}\n${r.out}`);
        const row = e.sizes!["1024"];
        assert(row.msgs_per_s > 0, `${id} echoed nothing`);
        assertEquals(row.errors, 0, `${id} had connection errors`);
        assert(
          row.p50_us > 0 && row.p99_us >= row.p50_us,
          `${id} latencies ${row.p50_us}/${row.p99_us}`,
        );
        assert(row.cpu_us_per_msg !== null && row.cpu_us_per_msg >= 0, `${id} CPU time not read`);
        assertEquals(typeof e.idle?.bytes_per_conn, "number");
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, { timeout: 120, fdCheck: false });}
