/**
 * Runs a program in debug mode with the asyncio logger at DEBUG, printing
 * each record as the CPython fixtures' `Show` handler prints it:
 * `LEVEL: message [ExcClass(errno, 'strerror')]`, with fds, addresses,
 * ports and pipe numbers masked and timing lines left out.
 *
 * @example
 * ```ts
 * const out: string[] = [];
 * const print = printer(out);
 * await runWithDebugLog(print, () => app(print));
 * ```
 * @module
 */
import * as asyncio from "../mod.ts";

/** `asyncio.run(main, { debug: true })` with the asyncio log printed by `print`. */
export async function runWithDebugLog(
  print: (...args: unknown[]) => void,
  main: () => Promise<void>,
): Promise<void> {
  const show = (record: asyncio.LogRecord) => {
    const msg = record.message
      .replace(/fd=\d+/g, "fd=N")
      .replace(/ at 0x[0-9a-f]+/g, "")
      .replace(/(\('127\.0\.0\.1', )\d+\)/g, "$1P)")
      .replace(/127\.0\.0\.1:\d+/g, "127.0.0.1:P")
      .replace(/(Read|Write) pipe \d+/g, "$1 pipe N");
    if (/took [0-9]/.test(msg) || msg.startsWith("Using selector")) return;
    const e = record.exception as asyncio.OSError | undefined;
    const exc = e ? ` [${e.constructor.name}(${e.errno}, '${e.strerror}')]` : "";
    print(`${record.levelName}: ${msg}${exc}`);
  };
  asyncio.logger.setLevel(asyncio.DEBUG);
  asyncio.logger.addHandler(show);
  try {
    await asyncio.run(main, { debug: true });
  } finally {
    asyncio.logger.removeHandler(show);
    asyncio.logger.setLevel(0);
  }
}
