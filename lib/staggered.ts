/**
 * Connecting to one of several addresses: in turn, or with Happy Eyeballs
 * (RFC 8305) staggered attempts, as `createConnection` does with
 * `happyEyeballsDelay` and `interleave` (Python's `staggered.py` and
 * `_interleave_addrinfos`).
 *
 * With a delay, the first address is tried; when it fails, or when the delay
 * passes without an answer, the next one starts while the earlier ones go on.
 * The first socket to connect wins; every other attempt is cancelled (its
 * socket closed), and a socket that connected too late is closed. When all
 * fail, the errors are reported as Python does: the one error, or the first
 * when all read the same, else `OSError("Multiple exceptions: ...")`.
 *
 * @example
 * ```ts
 * const infos = await loop.getaddrinfo("example.com", 443, { type: SOCK_STREAM });
 * const sock = await connectAddrInfos(loop, infos, { happyEyeballsDelay: 0.25 });
 * ```
 *
 * @module
 */
import { C } from "../ffi/mod.ts";
import type { BaseSelectorEventLoop } from "./selector_events.ts";
import { CancelledError, OSError, ValueError } from "./exceptions.ts";
import type { AddrInfo } from "./dns.ts";
import { Socket } from "./socket.ts";
import { type AddressLike, formatAddress } from "./sockaddr.ts";
import { pyTypeName } from "./format.ts";
import { sockConnect } from "./sock_methods.ts";
import type { Future } from "./futures.ts";
import type { Task } from "./tasks.ts";

/** The options of `createConnection` that pick and order the attempts. */
export interface ConnectAttemptOptions {
  /** Bind each socket to this local address first (null: none). */
  localAddr?: AddressLike | null;
  /**
   * The local address resolved (Python's `laddr_infos`): each socket binds
   * to the first of these of its own family; used instead of `localAddr`.
   */
  localAddrInfos?: readonly AddrInfo[] | null;
  /**
   * Seconds to wait for an attempt before starting the next one in parallel
   * (RFC 8305 recommends 0.25). Unset or null: one address at a time.
   */
  happyEyeballsDelay?: number | null;
  /**
   * Reorder the addresses so that families alternate, this many of the
   * first family first (default 1 when `happyEyeballsDelay` is set).
   */
  interleave?: number | null;
}

/**
 * Python's `_interleave_addrinfos`: groups by family in order of first
 * appearance, then takes `firstFamilyCount` of the first family and
 * alternates one of each family from there.
 *
 * @example
 * ```ts
 * interleaveAddrinfos([v6a, v6b, v4a, v4b]); // [v6a, v4a, v6b, v4b]
 * ```
 */
export function interleaveAddrinfos(infos: readonly AddrInfo[], firstFamilyCount = 1): AddrInfo[] {
  const byFamily = new Map<number, AddrInfo[]>();
  for (const info of infos) {
    let list = byFamily.get(info[0]);
    if (list === undefined) byFamily.set(info[0], list = []);
    list.push(info);
  }
  const lists = [...byFamily.values()];
  const out: AddrInfo[] = [];
  if (firstFamilyCount > 1 && lists.length) out.push(...lists[0].splice(0, firstFamilyCount - 1));
  const longest = Math.max(0, ...lists.map((l) => l.length));
  for (let i = 0; i < longest; i++) {
    for (const l of lists) if (i < l.length) out.push(l[i]);
  }
  return out;
}

/** Python's error for a failed `create_connection`. */
export function connectError(errors: readonly unknown[]): unknown {
  if (errors.length === 0) return new OSError("create_connection failed");
  if (errors.length === 1) return errors[0];
  const texts = errors.map(String);
  if (texts.every((t) => t === texts[0])) return errors[0];
  return new OSError(`Multiple exceptions: ${texts.map(stripName).join(", ")}`);
}

/** `ConnectionRefusedError: [Errno 111] ...` → `[Errno 111] ...`, as Python's str(exc). */
function stripName(t: string): string {
  const m = /^[A-Za-z]*Error: /.exec(t);
  return m ? t.slice(m[0].length) : t;
}

/** Binds to `localAddr`; a failure is Python's plain OSError naming the address. */
function bindLocal(s: Socket, localAddr: AddressLike): void {
  try {
    s.bind(localAddr);
  } catch (e) {
    if (!(e instanceof OSError) || e.errno === undefined) throw e;
    throw new OSError(
      e.errno,
      `error while attempting to bind on address ${formatAddress(localAddr)}: ${
        (e.strerror ?? "").toLowerCase()
      }`,
    );
  }
}

/** Python's repr of a `socket.AddressFamily` member, as `{family=}` prints it. */
function familyRepr(family: number): string {
  const name = family === C.AF_INET
    ? "AF_INET"
    : family === C.AF_INET6
    ? "AF_INET6"
    : family === C.AF_UNIX
    ? "AF_UNIX"
    : null;
  return name === null ? String(family) : `<AddressFamily.${name}: ${family}>`;
}

/**
 * Python's bind step of `_connect_sock`: the first local address of the
 * socket's family that binds wins; the failures are kept in `errors`, and
 * the last one is thrown when none binds.
 */
function bindLocalInfos(
  s: Socket,
  family: number,
  infos: readonly AddrInfo[],
  errors: unknown[],
): void {
  let tried = false;
  for (const [lfamily, , , , laddr] of infos) {
    // Local addresses of another family are skipped.
    if (lfamily !== family) continue;
    tried = true;
    try {
      bindLocal(s, laddr as AddressLike);
      return;
    } catch (e) {
      if (!(e instanceof OSError)) throw e;
      errors.push(e);
    }
  }
  if (tried) throw errors.pop();
  throw new OSError(`no matching local address with family=${familyRepr(family)} found`);
}

