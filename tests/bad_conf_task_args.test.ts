// A task named null or a boolean takes Python's str() of it ("None",
// "True"); wait() with returnWhen: null is Python's ValueError for None (only
// an omitted option is the default). Checked against
// tests/fixtures/py/bad_conf_task_args.py.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

// Bad input is the point: the calls go through `any`.
// deno-lint-ignore no-explicit-any
type Any = any;

const EXPECTED = [
  "set_name 'None'",
  "set_name 'True'",
  "set_name 'False'",
  "set_name '5'",
  "ValueError Invalid return_when value: None",
  "1 0",
];

test("setName(null) is 'None'; wait({ returnWhen: null }) is a ValueError", async () => {
  const out: string[] = [];
  const print = printer(out);
  await asyncio.run(async () => {
    const t: Any = asyncio.createTask(() => asyncio.sleep(0));
    for (const name of [null, true, false, 5]) {
      t.setName(name);
      print("set_name", `'${t.getName()}'`);
    }
    await t;
    const f = asyncio.ensureFuture(() => asyncio.sleep(0));
    try {
      await asyncio.wait([f], { returnWhen: null as Any });
    } catch (e) {
      print((e as Error).name, (e as Error).message);
    }
    const [done, pending] = await asyncio.wait([f]);
    print(done.size, pending.size);
  });
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for bad_conf_task_args.py", () => {
  const ref = pythonReference("bad_conf_task_args");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
