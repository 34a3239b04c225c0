/**
 * A CPU profile of this library's protocol echo server under the 1 KiB
 * load: Node and Bun with their own `--cpu-prof` (JS functions, self time),
 * Deno with `perf record` and V8's `--perf-basic-prof` (JS and native
 * symbols, kernel included). Returns the top items, each with its share of
 * the samples, for RESULTS.md.
 *
 * @module
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const BIN = path.join(ROOT, "node_modules", ".bin");
const CLIENT = path.join(ROOT, "bench", "out", "echo_client");
const TOP = Number(process.env.ECHO_PROFILE_TOP || 12);

function waitListening(child, ms) {
  return new Promise((resolve, reject) => {
    let out = "";
    const t = setTimeout(() => reject(new Error("server did not start")), ms);
    child.stdout.on("data", (d) => {
      out += d;
      const m = /LISTENING (\d+)/.exec(out);
      if (m) {
        clearTimeout(t);
        resolve(Number(m[1]));
      }
    });
    child.on("close", () => reject(new Error("server exited early")));
  });
}

function exited(child, ms) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const t = setTimeout(() => {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // gone
      }
    }, ms);
    child.on("close", () => {
      clearTimeout(t);
      resolve();
    });
  });
}

/** Self time per function of a .cpuprofile (Chrome format), as shares of all samples. */
export function topOfCpuProfile(file, n = TOP) {
  const prof = JSON.parse(readFileSync(file, "utf8"));
  const byId = new Map(prof.nodes.map((x) => [x.id, x]));
  const self = new Map();
  let total = 0;
  const add = (node, w) => {
    const f = node.callFrame;
    if (f.functionName === "(idle)") return; // shares of the busy time
    const where = f.url ? `${path.basename(f.url)}:${f.lineNumber + 1}` : "";
    const key = `${f.functionName || "(anonymous)"}${where ? ` ${where}` : ""}`;
    self.set(key, (self.get(key) ?? 0) + w);
    total += w;
  };
  if (Array.isArray(prof.samples) && prof.samples.length) {
    const deltas = prof.timeDeltas ?? [];
    for (let i = 0; i < prof.samples.length; i++) {
      const node = byId.get(prof.samples[i]);
      // Each sample stands for the time until the next one.
      const w = i + 1 < deltas.length ? Math.max(deltas[i + 1], 0) : 1;
      if (node) add(node, w || 1);
    }
  } else {
    for (const node of prof.nodes) if (node.hitCount) add(node, node.hitCount);
  }
  return [...self.entries()]
    .filter(([k]) => k !== "(idle)" && k !== "(root)")
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, w]) => ({ name, pct: (w / total) * 100 }));
}

function perfReport(data, sort) {
  const r = spawnSync(
    "perf",
    ["report", "-i", data, "--stdio", "--no-children", "--sort", sort, "--percent-limit", "0.3"],
    { encoding: "utf8", maxBuffer: 64 << 20 },
  );
  return (r.stdout ?? "").split("\n").filter((l) => /^\s+[\d.]+%/.test(l));
}

/**
 * What a `perf report` says: the share of each object (kernel, libc, the
 * runtime's binary, JIT-compiled JS), then the top user-space symbols.
 */
function topOfPerf(data, n = TOP) {
  const items = [];
  for (const line of perfReport(data, "dso")) {
    const m = /^\s+([\d.]+)%\s+(.*\S)\s*$/.exec(line);
    if (!m) continue;
    const dso = m[2];
    const name = dso === "[kernel.kallsyms]"
      ? "all kernel code (syscalls, TCP, scheduling)"
      : dso.startsWith("[JIT]")
      ? "all JIT-compiled JavaScript"
      : `all of ${path.basename(dso)}`;
    if (Number(m[1]) >= 1) items.push({ name, pct: Number(m[1]) });
  }
  let user = 0;
  for (const line of perfReport(data, "dso,sym")) {
    const m = /^\s+([\d.]+)%\s+(\S+)\s+\[([.kHg])\]\s+(.*)$/.exec(line);
    if (!m || m[3] === "k") continue;
    items.push({ name: `${m[4].trim()} (${path.basename(m[2])})`, pct: Number(m[1]) });
    if (++user >= n) break;
  }
  return items;
}

