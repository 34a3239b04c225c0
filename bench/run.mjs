#!/usr/bin/env node
/**
 * `npm run bench`: runs every benchmark in BENCHES on Deno, Bun and Node
 * (this library) and on CPython asyncio and uvloop (Debian's python3 and
 * python3-uvloop), one process at a time, and prints a Markdown table of
 * callbacks per second with the ratio to uvloop.
 *
 *   node bench/run.mjs                   run and print the table
 *   node bench/run.mjs --write           ... and rewrite bench/RESULTS.md
 *   node bench/run.mjs --only=deno,uvloop   only these runtimes
 *   node bench/run.mjs --scale=0.1 --repeat=1   a quick check (never --write it)
 *   node bench/run.mjs --bench=tasks     only these benchmark files (never --write it)
 *   node bench/run.mjs --quiet-wait=30   wait at most 30 s for idle CPUs per run (default 180)
 *   node bench/run.mjs --micro-only      only the loop/task micro benchmarks
 *   node bench/run.mjs --echo-only       only the echo servers (bench/echo/)
 *   node bench/run.mjs --quick --out=/tmp/b   everything, briefly, written to /tmp/b (a check)
 *   node bench/run.mjs --smoke --json=F  the echo harness for a moment (what `npm test` runs)
 *   node bench/run.mjs --echo-only --servers=c,ours-deno-protocol   only these echo servers
 *   node bench/run.mjs --echo-seconds=5  measured seconds per echo run (default 1.25; the issue says 5)
 *   node bench/run.mjs --profile         profile our protocol echo servers even when targets are met
 *
 * The echo benchmark (bench/echo/echo.mjs) builds its C client and server
 * with the system compiler into bench/out/, and writes its tables into
 * RESULTS.md and its chart into bench/echo.svg.
 *
 * Setup: makes sure /usr/bin/python3 can `import uvloop`, installing
 * python3-uvloop with apt-get when run as root; then builds build/ with tsc
 * for Node. Plain Node ESM with no dependencies.
 *
 * To add benchmarks: write bench/<name>.ts and bench/<name>.py that print
 * one JSON line per benchmark ({"bench", "runtime", "seconds", "per_sec"})
 * and add {name, ts, py} to BENCHES. A benchmark file may leave out a
 * runtime by setting its field to null. A `ts` file may also print rows for
 * "<runtime>-promises" (a bare-Promise baseline): they get columns of their own.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { FULL, killAll, QUICK, runEcho, SERVERS, SMOKE } from "./echo/echo.mjs";
import { checkTargets, echoMarkdown, echoSvg } from "./echo/report.mjs";
import { profileOurs } from "./echo/profile.mjs";

/** How long to wait for idle CPUs before each run; --quiet-wait=S. */
let QUIET_WAIT_MS = 180_000;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const BIN = path.join(ROOT, "node_modules", ".bin");
const PYTHON = "/usr/bin/python3"; // not the pyenv python3 on PATH: it has no uvloop
const RESULTS = path.join(ROOT, "bench", "RESULTS.md");
/** Per benchmark process. */
const TIMEOUT_MS = 15 * 60 * 1000;

/** The benchmark files: `ts` runs on deno/bun/node, `py` on cpython-asyncio/uvloop. */
const BENCHES = [
  {
    name: "loop_callbacks",
    ts: "bench/loop_callbacks.ts",
    py: "bench/loop_callbacks.py",
    roundRepeat: { ts: 3, py: 2 },
  },
  { name: "tasks", ts: "bench/tasks.ts", py: "bench/tasks.py", roundRepeat: { ts: 5, py: 3 } },
];
/**
 * Full runs go over every (benchmark, runtime) process twice, in rounds,
 * with `roundRepeat` measured runs each, and keep the best: a slow minute of
 * this shared machine then spoils one of a runtime's two processes, not all
 * its rows (Node's task rows in one run: round trips 0.236 s, 0.121 s when
 * rerun). A JS process keeps the runs it had alone: the first gathers of a
 * fresh V8 process run at a fraction of their speed while its heap grows
 * (Deno's bare-promise gather: 0.10, 0.07, 0.065 s, then 0.015 s by the
 * fifth), so fewer runs would flatter the ratios to bare promises. CPython
 * has no such warm-up and runs fewer each time, to stay under 10 minutes.
 */
