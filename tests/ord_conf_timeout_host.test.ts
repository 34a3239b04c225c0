// timeout() and TaskGroup around a host promise (fetch, a host timer), which
// cancel() cannot interrupt: the block still leaves as TimeoutError (the
// group raises its ExceptionGroup) when it ends, and the cancellation does
// not stay pending for the task's next await; the CPython program awaits a
// thread instead.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

/** A host operation the loop knows nothing of. */
const host = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function timeoutHost(print: (...args: unknown[]) => void): Promise<void> {
  const me = asyncio.currentTask()!;
  let cm: asyncio.Timeout | null = null;
  try {
    await asyncio.timeout(0.02, async (c) => {
      cm = c;
      await host(100);
    });
    print("no timeout");
  } catch (e) {
    if (!(e instanceof asyncio.TimeoutError)) throw e;
    print("timeout", e.name, (e.cause as Error).name, cm!.expired(), String(cm));
  }
  print("cancelling", me.cancelling());
  await asyncio.sleep(0);
  print("next await fine");
  try {
    await asyncio.timeout(0.02, async () => {
      await host(100);
      throw new asyncio.KeyError("k");
    });
  } catch (e) {
    if (!(e instanceof asyncio.TimeoutError)) throw e;
    print("timeout again");
  }
  await asyncio.sleep(0);
  print("next await fine");
  try {
    await asyncio.waitFor(host(100), 0.02);
  } catch (e) {
    if (!(e instanceof asyncio.TimeoutError)) throw e;
    print("wait_for timeout");
  }
  await asyncio.sleep(0);
  print("next await fine");

  try {
    await new asyncio.TaskGroup().run(async (tg) => {
      tg.createTask(async () => {
        await asyncio.sleep(0.01);
        throw new asyncio.ValueError("child");
      });
      await host(50);
    });
    print("no error");
  } catch (e) {
    if (!(e instanceof asyncio.ExceptionGroup)) throw e;
    const n = e.exceptions.length;
    const reprs = e.exceptions.map((x) => `"${(x as Error).name}('${(x as Error).message}')"`);
    print("group", `${e.message} (${n} sub-exception)`, `[${reprs.join(", ")}]`);
  }
  print("cancelling", me.cancelling());
  await asyncio.sleep(0);
  print("next await fine");
}

const EXPECTED = [
  "timeout TimeoutError CancelledError True <Timeout [expired]>",
  "cancelling 0",
  "next await fine",
  "timeout again",
  "next await fine",
  "wait_for timeout",
  "next await fine",
  `group unhandled errors in a TaskGroup (1 sub-exception) ["ValueError('child')"]`,
  "cancelling 0",
  "next await fine",
];

test(
  "timeout() and TaskGroup around a host promise: their errors when the block ends, nothing left pending",
  async () => {
    const out: string[] = [];
    await asyncio.run(() => timeoutHost(printer(out)));
    assertEquals(out, EXPECTED);
  },
  { timeout: 20 },
);

test("CPython prints the same for ord_conf_timeout_host.py", () => {
  const ref = pythonReference("ord_conf_timeout_host");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
