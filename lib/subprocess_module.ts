/**
 * `asyncio.subprocess` as a namespace, as Python code spells it:
 * `asyncio.subprocess.PIPE`, `asyncio.subprocess.Process`. The same names
 * are also exported from the top level (`asyncio.PIPE`).
 *
 * @example
 * ```ts
 * const p = await asyncio.createSubprocessExec("ls", { stdout: asyncio.subprocess.PIPE });
 * ```
 *
 * @module
 */
export {
  createSubprocessExec,
  createSubprocessShell,
  DEVNULL,
  PIPE,
  Process,
  STDOUT,
  SubprocessStreamProtocol,
} from "./subprocess.ts";
