// sendto() on a closed datagram transport. Connected, the data is dropped
// (Python counts it and warns from the fifth). Unconnected, Python still
// sends until connection_lost has run; after it, its socket and loop are
// None and sendto() raises AttributeError. The library returned quietly.
// Checked against CPython (tests/fixtures/py/rp_low3_sendto_after_close.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const enc = (s: string) => new TextEncoder().encode(s);

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  class P extends asyncio.DatagramProtocol {
    constructor(readonly name: string) {
      super();
    }
    override datagramReceived(data: Uint8Array): void {
      print(this.name, "got", `b'${new TextDecoder().decode(data)}'`);
    }
    override connectionLost(exc: Error | null): void {
      print(this.name, "lost", exc);
    }
  }
  const [rt] = await loop.createDatagramEndpoint(() => new P("r"), {
    localAddr: ["127.0.0.1", 0],
  });
  const addr = rt.getExtraInfo("sockname") as [string, number];
  const [ct] = await loop.createDatagramEndpoint(() => new P("c"), { remoteAddr: addr });
  ct.close();
  ct.sendto(enc("connected, closed"));
  await asyncio.sleep(0.02);
  print("connected: no raise");
  for (const [name, end] of [["u", "close"], ["a", "abort"]] as const) {
    const [ut] = await loop.createDatagramEndpoint(() => new P(name), {
      localAddr: ["127.0.0.1", 0],
    });
    ut[end]();
    ut.sendto(enc(`same tick after ${end}`), addr);
    await asyncio.sleep(0.02);
    try {
      ut.sendto(enc("next tick"), addr);
      print(name, "no raise");
    } catch (e) {
      if (!(e instanceof TypeError)) throw e;
      print(name, e.name, e.message);
    }
  }
  rt.close();
  await asyncio.sleep(0);
}

const EXPECTED = [
  "c lost None",
  "connected: no raise",
  "u lost None",
  "r got b'same tick after close'",
  "u AttributeError 'NoneType' object has no attribute 'call_exception_handler'",
  "a lost None",
  "r got b'same tick after abort'",
  "a AttributeError 'NoneType' object has no attribute 'call_exception_handler'",
  "r lost None",
];

test("sendto after connection_lost raises on an unconnected transport", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_low3_sendto_after_close.py", () => {
  const ref = pythonReference("rp_low3_sendto_after_close");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
