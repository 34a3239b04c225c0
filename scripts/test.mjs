#!/usr/bin/env node
/**
 * `npm test`: runs every tests/*.test.ts on Deno, Bun and Node and sums the
 * `##RESULT` lines that tests/harness.ts prints.
 *
 *   npm test                      everything
 *   npm test -- ffi loop          only files whose name contains "ffi" or "loop"
 *   npm test -- --runtime=deno    only Deno (repeat or comma-separate for more)
 *   npm test -- --timeout=60      per-process bound in seconds (default 180,
 *                                 or ASYNCIO_TEST_TIMEOUT)
 *
 * Plain Node ESM with no dependencies, so it runs on a fresh `npm ci`.
 * Node runs the tsc build in build/ (a tsc error counts as one failed test;
 * the emitted files still run). At most two processes at once, each in its
 * own process group and bounded in time. Only FAIL/skip lines are echoed,
 * unless a process died without its ##RESULT line: then all of its output.
 * The last line it prints is `N passed, N failed` (`, N skipped` when any
 * were), which CI reads; it exits 1 if anything failed or nothing but skips ran.
 */
import { spawn, spawnSync } from "node:child_process";
import { accessSync, constants, existsSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const BIN = path.join(ROOT, "node_modules", ".bin");
const RUNTIMES = ["deno", "bun", "node"];
// Two cores: a third process would only make the timing-sensitive tests flaky.
const PARALLEL = 2;

// Debian packages the tests use as peers (servers and clients to talk to).
const PEERS = [
  ["socat", "socat"],
  ["nc", "netcat-openbsd"],
  ["curl", "curl"],
  ["openssl", "openssl"],
  ["/usr/bin/python3", "python3"],
];

// ---------------------------------------------------------------- arguments

function usage(msg) {
  if (msg) console.log(`test.mjs: ${msg}`);
  console.log("usage: npm test -- [WORD...] [--runtime=deno,bun,node] [--timeout=SECONDS]");
}

const words = [];
let runtimes = [];
let timeoutSec = Number(process.env.ASYNCIO_TEST_TIMEOUT || 180);
for (const arg of process.argv.slice(2)) {
  if (arg === "-h" || arg === "--help") {
    usage();
    process.exit(0);
  } else if (arg.startsWith("--runtime=")) {
    runtimes.push(...arg.slice("--runtime=".length).split(",").filter(Boolean));
  } else if (arg.startsWith("--timeout=")) {
    timeoutSec = Number(arg.slice("--timeout=".length));
  } else if (arg.startsWith("-")) {
    usage(`unknown option ${arg}`);
    process.exit(1);
  } else {
    words.push(arg);
  }
}
for (const r of runtimes) {
  if (!RUNTIMES.includes(r)) {
    usage(`unknown runtime ${r}`);
    process.exit(1);
  }
}
if (!runtimes.length) runtimes = RUNTIMES;
runtimes = RUNTIMES.filter((r) => runtimes.includes(r)); // fixed order, no repeats
if (!(timeoutSec > 0)) {
  usage("--timeout must be a positive number of seconds");
  process.exit(1);
}

// ---------------------------------------------------------------- peers

function isExecutable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function hasCommand(cmd) {
  if (cmd.includes("/")) return isExecutable(cmd);
  return (process.env.PATH ?? "").split(":").some((dir) =>
    dir && isExecutable(path.join(dir, cmd))
  );
}

/** Installs the missing peer packages when we can; never fails the run. */
function ensurePeers() {
  const absent = PEERS.filter(([cmd]) => !hasCommand(cmd));
  if (!absent.length) return;
  const missing = absent.map(([, pkg]) => pkg);
  console.log(`test peers missing: ${absent.map(([cmd]) => cmd).join(" ")}`);
  if (process.getuid?.() !== 0) {
    console.log(
      `warning: not root, cannot install ${missing.join(" ")}; tests that need them may fail`,
    );
    return;
  }
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const apt = (args) => {
    console.log(`$ apt-get ${args.join(" ")}`);
    // Bounded: a stuck mirror must not eat the CI budget.
    const r = spawnSync("apt-get", args, {
      stdio: ["ignore", "inherit", "inherit"],
      env,
      timeout: 600_000,
    });
    return r.status === 0;
  };
  if (
    !apt(["update", "-qq"]) || !apt(["install", "-y", "-qq", "-o", "Dpkg::Use-Pty=0", ...missing])
  ) {
    console.log(`warning: could not install ${missing.join(" ")}; tests that need them may fail`);
  }
}

// ---------------------------------------------------------------- processes

const live = new Set(); // pids (= process group ids) still running

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone already
  }
}

