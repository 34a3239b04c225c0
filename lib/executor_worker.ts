/**
 * The wire protocol of {@link ThreadPoolExecutor}'s workers: the source the
 * worker runs, how a function becomes source text, and how an error thrown
 * in the worker is rebuilt in the parent.
 *
 * A function crosses as its source text (`Function.prototype.toString`),
 * because closures cannot cross threads; its arguments and result are
 * structured-cloned. The worker compiles the text with an indirect `eval`,
 * so the function sees the worker's globals, never the variables of the
 * scope it was written in.
 *
 * @module
 */
import { pyRepr } from "./format.ts";
import * as exceptions from "./exceptions.ts";

/** A job, parent to worker. */
export interface JobMessage {
  id: number;
  src: string;
  args: unknown[];
}

/** An error as it crosses from the worker: its name, message, stack and primitive fields. */
export interface PackedError {
  kind: "error";
  name: string;
  message: string;
  stack: string;
  extra: Record<string, string | number | boolean | null>;
}

/** Something thrown that is not an Error (`throw 42`), cloned as it is. */
export interface PackedValue {
  kind: "value";
  value: unknown;
}

/** A job's outcome, worker to parent. */
export type ReplyMessage =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: PackedError | PackedValue };

/**
 * The body the worker runs (see `spawnWorker` in `ffi/threads.ts`: it sees
 * `workerPort`). One job at a time: the pool sends the next only after the
 * reply. Compiled functions are cached by source, so a function submitted
 * again is not parsed again.
 */
export const WORKER_SOURCE = `
// tsc's rewriteRelativeImportExtensions turns a non-literal import(x) in the
// submitted function into a call of this helper, which the worker lacks.
// Only relative .ts paths are rewritten, and a worker has no base for those.
globalThis.__rewriteRelativeImportExtension ??= (path) => path;
const compiled = new Map();
const indirectEval = eval;
function compile(src) {
  let fn = compiled.get(src);
  if (fn !== undefined) return fn;
  try {
    fn = indirectEval("(" + src + "\\n)");
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
    // A method's text ("name(a) { ... }") is no expression: read it back as
    // the one member of an object literal.
    const obj = indirectEval("({" + src + "\\n})");
    fn = Object.getOwnPropertyDescriptor(obj, Reflect.ownKeys(obj)[0]).value;
  }
  if (typeof fn !== "function") throw new TypeError("not a function: " + src.slice(0, 60));
  if (compiled.size >= 256) compiled.clear();
  compiled.set(src, fn);
  return fn;
}
function pack(e) {
  if (e instanceof Error || (e !== null && typeof e === "object" && "name" in e && "message" in e)) {
    const extra = {};
    for (const k of Object.keys(e)) {
      const v = e[k];
      if (k === "name" || k === "message" || k === "stack") continue;
      if (v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean") {
        extra[k] = v;
      }
    }
    return { kind: "error", name: String(e.name), message: String(e.message), stack: String(e.stack ?? ""), extra };
  }
  try {
    structuredClone(e);
    return { kind: "value", value: e };
  } catch {
    return { kind: "value", value: String(e) };
  }
}
// Node forwards a worker's stdout and stderr to the parent on a port of
// their own, which the parent may read after the reply: what the function
// printed would then come out after what the parent prints on getting its
// result, where a Python thread's print() is written at once. An empty
// write's callback runs once the parent has taken every chunk before it, so
// the reply waits for that. Deno and Bun write a worker's output directly.
const nodeStdio = typeof Deno === "undefined" && typeof Bun === "undefined" &&
    typeof process === "object" && process !== null
  ? [process.stdout, process.stderr].filter((s) => typeof s?.write === "function")
  : [];
function flushStdio() {
  const pending = nodeStdio.filter((s) => s.writableLength > 0);
  if (pending.length === 0) return null;
  return Promise.all(pending.map((s) => new Promise((resolve) => s.write("", () => resolve()))));
}
// One message at a time, in order: an async initializer ends before the
// job sent after it starts.
let turn = Promise.resolve();
workerPort.onMessage((msg) => {
  // A reply that cannot be sent at all still ends the worker (the pool sees a crash).
  turn = turn.then(() => run(msg)).catch((e) => {
    setTimeout(() => {
      throw e;
    });
  });
});
async function run(msg) {
  let value;
  try {
    value = await compile(msg.src).apply(undefined, msg.args);
  } catch (e) {
    await flushStdio();
    workerPort.postMessage({ id: msg.id, ok: false, error: pack(e) });
    return;
  }
  await flushStdio();
  try {
    workerPort.postMessage({ id: msg.id, ok: true, value });
  } catch (e) {
    const p = pack(e);
    if (p.kind === "error") p.message = "the result cannot be sent back from the worker: " + p.message;
    workerPort.postMessage({ id: msg.id, ok: false, error: p });
  }
}
`;

/**
 * The source text of `fn` for a worker; a `TypeError` for a non-function,
 * and for native and bound functions, whose text is no JavaScript.
 *
 * @example
 * ```ts
 * functionSource((a: number) => a + 1); // "(a) => a + 1"
 * functionSource(Math.max); // TypeError
 * ```
 */
