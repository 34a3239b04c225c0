/**
 * Child processes of this same runtime, for `ProcessPoolExecutor`: the
 * command that runs a script on the runtime we run on, and a child started
 * through the host's `node:child_process` (present in Deno, Bun and Node),
 * behind one {@link RuntimeChild} shape. The host reaps these children
 * itself (its own SIGCHLD handling), so none is left a zombie.
 *
 * - **Deno**: `deno run` with the permissions this process was granted as a
 *   whole (`--allow-ffi`, `--allow-read`, ...). A grant limited to some paths
 *   or hosts is not passed on; the child then asks and fails as a denied call.
 * - **Bun**: `bun <script>`.
 * - **Node**: `node <script>` (a compiled `.js` file; Node's `execArgv` is kept).
 *
 * A `bun build --compile` binary cannot run another script: not supported.
 *
 * @module
 */
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { ChildProcess } from "node:child_process";

type DenoPermissionName = "read" | "write" | "net" | "env" | "run" | "ffi" | "sys" | "import";
interface DenoLike {
  execPath(): string;
  permissions: { querySync(d: { name: DenoPermissionName }): { state: string } };
}

const g = globalThis as { Deno?: DenoLike; Bun?: unknown };

let req: NodeJS.Require | undefined;
function nodeRequire(): NodeJS.Require {
  return req ??= createRequire(import.meta.url);
}

function processObj(): NodeJS.Process {
  return nodeRequire()("node:process") as NodeJS.Process;
}

/**
 * The program and arguments that run `script` (a `file:` URL or a path) on
 * this runtime.
 *
 * @example
 * ```ts
 * const [exe, args] = runtimeCommand(new URL("./child.ts", import.meta.url));
 * // Deno: [".../deno", ["run", "--quiet", "--allow-ffi", ..., "/abs/child.ts"]]
 * ```
 */
export function runtimeCommand(script: string | URL): [string, string[]] {
  const s = String(script);
  const target = s.startsWith("file:") ? fileURLToPath(s) : s;
  if (g.Deno !== undefined) {
    const names: DenoPermissionName[] = [
      "read",
      "write",
      "net",
      "env",
      "run",
      "ffi",
      "sys",
      "import",
    ];
    const flags: string[] = [];
    for (const name of names) {
      try {
        if (g.Deno.permissions.querySync({ name }).state === "granted") {
          flags.push(`--allow-${name}`);
        }
      } catch {
        // An older Deno without this permission name: nothing to pass.
      }
    }
    return [g.Deno.execPath(), ["run", "--quiet", ...flags, target]];
  }
  const p = processObj();
  if (g.Bun !== undefined) return [p.execPath, [target]];
  // Not the debugger flags: a second inspector on the same port would fail.
  const execArgv = p.execArgv.filter((a) => !/^--(inspect|debug)/.test(a));
  return [p.execPath, [...execArgv, target]];
}

/** Whether this process has `fd` open (a closed fd 1 cannot be handed on). */
function isOpen(fd: number): boolean {
  try {
    (nodeRequire()("node:fs") as typeof import("node:fs")).fstatSync(fd);
    return true;
  } catch {
    return false;
  }
}

/**
 * The parent's side of a child started by {@link spawnRuntimeChild}: its
 * stdin to write to, its stdout to read from; its stderr is this process's.
 * It starts ref'd (it keeps this process alive); `unref()` it while idle.
 *
 * @example
 * ```ts
 * const c = spawnRuntimeChild(new URL("./child.ts", import.meta.url));
 * c.onData((bytes) => console.log(bytes.length));
 * c.onExit((code, signal) => console.log("exited", code, signal));
 * c.write(new Uint8Array([1, 2, 3]));
 * ```
 */
export interface RuntimeChild {
  /** Its process id. */
  readonly pid: number;
  /** Writes to its stdin. */
  write(bytes: Uint8Array): void;
  /** Closes its stdin (it reads EOF). Idempotent. */
  endInput(): void;
  /** Calls `cb` with each chunk it writes to its stdout. */
  onData(cb: (bytes: Uint8Array) => void): void;
  /** Calls `cb` once when it has exited and been reaped (or failed to start: code null, signal null). */
  onExit(cb: (code: number | null, signal: string | null) => void): void;
  /** Sends a signal (name or number); false if it is gone. */
  kill(signal?: NodeJS.Signals | number): boolean;
  /** Makes it keep this process alive. */
  ref(): void;
  /** Lets this process exit while it runs (it then reads EOF and should exit). */
  unref(): void;
}

interface Unreffable {
  ref?: () => void;
  unref?: () => void;
}

/**
 * Starts `script` on this runtime ({@link runtimeCommand}) with piped stdin
 * and stdout and the parent's stderr, and `env` added to this process's
 * environment. Throws if the host cannot start it at all.
 *
 * @example
 * ```ts
 * const c = spawnRuntimeChild(new URL("./child.ts", import.meta.url), { MODE: "pool" });
 * c.endInput();
 * ```
 */
export function spawnRuntimeChild(
  script: string | URL,
  env: Record<string, string> = {},
): RuntimeChild {
  const { spawn } = nodeRequire()("node:child_process") as typeof import("node:child_process");
  const [exe, args] = runtimeCommand(script);
  const p = processObj();
  // The child's stdout is its reply pipe; what it prints should still reach
  // our stdout, as a Python pool's child prints to the parent's. Node and
  // Bun can hand it our fd 1 as its fd 3 (named in the environment); Deno's
  // spawn gives a child fds 0-2 only, so there it prints to our stderr.
  const passStdout = g.Deno === undefined && isOpen(1);
  const child: ChildProcess = spawn(exe, args, {
    stdio: passStdout ? ["pipe", "pipe", "inherit", 1] : ["pipe", "pipe", "inherit"],
    env: { ...p.env, ...env, ASYNCIO_POOL_STDOUT_FD: passStdout ? "3" : "" },
  });
  const exitCbs: Array<(code: number | null, signal: string | null) => void> = [];
  let exited: [number | null, string | null] | null = null;
  const fireExit = (code: number | null, signal: string | null) => {
    if (exited !== null) return;
    exited = [code, signal];
    for (const cb of exitCbs.splice(0)) cb(code, signal);
  };
  // "close" comes after "exit" and after stdout ended: every reply has been read.
  child.on("close", (code: number | null, signal: string | null) => fireExit(code, signal));
  child.on("error", () => {
    if (child.pid === undefined) fireExit(null, null);
  });
  // A write to a child that died is reported by "close"; the stream's own error is noise.
  child.stdin!.on("error", () => {});
  const streams = [child.stdin, child.stdout] as unknown as Unreffable[];
  let inputEnded = false;
  return {
    pid: child.pid ?? -1,
    write: (bytes) => {
      if (!inputEnded) child.stdin!.write(bytes);
    },
    endInput: () => {
      if (inputEnded) return;
      inputEnded = true;
      child.stdin!.end();
    },
    onData: (cb) => void child.stdout!.on("data", (d: Uint8Array) => cb(d)),
    onExit: (cb) => {
      if (exited !== null) cb(exited[0], exited[1]);
      else exitCbs.push(cb);
    },
    kill: (signal) => child.kill(signal),
    ref: () => {
      child.ref();
      for (const s of streams) s.ref?.();
    },
    unref: () => {
      child.unref();
      for (const s of streams) s.unref?.();
    },
  };
}
