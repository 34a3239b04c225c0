// Context variables (PEP 567) as lib/contextvars.ts implements them:
// ContextVar get/set/reset with Token, Context.run and its mapping methods,
// copyContext, and the context of tasks and loop callbacks. Messages are
// compared with CPython's (addresses and reprs aside) where python3 is found.
import { spawnSync } from "node:child_process";
import { test } from "./harness.ts";
import { assert, assertEquals, assertMatch, assertStrictEquals, assertThrows } from "./assert.ts";
import * as asyncio from "../mod.ts";
import { Context, ContextVar, copyContext, MISSING, Token } from "../mod.ts";

const { LookupError, RuntimeError, ValueError } = asyncio;

/** Runs `fn` in a fresh copy of the current context, so tests do not share values. */
function isolated<R>(fn: () => R): R {
  return copyContext().run(fn);
}

// ---------------------------------------------------------------- ContextVar

test("ContextVar: name, default, get(dflt), missing is a LookupError", () => {
  isolated(() => {
    const v = new ContextVar<number>("v");
    assertEquals(v.name, "v");
    // Python's reprs, with a stand-in address that stays the same.
    assertMatch(String(v), /^<ContextVar name='v' at 0x[0-9a-f]+>$/);
    assertEquals(String(v), String(v));
    assertMatch(
      String(new ContextVar("d", { default: "s" })),
      /^<ContextVar name='d' default='s' at 0x[0-9a-f]+>$/,
    );
    assertMatch(
      String(new ContextVar("n", { default: null })),
      /^<ContextVar name='n' default=None at 0x[0-9a-f]+>$/,
    );
    const e = assertThrows(() => v.get(), LookupError);
    assertEquals(e.message, String(v));
    assertEquals(v.get(7), 7);

    const d = new ContextVar<number>("d", { default: 1 });
    assertEquals(d.get(), 1);
    assertEquals(d.get(2), 2, "get(dflt) wins over the variable's default");
    d.set(3);
    assertEquals(d.get(), 3);
    assertEquals(d.get(2), 3, "a set value wins over get(dflt)");

    // An explicit default of undefined is a default.
    const u = new ContextVar<number | undefined>("u", { default: undefined });
    assertStrictEquals(u.get(), undefined);
  });
});

test("ContextVar: the name must be a string", () => {
  assertThrows(() => new ContextVar(1 as unknown as string), TypeError, "must be a str");
});

test("ContextVar.set returns a Token; reset restores the old value or removes it", () => {
  isolated(() => {
    const v = new ContextVar<string>("v");
    const t1 = v.set("a");
    assert(t1 instanceof Token);
    assertStrictEquals(t1.var_, v);
    assertStrictEquals(t1.var, v, "Python's token.var");
    assertStrictEquals(t1.oldValue, MISSING);
    assertStrictEquals(Token.MISSING, MISSING);
    assertEquals(MISSING.constructor.name, "MISSING", "Python's type(Token.MISSING).__name__");
    const t2 = v.set("b");
    assertEquals(t2.oldValue, "a");
    assertEquals(v.get(), "b");
    v.reset(t2);
    assertEquals(v.get(), "a");
    v.reset(t1);
    assertThrows(() => v.get(), LookupError);
    assert(!copyContext().has(v), "reset to MISSING removes the variable");
  });
});

test("Token reuse is a RuntimeError: has already been used once", () => {
  isolated(() => {
    const v = new ContextVar<number>("v");
    const t = v.set(1);
    v.reset(t);
    const e = assertThrows(() => v.reset(t), RuntimeError);
    assertMatch(e.message, / has already been used once$/);
  });
});

test("a Token of another ContextVar is a ValueError", () => {
  isolated(() => {
    const v = new ContextVar<number>("v");
    const w = new ContextVar<number>("w");
    const t = w.set(1);
    const e = assertThrows(() => v.reset(t as unknown as Token<number>), ValueError);
    assertMatch(e.message, / was created by a different ContextVar$/);
    assertEquals(w.get(), 1, "nothing was reset");
    w.reset(t); // still usable with its own variable
    assertThrows(() => w.get(), LookupError);
  });
});

