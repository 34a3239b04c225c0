// The loop's exception handler runs outside the failing callback's context,
// as Python's Handle._run reports after `Context.run` raised: a context
// variable read in the handler has the loop's value, not the one the
// callback set, for plain callbacks, timers, done callbacks and a
// protocol's `connectionMade`; a transport's fatal error (`dataReceived`
// threw) is reported from inside the reader's context, as in Python.
// Checked against CPython (tests/fixtures/py/rp_ctx3_handler_context.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const request = new asyncio.ContextVar<string>("request", { default: "none" });

class Bad extends asyncio.Protocol {
  override connectionMade(_t: asyncio.BaseTransport): void {
    request.set("made");
    throw new asyncio.RuntimeError("made failed");
  }
  override dataReceived(_data: Uint8Array): void {
    request.set("data");
    throw new asyncio.ValueError("data failed");
  }
}

async function app(print: (...args: unknown[]) => void): Promise<void> {
  function handler(_loop: unknown, context: asyncio.ExceptionContext) {
    const e = context.exception as Error;
    print("handler:", e.name, e.message, "request =", request.get());
  }
  function failingCb(tag: string) {
    request.set(tag + "-cb");
    throw new asyncio.RuntimeError(tag);
  }
  function failingDone(fut: asyncio.Future<number>) {
    request.set("done-cb");
    throw new asyncio.ValueError(`from done callback ${fut.result()}`);
  }
  async function job() {
    request.set("job");
    await asyncio.sleep(0);
    return 7;
  }
  const loop = asyncio.getRunningLoop();
  loop.setExceptionHandler(handler);
  print("main starts with", request.get());
  request.set("main");
  loop.callSoon(failingCb, "soon");
  const ctx = new asyncio.Context();
  ctx.run(request.set, "ctx");
  loop.callSoon(failingCb, "soon-ctx", { context: ctx });
  const t = asyncio.createTask(job);
  t.addDoneCallback(failingDone);
  t.addDoneCallback(failingDone, { context: ctx });
  await t;
  loop.callLater(0.01, failingCb, "later");
  await asyncio.sleep(0.05);
  print("main ends with", request.get(), ctx.get(request));
  const server = await loop.createServer(() => new Bad(), "127.0.0.1", 0);
  const port = (server.sockets[0].getsockname() as [string, number])[1];
  const [reader, writer] = await asyncio.openConnection("127.0.0.1", port);
  writer.write(new TextEncoder().encode("x"));
  await reader.read();
  writer.close();
  server.close();
  await server.waitClosed();
  print("server closed", request.get());
}

const EXPECTED = [
  "main starts with module",
  "handler: RuntimeError soon request = module",
  "handler: RuntimeError soon-ctx request = module",
  "handler: ValueError from done callback 7 request = module",
  "handler: ValueError from done callback 7 request = module",
  "handler: RuntimeError later request = module",
  "main ends with main done-cb",
  "handler: RuntimeError made failed request = module",
  "handler: ValueError data failed request = data",
  "server closed main",
  "after run module",
];

test("the exception handler sees the loop's context, not the callback's", async () => {
  const out: string[] = [];
  const print = printer(out);
  // The root context is the module's here: set and restored around the run.
  const token = request.set("module");
  try {
    await asyncio.run(() => app(print));
    print("after run", request.get());
  } finally {
    request.reset(token);
  }
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_ctx3_handler_context.py", () => {
  const ref = pythonReference("rp_ctx3_handler_context");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
