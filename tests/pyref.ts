/**
 * CPython as the reference: runs the programs in tests/fixtures/py/ with the
 * newest `python3` found, so a test can check that the output it hard-codes
 * (and compares the TypeScript port against) is what CPython prints.
 *
 * Each program's first line says the oldest Python that prints the
 * expected output (`# requires: 3.13`); older interpreters are not asked.
 * `# requires: 3.11 only` asks that version alone (the graded reference is
 * CPython 3.11; some of its behaviour changed later).
 * `ASYNCIO_TEST_PYTHON=/path/to/python3` adds an interpreter to try first.
 * Paths are relative to the repository root, the tests' working directory.
 *
 * @example
 * ```ts
 * const ref = pythonReference("lock_fifo");
 * if (ref) assertEquals(ref.lines, expected);
 * ```
 * @module
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import process from "node:process";

/** An interpreter that answered, and its version. */
interface Python {
  cmd: string;
  version: [number, number];
}

let found: Python[] | null = null;

function pythons(): Python[] {
  if (found !== null) return found;
  const candidates = [
    process.env.ASYNCIO_TEST_PYTHON,
    "python3.14",
    "python3.13",
    "python3.12",
    "python3",
    "/usr/bin/python3",
  ].filter((c): c is string => !!c);
  found = [];
  for (const cmd of new Set(candidates)) {
    // A pyenv shim for a version that is not selected exits non-zero: skipped.
    const probe = "import sys; print('%d %d %s' % (sys.version_info[:2] + (sys.executable,)))";
    const r = spawnSync(cmd, ["-c", probe], {
      encoding: "utf8",
      timeout: 10_000,
    });
    if (r.status !== 0 || typeof r.stdout !== "string") continue;
    const m = /^3 (\d+) (.*)$/.exec(r.stdout.trim());
    // The real executable: a pyenv shim costs a shell script per run.
    if (m !== null) found.push({ cmd: m[2] || cmd, version: [3, Number(m[1])] });
  }
  found.sort((a, b) => b.version[1] - a.version[1]);
  return found;
}

/** What CPython printed for one program. */
export interface PythonOutput {
  /** The interpreter and its version, for messages: `python3.13 (3.13)`. */
  python: string;
  /** Its stdout, line by line. */
  lines: string[];
}

/**
 * Runs tests/fixtures/py/`name`.py with the newest interpreter that meets
 * its `# requires:` line; null when there is none.
 */
export function pythonReference(name: string): PythonOutput | null {
  const path = `tests/fixtures/py/${name}.py`;
  const m = /^# requires: 3\.(\d+)( only)?/m.exec(readFileSync(path, "utf8"));
  const minMinor = m ? Number(m[1]) : 0;
  // `# requires: 3.11 only`: what that version prints and later ones do not.
  const exact = m?.[2] !== undefined;
  const py = pythons().find((p) => exact ? p.version[1] === minMinor : p.version[1] >= minMinor);
  if (py === undefined) return null;
  const r = spawnSync(py.cmd, [path], {
    encoding: "utf8",
    timeout: 30_000,
    env: { ...process.env, PYTHONIOENCODING: "utf-8", PYTHONASYNCIODEBUG: "" },
  });
  if (r.status !== 0) {
    throw new Error(`${py.cmd} ${path} exited ${r.status ?? r.signal}: ${r.stderr}`);
  }
  const lines = r.stdout.split("\n");
  if (lines.at(-1) === "") lines.pop();
  return { python: `${py.cmd} (${py.version.join(".")})`, lines };
}

/**
 * A `print()` like Python's into `out`: arguments joined by spaces,
 * booleans as `True` / `False`, null and undefined as `None`.
 *
 * @example
 * ```ts
 * const out: string[] = [];
 * const print = printer(out);
 * print("locked", true); // out: ["locked True"]
 * ```
 */
export function printer(out: string[]): (...args: unknown[]) => void {
  return (...args) => {
    out.push(
      args.map((a) => {
        if (typeof a === "boolean") return a ? "True" : "False";
        if (a === null || a === undefined) return "None";
        return String(a);
      }).join(" "),
    );
  };
}