test("a Token of another Context is a ValueError", () => {
  isolated(() => {
    const v = new ContextVar<number>("v");
    const ctx = copyContext();
    const t = v.set(5);
    const e = assertThrows(() => ctx.run(() => v.reset(t)), ValueError);
    assertMatch(e.message, / was created in a different Context$/);
    assertEquals(v.get(), 5);
    // And the other way round: a token made inside ctx, reset outside.
    const inner = ctx.run(() => v.set(6));
    assertThrows(() => v.reset(inner), ValueError, "was created in a different Context");
    ctx.run(() => v.reset(inner));
    assertEquals(ctx.get(v), null);
  });
});

test("reset takes only a Token", () => {
  const v = new ContextVar<number>("v");
  assertThrows(
    () => v.reset({} as unknown as Token<number>),
    TypeError,
    "expected an instance of Token",
  );
  // The rest of the message is the value's Python repr, as CPython words it.
  for (const [bad, repr] of [["x", "'x'"], [null, "None"], [[1], "[1]"]] as const) {
    const e = assertThrows(() => v.reset(bad as unknown as Token<number>), TypeError);
    assertEquals(e.message, `expected an instance of Token, got ${repr}`);
  }
});

// ---------------------------------------------------------------- Context

test("Context.run: changes stay in the context, and run returns fn's result", () => {
  isolated(() => {
    const v = new ContextVar<number>("v", { default: 0 });
    v.set(1);
    const ctx = copyContext();
    const r = ctx.run(
      (a: number, b: number) => {
        assertEquals(v.get(), 1, "the copy starts with the values of its origin");
        v.set(a + b);
        return v.get() * 10;
      },
      2,
      3,
    );
    assertEquals(r, 50);
    assertEquals(v.get(), 1, "outside unchanged");
    assertEquals(ctx.get(v), 5);
    // Running it again sees its own earlier change.
    assertEquals(ctx.run(() => v.get()), 5);
    // An exception leaves the context too.
    assertThrows(
      () =>
        ctx.run(() => {
          v.set(9);
          throw new Error("boom");
        }),
      Error,
      "boom",
    );
    assertEquals(v.get(), 1);
    assertEquals(ctx.get(v), 9);
  });
});

test("a new Context() is empty: variables read their defaults in it", () => {
  isolated(() => {
    const v = new ContextVar<number>("v", { default: 0 });
    const w = new ContextVar<number>("w");
    v.set(1);
    w.set(2);
    const ctx = new Context();
    assertEquals(ctx.size, 0);
    ctx.run(() => {
      assertEquals(v.get(), 0);
      assertThrows(() => w.get(), LookupError);
    });
  });
});

test("copyContext is a shallow copy: later changes on either side are not shared", () => {
  isolated(() => {
    const v = new ContextVar<object>("v");
    const obj = { n: 1 };
    v.set(obj);
    const ctx = copyContext();
    assertStrictEquals(ctx.get(v), obj, "values are shared, not cloned");
    v.set({ n: 2 });
    assertStrictEquals(ctx.get(v), obj);
    const copy = ctx.copy();
    ctx.run(() => v.set({ n: 3 }));
    assertStrictEquals(copy.get(v), obj);
  });
});