// Ctrl-C or a CI stop: take the test processes and their peers down with us.
for (const sig of ["SIGINT", "SIGTERM"]) {
  process.on(sig, () => {
    for (const pid of live) killGroup(pid, "SIGKILL");
    process.exit(130);
  });
}

/**
 * Runs one command in its own process group, stdout and stderr captured
 * together in arrival order. Resolves with `{ code, signal, timedOut, error,
 * output, seconds }`; never rejects.
 */
function run(cmd, args, env) {
  return new Promise((resolve) => {
    const started = Date.now();
    const chunks = [];
    let timedOut = false;
    let settled = false;
    let exit = { code: null, signal: null };
    const child = spawn(cmd, args, {
      cwd: ROOT,
      env,
      detached: true, // own process group, so a timeout kills the peers it started too
      stdio: ["ignore", "pipe", "pipe"],
    });
    const done = (error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(closeTimer);
      live.delete(child.pid);
      resolve({
        ...exit,
        timedOut,
        error,
        output: Buffer.concat(chunks).toString("utf8"),
        seconds: (Date.now() - started) / 1000,
      });
    };
    let closeTimer;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid, "SIGTERM");
      setTimeout(() => killGroup(child.pid, "SIGKILL"), 3000).unref();
    }, timeoutSec * 1000);
    if (child.pid !== undefined) live.add(child.pid);
    child.stdout.on("data", (c) => chunks.push(c));
    child.stderr.on("data", (c) => chunks.push(c));
    child.on("error", (err) => done(err));
    child.on("exit", (code, signal) => {
      exit = { code, signal };
      clearTimeout(timer);
      // Leftover peers (a socat the test forgot) would hold our pipes open
      // and keep 'close' from ever firing: end the whole group.
      killGroup(child.pid, "SIGKILL");
      // A grandchild that left the group may still hold a pipe: stop waiting.
      closeTimer = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        done();
      }, 2000);
    });
    child.on("close", () => done());
  });
}

// ---------------------------------------------------------------- results

const RESULT_RE = /^##RESULT (\{.*\})\s*$/;

/** Turns one finished test process into counts, the lines to show, and a note. */
function judge(r) {
  const lines = r.output.split("\n");
  if (lines.at(-1) === "") lines.pop();
  let result;
  for (const line of lines) {
    const m = RESULT_RE.exec(line);
    if (m) {
      try {
        result = JSON.parse(m[1]);
      } catch {
        // a garbled line is as good as none
      }
    }
  }
  let note = "";
  if (r.error) note = `could not start: ${r.error.message}`;
  else if (r.timedOut) note = `timed out after ${timeoutSec} s, killed`;
  else if (!result) {
    note = r.signal ? `killed by ${r.signal}, no ##RESULT` : `exit code ${r.code}, no ##RESULT`;
  } else if (r.signal) note = `killed by ${r.signal} after ##RESULT`;
  else if (r.code !== 0 && !result.failed) note = `exit code ${r.code} although no test failed`;

  if (!note) {
    return {
      passed: result.passed ?? 0,
      failed: result.failed ?? 0,
      skipped: result.skipped ?? 0,
      show: failAndSkipLines(lines),
      note,
    };
  }
  // The process itself failed: count what it managed to report, plus one
  // failure for the process, and show everything it printed.
  const count = (prefix) => lines.filter((l) => l.startsWith(prefix)).length;
  return {
    passed: result ? (result.passed ?? 0) : count("ok - "),
    failed: (result ? (result.failed ?? 0) : count("FAIL - ")) + 1,
    skipped: result ? (result.skipped ?? 0) : count("skip - "),
    show: lines,
    note,
  };
}

/** FAIL and skip lines, each FAIL with the indented error lines under it. */
function failAndSkipLines(lines) {
  const out = [];
  let inFail = false;
  for (const line of lines) {
    if (line.startsWith("FAIL - ")) {
      inFail = true;
      out.push(line);
    } else if (line.startsWith("skip - ")) {
      inFail = false;
      out.push(line);
    } else if (inFail && /^\s/.test(line)) {
      out.push(line);
    } else {
      inFail = false;
    }
  }
  return out;
}

const totals = { passed: 0, failed: 0, skipped: 0 };
const failures = [];
let width = 0; // of the file column

