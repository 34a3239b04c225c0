// `asyncio.Runner` prints as Python's default repr,
// `<asyncio.runners.Runner object at 0x...>` (it printed `[object Object]`),
// and keeps one context and one loop across run() calls until closed.
// Checked against CPython (tests/fixtures/py/rp_loopx_runner_repr.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const v = new asyncio.ContextVar<string>("var", { default: "unset" });
  async function job(x: number): Promise<string> {
    await asyncio.sleep(0.01);
    const old = v.get();
    v.set(`set by ${x}`);
    return `job ${x} saw ${old}`;
  }
  const masked = (obj: unknown) => String(obj).split(" at 0x")[0] + " at 0x...>";
  const runner = new asyncio.Runner();
  print(masked(runner));
  print(await runner.run(() => job(1)));
  print(await runner.run(() => job(2)));
  const loop = runner.getLoop();
  print(masked(runner), loop.isClosed());
  const ctx = asyncio.copyContext();
  print(await runner.run(() => job(3), { context: ctx }));
  print(await runner.run(() => job(4)));
  await runner.close();
  print(masked(runner), loop.isClosed());
  try {
    runner.getLoop();
  } catch (e) {
    if (!(e instanceof asyncio.RuntimeError)) throw e;
    print("RuntimeError:", e.message);
  }
}

const EXPECTED = [
  "<asyncio.runners.Runner object at 0x...>",
  "job 1 saw unset",
  "job 2 saw set by 1",
  "<asyncio.runners.Runner object at 0x...> False",
  "job 3 saw unset",
  "job 4 saw set by 2",
  "<asyncio.runners.Runner object at 0x...> True",
  "RuntimeError: Runner is closed",
];

test("a Runner prints as Python's repr and shares its context across runs", async () => {
  const out: string[] = [];
  await app(printer(out));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_loopx_runner_repr.py", () => {
  const ref = pythonReference("rp_loopx_runner_repr");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
