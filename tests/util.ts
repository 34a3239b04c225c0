/**
 * Helpers shared by the test files: running a script on the current runtime
 * as a child process, and making loops over each selector.
 *
 * @module
 */
import { spawn } from "node:child_process";
import process from "node:process";
import { runtime } from "./harness.ts";
import * as asyncio from "../mod.ts";

/** The command that runs repo-relative `rel` (a .ts file) on this runtime. */
export function scriptCommand(rel: string, opts: { exposeGc?: boolean } = {}): [string, string[]] {
  const exe = process.execPath;
  // Bun has Bun.gc() without a flag.
  const gc = opts.exposeGc
    ? (runtime === "deno" ? ["--v8-flags=--expose-gc"] : ["--expose-gc"])
    : [];
  if (runtime === "deno") return [exe, ["run", "-A", "--quiet", ...gc, rel]];
  if (runtime === "bun") return [exe, ["run", rel]];
  return [exe, ["--enable-source-maps", ...gc, "build/" + rel.replace(/\.ts$/, ".js")]];
}

/** What a child printed and how it ended. */
export interface RunResult {
  stdout: string;
  stderr: string;
  code: number | null;
  signal: string | null;
  /** Wall seconds from spawn to exit. */
  seconds: number;
}

/**
 * Runs repo-relative script `rel` on this runtime; kills it after `timeout`
 * seconds (then `code` is null and `signal` is "SIGKILL").
 */
export function runScript(
  rel: string,
  opts: { env?: Record<string, string>; timeout?: number; args?: string[]; exposeGc?: boolean } =
    {},
): Promise<RunResult> {
  const [cmd, args] = scriptCommand(rel, { exposeGc: opts.exposeGc });
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, [...args, ...(opts.args ?? [])], {
      env: { ...process.env, ...opts.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "", stderr = "";
    child.stdout!.on("data", (d: Uint8Array) => (stdout += new TextDecoder().decode(d)));
    child.stderr!.on("data", (d: Uint8Array) => (stderr += new TextDecoder().decode(d)));
    const timer = setTimeout(() => child.kill("SIGKILL"), (opts.timeout ?? 30) * 1000);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const seconds = (performance.now() - t0) / 1000;
      // Bun closes the stdio sockets of a child a moment after "close".
      setTimeout(() => resolve({ stdout, stderr, code, signal, seconds }), 20);
    });
  });
}

/** The three selectors, by name, as loop factories. */
export const loopKinds: Array<[string, () => asyncio.SelectorEventLoop]> = [
  ["epoll", () => new asyncio.SelectorEventLoop(new asyncio.EpollSelector())],
  ["poll", () => new asyncio.SelectorEventLoop(new asyncio.PollSelector())],
  ["select", () => new asyncio.SelectorEventLoop(new asyncio.SelectSelector())],
];

/** Runs `fn(loop)` with a fresh loop of the given kind, closing it after. */
export async function withLoop<T>(
  make: () => asyncio.SelectorEventLoop,
  fn: (loop: asyncio.SelectorEventLoop) => Promise<T> | T,
): Promise<T> {
  const loop = make();
  try {
    return await fn(loop);
  } finally {
    if (loop.isRunning()) loop.stop();
    else loop.close();
  }
}

/**
 * A script's output as lines, without the empty one after the final newline.
 *
 * @example
 * ```ts
 * lines("a\nb\n"); // ["a", "b"]
 * ```
 */
export function lines(out: string): string[] {
  const l = out.split("\n");
  if (l.at(-1) === "") l.pop();
  return l;
}

/** `n` deterministic pseudo-random bytes (xorshift32 from `seed`), the same on every runtime. */
export function pattern(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed | 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** The bytes of `parts`, one after another, in a new array. */
export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * An asyncore `compact_traceback` line as the rp_core2 fixtures mask it:
 * frames reduced to their snake_case function names, ports and addresses
 * replaced.
 */
export function maskCompactTraceback(text: string): string {
  return text
    .replace(
      /\[[^\]|]*\|([^\]|]*)\|\d+\]/g,
      (_m, fn: string) => `[${fn.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase())}]`,
    )
    .replace(/127\.0\.0\.1:\d+/g, "127.0.0.1:PORT")
    .replace(/ at 0x[0-9a-f]+>/g, " at 0xADDR>");
}
