// The context-variable API refuses missing and unknown arguments with
// Python's TypeErrors, where JS let them pass: `ctx.run()` failed as
// "'NoneType' object is not callable", `v.set()` set the value undefined,
// `ctx.get()` blamed the key, and an unknown key in the options of
// `new ContextVar` and of `addDoneCallback` (a misspelt `context`) was
// ignored, as was a Context passed without its `{ context }`. (Extra
// arguments stay allowed: JS passes them, `keys.map(ctx.get)`.) Checked
// against CPython (tests/fixtures/py/rp_ctx9_call_errors.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const v = new asyncio.ContextVar<string>("v", { default: "default" });

/** Calls a function with arguments its type refuses, as untyped JS code may. */
const loose = (fn: unknown) => fn as (...args: unknown[]) => unknown;

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const ctx = asyncio.copyContext();
  const fut = loop.createFuture<null>();
  const NewVar = asyncio.ContextVar as unknown as new (...args: unknown[]) => unknown;
  const calls: [string, () => unknown][] = [
    ["Context.run()", () => loose(ctx.run)()],
    ["ContextVar()", () => new NewVar()],
    ["ContextVar(name, 1)", () => new NewVar("w", 1)],
    ["ContextVar(name, dflt=1)", () => new NewVar("w", { dflt: 1 })],
    ["v.set()", () => loose(v.set)()],
    ["v.reset()", () => loose(v.reset)()],
    ["ctx.get()", () => loose(ctx.get)()],
    ["ctx.run(v.set)", () => ctx.run(loose(v.set))],
    [
      "add_done_callback(cb, contxt=ctx)",
      () => loose(fut.addDoneCallback.bind(fut))(() => {}, { contxt: ctx }),
    ],
    [
      "add_done_callback(cb, ctx)",
      () => loose(fut.addDoneCallback.bind(fut))(() => {}, ctx),
    ],
  ];
  for (const [label, call] of calls) {
    try {
      call();
      print(label, "accepted");
    } catch (e) {
      if (!(e instanceof TypeError)) throw e;
      print(label, "TypeError:", e.message);
    }
  }
  print("v", v.get(), "ctx", ctx.get(v), ctx.size);
  fut.setResult(null);
  await asyncio.sleep(0);
}

const EXPECTED = [
  "Context.run() TypeError: run() missing 1 required positional argument",
  "ContextVar() TypeError: ContextVar() takes exactly 1 positional argument (0 given)",
  "ContextVar(name, 1) TypeError: ContextVar() takes at most 1 positional argument (2 given)",
  "ContextVar(name, dflt=1) TypeError: 'dflt' is an invalid keyword argument for ContextVar()",
  "v.set() TypeError: ContextVar.set() takes exactly one argument (0 given)",
  "v.reset() TypeError: ContextVar.reset() takes exactly one argument (0 given)",
  "ctx.get() TypeError: get expected at least 1 argument, got 0",
  "ctx.run(v.set) TypeError: ContextVar.set() takes exactly one argument (0 given)",
  "add_done_callback(cb, contxt=ctx) TypeError: 'contxt' is an invalid keyword argument for add_done_callback()",
  "add_done_callback(cb, ctx) TypeError: add_done_callback() takes exactly 1 positional argument (2 given)",
  "v default ctx None 0",
];

test("the context-variable API refuses missing and unknown arguments", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_ctx9_call_errors.py", () => {
  const ref = pythonReference("rp_ctx9_call_errors");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
