// Starting a child as CPython does: the pipes are connected one after the
// other in a task of their own (Python's `_connect_pipes`), so other tasks
// see the same number of loop turns pass, and task names count it.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const { PIPE } = asyncio.subprocess;

async function noop(): Promise<void> {}

/** How many times another task runs while `start` is awaited. */
async function turnsDuring<T>(start: () => Promise<T>): Promise<[number, T]> {
  let turns = 0;
  let stop = false;
  const t = asyncio.createTask(async () => {
    while (!stop) {
      await asyncio.sleep(0);
      turns += 1;
    }
  });
  await asyncio.sleep(0);
  turns = 0;
  const result = await start();
  stop = true;
  const n = turns;
  await t;
  return [n, result];
}

async function startupTurns(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const kws = [{}, { stdout: PIPE }, { stdout: PIPE, stderr: PIPE }, {
    stdin: PIPE,
    stdout: PIPE,
    stderr: PIPE,
  }];
  for (const kw of kws) {
    const [n, proc] = await turnsDuring(() => asyncio.createSubprocessExec("sleep", "0.2", kw));
    print(`[${Object.keys(kw).sort().map((k) => `'${k}'`).join(", ")}]`, "turns", n);
    proc.kill();
    await proc.wait();
  }
  const [n, [transport]] = await turnsDuring(() =>
    loop.subprocessExec(() => new asyncio.SubprocessProtocol(), "true")
  );
  print("subprocess_exec with three pipes: turns", n);
  transport.close();
  let t = asyncio.createTask(noop);
  print(t.getName());
  await t;
  const proc = await asyncio.createSubprocessExec("cat", { stdin: PIPE, stdout: PIPE });
  t = asyncio.createTask(noop);
  print(t.getName());
  await t;
  await proc.communicate(new Uint8Array([120]));
  t = asyncio.createTask(noop);
  print(t.getName());
  await t;
}

const EXPECTED = [
  "[] turns 2",
  "['stdout'] turns 4",
  "['stderr', 'stdout'] turns 6",
  "['stderr', 'stdin', 'stdout'] turns 8",
  "subprocess_exec with three pipes: turns 8",
  "Task-12",
  "Task-14",
  "Task-18",
];

test("a child's pipes connect in a task, one after the other, as CPython's", async () => {
  const out: string[] = [];
  await asyncio.run(() => startupTurns(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for subprocess_startup_turns.py", () => {
  const ref = pythonReference("subprocess_startup_turns");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });

for (const turns of [0, 1, 3, 5]) {
  test(
    `asyncio.run() ending ${turns} turns after children start: no hang, no fd left open`,
    async () => {
      const out: string[] = [];
      const starter = async (i: number) => {
        const proc = await asyncio.createSubprocessExec("sleep", "5", {
          stdin: PIPE,
          stdout: PIPE,
          stderr: PIPE,
        });
        out.push(`started ${i}`);
        await proc.wait();
      };
      // Their connecting tasks are cancelled before, or while, they run:
      // the transports still finish (CPython's `_wait()` hangs here).
      await asyncio.run(async () => {
        for (let i = 0; i < 3; i++) asyncio.createTask(() => starter(i));
        for (let k = 0; k < turns; k++) await asyncio.sleep(0);
      });
      assertEquals(out, []);
    },
    { timeout: 10 },
  );
}