export function functionSource(fn: unknown, method = "submit"): string {
  if (typeof fn !== "function") {
    throw new TypeError(`a callable object was expected by ${method}(), got ${pyRepr(fn)}`);
  }
  const src = Function.prototype.toString.call(fn);
  if (/\{\s*\[native code\]\s*\}\s*$/.test(src)) {
    throw new TypeError(
      `${fn.name || "a function"} is native or bound: it has no source to send to a worker ` +
        `(wrap it in a plain function, or use InlineExecutor)`,
    );
  }
  return src;
}

// The built-in classes an error is rebuilt as, so `instanceof RangeError`
// holds in the parent as it did in the worker; and the library's Python
// classes (a function sent as a module's export may throw them), so that
// ported `except ValueError:` (`instanceof ValueError`) catches what the
// worker or child raised, as Python's pools hand back the exception itself.
// OSError's errno, code and strerror come back as fields (`extra`).
const BUILTIN: Record<string, new (message: string) => Error> = {
  Error,
  EvalError,
  RangeError,
  ReferenceError,
  SyntaxError,
  TypeError,
  URIError,
};
for (const [name, value] of Object.entries(exceptions)) {
  if (
    typeof value === "function" && value.prototype instanceof Error &&
    name !== "KeyboardInterrupt" && name !== "SystemExit"
  ) {
    BUILTIN[name] = value as new (message: string) => Error;
  }
}

/**
 * The error a job rejects with: a built-in class when the name is one
 * (`RangeError`), else an `Error` with the worker's name; message, stack and
 * primitive fields (`code`, `errno`) as the worker had them. `fromWorker`
 * false: it was raised where its stack names real frames (the loop's
 * thread, for a Worker awaiting the loop), so reports may print them.
 *
 * @example
 * ```ts
 * const e = unpackError({ kind: "error", name: "RangeError", message: "m", stack: "", extra: {} });
 * e instanceof RangeError; // true
 * ```
 */
export function unpackError(p: PackedError | PackedValue, fromWorker = true): unknown {
  if (p.kind === "value") {
    // A Future cannot hold `null` as its exception.
    return p.value ?? new Error(`the worker threw ${p.value}`);
  }
  const Ctor = Object.hasOwn(BUILTIN, p.name) ? BUILTIN[p.name] : Error;
  const e = new Ctor(p.message);
  if (e.name !== p.name) {
    Object.defineProperty(e, "name", { value: p.name, writable: true, configurable: true });
  }
  for (const [k, v] of Object.entries(p.extra)) {
    Object.defineProperty(e, k, { value: v, writable: true, configurable: true, enumerable: true });
  }
  const own = fromWorker && p.stack ? jobStack(p.stack) : null;
  if (p.stack) e.stack = own ?? p.stack;
  // A stack cut down to the job's frames is one a report can print, as
  // Python prints the traceback of what a worker thread raised.
  if (fromWorker && own === null) _fromWorker.add(e);
  return e;
}

/** A V8-style frame line (all three runtimes print them): name, location, line, column. */
const FRAME_LINE = /^\s*at (?:async )?(?:(.*?) \()?(.*):(\d+):(\d+)\)?$/;

/** Where an eval'd copy of a job's function runs: V8's `eval at ...`, `<anonymous>`; Bun's blob. */
const EVAL_LOCATION = /^eval at |<anonymous>$|^(?:file:\/\/\/)?blob:/;

/**
 * A worker's stack cut down to the frames of the job's own code, as
 * Python's traceback of an exception raised in a thread shows them: the
 * worker's `run` and what called it go (they named the runtime's internals,
 * `[ext:runtime/web_worker.rs]`, differently on each runtime), and a frame
 * of the function's eval'd copy is named as Python names code run from a
 * string, `File "<string>"`, an anonymous function's as a lambda's. A frame
 * of a module's function (`moduleFunction`) keeps its file. Null when the
 * stack shows no frame of the job.
 */
function jobStack(stack: string): string | null {
  const lines = stack.split("\n");
  const end = lines.findLastIndex((l) => /^\s*at (?:async )?run \(/.test(l));
  const first = lines.findIndex((l) => FRAME_LINE.test(l));
  if (end === -1 || first === -1 || first >= end) return null;
  const frames = lines.slice(first, end).map((l) => {
    // A native frame has no line to match: `at new Promise (<anonymous>)`.
    const m = FRAME_LINE.exec(l);
    if (m === null || !EVAL_LOCATION.test(m[2])) return l;
    const name = !m[1] || m[1] === "eval" || m[1] === "<anonymous>" ? "<lambda>" : m[1];
    return `    at ${name} (<string>:${m[3]}:${m[4]})`;
  });
  return [...lines.slice(0, first), ...frames].join("\n");
}

/**
 * @internal The errors {@link unpackError} rebuilt whose stack could not be
 * cut down to the job's frames ({@link jobStack}): the worker's own, no
 * frames a report can show.
 */
export const _fromWorker: WeakSet<object> = new WeakSet();
