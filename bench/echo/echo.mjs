/**
 * The echo benchmark: this library's echo servers (protocol API with a
 * `Protocol` and with a zero-copy `BufferedProtocol`, and streams API, on
 * Deno, Bun and Node) beside a C epoll server, CPython asyncio, uvloop and
 * each runtime's own server, all driven by one C load client. Run by
 * bench/run.mjs; plain Node ESM with no dependencies.
 *
 * Every server is started once, pinned to CPU 0 (`taskset -c 0`), and they
 * wait side by side; the client is pinned to CPU 1. For each message size,
 * REPEATS rounds drive every server in turn for SECONDS (after WARMUP
 * unmeasured seconds) with 10 connections in strict ping-pong, and the
 * median of each figure is kept. The server's CPU time comes from
 * /proc/<pid>/stat (utime+stime, all its threads) over the measured window.
 * Then, in a fresh process per server, the RSS that IDLE idle connections
 * add, per connection.
 *
 * @module
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, statSync } from "node:fs";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const DIR = path.join(ROOT, "bench", "echo");
/** Where the C programs are built (ignored by git; `npm test` wipes build/, not this). */
const OUT = path.join(ROOT, "bench", "out");
const BIN = path.join(ROOT, "node_modules", ".bin");
const PYTHON = "/usr/bin/python3";
const CC = process.env.CC || "cc";

/** The full run: what the issue asks, with the time per run cut to fit 10 minutes. */
export const FULL = {
  sizes: [1024, 10240, 102400],
  seconds: 1.25,
  warmup: 0.25,
  // The first run of each size warms up longer: the JIT runtimes need 2–3 s
  // at a new message size before their figures settle.
  firstWarmup: 1.5,
  repeats: 3,
  conns: 10,
  idle: 10000,
};
/** `--quick`: every server, every size, once, briefly. */
export const QUICK = {
  ...FULL,
  seconds: 0.5,
  warmup: 0.2,
  firstWarmup: undefined,
  repeats: 1,
  idle: 1000,
};
/** `--smoke` (what `npm test` runs): 1 KiB only, half a second. */
export const SMOKE = {
  ...FULL,
  sizes: [1024],
  seconds: 0.5,
  warmup: 0.2,
  firstWarmup: undefined,
  repeats: 1,
  idle: 100,
};

const CLIENT = path.join(OUT, "echo_client");
const CSERVER = path.join(OUT, "echo_server");

/**
 * Every server: `cmd(port)` gives [command, args]; `ours` marks this
 * library's; `runtime` is the host whose native server is its peer.
 */
export const SERVERS = [
  { id: "c", label: "C epoll", cmd: (p) => [CSERVER, [String(p)]] },
  ...["deno", "bun", "node"].flatMap((rt) =>
    ["protocol", "buffered", "streams"].map((api) => ({
      id: `ours-${rt}-${api}`,
      label: `ours ${api}, ${rt[0].toUpperCase()}${rt.slice(1)}`,
      ours: true,
      api,
      runtime: rt,
      // A BufferedProtocol connection holds what a Protocol one holds.
      idle: api !== "buffered",
      cmd: (p) => ourCommand(rt, p, api === "protocol" ? [] : [`--${api}`]),
    }))
  ),
  {
    id: "deno-listen",
    label: "Deno.listen",
    runtime: "deno",
    native: true,
    cmd: (p) => [
      path.join(BIN, "deno"),
      ["run", "-A", "--quiet", "bench/echo/server_deno_listen.ts", String(p)],
    ],
  },
  {
    id: "bun-listen",
    label: "Bun.listen",
    runtime: "bun",
    native: true,
    cmd: (p) => [path.join(BIN, "bun"), ["bench/echo/server_bun_listen.ts", String(p)]],
  },
  {
    id: "node-net",
    label: "Node net",
    runtime: "node",
    native: true,
    cmd: (p) => [process.execPath, ["bench/echo/server_node_net.mjs", String(p)]],
  },
  ...[["asyncio", "CPython asyncio", []], ["uvloop", "uvloop", ["--uvloop"]]].flatMap((
    [id, label, flag],
  ) =>
    ["protocol", "streams"].map((api) => ({
      id: `${id}-${api}`,
      label: `${label} ${api}`,
      python: true,
      api,
      cmd: (p) => [
        PYTHON,
        [
          "bench/echo/server_asyncio.py",
          String(p),
          ...flag,
          ...(api === "streams" ? ["--streams"] : []),
        ],
      ],
    }))
  ),
];