/** One attempt: a non-blocking socket for `info`, connected; closed on failure. */
async function connectOne(
  loop: BaseSelectorEventLoop,
  info: AddrInfo,
  opts: ConnectAttemptOptions,
  errors: unknown[],
): Promise<Socket> {
  const [family, type, proto, , address] = info;
  const s = new Socket(family, type, proto);
  try {
    s.setblocking(false);
    if (opts.localAddrInfos) bindLocalInfos(s, family, opts.localAddrInfos, errors);
    // `local_addr=None` is no local address, as in Python.
    else if (opts.localAddr !== undefined && opts.localAddr !== null) bindLocal(s, opts.localAddr);
    await sockConnect(loop, s, address as AddressLike);
    return s;
  } catch (e) {
    s.close();
    if (e instanceof OSError) errors.push(e);
    throw e;
  }
}

/**
 * Connects to the first of `infos` that answers (see the module doc) and
 * resolves to its socket; rejects with Python's aggregate error when none does.
 *
 * @example
 * ```ts
 * const sock = await connectAddrInfos(loop, infos, { happyEyeballsDelay: 0.25 });
 * ```
 */
export async function connectAddrInfos(
  loop: BaseSelectorEventLoop,
  infos: readonly AddrInfo[],
  opts: ConnectAttemptOptions = {},
): Promise<Socket> {
  const delay = opts.happyEyeballsDelay ?? null;
  let interleave = opts.interleave ?? null;
  // A negative delay is not refused (Python 3.11's staggered_race has no
  // check): the next attempt starts at once, as with 0.
  if (delay !== null && typeof delay !== "number") {
    // Python's wait_for(..., delay) compares it with 0 in the next attempt's task.
    throw new TypeError(
      `'<=' not supported between instances of '${pyTypeName(delay)}' and 'int'`,
    );
  }
  if (delay !== null && Number.isNaN(delay)) {
    throw new ValueError(`happy_eyeballs_delay must be a non-negative number, got ${delay}`);
  }
  // A negative count interleaves as 1 does in Python: only a fraction fails.
  if (interleave !== null && !Number.isInteger(interleave)) {
    throw new ValueError(`interleave must be an integer, got ${interleave}`);
  }
  if (delay !== null && interleave === null) interleave = 1;
  const order = interleave ? interleaveAddrinfos(infos, interleave) : [...infos];
  // One error list per attempt, in start order, flattened at the end.
  const errors: unknown[][] = order.map(() => []);
  if (delay === null) {
    for (let i = 0; i < order.length; i++) {
      try {
        return await connectOne(loop, order[i], opts, errors[i]);
      } catch (e) {
        if (!(e instanceof OSError)) throw e;
      }
    }
    throw connectError(errors.flat());
  }
  const fns = order.map((info, i) => () => connectOne(loop, info, opts, errors[i]));
  const { winner, failures } = await staggeredRace(loop, fns, delay, (s) => s.close());
  if (winner !== null) return winner;
  const other = failures.find((e) => !(e instanceof OSError) && !(e instanceof CancelledError));
  if (other !== undefined) throw other;
  throw connectError(errors.flat());
}

/**
 * Runs `fns` staggered by `delay` seconds (the next starts early when the
 * latest one fails) and resolves with the first result; the others are
 * cancelled and awaited, and a result that arrives after the winner is
 * handed to `discard`. Python's `staggered_race`.
 */
async function staggeredRace<T>(
  loop: BaseSelectorEventLoop,
  fns: ReadonlyArray<() => Promise<T>>,
  delay: number,
  discard: (extra: T) => void,
): Promise<{ winner: T | null; failures: unknown[] }> {
  const tasks: Task<T>[] = [];
  const failures: unknown[] = [];
  let winner: { value: T } | null = null;
  let settled = false;
  let next = 0;
  let running = 0;
  let wake: Future<void> | null = null;
  let latestFailed = false;
  let deadline = 0;
  const poke = () => {
    if (wake !== null && !wake.done()) wake.setResult(undefined);
  };
  const start = () => {
    const i = next++;
    running++;
    latestFailed = false;
    deadline = loop.time() + delay;
    const t = loop.createTask<T>(() => fns[i]());
    tasks.push(t);
    t.addDoneCallback(() => {
      running--;
      if (t.cancelled()) {
        // Cancelled here, after a winner: its socket is closed already.
      } else if (t.exception() !== null) {
        failures.push(t.exception());
        // Only the latest attempt failing starts the next one early (RFC 8305).
        if (i === next - 1) latestFailed = true;
      } else if (winner === null && !settled) {
        winner = { value: t.result() };
      } else {
        discard(t.result());
      }
      poke();
    });
  };
  try {
    while (winner === null) {
      if (next < fns.length && (next === 0 || latestFailed)) {
        start();
        continue;
      }
      if (running === 0) break; // every attempt failed
      wake = loop.createFuture<void>();
      let fired = false;
      const timer = next < fns.length
        ? loop.callAt(deadline, () => {
          fired = true;
          poke();
        })
        : null;
      try {
        await wake;
      } finally {
        timer?.cancel();
      }
      if (winner === null && fired && next < fns.length) start();
    }
  } finally {
    settled = true;
    for (const t of tasks) if (!t.done()) t.cancel();
  }
  // Let the cancelled attempts close their sockets before returning.
  for (const t of tasks) {
    if (!t.done()) {
      try {
        await t;
      } catch { /* cancelled or failed: already recorded */ }
    }
  }
  return { winner: winner === null ? null : (winner as { value: T }).value, failures };
}