test("Context mapping methods: get, has, size, keys, values, items, iteration", () => {
  isolated(() => {
    const a = new ContextVar<number>("a");
    const b = new ContextVar<string>("b", { default: "dflt" });
    const c = new ContextVar<number>("c");
    const ctx = new Context();
    ctx.run(() => {
      a.set(1);
      b.set("x");
    });
    assertEquals(ctx.size, 2);
    assert(ctx.has(a) && ctx.has(b));
    assert(!ctx.has(c), "an unset variable is not in the context");
    assertEquals(ctx.get(a), 1);
    assertEquals(ctx.get(b), "x");
    assertStrictEquals(ctx.get(c), null, "get of a missing variable is null (Python: None)");
    assertEquals(ctx.get(c, 42), 42);
    assertEquals([...ctx.keys()], [a, b]);
    assertEquals([...ctx.values()], [1, "x"]);
    assertEquals([...ctx], [a, b], "iterating a Python Context yields its variables");
    assertEquals([...ctx.items()], [[a, 1], [b, "x"]], "Python's ctx.items()");
    assertMatch(String(ctx), /^<_contextvars\.Context object at 0x[0-9a-f]+>$/);
    // A variable's default is not a value in the context.
    const d = new Context();
    d.run(() => assertEquals(b.get(), "dflt"));
    assertEquals(d.size, 0);
  });
});

test("entering a context that is already entered is a RuntimeError", () => {
  const ctx = new Context();
  const e = assertThrows(() => ctx.run(() => ctx.run(() => 1)), RuntimeError);
  assertMatch(e.message, /^cannot enter context: .* is already entered$/);
  // It can be entered again once left, and other contexts can nest inside.
  assertEquals(ctx.run(() => new Context().run(() => 2)), 2);
  assertEquals(ctx.run(() => 3), 3);
});

test("a context entered by a running task cannot be entered again", async () => {
  const ctx = new Context();
  await asyncio.run(async () => {
    await asyncio.createTask(async () => {
      await asyncio.sleep(0);
      // The task's own context is current; entering another is fine.
      assertEquals(ctx.run(() => 1), 1);
    });
    const e = await asyncio.createTask(() => {
      try {
        ctx.run(() => ctx.run(() => 0));
      } catch (err) {
        return err as Error;
      }
      return null;
    });
    assert(e instanceof RuntimeError, String(e));
  });
});

// ---------------------------------------------------------------- tasks and callbacks

test("a task copies the context at its creation", async () => {
  const v = new ContextVar<string>("v", { default: "root" });
  await asyncio.run(async () => {
    v.set("main");
    const t = asyncio.createTask(async () => {
      const first = v.get();
      await asyncio.sleep(0);
      return first;
    });
    v.set("after"); // made after the copy: the task does not see it
    assertEquals(await t, "main");
    assertEquals(v.get(), "after");
  });
});

test("a task's changes stay in the task", async () => {
  const v = new ContextVar<number>("v", { default: 0 });
  await asyncio.run(async () => {
    v.set(1);
    const [a, b] = await asyncio.gather(
      asyncio.createTask(async () => {
        v.set(10);
        await asyncio.sleep(0.01);
        return v.get();
      }),
      asyncio.createTask(async () => {
        v.set(20);
        await asyncio.sleep(0);
        return v.get();
      }),
    );
    assertEquals([a, b], [10, 20]);
    assertEquals(v.get(), 1);
  });
});

test("a task's context persists across awaits, host promises and timers", async () => {
  const v = new ContextVar<string>("v");
  await asyncio.run(async () => {
    const seen = await asyncio.createTask(async () => {
      const out: string[] = [];
      v.set("t");
      await asyncio.sleep(0);
      out.push(v.get("-"));
      await Promise.resolve();
      out.push(v.get("-"));
      await new Promise((r) => setTimeout(r, 5));
      out.push(v.get("-"));
      await new Promise((r) => queueMicrotask(() => r(null)));
      out.push(v.get("-"));
      const f = asyncio.getRunningLoop().createFuture<number>();
      setTimeout(() => f.setResult(1), 5);
      await f;
      out.push(v.get("-"));
      await (async () => {
        await asyncio.sleep(0.001);
        out.push(v.get("-"));
      })();
      return out;
    });
    assertEquals(seen, ["t", "t", "t", "t", "t", "t"]);
    assertEquals(v.get("-"), "-", "the task's value is not the main task's");
  });
});

