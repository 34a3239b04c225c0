/**
 * Signal delivery through the runtime's own signal API. signalfd and
 * sigaction through FFI are unreliable inside these runtimes (they run
 * several threads with signals unblocked, see NOTES.md), so the host
 * receives the signal and this module forwards it.
 *
 * @module
 */

/** Linux signal numbers by name (x86_64 and aarch64 share them). */
export const SIGNALS: Readonly<Record<string, number>> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGILL: 4,
  SIGTRAP: 5,
  SIGABRT: 6,
  SIGBUS: 7,
  SIGFPE: 8,
  SIGKILL: 9,
  SIGUSR1: 10,
  SIGSEGV: 11,
  SIGUSR2: 12,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
  SIGSTKFLT: 16,
  SIGCHLD: 17,
  SIGCONT: 18,
  SIGSTOP: 19,
  SIGTSTP: 20,
  SIGTTIN: 21,
  SIGTTOU: 22,
  SIGURG: 23,
  SIGXCPU: 24,
  SIGXFSZ: 25,
  SIGVTALRM: 26,
  SIGPROF: 27,
  SIGWINCH: 28,
  SIGIO: 29,
  SIGPWR: 30,
  SIGSYS: 31,
};

/** Python's `signal.NSIG`: valid signal numbers are 1 to NSIG - 1. */
export const NSIG = 65;

const names = new Map<number, string>(Object.entries(SIGNALS).map(([k, v]) => [v, k]));

/**
 * The name of signal `signo` (`"SIGTERM"`), or undefined for the real-time
 * signals, which the runtimes' APIs cannot listen to.
 *
 * @example
 * ```ts
 * signalName(15); // "SIGTERM"
 * ```
 */
export function signalName(signo: number): string | undefined {
  return names.get(signo);
}

interface DenoSignals {
  addSignalListener(name: string, fn: () => void): void;
  removeSignalListener(name: string, fn: () => void): void;
}

interface NodeProcess {
  on(name: string, fn: () => void): void;
  off(name: string, fn: () => void): void;
}

/**
 * Calls `fn` whenever the process receives signal `signo`, instead of the
 * default action; returns the function that stops listening. Throws what
 * the runtime throws for a signal it will not catch (SIGKILL, SIGSTOP...).
 *
 * @example
 * ```ts
 * const stop = listenSignal(SIGNALS.SIGUSR2, () => console.log("got it"));
 * stop();
 * ```
 */
export function listenSignal(signo: number, fn: () => void): () => void {
  const name = names.get(signo);
  if (name === undefined) throw new RangeError(`no runtime can listen to signal ${signo}`);
  const g = globalThis as { Deno?: DenoSignals; process?: NodeProcess };
  if (g.Deno !== undefined) {
    const deno = g.Deno;
    deno.addSignalListener(name, fn);
    return () => deno.removeSignalListener(name, fn);
  }
  const proc = g.process!;
  proc.on(name, fn);
  return () => proc.off(name, fn);
}
