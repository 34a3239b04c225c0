/**
 * Who is running right now: the loop whose callback is on the stack, the
 * task whose coroutine is executing (found through its async context, so it
 * stays right after every `await`), and the context of the running callback.
 *
 * Internal: shared by the loop, tasks and context variables, so none of them
 * has to import the others.
 *
 * @module
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { isMainThread } from "node:worker_threads";
import { createTaskStorage, type TaskStorage } from "../ffi/async_context.ts";
import type { Context } from "./contextvars.ts";

/** What the loop and context variables need to know of a running task. */
export interface RunningTask {
  /** The loop the task belongs to. */
  readonly _loop: object;
  /** The task's context (PEP 567): copied when the task was created. */
  readonly _context: Context;
}

/**
 * The async context of tasks. A task runs its coroutine inside
 * `taskStorage.run(task, ...)`, so `getStore()` is that task in every segment
 * of its native async functions.
 */
export const taskStorage: TaskStorage<RunningTask> = createTaskStorage<RunningTask>();

/**
 * The context of a function that an executor runs on the main thread in a
 * thread's stead (`InlineExecutor`, `toThread`): current in it and in every
 * continuation after its awaits, as a Python thread's own context stays
 * current in it. A synchronous `Context.run` would end at its first `await`,
 * and the rest of an async function would see the caller's context (or the
 * root one). Consulted only where no callback and no task is running.
 *
 * @example
 * ```ts
 * const ctx = new Context();
 * ctx.run(() => threadContext.run(ctx, asyncFn)); // ctx stays current past asyncFn's awaits
 * ```
 */
export const threadContext: AsyncLocalStorage<Context> = new AsyncLocalStorage<Context>();

/**
 * Whether the code running is another thread's in Python: a Worker's, or a
 * function's that an executor runs on the main thread in a thread's stead
 * (`running.thread` until its first await, `threadContext` after it, in
 * the loops it runs too). Such code takes no signals.
 *
 * @example
 * ```ts
 * if (inThread()) throw new RuntimeError("set_wakeup_fd only works in main thread");
 * ```
 */
export function inThread(): boolean {
  return !isMainThread || running.thread > 0 || threadContext.getStore() !== undefined;
}

/**
 * The function an executor runs on the main thread in a thread's stead that
 * is running now (its context, in `threadContext`), or undefined: the main
 * thread's own code, or a Worker's (whose module state is its own).
 * Thread-local state (the policy's current loop) is kept per such function.
 */
export function emulatedThread(): object | undefined {
  return isMainThread ? threadContext.getStore() : undefined;
}

/**
 * Python's names of the threads whose functions run on the main thread in
 * their stead (`asyncio_0` for the default executor's first one), set by
 * the executor that runs them.
 */
export const threadNames: WeakMap<object, string> = new WeakMap();

/**
 * `threading.current_thread().name`, for messages: "MainThread", an
 * executor's thread name (see {@link threadNames}), else "Worker" or
 * "Thread".
 */
export function currentThreadName(): string {
  if (!isMainThread) return "Worker";
  const thread = threadContext.getStore();
  if (thread === undefined) return running.thread > 0 ? "Thread" : "MainThread";
  return threadNames.get(thread) ?? "Thread";
}

/** Mutable run state, in one object so that modules share it by reference. */
export const running = {
  /** The context of the callback on the stack, or null between callbacks. */
  context: null as Context | null,
  /** The loop whose callback is on the stack (or that drives the current microtask drain). */
  loop: null as object | null,
  /** Loops inside `runForever`, in start order. */
  loops: [] as object[],
  /** The task that code outside every task counts as (see {@link taskInScope}), or null. */
  outside: null as RunningTask | null,
  /**
   * How deep the main thread is in functions an executor runs there in a
   * thread's stead (`InlineExecutor`): while above 0 and no loop callback is
   * on the stack, no loop runs and no task is current, as in a Python
   * worker thread (`get_running_loop()` fails; `asyncio.run()` works).
   */
  thread: 0,
};

/**
 * The task whose code is running: the one in the async context, else,
 * between the loop's callbacks, the task that code outside every task
 * counts as. That one is the task made for a promise by `asyncio.run(main())`
 * or `loop.runUntilComplete(main())`: in Python, `main` would run inside it,
 * but here `main()` started before there was a task, so its code after an
 * `await` has none in its async context. Ported programs have no other code
 * outside tasks (callbacks are not awaited, and run with `running.loop` set).
 */
export function taskInScope(): RunningTask | undefined {
  const task = taskStorage.getStore();
  if (task !== undefined || running.loop !== null || running.thread > 0) return task;
  const outside = running.outside;
  if (outside === null || !running.loops.includes(outside._loop)) return undefined;
  // An executor's function, resumed after an await: a thread has no task.
  if (threadContext.getStore() !== undefined) return undefined;
  return outside;
}

/**
 * What the loop watches while resumed JS code runs in microtasks.
 *
 * `count` counts suspensions: bumped whenever code awaits a pending loop
 * future (its `then()` is called) or a task's coroutine settles. After
 * running a callback that resumed JS code, the loop lets microtasks run
 * until this moves, which is when that code has reached its next
 * suspension point.
 *
 * `progress` is bumped by awaits that would not suspend a Python task:
 * a done future, a free lock or semaphore, a set event, a queue with room
 * or items. JS still spends a microtask on them; the loop keeps draining
 * while this moves, so the code runs to its real suspension, as a Python
 * task step does, instead of being cut off after a fixed number of rounds.
 */
export const suspensions = {
  count: 0,
  progress: 0,
  /** Called (once) at the next suspension: how a drain that saw progress waits for it. */
  wake: null as (() => void) | null,
};

/** Records a suspension (see {@link suspensions}). */
export function suspended(): void {
  suspensions.count++;
  const wake = suspensions.wake;
  if (wake !== null) {
    suspensions.wake = null;
    wake();
  }
}

/**
 * Late-bound functions, set by the modules that own them, so that low
 * modules (futures) can call high ones (policies) without an import cycle.
 */
export const hooks = {
  /** `getEventLoop()`, set by `policies.ts`. */
  getEventLoop: null as (() => object) | null,
  /** `_getRunningLoop()`, set by `events.ts`. */
  getRunningLoop: null as (() => object | null) | null,
  /** `sleep(0)`, one loop iteration; set by `tasks.ts`. */
  sleep0: null as (() => Promise<unknown>) | null,
};

/** What `untilALoopRuns()` callers wait on: resolved by `loopStarted()`. */
let loopStartWaiters: Array<(started: boolean) => void> = [];
let giveUpTimer: ReturnType<typeof setTimeout> | null = null;

/**
 * Resolves to true when a loop starts running, or to false if none has by
 * the host's next turn. For code that needs the running loop but was
 * started just before it: `loop.runUntilComplete(main())` calls `main()`
 * first, so the code before main's first `await` runs before the loop
 * does, where Python would not have started the coroutine yet.
 */
export function untilALoopRuns(): Promise<boolean> {
  return new Promise((resolve) => {
    loopStartWaiters.push(resolve);
    giveUpTimer ??= setTimeout(() => settleLoopWaiters(false), 0);
  });
}

/** Called by a loop as it starts running. */
export function loopStarted(): void {
  if (loopStartWaiters.length) settleLoopWaiters(true);
}

function settleLoopWaiters(started: boolean): void {
  if (giveUpTimer !== null) clearTimeout(giveUpTimer);
  giveUpTimer = null;
  const waiters = loopStartWaiters;
  loopStartWaiters = [];
  for (const w of waiters) w(started);
}