test("two interleaved tasks each keep their own value across awaits", async () => {
  const v = new ContextVar<number>("v");
  await asyncio.run(async () => {
    const worker = async (id: number) => {
      const seen: number[] = [];
      v.set(id);
      for (let i = 0; i < 5; i++) {
        await (i % 2 ? asyncio.sleep(0) : Promise.resolve());
        seen.push(v.get());
      }
      return seen;
    };
    const results = await asyncio.gather(
      asyncio.createTask(() => worker(1)),
      asyncio.createTask(() => worker(2)),
      asyncio.createTask(() => worker(3)),
    );
    assertEquals(results, [[1, 1, 1, 1, 1], [2, 2, 2, 2, 2], [3, 3, 3, 3, 3]]);
  });
});

test("createTask(fn, {context}) runs the task in that context", async () => {
  const v = new ContextVar<string>("v", { default: "none" });
  await asyncio.run(async () => {
    v.set("main");
    const ctx = new Context();
    ctx.run(() => v.set("ctx"));
    const got = await asyncio.createTask(async () => {
      const before = v.get();
      await asyncio.sleep(0);
      v.set("changed");
      return before;
    }, { context: ctx });
    assertEquals(got, "ctx");
    assertEquals(ctx.get(v), "changed", "the task changed ctx itself, not a copy");
    assertEquals(v.get(), "main");
    // loop.createTask too.
    const ctx2 = new Context();
    const got2 = await asyncio.getRunningLoop().createTask(() => v.get(), { context: ctx2 });
    assertEquals(got2, "none");
  });
});

test("callSoon and callLater callbacks run in the context current when scheduled", async () => {
  const v = new ContextVar<string>("v", { default: "none" });
  await asyncio.run(async () => {
    const loop = asyncio.getRunningLoop();
    const seen: string[] = [];
    const done = loop.createFuture<void>();
    v.set("task");
    loop.callSoon(() => seen.push(`soon ${v.get()}`));
    // Delays far above a loaded machine's step: the timers come last.
    loop.callLater(0.1, () => seen.push(`later ${v.get()}`));
    const ctx = new Context();
    ctx.run(() => {
      v.set("ctx");
      loop.callSoon(() => seen.push(`soon ${v.get()}`));
      loop.callLater(0.15, () => {
        seen.push(`later ${v.get()}`);
        done.setResult();
      });
    });
    // Scheduled in another task: that task's context.
    await asyncio.createTask(() => {
      v.set("other task");
      loop.callSoon(() => seen.push(`soon ${v.get()}`));
    });
    await done;
    assertEquals(seen, ["soon task", "soon ctx", "soon other task", "later task", "later ctx"]);
    assertEquals(ctx.get(v), "ctx");
  });
});

// CPython's Handle takes `contextvars.copy_context()` when scheduled, so a
// callback sees the values of that moment and its own set() goes into the
// copy.
const SNAPSHOT = "callSoon/callLater callbacks see a copy of the context taken when scheduled";
const snapshotTest = async () => {
  const v = new ContextVar<string>("v", { default: "none" });
  await asyncio.run(async () => {
    const loop = asyncio.getRunningLoop();
    const seen: string[] = [];
    const done = loop.createFuture<void>();
    v.set("one");
    loop.callSoon(() => seen.push(`soon ${v.get()}`));
    loop.callLater(0.005, () => {
      seen.push(`later ${v.get()}`);
      done.setResult();
    });
    v.set("two");
    loop.callSoon(() => {
      seen.push(`soon ${v.get()}`);
      v.set("changed in callback");
    });
    v.set("three");
    await done;
    assertEquals(seen, ["soon one", "soon two", "later one"]);
    assertEquals(v.get(), "three", "a callback's set() is in its copy");
  });
};
test(SNAPSHOT, snapshotTest);

// ---------------------------------------------------------------- CPython

