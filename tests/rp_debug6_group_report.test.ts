// "Task exception was never retrieved" for a task that raises an
// ExceptionGroup: errors made in the group's own argument list were never
// raised, so Python prints them without a traceback (a JS error has a stack
// from the moment it is made); errors raised and caught before keep theirs.
// Bun also listed the ExceptionGroup constructor as a frame of the group.
// Checked against CPython (tests/fixtures/py/rp_debug6_group_report.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { formatException } from "../lib/log.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const reports = new Map<string, string[]>();
  const handler = (_loop: asyncio.AbstractEventLoop, ctx: asyncio.ExceptionContext) => {
    const task = ctx.future as asyncio.Task<unknown>;
    const lines = [String(ctx.message)];
    for (const line of formatException(ctx.exception).split("\n")) {
      lines.push(line.replace(/File "[^"]*", line \d+, in/, "in"));
    }
    reports.set(task.getName(), lines);
  };

  async function one_line() {
    await asyncio.sleep(0.01);
    throw new asyncio.ExceptionGroup("one line", [new asyncio.ValueError("a"), new TypeError("b")]);
  }
  async function spread() {
    await asyncio.sleep(0.01);
    throw new asyncio.ExceptionGroup(
      "spread",
      [
        new asyncio.ValueError("c"),
        new asyncio.ExceptionGroup("inner", [new TypeError("d")]),
      ],
    );
  }
  async function collected() {
    await asyncio.sleep(0.01);
    const errors: unknown[] = [];
    for (const n of [1, 2]) {
      try {
        throw new asyncio.KeyError(n);
      } catch (e) {
        errors.push(e);
      }
    }
    throw new asyncio.ExceptionGroup("collected", errors);
  }

  await asyncio.run(async () => {
    asyncio.getRunningLoop().setExceptionHandler(handler);
    const tasks = [
      asyncio.createTask(one_line, { name: "t1" }),
      asyncio.createTask(spread, { name: "t2" }),
      asyncio.createTask(collected, { name: "t3" }),
    ];
    await asyncio.sleep(0.05);
    print("done", `[${tasks.map((t) => t.done() ? "True" : "False").join(", ")}]`);
  });
  for (const name of [...reports.keys()].sort()) {
    print("--", name);
    for (const line of reports.get(name)!) print(line);
  }
}

const EXPECTED = [
  "done [True, True, True]",
  "-- t1",
  "Task exception was never retrieved",
  "  + Exception Group Traceback (most recent call last):",
  "  |   in one_line",
  "  | ExceptionGroup: one line (2 sub-exceptions)",
  "  +-+---------------- 1 ----------------",
  "    | ValueError: a",
  "    +---------------- 2 ----------------",
  "    | TypeError: b",
  "    +------------------------------------",
  "-- t2",
  "Task exception was never retrieved",
  "  + Exception Group Traceback (most recent call last):",
  "  |   in spread",
  "  | ExceptionGroup: spread (2 sub-exceptions)",
  "  +-+---------------- 1 ----------------",
  "    | ValueError: c",
  "    +---------------- 2 ----------------",
  "    | ExceptionGroup: inner (1 sub-exception)",
  "    +-+---------------- 1 ----------------",
  "      | TypeError: d",
  "      +------------------------------------",
  "-- t3",
  "Task exception was never retrieved",
  "  + Exception Group Traceback (most recent call last):",
  "  |   in collected",
  "  | ExceptionGroup: collected (2 sub-exceptions)",
  "  +-+---------------- 1 ----------------",
  "    | Traceback (most recent call last):",
  "    |   in collected",
  "    | KeyError: 1",
  "    +---------------- 2 ----------------",
  "    | Traceback (most recent call last):",
  "    |   in collected",
  "    | KeyError: 2",
  "    +------------------------------------",
];

test("an ExceptionGroup's errors made in its argument list print with no traceback", async () => {
  const out: string[] = [];
  await app(printer(out));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_debug6_group_report.py", () => {
  const ref = pythonReference("rp_debug6_group_report");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
