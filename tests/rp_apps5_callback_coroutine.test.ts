// A coroutine object handed to callSoon/callLater by mistake (the `()` that
// should not be there): CPython's handle shows the coroutine's qualname
// (`<Handle sleep()>`), and running it fails with "'coroutine' object is not
// callable". Ours showed `<Handle <coroutine object sleep at 0x...>()>` and
// named the library's class ('LibraryCall') in the TypeError.
// Checked against CPython (tests/fixtures/py/rp_apps5_callback_coroutine.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";
import { pyRepr } from "../lib/format.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  loop.setExceptionHandler((_loop, context) => {
    print("handler:", context.message, pyRepr(context.exception));
  });
  const q = new asyncio.Queue<number>();
  const sleeping = asyncio.sleep(0) as unknown as asyncio.Coroutine<void>;
  const getting = q.get() as unknown as asyncio.Coroutine<number>;
  const h = loop.callSoon(sleeping as never);
  print(String(h));
  const t = loop.callLater(0.01, getting as never);
  print(String(t).replace(/when=[\d.]+/, "when=T"));
  await asyncio.sleep(0.03);
  print(h.cancelled(), t.cancelled());
  sleeping.close();
  getting.close();
}

const EXPECTED = [
  "<Handle sleep()>",
  "<TimerHandle when=T Queue.get()>",
  `handler: Exception in callback sleep() TypeError("'coroutine' object is not callable")`,
  `handler: Exception in callback Queue.get() TypeError("'coroutine' object is not callable")`,
  "False False",
];

test("a coroutine object given as a callback shows and fails as in CPython", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_apps5_callback_coroutine.py", () => {
  const ref = pythonReference("rp_apps5_callback_coroutine");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