const MICRO_ROUNDS = 2;

/** Column order of the table; `kind` says which file of a benchmark it runs. */
const RUNTIMES = [
  { id: "deno", kind: "ts", label: "Deno" },
  { id: "bun", kind: "ts", label: "Bun" },
  { id: "node", kind: "ts", label: "Node" },
  { id: "cpython-asyncio", kind: "py", label: "CPython asyncio" },
  { id: "uvloop", kind: "py", label: "uvloop" },
];
const BASELINE = "uvloop";

/**
 * Extra columns: a `ts` benchmark may also print rows whose runtime is its
 * own suffixed with "-promises" (the same program on bare Promises, no loop
 * of ours). They are shown after the columns above, only when some were
 * measured, so a table without them is unchanged.
 */
const EXTRA_SUFFIX = "-promises";
const EXTRA_RUNTIMES = RUNTIMES.filter((r) => r.kind === "ts").map((r) => ({
  id: `${r.id}${EXTRA_SUFFIX}`,
  kind: r.kind,
  label: `${r.label} (promises)`,
  of: r.id,
}));

/** What the issue asks for: minimum ratio to uvloop, per benchmark and runtime. */
const TARGETS = [
  { bench: "call_soon_chain_1M", runtime: "deno", ratio: 3 },
  { bench: "call_soon_chain_1M", runtime: "bun", ratio: 3 },
  { bench: "call_soon_chain_1M", runtime: "node", ratio: 1 },
];

/** Everything in RESULTS.md after this line is kept by --write (hand-written notes). */
const NOTES_MARK = "<!-- Everything below this line is kept by `node bench/run.mjs --write`. -->";

// ---------------------------------------------------------------- arguments

let write = false;
let only = null;
let benchOnly = null;
let echoOnly = false;
let microOnly = false;
let quick = false;
let smoke = false;
let serversOnly = null;
let jsonOut = null;
let outDir = null;
let echoSeconds = null;
let forceProfile = false;
const passArgs = []; // handed to every benchmark process
for (const arg of process.argv.slice(2)) {
  if (arg === "--write") write = true;
  else if (arg.startsWith("--only=")) only = arg.slice(7).split(",").filter(Boolean);
  else if (arg.startsWith("--bench=")) benchOnly = arg.slice(8).split(",").filter(Boolean);
  else if (arg.startsWith("--quiet-wait=")) QUIET_WAIT_MS = Number(arg.slice(13)) * 1000;
  else if (arg.startsWith("--scale=") || arg.startsWith("--repeat=")) passArgs.push(arg);
  else if (arg === "--echo-only") echoOnly = true;
  else if (arg === "--micro-only") microOnly = true;
  else if (arg === "--quick") quick = true;
  else if (arg === "--smoke") smoke = echoOnly = true;
  else if (arg === "--profile") forceProfile = true;
  else if (arg.startsWith("--servers=")) serversOnly = arg.slice(10).split(",").filter(Boolean);
  else if (arg.startsWith("--json=")) jsonOut = path.resolve(arg.slice(7));
  else if (arg.startsWith("--out=")) outDir = path.resolve(arg.slice(6));
  else if (arg.startsWith("--echo-seconds=")) echoSeconds = Number(arg.slice(15));
  else if (arg === "-h" || arg === "--help") {
    console.log(
      "usage: node bench/run.mjs [--write | --out=DIR] [--only=deno,bun,node,cpython-asyncio,uvloop] [--bench=NAME,...] [--quiet-wait=S] [--scale=F] [--repeat=N]\n" +
        "       [--micro-only | --echo-only] [--quick | --smoke] [--servers=ID,...] [--echo-seconds=S] [--json=FILE] [--profile]\n" +
        `echo servers: ${SERVERS.map((s) => s.id).join(", ")}`,
    );
    process.exit(0);
  } else {
    console.error(`run.mjs: unknown argument ${arg}`);
    process.exit(2);
  }
}
if (only) {
  for (const r of only) {
    if (!RUNTIMES.some((x) => x.id === r)) {
      console.error(`run.mjs: unknown runtime ${r}`);
      process.exit(2);
    }
  }
}
if (benchOnly) {
  for (const b of benchOnly) {
    if (!BENCHES.some((x) => x.name === b)) {
      console.error(`run.mjs: unknown benchmark ${b}`);
      process.exit(2);
    }
  }
}
if (!(QUIET_WAIT_MS >= 0)) {
  console.error("run.mjs: --quiet-wait must be a number of seconds >= 0");
  process.exit(2);
}
if (write && benchOnly) {
  console.error("run.mjs: --write records every benchmark; drop --bench");
  process.exit(2);
}
if (write && (passArgs.length || quick || smoke || serversOnly || only)) {
  console.error(
    "run.mjs: --write records full runs only; drop --scale/--repeat/--quick/--smoke/--servers/--only (use --out=DIR)",
  );
  process.exit(2);
}
if (write && outDir) {
  console.error("run.mjs: --write writes bench/; --out=DIR writes DIR: give one");
  process.exit(2);
}
if (echoOnly && microOnly) {
  console.error("run.mjs: --echo-only and --micro-only exclude each other");
  process.exit(2);
}
if (serversOnly) {
  for (const id of serversOnly) {
    if (!SERVERS.some((s) => s.id === id)) {
      console.error(`run.mjs: unknown echo server ${id} (${SERVERS.map((s) => s.id).join(", ")})`);
      process.exit(2);
    }
  }
}
if (echoSeconds !== null && !(echoSeconds > 0 && echoSeconds <= 60)) {
  console.error("run.mjs: --echo-seconds must be in (0, 60]");
  process.exit(2);
}
if (quick) passArgs.push("--scale=0.1", "--repeat=1");
/** Where RESULTS.md and echo.svg go, or null for no file. */
const writeDir = write ? path.join(ROOT, "bench") : outDir;
const runtimes = RUNTIMES.filter((r) => !only || only.includes(r.id));

