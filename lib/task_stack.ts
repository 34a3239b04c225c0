/**
 * `Task.getStack()` and `Task.printStack()`: Python's `base_tasks`
 * `_task_get_stack` / `_task_print_stack`, as far as JavaScript can see. A
 * suspended async function has no frames to inspect, so a pending task
 * shows one frame, its coroutine's (as Python's does for a coroutine
 * suspended at an `await`); a task that failed shows the frames of its
 * exception's stack; any other finished task has none.
 *
 * @module
 */
import process from "node:process";
import { pyTypeName } from "./format.ts";

/**
 * One frame of a task's stack: what Python's `print_stack()` shows of a
 * frame object. `filename` is `""` and `lineno` 0 where JavaScript cannot
 * tell (a suspended coroutine).
 *
 * @example
 * ```ts
 * const [frame] = task.getStack();
 * console.log(frame.name); // "main"
 * ```
 */
export interface StackFrame {
  /** The function's name (Python's `f_code.co_name`). */
  name: string;
  /** The file it runs from, as its stack shows it. */
  filename: string;
  /** The line it is at. */
  lineno: number;
}

/** Options of `getStack()` and `printStack()`. */
export interface StackOptions {
  /** At most this many frames: the newest of a stack, the oldest of a traceback. */
  limit?: number | null;
}

/** Where `printStack()` writes: anything with `write(text)`, as Python's `file`. */
export interface TextSink {
  /** Writes `text` as it is. */
  write(text: string): unknown;
}

/** What a task shows of itself to these functions. */
export interface StackSource {
  /** Whether the task is done. */
  done(): boolean;
  /** Its exception, if it failed (null otherwise, and when cancelled). */
  failure(): unknown;
  /** The name of its coroutine's function. */
  coroName(): string;
  /**
   * The frames of its exception's stack that a traceback shows (the
   * program's, not the loop's that ran it), oldest first; all of them if absent.
   */
  traceback?(stack: string): StackFrame[];
  /** The traceback's last line for its exception (`ValueError: boom`). */
  exceptionLine?(exc: unknown): string;
}

// V8: "    at fn (file:1:2)", "    at file:1:2", "    at async fn (file:1:2)".
const V8_FRAME = /^\s*at (?:async )?(?:(.*?) \((.*):(\d+):\d+\)|(.*):(\d+):\d+)$/;
// JavaScriptCore: "fn@file:1:2", "@file:1:2", "file:1:2".
const JSC_FRAME = /^(?:(.*)@)?(.*):(\d+):\d+$/;

/** The frames of an error's stack, oldest first as Python's tracebacks list them. */
export function stackFrames(stack: string): StackFrame[] {
  const frames: StackFrame[] = [];
  for (const line of stack.split("\n")) {
    const v8 = V8_FRAME.exec(line);
    if (v8 !== null) {
      frames.push(
        v8[2] !== undefined
          ? { name: v8[1] || "<anonymous>", filename: v8[2], lineno: Number(v8[3]) }
          : { name: "<module>", filename: v8[4], lineno: Number(v8[5]) },
      );
      continue;
    }
    if (line.startsWith(" ")) continue;
    const jsc = JSC_FRAME.exec(line);
    if (jsc !== null) {
      frames.push({ name: jsc[1] || "<module>", filename: jsc[2], lineno: Number(jsc[3]) });
    }
  }
  return frames.reverse();
}

/** Python's `_task_get_stack`. */
export function taskStack(task: StackSource, opts: StackOptions = {}): StackFrame[] {
  const limit = opts.limit ?? null;
  if (limit !== null && typeof limit !== "number" && (!task.done() || task.failure() !== null)) {
    // Python's message: its walk over the frames compares `limit <= 0` first.
    throw new TypeError(
      `'<=' not supported between instances of '${pyTypeName(limit)}' and 'int'`,
    );
  }
  if (!task.done()) {
    return limit !== null && limit <= 0 ? [] : [{ name: task.coroName(), filename: "", lineno: 0 }];
  }
  const exc = task.failure();
  if (!(exc instanceof Error) || exc.stack === undefined) return [];
  const frames = task.traceback ? task.traceback(exc.stack) : stackFrames(exc.stack);
  if (limit === null) return frames;
  // A traceback keeps its oldest frames; Python's walk stops at once at a
  // limit of 0 or less (a negative one gives no frames, unlike `traceback`'s).
  return limit <= 0 ? [] : frames.slice(0, limit);
}

/** Python's `_task_print_stack`: the frames, then the exception, to `file` (stderr). */
export function printTaskStack(
  task: StackSource & { toString(): string },
  opts: StackOptions & { file?: TextSink | null } = {},
): void {
  const file: TextSink = opts.file ?? process.stderr;
  const frames = taskStack(task, opts);
  const exc = task.done() ? task.failure() : null;
  let head = "Stack for";
  if (frames.length === 0) head = "No stack for";
  else if (exc !== null) head = "Traceback for";
  let text = `${head} ${task}${frames.length === 0 ? "" : " (most recent call last):"}\n`;
  for (const f of frames) text += `  File "${f.filename}", line ${f.lineno}, in ${f.name}\n`;
  if (exc !== null) {
    text += task.exceptionLine
      ? `${task.exceptionLine(exc)}\n`
      : exc instanceof Error
      ? `${exc.name}: ${exc.message}\n`
      : `${String(exc)}\n`;
  }
  file.write(text);
}
