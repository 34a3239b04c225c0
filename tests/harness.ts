/**
 * A tiny test harness that behaves the same on Deno, Bun and Node, so one
 * test file runs unchanged on all three.
 *
 * A test file calls {@link test} at its top level; once the module has been
 * evaluated the registered tests run one after another. Each is bounded in
 * time, and the file's open file descriptors (`/proc/self/fd`) are compared
 * before and after every test: a test that leaves one open fails. The file
 * ends with one line `##RESULT {"passed":P,"failed":F,"skipped":S}` that
 * `scripts/test.mjs` sums over files and runtimes, then exits.
 *
 * @example
 * ```ts
 * import { test } from "./harness.ts";
 * import { assertEquals } from "./assert.ts";
 * test("adds", () => assertEquals(1 + 1, 2));
 * ```
 * @module
 */
import process from "node:process";
import { readdirSync, readlinkSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { sys } from "../ffi/mod.ts";

/** Options of one test. */
export interface TestOptions {
  /** Seconds before the test fails as hung. Default 20. */
  timeout?: number;
  /** Compare open fds before and after. Default true. */
  fdCheck?: boolean;
}

interface Entry {
  name: string;
  fn: () => unknown;
  opts: TestOptions;
  skipReason?: string;
}

const entries: Entry[] = [];
let scheduled = false;
let stray: unknown[] = [];

/** Registers a test. */
export function test(name: string, fn: () => unknown, opts: TestOptions = {}): void {
  entries.push({ name, fn, opts });
  schedule();
}

/** Registers a test that is skipped, with the reason printed. */
export function skip(name: string, reason: string): void {
  entries.push({ name, fn: () => {}, opts: {}, skipReason: reason });
  schedule();
}

/** The runtime the test file runs on. */
export const runtime: "deno" | "bun" | "node" =
  // deno-lint-ignore no-explicit-any
  (globalThis as any).Deno ? "deno" : (globalThis as any).Bun ? "bun" : "node";

/** The fds this process has open, as `fd -> target`. */
export function openFds(): Map<number, string> {
  const out = new Map<number, string>();
  for (const name of readdirSync("/proc/self/fd")) {
    const fd = Number(name);
    try {
      out.set(fd, readlinkSync(`/proc/self/fd/${name}`));
    } catch {
      // the fd that listed the directory is gone already
    }
  }
  return out;
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  setTimeout(runAll, 0);
}

function leaked(before: Map<number, string>, after: Map<number, string>): string[] {
  const out: string[] = [];
  for (const [fd, target] of after) {
    if (before.get(fd) !== target) out.push(`${fd} -> ${target}`);
  }
  return out;
}

function fmtError(e: unknown): string {
  if (e instanceof Error) {
    return (e.stack ?? `${e.name}: ${e.message}`).split("\n").slice(0, 8).join("\n    ");
  }
  return String(e);
}

async function runOne(e: Entry): Promise<"pass" | "fail" | "timeout"> {
  const timeout = e.opts.timeout ?? 20;
  const fdCheck = e.opts.fdCheck ?? true;
  stray = [];
  const t0 = performance.now();
  const before = fdCheck ? openFds() : new Map<number, string>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), timeout * 1000);
  });
  let error: unknown = undefined;
  let outcome: "ok" | "timeout";
  try {
    outcome = await Promise.race([
      Promise.resolve().then(e.fn).then(() => "ok" as const),
      timedOut,
    ]);
  } catch (err) {
    error = err;
    outcome = "ok";
  } finally {
    clearTimeout(timer);
  }
  if (outcome === "timeout") {
    console.log(`FAIL - ${e.name}: timed out after ${timeout} s`);
    return "timeout";
  }
  // Let late callbacks (an unhandled rejection, a close) land before judging.
  await new Promise((r) => setTimeout(r, 0));
  if (error === undefined && stray.length) error = stray[0];
  if (error === undefined && fdCheck) {
    let extra = leaked(before, openFds());
    // The host closes some fds of its own a little after the event that
    // ends their use: Bun's child_process closes a stdio socketpair one
    // tick after "close", later under load. A leak stays; give those 0.5 s.
    for (let i = 0; i < 25 && extra.length; i++) {
      await new Promise((r) => setTimeout(r, 20));
      extra = leaked(before, openFds());
    }
    if (extra.length) error = new Error(`leaked file descriptors: ${extra.join(", ")}`);
  }
  if (error !== undefined) {
    console.log(`FAIL - ${e.name}\n    ${fmtError(error)}`);
    return "fail";
  }
  console.log(`ok - ${e.name} (${Math.round(performance.now() - t0)} ms)`);
  return "pass";
}

/**
 * Makes the runtime open the fds it keeps for its lifetime (Bun opens an
 * epoll fd and an eventfd on its first child process or Worker; the shim's
 * off-thread poll may start a Worker, as every new loop does), so the first
 * test is not blamed.
 */
async function warmUp(): Promise<void> {
  spawnSync("true");
  await sys().prepareAsync();
  // Deno's signal thread opens a socketpair about half a second after start
  // (seen with strace); registering a signal listener starts it now.
  // deno-lint-ignore no-explicit-any
  const deno = (globalThis as any).Deno;
  if (deno) {
    const f = () => {};
    deno.addSignalListener("SIGUSR2", f);
    deno.removeSignalListener("SIGUSR2", f);
  }
}

async function runAll(): Promise<void> {
  await warmUp();
  process.on("unhandledRejection", (reason: unknown) => {
    stray.push(reason);
  });
  process.on("uncaughtException", (err: unknown) => {
    stray.push(err);
  });
  let passed = 0, failed = 0, skipped = 0;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    if (e.skipReason !== undefined) {
      console.log(`skip - ${e.name}: ${e.skipReason}`);
      skipped++;
      continue;
    }
    const r = await runOne(e);
    if (r === "pass") passed++;
    else failed++;
    if (r === "timeout") {
      // A hung test may still hold the loop; the rest of the file cannot be trusted.
      for (const rest of entries.slice(i + 1)) {
        console.log(`FAIL - ${rest.name}: not run, an earlier test hung`);
        failed++;
      }
      break;
    }
  }
  console.log(`##RESULT ${JSON.stringify({ passed, failed, skipped })}`);
  process.exit(failed ? 1 : 0);
}
