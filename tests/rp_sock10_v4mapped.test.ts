// getaddrinfo of a name for AF_INET6 with AI_V4MAPPED | AI_ALL gives its
// IPv4 addresses as IPv4-mapped IPv6 ones on every runtime, as glibc does:
// Deno's resolver ignores those hints, so "localhost" failed there with
// EAI_NONAME. Checked against CPython
// (tests/fixtures/py/rp_sock10_v4mapped.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const flags = asyncio.AI_V4MAPPED | asyncio.AI_ALL;
  const opts = { family: asyncio.AF_INET6, type: asyncio.SOCK_STREAM, flags };
  const infos = await loop.getaddrinfo("localhost", 80, opts);
  print("mapped", infos.some((i) => JSON.stringify(i[4]) === '["::ffff:127.0.0.1",80,0,0]'));
  print("all AF_INET6", infos.every((i) => i[0] === asyncio.AF_INET6));
  try {
    await loop.getaddrinfo("nonexistent.invalid", 80, opts);
  } catch (e) {
    if (!(e instanceof asyncio.gaierror)) throw e;
    print("missing", e.constructor.name, e.message);
  }
}

const EXPECTED = [
  "mapped True",
  "all AF_INET6 True",
  "missing gaierror [Errno -2] Name or service not known",
];

test("AI_V4MAPPED | AI_ALL maps a name's IPv4 addresses for AF_INET6", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_sock10_v4mapped.py", () => {
  const ref = pythonReference("rp_sock10_v4mapped");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