// ---------------------------------------------------------------- setup

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: 600_000, ...opts });
  return { ok: r.status === 0, out: `${r.stdout ?? ""}${r.stderr ?? ""}`.trim() };
}

function hasUvloop() {
  return existsSync(PYTHON) && sh(PYTHON, ["-c", "import uvloop"]).ok;
}

/** Makes sure /usr/bin/python3 and python3-uvloop are installed; false if they cannot be. */
function ensurePython() {
  if (hasUvloop()) return true;
  const pkgs = existsSync(PYTHON) ? ["python3-uvloop"] : ["python3", "python3-uvloop"];
  if (process.getuid?.() !== 0) {
    console.log(
      `warning: ${PYTHON} cannot import uvloop and we are not root to install ${pkgs.join(" ")}`,
    );
    return false;
  }
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  for (
    const args of [["update", "-qq"], ["install", "-y", "-qq", "-o", "Dpkg::Use-Pty=0", ...pkgs]]
  ) {
    console.log(`$ apt-get ${args.join(" ")}`);
    const r = spawnSync("apt-get", args, {
      stdio: ["ignore", "inherit", "inherit"],
      env,
      timeout: 600_000,
    });
    if (r.status !== 0) {
      console.log(`warning: apt-get ${args[0]} failed`);
      return false;
    }
  }
  return hasUvloop();
}

/** Builds build/ for Node. A type error elsewhere still emits; only a missing output is fatal. */
function buildNode() {
  console.log("$ tsc -p tsconfig.json");
  const tsc = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
  const r = sh(process.execPath, [tsc, "-p", "tsconfig.json", "--pretty", "false"], { cwd: ROOT });
  if (!r.ok) {
    console.log("warning: tsc reported errors (the emitted files still run):");
    console.log(r.out.split("\n").slice(0, 20).map((l) => `  ${l}`).join("\n"));
  }
}

function benchEnv() {
  const env = {
    ...process.env,
    NO_COLOR: "1",
    DENO_NO_UPDATE_CHECK: "1",
    DENO_NO_PROMPT: "1",
  };
  // Debug mode would time something else.
  delete env.ASYNCIO_DEBUG;
  delete env.PYTHONASYNCIODEBUG;
  delete env.PYTHONDEVMODE;
  return env;
}

