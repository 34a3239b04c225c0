// After a child's pipes reach EOF, code that goes on without waiting (a
// gather of the readers, sleep(0)) still sees returncode null, as under
// CPython 3.11, whose watcher thread posts the exit only once the loop waits
// in select(). Checked against CPython (tests/fixtures/py/rp_proc_returncode_idle.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const PIPE = asyncio.PIPE;
/** Tries per scenario: the race can go either way on a loaded machine, but not every time. */
const RUNS = 8;

async function gathered(): Promise<[Array<number | null>, number]> {
  const p = await asyncio.createSubprocessExec("sh", "-c", "echo x; echo y >&2", {
    stdout: PIPE,
    stderr: PIPE,
  });
  await asyncio.gather(() => p.stdout!.read(), () => p.stderr!.read());
  const seen = [p.returncode];
  await asyncio.sleep(0);
  seen.push(p.returncode);
  return [seen, await p.wait()];
}

async function lines(): Promise<[Array<number | null>, number]> {
  const p = await asyncio.createSubprocessExec("echo", "x", { stdout: PIPE });
  for await (const _line of p.stdout!) { /* drain */ }
  const seen = [p.returncode];
  for (let i = 0; i < 3; i++) await asyncio.sleep(0);
  seen.push(p.returncode);
  return [seen, await p.wait()];
}

async function app(print: (...args: unknown[]) => void): Promise<void> {
  for (const [name, scenario] of [["gather", gathered], ["async for", lines]] as const) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await scenario());
    const noneSeen = runs.some(([seen]) => seen.every((rc) => rc === null));
    print(name, "returncode None before waiting:", noneSeen ? "True" : "False");
    print(name, "wait():", `[${runs.map(([, rc]) => rc).join(", ")}]`);
  }
}

const EXPECTED = [
  "gather returncode None before waiting: True",
  "gather wait(): [0, 0, 0, 0, 0, 0, 0, 0]",
  "async for returncode None before waiting: True",
  "async for wait(): [0, 0, 0, 0, 0, 0, 0, 0]",
];

test("returncode stays None after the pipes' EOF until the loop waits (3.11)", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_proc_returncode_idle.py", () => {
  const ref = pythonReference("rp_proc_returncode_idle");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
