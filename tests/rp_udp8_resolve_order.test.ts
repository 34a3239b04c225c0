// An address that must go to getaddrinfo() (Python runs it in the executor)
// waits for the loop even when it fails at once: callbacks queued before,
// such as a closed endpoint's connectionLost, run first. Checked against
// CPython (tests/fixtures/py/rp_udp8_resolve_order.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  class P extends asyncio.DatagramProtocol {
    constructor(readonly tag: string) {
      super();
    }
    override connectionLost(exc: Error | null): void {
      print(this.tag, "lost", exc);
    }
  }
  const failed = (what: string, e: unknown) => {
    if (!(e instanceof asyncio.gaierror)) throw e;
    print(what, e.constructor.name, e.errno);
  };
  const loop = asyncio.getRunningLoop();
  loop.callSoon(print, "callback 1");
  try {
    await loop.getaddrinfo("127.0.0.1", 0, { family: 12345 });
  } catch (e) {
    failed("getaddrinfo", e);
  }
  let [t] = await loop.createDatagramEndpoint(() => new P("first"), {
    localAddr: ["127.0.0.1", 0],
  });
  t.close();
  try {
    await loop.createDatagramEndpoint(() => new P("never"), {
      localAddr: ["127.0.0.1", 0],
      family: 12345,
    });
  } catch (e) {
    failed("endpoint", e);
  }
  [t] = await loop.createDatagramEndpoint(() => new P("second"), {
    localAddr: ["127.0.0.1", 0],
  });
  t.close();
  try {
    await loop.createDatagramEndpoint(() => new P("never"), {
      localAddr: ["127.0.0.1", 0],
      family: asyncio.AF_INET6,
    });
  } catch (e) {
    failed("endpoint", e);
  }
  loop.callSoon(print, "callback 2");
  const [host, port] = await loop.getnameinfo(
    ["127.0.0.1", 0],
    asyncio.NI_NUMERICHOST | asyncio.NI_NUMERICSERV,
  );
  print("name", `('${host}', '${port}')`);
}

const EXPECTED = [
  "callback 1",
  "getaddrinfo gaierror -6",
  "first lost None",
  "endpoint gaierror -6",
  "second lost None",
  "endpoint gaierror -9",
  "callback 2",
  "name ('127.0.0.1', '0')",
];

test("a getaddrinfo that fails at once still lets queued callbacks run first", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_udp8_resolve_order.py", () => {
  const ref = pythonReference("rp_udp8_resolve_order");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