/** [command, args] to run `bench` on `runtime`, or null when the benchmark has no file for it. */
function command(runtime, bench) {
  const file = bench[runtime.kind];
  if (!file) return null;
  switch (runtime.id) {
    case "deno":
      return [path.join(BIN, "deno"), ["run", "-A", "--quiet", file, ...passArgs]];
    case "bun":
      return [path.join(BIN, "bun"), ["run", file, ...passArgs]];
    case "node":
      return [process.execPath, [path.join("build", file.replace(/\.ts$/, ".js")), ...passArgs]];
    case "cpython-asyncio":
      return [PYTHON, [file, ...passArgs]];
    case "uvloop":
      return [PYTHON, [file, "--uvloop", ...passArgs]];
  }
  throw new Error(`no command for ${runtime.id}`);
}

// ---------------------------------------------------------------- quiet machine

/** [busy, total] jiffies of all CPUs from /proc/stat, or null off Linux. */
function cpuTimes() {
  try {
    const f = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(
      Number,
    );
    const idle = f[3] + (f[4] || 0); // idle + iowait
    const total = f.reduce((a, b) => a + b, 0);
    return [total - idle, total];
  } catch {
    return null;
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Fraction of the machine's CPU time busy over `ms` (0..1), or null when unknown. */
async function busyFraction(ms) {
  const a = cpuTimes();
  await sleep(ms);
  const b = cpuTimes();
  if (!a || !b || b[1] === a[1]) return null;
  return (b[0] - a[0]) / (b[1] - a[1]);
}

/**
 * Other processes (a test run on the same 2 cores) make every figure low.
 * Waits up to QUIET_WAIT_MS for the CPUs to be under QUIET_BUSY busy;
 * returns the last busy fraction seen, to be reported.
 */
const QUIET_BUSY = 0.15;
async function waitQuiet() {
  const deadline = Date.now() + QUIET_WAIT_MS;
  let said = false;
  for (;;) {
    const busy = await busyFraction(1000);
    if (busy === null || busy < QUIET_BUSY) return busy;
    if (Date.now() > deadline) {
      console.log(
        `  warning: CPUs still ${(busy * 100).toFixed(0)}% busy with other work; running anyway`,
      );
      return busy;
    }
    if (!said) {
      console.log(`  waiting: CPUs ${(busy * 100).toFixed(0)}% busy with other work`);
      said = true;
    }
    await sleep(2000);
  }
}

// ---------------------------------------------------------------- running

let current = null;
for (const sig of ["SIGINT", "SIGTERM"]) {
  process.on(sig, () => {
    killAll();
    if (current) {
      try {
        process.kill(-current.pid, "SIGKILL");
      } catch {
        // gone already
      }
    }
    process.exit(130);
  });
}

/** Runs one benchmark process; resolves with its JSON lines and output. Never rejects. */
function runOne(cmd, args) {
  return new Promise((resolve) => {
    let out = "";
    let err = "";
    let timedOut = false;
    const child = spawn(cmd, args, {
      cwd: ROOT,
      env: benchEnv(),
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    current = child;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // gone already
      }
    }, TIMEOUT_MS);
    child.stdout.on("data", (c) => (out += c));
    child.stderr.on("data", (c) => (err += c));
    const done = (code, error) => {
      clearTimeout(timer);
      current = null;
      const rows = [];
      for (const line of out.split("\n")) {
        if (!line.startsWith("{")) continue;
        try {
          rows.push(JSON.parse(line));
        } catch {
          // not ours
        }
      }
      resolve({ code, error, timedOut, rows, out, err });
    };
    child.on("error", (e) => done(null, e));
    child.on("close", (code) => done(code, null));
  });
}

// ---------------------------------------------------------------- reporting

function rate(x) {
  if (!(x > 0)) return "–";
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)} M/s`;
  return `${(x / 1e3).toFixed(0)} k/s`;
}

function ratio(r) {
  return r >= 10 ? `${r.toFixed(1)}×` : `${r.toFixed(2)}×`;
}

/** The columns of a table: the runtimes run, then any extra ones measured. */
function columns(results) {
  const seen = new Set();
  for (const byRt of results.values()) for (const id of byRt.keys()) seen.add(id);
  return [
    ...runtimes,
    ...EXTRA_RUNTIMES.filter((x) => seen.has(x.id) && runtimes.some((r) => r.id === x.of)),
  ];
}

/** results: Map bench name -> Map runtime id -> row. */
function table(results) {
  const cols = columns(results);
  const head = `| benchmark | ${cols.map((c) => c.label).join(" | ")} |`;
  const sep = `|---|${cols.map(() => "---:").join("|")}|`;
  const lines = [head, sep];
  for (const [bench, byRt] of results) {
    const base = byRt.get(BASELINE)?.per_sec;
    const cells = cols.map((c) => {
      const row = byRt.get(c.id);
      if (!row) return "–";
      const vs = base && c.id !== BASELINE ? ` (${ratio(row.per_sec / base)})` : "";
      return `${rate(row.per_sec)}${vs}`;
    });
    lines.push(`| ${bench} | ${cells.join(" | ")} |`);
  }
  return lines.join("\n");
}

function secondsTable(results) {
  const cols = columns(results);
  const lines = [
    `| benchmark | ${cols.map((c) => c.label).join(" | ")} |`,
    `|---|${cols.map(() => "---:").join("|")}|`,
  ];
  for (const [bench, byRt] of results) {
    const cells = cols.map((c) => {
      const row = byRt.get(c.id);
      return row ? `${row.seconds.toFixed(3)} s` : "–";
    });
    lines.push(`| ${bench} | ${cells.join(" | ")} |`);
  }
  return lines.join("\n");
}

/** One line per target: met or not, with the measured ratio. */
function targetLines(results) {
  const out = [];
  for (const t of TARGETS) {
    const byRt = results.get(t.bench);
    if (!byRt && benchOnly) continue; // its benchmark was not asked for
    const row = byRt?.get(t.runtime);
    const base = byRt?.get(BASELINE);
    const label = RUNTIMES.find((r) => r.id === t.runtime)?.label ?? t.runtime;
    const want = t.ratio === 1 ? "faster than uvloop" : `at least ${t.ratio}× uvloop`;
    if (!row || !base) {
      out.push(`- ${label}, ${t.bench}: target ${want}; not measured.`);
      continue;
    }
    const r = row.per_sec / base.per_sec;
    const verdict = r >= t.ratio ? "**met**" : "**not met**";
    let gap = "";
    if (r < t.ratio) {
      // Per-callback time now, and what the target allows.
      const now = 1e9 / row.per_sec;
      const allowed = 1e9 / (base.per_sec * t.ratio);
      gap = ` (${now.toFixed(0)} ns per callback now; the target needs ≤ ${allowed.toFixed(0)} ns)`;
    }
    out.push(`- ${label}, ${t.bench}: ${ratio(r)} uvloop, target ${want}: ${verdict}${gap}.`);
  }
  return out;
}

function firstLine(cmd, args) {
  const r = sh(cmd, args);
  return r.ok ? r.out.split("\n")[0].trim() : "unavailable";
}

function versions() {
  const py = firstLine(PYTHON, ["--version"]);
  const uv = firstLine(PYTHON, ["-c", "import uvloop; print(uvloop.__version__)"]);
  return [
    `Deno: ${firstLine(path.join(BIN, "deno"), ["--version"])}`,
    `Bun: ${firstLine(path.join(BIN, "bun"), ["--version"])}`,
    `Node: ${process.version}`,
    `CPython: ${py} (${PYTHON})`,
    `uvloop: ${uv} (Debian python3-uvloop)`,
  ];
}

/**
 * What one syscall costs here, from CPython (an `os.getpid()` loop minus an
 * empty loop): uvloop and CPython asyncio make one `epoll_wait` per loop
 * iteration, so it bounds their chain figure. Microseconds, or null.
 */
function syscallMicros() {
  const code = [
    "import os, time",
    "n = 200000",
    "best = []",
    "for _ in range(3):",
    "    t = time.perf_counter()",
    "    for _ in range(n): os.getpid()",
    "    a = time.perf_counter() - t",
    "    t = time.perf_counter()",
    "    for _ in range(n): pass",
    "    best.append((a - (time.perf_counter() - t)) / n * 1e6)",
    "print(min(best))",
  ].join("\n");
  const r = sh(PYTHON, ["-c", code]);
  const x = Number(r.out);
  return r.ok && x > 0 ? x : null;
}

function machine() {
  let cpu = "unknown";
  try {
    const m = /^model name\s*:\s*(.*)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"));
    if (m) cpu = m[1].trim();
  } catch {
    // not Linux
  }
  let distro = "";
  try {
    const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync("/etc/os-release", "utf8"));
    if (m) distro = m[1];
  } catch {
    // no os-release
  }
  return {
    nproc: os.availableParallelism?.() ?? os.cpus().length,
    cpu,
    kernel: `${os.type()} ${os.release()} ${os.arch()}`,
    distro,
  };
}

function keptNotes() {
  // The notes always come from the repository's RESULTS.md, wherever this run writes.
  if (!existsSync(RESULTS)) return "";
  const text = readFileSync(RESULTS, "utf8");
  const i = text.indexOf(NOTES_MARK);
  return i < 0 ? "" : text.slice(i + NOTES_MARK.length).replace(/^\n+/, "");
}

function writeResults(results, echo, profiles, loadBefore, busyBefore) {
  const m = machine();
  const syscall = existsSync(PYTHON) ? syscallMicros() : null;
  const date = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const md = [
    "# Benchmark results",
    "",
    "Written by `node bench/run.mjs --write` (`npm run bench -- --write`); the notes at the end are kept",
    "from one run to the next.",
    "",
    `- Date: ${date}`,
    `- Machine: ${m.nproc} cores, ${m.cpu}, ${m.kernel}${m.distro ? `, ${m.distro}` : ""}`,
    `- Load average before the run: ${
      loadBefore.map((x) => x.toFixed(2)).join(", ")
    }; CPU busy with` +
    ` other work in the second before each benchmark process: at most ${
      busyBefore.length ? `${(Math.max(...busyBefore) * 100).toFixed(0)}%` : "unknown"
    }`,
    `- One syscall (\`os.getpid()\` from CPython, interpreter overhead subtracted): ${
      syscall === null ? "unknown" : `${syscall.toFixed(2)} µs`
    }`,
    ...versions().map((v) => `- ${v}`),
    "",
    "## Command",
    "",
    "```sh",
    `node bench/run.mjs ${write ? "--write" : process.argv.slice(2).join(" ")}`,
    "```",
    "",
    ...(echo ? [echoMarkdown(echo, profiles), ""] : []),
    "## Loop and task micro benchmarks",
    "",
    ...(results.size ? [] : ["Not run this time.", ""]),
    "One process at a time (the machine has 2 cores), in two rounds over every benchmark file and",
    "runtime, so that a slow minute of this shared machine spoils one of a runtime's two processes",
    "rather than all its rows. In each process every benchmark is warmed up once with a smaller run",
    "(50,000 callbacks; 10,000 timers, tasks or round trips; 50,000 queue items), then run 3 times",
    "(the task benchmarks: 5 times, as the JIT runtimes are still warming up at the third; CPython 2",
    "and 3 times), each on a fresh loop that is closed afterwards; the table shows the **best run** of",
    "both rounds. Figures are callbacks (tasks,",
    "round trips, items) per second; in brackets, the ratio to uvloop (higher is better).",
    "",
    "- `call_soon_batch_1M`: 1,000,000 `callSoon` callbacks scheduled at once (each increments a",
    "  counter, the last stops the loop); timed from the first `callSoon` to `runForever()` resolving.",
    "- `call_soon_chain_1M`: one callback that schedules itself with `callSoon` until it has run",
    "  1,000,000 times; one callback per loop iteration.",
    "- `call_later_100k`: 100,000 `callLater` timers with delays in [0, 0.1) s from a seeded PRNG",
    "  (mulberry32, the same delays in every runtime); wall time from the first `callLater` until",
    "  all have fired, so it can never be under 0.1 s: this one measures overhead on top of the",
    "  delays, and near 1 M/s all runtimes are bounded by the 0.1 s.",
    "",
    "## Callbacks per second",
    "",
    table(results),
    "",
    "## Best time (seconds)",
    "",
    secondsTable(results),
    "",
    "## Against the targets",
    "",
    "The issue's targets for the chain: at least 3× uvloop on Deno and Bun, faster than uvloop on",
    "Node.",
    "",
    ...targetLines(results),
    "",
    "These chains run with no fd registered, where this library's loop skips the I/O poll that uvloop",
    "and CPython make on every iteration; see the notes for what happens with one fd watched.",
    "",
    NOTES_MARK,
    "",
    keptNotes() || "## Notes\n\n(none yet)\n",
  ].join("\n");
  mkdirSync(writeDir, { recursive: true });
  const file = path.join(writeDir, "RESULTS.md");
  writeFileSync(file, md.endsWith("\n") ? md : `${md}\n`);
  // The repository's Markdown is `deno fmt`-formatted (aligned tables, 100 columns).
  sh(path.join(BIN, "deno"), ["fmt", "--quiet", "--line-width=100", file], { cwd: ROOT });
  console.log(`wrote ${file}`);
  if (echo) {
    const svg = path.join(writeDir, "echo.svg");
    writeFileSync(svg, echoSvg(echo));
    // Formatted like the rest of the repository, so `deno fmt --check` stays clean.
    sh(path.join(BIN, "deno"), ["fmt", "--quiet", "--line-width=100", svg], { cwd: ROOT });
    console.log(`wrote ${svg}`);
  }
}