function report(runtime, file, j, seconds) {
  for (const line of j.show) console.log(`[${runtime} ${file}] ${line}`);
  const counts = `${j.passed} passed, ${j.failed} failed${
    j.skipped ? `, ${j.skipped} skipped` : ""
  }`;
  const note = j.note ? ` (${j.note})` : "";
  console.log(
    `${runtime.padEnd(5)} ${file.padEnd(width)}  ${counts}${note}  [${seconds.toFixed(1)} s]`,
  );
  totals.passed += j.passed;
  totals.failed += j.failed;
  totals.skipped += j.skipped;
  if (j.failed) failures.push(`${runtime} ${file}${note}`);
}

// ---------------------------------------------------------------- main

function childEnv(runtime) {
  return {
    ...process.env,
    ASYNCIO_TEST_RUNTIME: runtime,
    NO_COLOR: "1", // the output goes to a log, not a terminal
    DENO_NO_UPDATE_CHECK: "1",
    DENO_NO_PROMPT: "1",
  };
}

/** Builds build/ with tsc; a type error is one failed test, the emit still runs. */
async function buildNode() {
  // Start clean, so a deleted test leaves no stale .js behind to run.
  rmSync(path.join(ROOT, "build"), { recursive: true, force: true });
  const tsc = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
  const r = await run(
    process.execPath,
    [tsc, "-p", "tsconfig.json", "--pretty", "false"],
    childEnv("node"),
  );
  const ok = r.code === 0 && !r.timedOut && !r.error;
  const lines = r.output.split("\n").filter((l) => l !== "");
  let note = "";
  if (r.error) note = `could not start: ${r.error.message}`;
  else if (r.timedOut) note = `timed out after ${timeoutSec} s, killed`;
  else if (!ok) note = `tsc errors, exit code ${r.code ?? r.signal}`;
  report("node", "tsc", {
    passed: ok ? 1 : 0,
    failed: ok ? 0 : 1,
    skipped: 0,
    show: ok ? [] : lines,
    note,
  }, r.seconds);
}

function command(runtime, file) {
  const base = file.replace(/\.ts$/, "");
  switch (runtime) {
    case "deno":
      return [path.join(BIN, "deno"), ["run", "-A", "--quiet", `tests/${file}`]];
    case "bun":
      return [path.join(BIN, "bun"), ["run", `tests/${file}`]];
    case "node":
      // Source maps make a failure's stack point into the .ts file.
      return [process.execPath, ["--enable-source-maps", `build/tests/${base}.js`]];
  }
}

async function main() {
  const files = readdirSync(path.join(ROOT, "tests"))
    .filter((f) => f.endsWith(".test.ts"))
    .filter((f) => !words.length || words.some((w) => f.includes(w)))
    .sort();
  if (!files.length) {
    console.log(
      words.length ? `no test file matches ${words.join(" ")}` : "no tests/*.test.ts found",
    );
    console.log("0 passed, 0 failed");
    process.exit(1);
  }
  width = Math.max(...files.map((f) => f.length));

  ensurePeers();

  // The tsc build takes one of the two slots; the Node runs wait for it.
  const jobs = [];
  let built = Promise.resolve();
  if (runtimes.includes("node")) {
    let markBuilt;
    built = new Promise((r) => (markBuilt = r));
    jobs.push(() => buildNode().finally(markBuilt));
  }
  for (const file of files) {
    for (const runtime of runtimes) {
      jobs.push(async () => {
        if (runtime === "node") {
          await built;
          const js = path.join(ROOT, "build", "tests", file.replace(/\.ts$/, ".js"));
          if (!existsSync(js)) {
            const j = {
              passed: 0,
              failed: 1,
              skipped: 0,
              show: [],
              note: "tsc emitted no build/tests/" + path.basename(js),
            };
            return report(runtime, file, j, 0);
          }
        }
        const [cmd, args] = command(runtime, file);
        const r = await run(cmd, args, childEnv(runtime));
        report(runtime, file, judge(r), r.seconds);
      });
    }
  }

  let next = 0;
  const worker = async () => {
    while (next < jobs.length) await jobs[next++]();
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));

  if (failures.length) console.log(`failed:\n${failures.map((f) => `  ${f}`).join("\n")}`);
  // Only skips is no evidence of anything working: that fails the run too.
  const ranNothing = totals.passed + totals.failed === 0;
  if (ranNothing) console.log("no test ran");
  console.log(
    `${totals.passed} passed, ${totals.failed} failed` +
      (totals.skipped ? `, ${totals.skipped} skipped` : ""),
  );
  process.exit(totals.failed || ranNothing ? 1 : 0);
}

await main();
