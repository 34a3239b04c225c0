/**
 * Marks the library's functions for `iscoroutinefunction()` as Python's
 * namesakes answer: `async def` ones where the port returns a promise from
 * a plain function (kept plain to spare an async frame per call), and not
 * the async functions that Python's are plain (`run`, `runUntilComplete`).
 * Imported by `mod.ts` for its effect.
 *
 * @module
 */
import { _markCoroutineFunctions } from "./coroutines.ts";
import { SelectorEventLoop } from "./unix_events.ts";
import { Barrier, Condition, Event, Lock, Semaphore } from "./locks.ts";
import { Queue } from "./queues.ts";
import { StreamReader, StreamWriter } from "./streams.ts";
import { Process } from "./subprocess.ts";
import { Server } from "./servers.ts";
import { toThread } from "./threads.ts";
import { run, Runner } from "./runners.ts";
import { timeout, timeoutAt, waitFor } from "./task_functions.ts";
import { sleep } from "./tasks.ts";

/**
 * The methods called `names` that `cls` and its base classes define; of one
 * bound on read (a getter), the method its prototype gives (its bound
 * copies are new functions, which no mark reaches).
 */
function methods(cls: { prototype: object }, names: string[]): unknown[] {
  const out: unknown[] = [];
  for (let p: object | null = cls.prototype; p !== null && p !== Object.prototype;) {
    for (const name of names) {
      const d = Object.getOwnPropertyDescriptor(p, name);
      if (d === undefined) continue;
      const f = d.get !== undefined ? d.get.call(p) : d.value;
      if (typeof f === "function") out.push(f);
    }
    p = Object.getPrototypeOf(p);
  }
  return out;
}

_markCoroutineFunctions(true, [
  ...methods(SelectorEventLoop, [
    "connectAcceptedSocket",
    "connectReadPipe",
    "connectWritePipe",
    "createConnection",
    "createDatagramEndpoint",
    "createServer",
    "createUnixConnection",
    "createUnixServer",
    "getaddrinfo",
    "getnameinfo",
    "sendfile",
    "shutdownAsyncgens",
    "shutdownDefaultExecutor",
    "sockAccept",
    "sockConnect",
    "sockRecv",
    "sockRecvInto",
    "sockRecvfrom",
    "sockRecvfromInto",
    "sockSendall",
    "sockSendfile",
    "sockSendto",
    "startTls",
    "subprocessExec",
    "subprocessShell",
  ]),
  ...methods(Lock, ["acquire"]),
  ...methods(Event, ["wait"]),
  // A Condition's acquire is its lock's, an `async def` in Python.
  ...methods(Condition, ["acquire", "wait", "waitFor"]),
  ...methods(Semaphore, ["acquire"]),
  ...methods(Barrier, ["wait", "abort", "reset"]),
  ...methods(Queue, ["get", "put", "join"]),
  ...methods(StreamReader, ["read", "readLine", "readExactly", "readUntil"]),
  ...methods(StreamWriter, ["drain", "waitClosed", "startTls"]),
  ...methods(Process, ["wait", "communicate"]),
  ...methods(Server, ["serveForever", "waitClosed", "startServing"]),
  toThread,
  // Plain functions returning a lazy call, `async def` in Python.
  sleep,
  waitFor,
]);

_markCoroutineFunctions(false, [
  ...methods(SelectorEventLoop, ["runForever", "runUntilComplete"]),
  ...methods(Runner, ["run", "close"]),
  run,
  timeout,
  timeoutAt,
]);