/**
 * Profiles `ours-<rt>-protocol` for `seconds` of 1 KiB ping-pong on 10
 * connections. Returns { title, how, items } or null when the tools are missing.
 */
export async function profileOurs(rt, { seconds = 3, log = console.log } = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "echo-prof-"));
  const mapsBefore = new Set(readdirSync("/tmp").filter((f) => f.startsWith("perf-")));
  try {
    const exitAfter = seconds + 2;
    let cmd, args, how;
    const perfData = path.join(dir, "perf.data");
    if (rt === "deno") {
      if (spawnSync("perf", ["--version"]).status !== 0) return null;
      cmd = "perf";
      args = [
        "record",
        "-e",
        "cpu-clock",
        "-F",
        "1999",
        "-o",
        perfData,
        "--",
        path.join(BIN, "deno"),
        "run",
        "-A",
        "--quiet",
        "--v8-flags=--perf-basic-prof",
        "bench/echo/server_ours.ts",
        "0",
        `--exit-after=${exitAfter}`,
      ];
      how =
        "`perf record -e cpu-clock` of `deno run -A --v8-flags=--perf-basic-prof bench/echo/server_ours.ts` " +
        `under ${seconds} s of 1 KiB ping-pong on 10 connections; the share of each object, then the top user-space symbols.`;
    } else {
      const exe = rt === "bun" ? path.join(BIN, "bun") : process.execPath;
      const file = rt === "bun" ? "bench/echo/server_ours.ts" : "build/bench/echo/server_ours.js";
      cmd = exe;
      args = ["--cpu-prof", `--cpu-prof-dir=${dir}`, file, "0", `--exit-after=${exitAfter}`];
      how =
        `\`${rt} --cpu-prof ${file}\` under ${seconds} s of 1 KiB ping-pong on 10 connections; ` +
        "self time per JS function (native code and syscalls count toward the function that called them).";
    }
    log(
      `$ taskset -c 0 ${cmd === "perf" ? "perf" : rt} ${
        args.join(" ").replaceAll(ROOT + path.sep, "")
      }`,
    );
    const server = spawn("taskset", ["-c", "0", cmd, ...args], {
      cwd: ROOT,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
    });
    server.stderr.resume();
    const port = await waitListening(server, 30_000);
    spawnSync("taskset", [
      "-c",
      "1",
      CLIENT,
      "-p",
      String(port),
      "-s",
      "1024",
      "-t",
      String(seconds),
      "-w",
      "0",
    ], {
      timeout: (seconds + 30) * 1000,
    });
    await exited(server, (exitAfter + 30) * 1000);
    let items;
    if (rt === "deno") items = topOfPerf(perfData);
    else {
      // One file per thread (Bun profiles its Workers too): the server's is the main thread's.
      const files = readdirSync(dir).filter((x) => x.endsWith(".cpuprofile"));
      const f = files.find((x) =>
        readFileSync(path.join(dir, x), "utf8").includes("server_ours")
      ) ?? files[0];
      if (!f) throw new Error("no .cpuprofile written");
      items = topOfCpuProfile(path.join(dir, f));
    }
    for (const it of items) log(`  ${it.pct.toFixed(1).padStart(5)}%  ${it.name}`);
    return { title: `ours protocol on ${rt[0].toUpperCase()}${rt.slice(1)}`, how, items };
  } finally {
    if (!process.env.ECHO_PROFILE_KEEP) rmSync(dir, { recursive: true, force: true });
    // --perf-basic-prof leaves /tmp/perf-<pid>.map behind: remove the ones
    // this run made, of processes that are gone.
    for (const f of readdirSync("/tmp")) {
      const m = /^perf-(\d+)\.map$/.exec(f);
      if (m && !mapsBefore.has(f) && !existsSync(`/proc/${m[1]}`)) {
        rmSync(`/tmp/${f}`, { force: true });
      }
    }
  }
}