function ourCommand(rt, port, extra) {
  switch (rt) {
    case "deno":
      return [
        path.join(BIN, "deno"),
        ["run", "-A", "--quiet", "bench/echo/server_ours.ts", String(port), ...extra],
      ];
    case "bun":
      return [path.join(BIN, "bun"), ["bench/echo/server_ours.ts", String(port), ...extra]];
    default:
      return [process.execPath, ["build/bench/echo/server_ours.js", String(port), ...extra]];
  }
}

/** The command line as shown in RESULTS.md: repository-relative, `0` for the port. */
export function shownCommand(server) {
  const [cmd, args] = server.cmd(0);
  const c = cmd.startsWith(ROOT + path.sep)
    ? path.relative(ROOT, cmd)
    : cmd === process.execPath
    ? "node"
    : cmd;
  return ["taskset -c 0", c, ...args].join(" ");
}

export function clientCommand(o) {
  return `taskset -c 1 bench/out/echo_client -p PORT -c ${o.conns} -s SIZE -t ${o.seconds} -w ${o.warmup} -P SERVER_PID`;
}

// ---------------------------------------------------------------- setup

function newer(out, ...srcs) {
  if (!existsSync(out)) return false;
  const t = statSync(out).mtimeMs;
  return srcs.every((s) => statSync(s).mtimeMs <= t);
}

