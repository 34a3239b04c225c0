// An async generator whose cleanup fails at asyncio.run()'s
// shutdownAsyncgens: the default handler's report shows the generator as
// `<async_generator object>` under its `asyncgen` key, as in its message
// (it showed `< object>`: an async generator's constructor is no function).
// Checked against CPython (tests/fixtures/py/rp_gen2_asyncgen_report.py),
// which masks the generator's name and address.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const held: AsyncGenerator[] = [];

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const echo = (r: asyncio.LogRecord) => {
    const msg = r.message.replace(
      /<async_generator object \w+ at 0x[0-9a-f]+>/g,
      "<async_generator object>",
    );
    print("log:", msg.replaceAll("\n", " | "));
  };
  async function* bad() {
    try {
      yield 1;
    } finally {
      // deno-lint-ignore no-unsafe-finally
      throw new asyncio.ValueError("cleanup failed");
    }
  }
  async function* fine() {
    try {
      yield "a";
    } finally {
      print("fine finally");
    }
  }
  async function main() {
    const b = bad();
    const f = fine();
    held.push(b, f);
    print((await b.next()).value, (await f.next()).value);
    print("main end");
  }
  asyncio.logger.addHandler(echo);
  try {
    await asyncio.run(main);
  } finally {
    asyncio.logger.removeHandler(echo);
  }
  print("after run");
}

const EXPECTED = [
  "1 a",
  "main end",
  "fine finally",
  "log: an error occurred during closing of asynchronous generator <async_generator object> | " +
  "asyncgen: <async_generator object>",
  "after run",
];

test("shutdownAsyncgens' report shows the generator alike in message and key", async () => {
  const out: string[] = [];
  await app(printer(out));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_gen2_asyncgen_report.py", () => {
  const ref = pythonReference("rp_gen2_asyncgen_report");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
