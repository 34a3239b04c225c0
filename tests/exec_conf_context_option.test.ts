// Callbacks' `context` option (Python's keyword-only `context=`): a final
// `{ context }` after the callback's arguments runs it in that Context, for
// callSoon, callSoonThreadsafe, callLater, callAt and done callbacks.
// Token.MISSING prints as Python's; a Context's keys must be ContextVars.
// Checked against CPython.
import { test } from "./harness.ts";
import { assertEquals, assertThrows } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const v = new asyncio.ContextVar<string>("v", { default: "root" });

function addr(s: unknown): string {
  return String(s).replace(/0x[0-9a-f]+/g, "0x?");
}

async function contextOption(print: (...args: unknown[]) => void): Promise<void> {
  const cb = (tag: string, extra: unknown = null) => {
    print("cb", tag, v.get(), extra);
    v.set("set by " + tag);
  };
  const loop = asyncio.getRunningLoop();
  v.set("main");
  const ctx = asyncio.copyContext();
  ctx.run(() => v.set("in ctx"));
  loop.callSoon(cb, "plain");
  loop.callSoon(cb, "soon", "x", { context: ctx });
  await asyncio.sleep(0);
  print("after soon", v.get(), ctx.get(v));
  loop.callSoonThreadsafe(cb, "threadsafe", { context: ctx });
  await asyncio.sleep(0);
  print("after threadsafe", ctx.get(v));
  loop.callLater(0.001, cb, "later", { context: ctx });
  await asyncio.sleep(0.02);
  print("after later", ctx.get(v));
  loop.callAt(loop.time(), cb, "at", 5, { context: ctx });
  await asyncio.sleep(0.01);
  print("after at", ctx.get(v));
  const fut = loop.createFuture();
  fut.addDoneCallback(() => cb("done"), { context: ctx });
  fut.setResult(null);
  await asyncio.sleep(0);
  print("after done", ctx.get(v), v.get());
  const t = v.set("again");
  print(addr(t), t.oldValue, t.var === v);
  const u = new asyncio.ContextVar<number>("u");
  const t2 = u.set(1);
  print(t2.oldValue, t2.oldValue === asyncio.Token.MISSING);
  for (const call of [() => ctx.get("v" as never), () => ctx.has("v" as never)]) {
    try {
      call();
    } catch (e) {
      print((e as Error).name, (e as Error).message);
    }
  }
}

const EXPECTED = [
  "cb plain main None",
  "cb soon in ctx x",
  "after soon main set by soon",
  "cb threadsafe set by soon None",
  "after threadsafe set by threadsafe",
  "cb later set by threadsafe None",
  "after later set by later",
  "cb at set by later 5",
  "after at set by at",
  "cb done set by at None",
  "after done set by done main",
  "<Token var=<ContextVar name='v' default='root' at 0x?> at 0x?> main True",
  "<Token.MISSING> True",
  "TypeError a ContextVar key was expected, got 'v'",
  "TypeError a ContextVar key was expected, got 'v'",
];

test(
  "a final { context } runs callSoon/callLater/callAt/callSoonThreadsafe callbacks there",
  async () => {
    const out: string[] = [];
    await asyncio.run(() => contextOption(printer(out)));
    assertEquals(out, EXPECTED);
  },
  { timeout: 20 },
);

test("only a plain { context } object is the option; a bad context is a TypeError", async () => {
  await asyncio.run(async () => {
    const loop = asyncio.getRunningLoop();
    const seen: unknown[][] = [];
    const record = (...args: unknown[]) => seen.push(args);
    const obj = { context: null, other: 1 };
    loop.callSoon(record, obj);
    loop.callSoon(record, { context: null }); // the option, with Python's None: the current context
    loop.callLater(0, record, new Map());
    await asyncio.sleep(0.01);
    assertEquals(seen, [[obj], [], [new Map()]]);
    assertThrows(
      () => loop.callSoon(record, { context: 5 }),
      TypeError,
      "context must be a Context, not int",
    );
    assertEquals(String(asyncio.MISSING), "<Token.MISSING>");
  });
}, { timeout: 20 });

test("CPython prints the same for exec_conf_context_option.py", () => {
  const ref = pythonReference("exec_conf_context_option");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