// ---------------------------------------------------------------- main

async function main() {
  const t0 = Date.now();
  const loadBefore = os.loadavg();
  if (loadBefore[0] > 0.5) {
    console.log(
      `warning: load average ${
        loadBefore[0].toFixed(2)
      }: something else is running; figures will be low`,
    );
  }
  const echoServers = echoOnly || !microOnly
    ? SERVERS.filter((s) =>
      (!serversOnly || serversOnly.includes(s.id)) &&
      (!only || !s.runtime || only.includes(s.runtime))
    ).map((s) => s.id)
    : [];
  const wantPy = (!echoOnly && runtimes.some((r) => r.kind === "py")) ||
    echoServers.some((id) => SERVERS.find((s) => s.id === id).python);
  const pyOk = wantPy ? ensurePython() : true;
  const nodeBuilt = () => existsSync(path.join(ROOT, "build", "bench", "echo", "server_ours.js"));
  const wantNode = (!echoOnly && runtimes.some((r) => r.id === "node")) ||
    echoServers.some((id) => id.startsWith("ours-node"));
  // A smoke run (inside `npm test`) uses the build the tests made.
  if (wantNode && !(smoke && nodeBuilt())) buildNode();

  /** bench name -> runtime id -> row, in the order first seen. */
  const results = new Map();
  const busyBefore = [];
  const failures = [];
  // An explicit --repeat (or --quick) asks for one process each, as given.
  const benches = BENCHES.filter((b) => !echoOnly && (!benchOnly || benchOnly.includes(b.name)));
  const rounds = passArgs.some((a) => a.startsWith("--repeat=")) ? 1 : MICRO_ROUNDS;
  for (let round = 0; round < rounds && benches.length; round++) {
    if (rounds > 1) console.log(`round ${round + 1} of ${rounds}`);
    for (const bench of benches) {
      for (const rt of runtimes) {
        const c = command(rt, bench);
        if (!c) continue;
        if (rt.kind === "py" && !pyOk) {
          if (round === 0) failures.push(`${bench.name} on ${rt.id}: no ${PYTHON} with uvloop`);
          continue;
        }
        const [cmd, baseArgs] = c;
        const args = rounds > 1
          ? [...baseArgs, `--repeat=${bench.roundRepeat[rt.kind]}`]
          : baseArgs;
        if (rt.id === "node" && !existsSync(path.join(ROOT, args[0]))) buildNode(); // a test run wiped build/
        const shown = cmd.startsWith(ROOT + path.sep)
          ? path.relative(ROOT, cmd)
          : path.basename(cmd);
        console.log(`$ ${[shown, ...args].join(" ")}`);
        const busy = await waitQuiet();
        if (busy !== null) busyBefore.push(busy);
        const started = Date.now();
        const r = await runOne(cmd, args);
        for (const row of r.rows) {
          // A "<runtime>-promises" row is the bare-Promise baseline of this runtime.
          const id = row.runtime === `${rt.id}${EXTRA_SUFFIX}` ? row.runtime : rt.id;
          const extra = id === rt.id ? "" : `  (${id})`;
          console.log(
            `  ${row.bench.padEnd(22)} ${rate(row.per_sec).padStart(11)}  best ${
              row.seconds.toFixed(3)
            } s${extra}`,
          );
          if (!results.has(row.bench)) results.set(row.bench, new Map());
          const prev = results.get(row.bench).get(id);
          // The best over the rounds, with every run kept.
          const runs = [...(prev?.runs ?? []), ...(row.runs ?? [])];
          const best = prev === undefined || row.seconds < prev.seconds ? row : prev;
          results.get(row.bench).set(id, { ...best, runs });
        }
        const secs = ((Date.now() - started) / 1000).toFixed(1);
        if (r.error || r.timedOut || r.code !== 0) {
          const why = r.error ? r.error.message : r.timedOut ? "timed out" : `exit code ${r.code}`;
          failures.push(`${bench.name} on ${rt.id}: ${why}`);
          console.log(`  FAILED (${why}) after ${secs} s`);
          const tail = `${r.out}${r.err}`.trim().split("\n").slice(-20);
          for (const l of tail) console.log(`  | ${l}`);
        } else if (r.err.trim()) {
          for (const l of r.err.trim().split("\n").slice(-10)) console.log(`  stderr: ${l}`);
        }
      }
    }
  }

  let echo = null;
  const profiles = [];
  if (echoServers.length) {
    const base = smoke ? SMOKE : quick ? QUICK : FULL;
    const o = echoSeconds ? { ...base, seconds: echoSeconds } : base;
    console.log(
      `\necho servers: ${
        o.sizes.join(", ")
      } B, ${o.repeats}× ${o.seconds} s, ${o.conns} connections`,
    );
    try {
      echo = await runEcho({
        o,
        servers: echoServers,
        beforeEach: smoke ? null : async () => {
          const busy = await waitQuiet();
          if (busy !== null) busyBefore.push(busy);
        },
      });
    } catch (e) {
      failures.push(`echo: ${e.message}`);
      console.log(`  FAILED: ${e.message}`);
    }
    if (echo) {
      for (const [id, e] of Object.entries(echo.servers)) {
        if (e.error) failures.push(`echo ${id}: ${e.error.split("\n")[0]}`);
        for (const [size, r] of Object.entries(e.sizes ?? {})) {
          if (r.errors) failures.push(`echo ${id} ${size} B: ${r.errors} connection errors`);
        }
      }
      const targets = checkTargets(echo);
      if (targets.length) console.log("");
      for (const t of targets) {
        console.log(`${t.met ? "met    " : "MISSED "} ${t.text}${t.gap ? ` (${t.gap})` : ""}`);
      }
      // A missed target gets a profile of our protocol server on each runtime.
      if (!smoke && (forceProfile || targets.some((t) => !t.met))) {
        for (const rt of ["deno", "bun", "node"]) {
          if (!echoServers.includes(`ours-${rt}-protocol`)) continue;
          try {
            const p = await profileOurs(rt, { seconds: quick ? 1 : 3, log: console.log });
            if (p) profiles.push(p);
          } catch (e) {
            console.log(`  profile on ${rt} failed: ${e.message}`);
          }
        }
      }
      if (jsonOut) {
        mkdirSync(path.dirname(jsonOut), { recursive: true });
        writeFileSync(jsonOut, JSON.stringify({ ...echo, targets, profiles }, null, 1));
        console.log(`wrote ${jsonOut}`);
      }
    }
  }

  if (results.size) {
    console.log("");
    console.log(table(results));
    console.log("");
    for (const l of targetLines(results)) console.log(l);
  }
  if (failures.length) {
    console.log(`\nfailed:\n${failures.map((f) => `  ${f}`).join("\n")}`);
  }
  console.log(`\ntotal: ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  if (writeDir) {
    if (failures.length && write) {
      console.log("not writing bench/RESULTS.md: some runs failed");
      process.exit(1);
    }
    writeResults(results, echo, profiles, loadBefore, busyBefore);
  }
  process.exit(failures.length ? 1 : 0);
}

await main();
