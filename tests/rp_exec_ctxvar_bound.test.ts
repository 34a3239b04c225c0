// ContextVar.get/set/reset and Context.run/get passed alone as callables
// work as Python's bound methods do: `ctx.run(v.set, x)` (PEP 567's idiom),
// `loop.callSoon(v.set, x, { context: ctx })`, `loop.callSoon(ctx.run, fn)`,
// `runInExecutor(null, ctx.run, v.get)`. Unbound, `v.set` keyed its value
// under `undefined` and `v.get` failed on `this`. Checked against CPython
// (tests/fixtures/py/rp_exec_ctxvar_bound.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function boundApp(print: (...args: unknown[]) => void): Promise<void> {
  const requestId = new asyncio.ContextVar("request_id", { default: "-" });
  const log = (msg: string) => print(`[${requestId.get()}] ${msg}`);
  const loop = asyncio.getRunningLoop();
  const ctx = asyncio.copyContext();
  ctx.run(requestId.set, "req-1");
  print(ctx.get(requestId), requestId.get(), ctx.run(requestId.get));
  loop.callSoon(log, "callback in ctx", { context: ctx });
  loop.callSoon(log, "callback outside");
  await asyncio.sleep(0);
  const ctx2 = asyncio.copyContext();
  const h = loop.callSoon(requestId.set, "req-2", { context: ctx2 });
  print(h);
  await asyncio.sleep(0);
  print(ctx2.get(requestId), requestId.get());
  const tok = ctx2.run(requestId.set, "req-3");
  print(ctx2.run(requestId.get));
  ctx2.run(requestId.reset, tok);
  print(ctx2.run(requestId.get));
  const getter = requestId.get;
  print(getter(), ctx.run(getter), ctx2.run(getter, "unused default"));
  print(`[${[requestId].map(ctx.get).map((v) => `'${v}'`).join(", ")}]`);
  const fut = loop.createFuture<null>();
  loop.callSoon(ctx.run, log, "ctx.run as a callback");
  loop.callSoon(fut.setResult, null);
  await fut;
  print(await loop.runInExecutor(null, ctx.run, requestId.get));
}

const EXPECTED = [
  "req-1 - req-1",
  "[req-1] callback in ctx",
  "[-] callback outside",
  "<Handle ContextVar.set('req-2')>",
  "req-2 -",
  "req-3",
  "req-2",
  "- req-1 req-2",
  "['req-1']",
  "[req-1] ctx.run as a callback",
  "req-1",
];

test("a ContextVar's and a Context's methods passed alone stay bound", async () => {
  const out: string[] = [];
  await asyncio.run(() => boundApp(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_exec_ctxvar_bound.py", () => {
  const ref = pythonReference("rp_exec_ctxvar_bound");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