/** Builds the C client and server with the system compiler; throws if it cannot. */
export function buildC(log = console.log) {
  mkdirSync(OUT, { recursive: true });
  for (const [out, src] of [[CLIENT, "client.c"], [CSERVER, "server.c"]]) {
    const file = path.join(DIR, src);
    if (newer(out, file)) continue;
    // Built under a private name and renamed: two test processes may build at once.
    const tmp = `${out}.${process.pid}.tmp`;
    const args = ["-O2", "-Wall", "-o", tmp, file];
    log(`$ ${CC} ${["-O2", "-Wall", "-o", out, file].join(" ").replaceAll(ROOT + path.sep, "")}`);
    const r = spawnSync(CC, args, { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`${CC} failed: ${r.error?.message ?? ""}${r.stderr ?? ""}`);
    renameSync(tmp, out);
  }
}

export function hasTaskset() {
  return spawnSync("taskset", ["-c", "0", "true"]).status === 0;
}

// ---------------------------------------------------------------- processes

const children = new Set();
/** Kills every process this module started (their process groups). */
export function killAll() {
  for (const c of children) {
    try {
      process.kill(-c.pid, "SIGKILL");
    } catch {
      // gone already
    }
  }
  children.clear();
}

function env() {
  const e = { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1", DENO_NO_PROMPT: "1" };
  delete e.ASYNCIO_DEBUG;
  delete e.PYTHONASYNCIODEBUG;
  delete e.PYTHONDEVMODE;
  return e;
}

function start(cmd, args, cpu, pinned) {
  // Every process may open as many fds as the hard limit allows (10,000 idle
  // connections; CPython keeps the soft limit, often 1024).
  const inner = pinned ? ["taskset", "-c", String(cpu), cmd, ...args] : [cmd, ...args];
  const [c, a] = ["sh", ["-c", 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"', "sh", ...inner]];
  const child = spawn(c, a, {
    cwd: ROOT,
    env: env(),
    detached: true,
    stdio: ["pipe", "pipe", "pipe"],
  });
  children.add(child);
  child.out = "";
  child.err = "";
  child.exited = new Promise((resolve) => {
    child.on("error", (e) => {
      child.err += String(e);
      resolve(null);
    });
    child.on("close", (code) => {
      children.delete(child);
      resolve(code);
    });
  });
  child.stdout.on("data", (d) => (child.out += d));
  child.stderr.on("data", (d) => (child.err += d));
  return child;
}

function stop(child) {
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    // gone already
  }
  return child.exited;
}

/** Resolves when `child` printed a line matching `re` (the match), or rejects after `ms`. */
function waitFor(child, re, ms) {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const tick = () => {
      const m = re.exec(child.out);
      if (m) return resolve(m);
      if (child.exitCode !== null || Date.now() - t0 > ms) {
        return reject(
          new Error(`no ${re} within ${ms} ms; stderr: ${child.err.trim().slice(-500)}`),
        );
      }
      setTimeout(tick, 20);
    };
    tick();
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Resident set size of `pid` in bytes (VmRSS), or null. */
function rss(pid) {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** The pid of the real server under `taskset` (taskset execs, so it is the same). */
async function startServer(server, pinned) {
  const [cmd, args] = server.cmd(0);
  const child = start(cmd, args, 0, pinned);
  const m = await waitFor(child, /LISTENING (\d+)/, 30_000);
  return { child, port: Number(m[1]) };
}

async function client(args, pinned, ms) {
  const c = start(CLIENT, args, 1, pinned);
  const timer = setTimeout(() => stop(c), ms);
  const code = await c.exited;
  clearTimeout(timer);
  const line = c.out.split("\n").find((l) => l.startsWith("{"));
  if (code !== 0 || !line) throw new Error(`client failed (${code}): ${c.err.trim().slice(-500)}`);
  return JSON.parse(line);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/** Unmeasured seconds before run `i` of a size. */
function warmupOf(o, i) {
  return i === 0 && o.firstWarmup !== undefined ? o.firstWarmup : o.warmup;
}

/** The client's arguments for `seconds` of ping-pong (after `warmup` unmeasured) on `port`. */
function pingPongArgs(port, conns, size, seconds, warmup, pid) {
  const args = ["-p", port, "-c", conns, "-s", size, "-t", seconds, "-w", warmup];
  if (pid !== undefined) args.push("-P", pid);
  return args.map(String);
}

/** One ping-pong run (run `i` of `size`) against a running server. */
async function measureRun(srv, o, size, i, pinned) {
  const warmup = warmupOf(o, i);
  const args = pingPongArgs(srv.port, o.conns, size, o.seconds, warmup, srv.child.pid);
  const r = await client(args, pinned, (o.seconds + warmup) * 1000 + 30_000);
  r.cpu_us_per_msg = r.messages > 0 && r.server_cpu_s >= 0
    ? (r.server_cpu_s * 1e6) / r.messages
    : null;
  return r;
}

/** utime+stime of `pid` in clock ticks, or null. */
function cpuTicks(pid) {
  try {
    // The command name, in parentheses, may hold spaces: fields count from after it.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(f[11]) + Number(f[12]);
  } catch {
    return null;
  }
}

/**
 * Waits (at most `ms`) until none of `others` used CPU for 100 ms. A JIT
 * runtime that has just been driven goes on compiling and collecting on
 * its own threads for a while, on the server core, and that would be
 * charged to the next server's run.
 */
async function settle(others, ms = 5000) {
  const deadline = Date.now() + ms;
  const total = () => others.reduce((a, srv) => a + (cpuTicks(srv.child.pid) ?? 0), 0);
  let before = total();
  while (Date.now() < deadline) {
    await sleep(100);
    const now = total();
    if (now === before) return;
    before = now;
  }
}

/** The medians of a server's runs at one size, as the tables show them. */
function summarize(runs) {
  const pick = (k) => {
    const xs = runs.map((r) => r[k]).filter((x) => typeof x === "number");
    return xs.length ? median(xs) : null;
  };
  return {
    msgs_per_s: pick("msgs_per_s"),
    mb_per_s: pick("mb_per_s"),
    p50_us: pick("p50_us"),
    p99_us: pick("p99_us"),
    cpu_us_per_msg: pick("cpu_us_per_msg"),
    errors: runs.reduce((a, r) => a + r.errors, 0),
    runs: runs.length,
  };
}

function logSize(log, id, size, b) {
  log(
    `  ${id.padEnd(22)} ${String(size).padStart(6)} B  ${fmt(b.msgs_per_s, 0).padStart(8)} msg/s  ${
      fmt(b.mb_per_s, 1).padStart(7)
    } MB/s  p50 ${fmt(b.p50_us, 0)} µs  p99 ${fmt(b.p99_us, 0)} µs  cpu ${
      fmt(b.cpu_us_per_msg, 2)
    } µs/msg${b.errors ? `  ERRORS ${b.errors}` : ""}`,
  );
}

/**
 * RSS per idle connection, on a fresh server process: (RSS with N open -
 * RSS before) / N, after a warm-up.
 */
async function measureIdle(server, o, pinned, log) {
  const { child, port } = await startServer(server, pinned);
  try {
    // Warm the server's code paths first, so the baseline includes them.
    await client(pingPongArgs(port, 10, 1024, 0.3, 0), pinned, 30_000);
    // Then open and close a tenth as many idle connections: the accept
    // path's one-time costs (code pages first touched, compiled code, the
    // allocator's first arenas) belong to the baseline, not to each
    // connection.
    const warm = start(
      CLIENT,
      ["-p", String(port), "-i", String(Math.ceil(o.idle / 10))],
      1,
      pinned,
    );
    try {
      await waitFor(warm, /IDLE \d+/, 120_000);
    } finally {
      warm.stdin.end();
      const t = setTimeout(() => stop(warm), 10_000);
      await warm.exited;
      clearTimeout(t);
    }
    await sleep(300);
    const base = rss(child.pid);
    const c = start(CLIENT, ["-p", String(port), "-i", String(o.idle)], 1, pinned);
    try {
      await waitFor(c, /IDLE \d+/, 120_000);
      await sleep(500);
      const after = rss(child.pid);
      const per = base !== null && after !== null ? (after - base) / o.idle : null;
      log(
        `  ${server.id.padEnd(22)} idle ${o.idle}: ${
          per === null ? "?" : fmtBytes(per)
        } per connection`,
      );
      return { base_rss: base, rss: after, bytes_per_conn: per, conns: o.idle };
    } finally {
      c.stdin.end();
      const t = setTimeout(() => stop(c), 10_000);
      await c.exited;
      clearTimeout(t);
    }
  } finally {
    await stop(child);
  }
}

export function fmt(x, digits) {
  return typeof x === "number" && Number.isFinite(x) ? x.toFixed(digits) : "–";
}

export function fmtBytes(b) {
  if (!(typeof b === "number" && Number.isFinite(b))) return "–";
  if (Math.abs(b) >= 1024 * 1024) return `${(b / 1024 / 1024).toFixed(1)} MB`;
  if (Math.abs(b) >= 1024) return `${(b / 1024).toFixed(1)} KB`;
  return `${b.toFixed(0)} B`;
}

/**
 * Runs the echo benchmark over `servers` (ids; default all) with options
 * `o` (FULL, QUICK or SMOKE). Returns { options, servers: {id: {sizes, idle, error}} }.
 * Never throws for a server that fails: its entry gets `error`.
 */
export async function runEcho(
  { o = FULL, servers = null, log = console.log, beforeEach = null } = {},
) {
  buildC(log);
  const pinned = hasTaskset();
  if (!pinned) log("warning: no taskset; server and client are not pinned");
  const havePython = existsSync(PYTHON) &&
    spawnSync(PYTHON, ["-c", "import uvloop"]).status === 0;
  const list = SERVERS.filter((s) => !servers || servers.includes(s.id));
  const out = { options: o, pinned, servers: {} };
  const entries = new Map(list.map((s) => [s.id, {}]));
  // Every server starts first and waits, idle, in epoll; then each round
  // drives them in turn. This machine is shared, and its speed changes over
  // minutes: run one server after another and a slow minute lands on
  // whichever servers ran in it (one run had every server after Deno's 30-50%
  // slower, C included when measured again). Interleaved, a round's noise
  // falls on all servers alike, and each server keeps its own history: the
  // same process serves 1 KiB, then 10 KiB, then 100 KiB.
  const live = [];
  for (const s of list) {
    const entry = entries.get(s.id);
    if (s.python && !havePython) {
      entry.error = `no ${PYTHON} with uvloop`;
      continue;
    }
    log(`$ ${shownCommand(s)}`);
    try {
      const srv = { s, entry, ...(await startServer(s, pinned)), runs: [] };
      live.push(srv);
      // One unmeasured session first: CPython's asyncio server answers its
      // first client's connections about 5x slower for as long as they
      // last (10,500 against 47,000-78,000 messages/s in later sessions).
      await client(pingPongArgs(srv.port, o.conns, o.sizes[0], 0.3, 0), pinned, 30_000);
    } catch (e) {
      entry.error = e.message;
      log(`  FAILED: ${e.message}`);
    }
  }
  try {
    for (const size of o.sizes) {
      for (const srv of live) srv.runs = [];
      for (let i = 0; i < o.repeats; i++) {
        if (beforeEach) await beforeEach();
        for (const srv of live) {
          if (srv.entry.error) continue;
          await settle(live.filter((x) => x !== srv && !x.entry.error));
          try {
            srv.runs.push(await measureRun(srv, o, size, i, pinned));
          } catch (e) {
            srv.entry.error = e.message;
            log(`  ${srv.s.id}: FAILED: ${e.message}`);
            await stop(srv.child);
          }
        }
      }
      for (const srv of live) {
        if (srv.entry.error || srv.runs.length === 0) continue;
        const b = summarize(srv.runs);
        (srv.entry.sizes ??= {})[size] = b;
        logSize(log, srv.s.id, size, b);
      }
    }
  } finally {
    for (const srv of live) await stop(srv.child);
  }
  // Idle memory needs a process of its own each (its RSS before and after).
  if (o.idle > 0) {
    for (const srv of live) {
      if (srv.entry.error || srv.s.idle === false) continue;
      if (beforeEach) await beforeEach();
      try {
        srv.entry.idle = await measureIdle(srv.s, o, pinned, log);
      } catch (e) {
        srv.entry.error = e.message;
        log(`  ${srv.s.id}: FAILED: ${e.message}`);
      }
    }
  }
  for (const s of list) out.servers[s.id] = entries.get(s.id);
  return out;
}
