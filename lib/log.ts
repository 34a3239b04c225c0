/**
 * The `asyncio` logger: Python's `logging.getLogger("asyncio")`, cut down to
 * what asyncio code uses. Messages at or above the logger's level go to its
 * handlers; with no handler added, WARNING and above are written to stderr
 * as bare messages, as Python's last-resort handler does.
 *
 * @module
 */
import process from "node:process";

/** Python's logging levels. @example `logger.setLevel(DEBUG)` */
export const DEBUG = 10;
/** Python's INFO level (20). @example `logger.setLevel(INFO)` */
export const INFO = 20;
/** Python's WARNING level (30), the default threshold. @example `logger.setLevel(WARNING)` */
export const WARNING = 30;
/** Python's ERROR level (40). @example `logger.setLevel(ERROR)` */
export const ERROR = 40;
/** Python's CRITICAL level (50). @example `logger.setLevel(CRITICAL)` */
export const CRITICAL = 50;

const levelNames: Record<number, string> = {
  10: "DEBUG",
  20: "INFO",
  30: "WARNING",
  40: "ERROR",
  50: "CRITICAL",
};

/** One logged event, as handed to a handler. */
export interface LogRecord {
  /** `"asyncio"`. */
  name: string;
  /** Numeric level. */
  level: number;
  /** `"ERROR"`, `"WARNING"`, ... */
  levelName: string;
  /** The formatted message. */
  message: string;
  /** The exception being logged, if any. */
  exception?: unknown;
}

/** A function that receives log records. */
export type LogHandler = (record: LogRecord) => void;

/**
 * A named logger with a level and handlers.
 *
 * @example
 * ```ts
 * import { logger, DEBUG } from "./log.ts";
 * logger.setLevel(DEBUG);
 * logger.addHandler((r) => console.log(r.levelName, r.message));
 * ```
 */
export class Logger {
  /** The logger's name. */
  readonly name: string;
  /** Records below this level are dropped; 0 means WARNING, Python's root default. */
  level = 0;
  #handlers: LogHandler[] = [];

  /** Makes a logger; use the shared {@link logger} for asyncio's own messages. */
  constructor(name: string) {
    this.name = name;
  }

  /** Sets the threshold level. */
  setLevel(level: number): void {
    this.level = level;
  }

  /** The level in effect (WARNING when unset). */
  getEffectiveLevel(): number {
    return this.level || WARNING;
  }

  /** Whether a message at `level` would be handled. */
  isEnabledFor(level: number): boolean {
    return level >= this.getEffectiveLevel();
  }

  /** Adds a handler; with none, WARNING and above go to stderr. */
  addHandler(h: LogHandler): void {
    this.#handlers.push(h);
  }

  /** Removes a handler added before. */
  removeHandler(h: LogHandler): void {
    const i = this.#handlers.indexOf(h);
    if (i >= 0) this.#handlers.splice(i, 1);
  }

  /** Logs at `level`. */
  log(level: number, message: string, exception?: unknown): void {
    if (!this.isEnabledFor(level)) return;
    const record: LogRecord = {
      name: this.name,
      level,
      levelName: levelNames[level] ?? `Level ${level}`,
      message,
      exception,
    };
    if (this.#handlers.length === 0) {
      lastResort(record);
      return;
    }
    for (const h of this.#handlers) h(record);
  }

  /** Logs at DEBUG. */
  debug(message: string): void {
    this.log(DEBUG, message);
  }
  /** Logs at INFO. */
  info(message: string): void {
    this.log(INFO, message);
  }
  /** Logs at WARNING. */
  warning(message: string, exception?: unknown): void {
    this.log(WARNING, message, exception);
  }
  /** Logs at ERROR. */
  error(message: string, exception?: unknown): void {
    this.log(ERROR, message, exception);
  }
  /** Logs at CRITICAL. */
  critical(message: string, exception?: unknown): void {
    this.log(CRITICAL, message, exception);
  }
}

/** Formats an exception the way a traceback ends: its stack, or `Name: message`. */
export function formatException(e: unknown): string {
  if (e instanceof Error) return e.stack ?? `${e.name}: ${e.message}`;
  return String(e);
}

function lastResort(r: LogRecord): void {
  let text = r.message;
  // Python's `exc_info=None` (here null or undefined) logs no traceback.
  if (r.exception != null) text += "\n" + formatException(r.exception);
  process.stderr.write(text + "\n");
}

/**
 * asyncio's logger, named `"asyncio"` as in Python.
 *
 * @example
 * ```ts
 * logger.warning("Executing %s took 0.2 seconds");
 * ```
 */
export const logger: Logger = new Logger("asyncio");