const PY = `
import asyncio, contextvars as cv, re
def show(e):
    print(type(e).__name__ + ": " + re.sub(r" at 0x[0-9a-f]+", "", str(e)))
v = cv.ContextVar("v"); w = cv.ContextVar("w")
try: v.get()
except LookupError as e: show(e)
t = v.set(1); v.reset(t)
try: v.reset(t)
except RuntimeError as e: show(e)
t = w.set(1)
try: v.reset(t)
except ValueError as e: show(e)
ctx = cv.copy_context(); t = v.set(2)
try: ctx.run(v.reset, t)
except ValueError as e: show(e)
try: ctx.run(ctx.run, print)
except RuntimeError as e: show(e)
c = cv.Context(); c.run(v.set, 1); c.run(w.set, 2)
print(len(c), v in c, c.get(v), c.get(cv.ContextVar("x")), c.get(cv.ContextVar("x"), 3))
async def main():
    v.set("main")
    seen = []
    loop.call_soon(lambda: seen.append(v.get()))
    t = asyncio.create_task(asyncio.sleep(0, v.get()))
    v.set("after")
    seen.append(await t)
    seen.append(await asyncio.create_task(asyncio.sleep(0, 0), context=cv.Context()))
    print(seen, v.get())
asyncio.run(main())
`;

/** The same program on this library; Python's reprs of tokens and contexts aside. */
async function ours(): Promise<string[]> {
  const out: string[] = [];
  const show = (e: Error) => out.push(`${e.name}: ${e.message}`);
  const v = new ContextVar<unknown>("v");
  const w = new ContextVar<unknown>("w");
  await isolated(async () => {
    try {
      v.get();
    } catch (e) {
      show(e as Error);
    }
    let t = v.set(1);
    v.reset(t);
    try {
      v.reset(t);
    } catch (e) {
      show(e as Error);
    }
    t = w.set(1);
    try {
      v.reset(t);
    } catch (e) {
      show(e as Error);
    }
    const ctx = copyContext();
    t = v.set(2);
    try {
      ctx.run(() => v.reset(t));
    } catch (e) {
      show(e as Error);
    }
    try {
      ctx.run(() => ctx.run(() => {}));
    } catch (e) {
      show(e as Error);
    }
    const c = new Context();
    c.run(() => v.set(1));
    c.run(() => w.set(2));
    const x = new ContextVar("x");
    const py = (u: unknown) => (u === undefined ? "None" : String(u));
    out.push(`${c.size} ${c.has(v) ? "True" : "False"} ${c.get(v)} ${py(c.get(x))} ${c.get(x, 3)}`);
  });
  await asyncio.run(async () => {
    v.set("main");
    const seen: unknown[] = [];
    const t = asyncio.createTask(asyncio.sleep(0, v.get()));
    v.set("after");
    seen.push(await t);
    seen.push(await asyncio.createTask(asyncio.sleep(0, 0), { context: new Context() }));
    out.push(
      `[${seen.map((s) => (typeof s === "string" ? `'${s}'` : String(s))).join(", ")}] ${v.get()}`,
    );
  });
  return out;
}

/** Python's message with the reprs of tokens and contexts replaced by `<...>`. */
function normalize(line: string): string {
  return line
    .replace(/^(RuntimeError|ValueError): <Token .*?> (has|was)/, "$1: <...> $2")
    .replace(/^(RuntimeError|ValueError): \[object Object\] (has|was)/, "$1: <...> $2")
    .replace(/cannot enter context: <.*?Context object> is/, "cannot enter context: <...> is");
}

test("messages and behaviour match CPython's", async () => {
  const mine = (await ours()).map(normalize);
  assertEquals(mine.length, 7, mine.join("\n"));
  const r = spawnSync("python3", ["-c", PY], { encoding: "utf8", timeout: 20_000 });
  if (r.error || r.status !== 0) {
    console.log(`  (no python3 to compare with: ${r.error ?? r.stderr})`);
    return;
  }
  const theirs = r.stdout.trim().split("\n").map(normalize);
  assertEquals(mine, theirs);
  // Bun closes a spawnSync child's stdio socket a moment later: not our fd
  // (the other files run their CPython programs the same way, fd check off).
}, { fdCheck: false });
