// What the loop's exception handler is told when a datagram protocol's
// callbacks throw: the callback named as Python's Handle shows it
// (`Failing.connection_made(<_SelectorDat...e, bufsize=0>>)`). Checked
// against CPython.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function datagramErrors(print: (...args: unknown[]) => void): Promise<void> {
  class Failing extends asyncio.DatagramProtocol {
    override connectionMade(): void {
      throw new asyncio.ValueError("made");
    }
    override datagramReceived(): void {
      throw new asyncio.ValueError("received");
    }
  }
  const loop = asyncio.getRunningLoop();
  loop.setExceptionHandler((_loop, context) => {
    const message = String(context.message).replace(/fd=\d+/g, "fd=N");
    const exc = context.exception as Error;
    print(message, "|", exc.constructor.name, exc.message);
  });
  const [t] = await loop.createDatagramEndpoint(() => new Failing(), {
    localAddr: ["127.0.0.1", 0],
  });
  print("endpoint returned");
  t.sendto(new Uint8Array([120]), t.getExtraInfo("sockname") as [string, number]);
  await asyncio.sleep(0.05);
  print("still open:", !t.isClosing());
  t.close();
  await asyncio.sleep(0);
}

const EXPECTED = [
  "Exception in callback Failing.connection_made(<_SelectorDat...e, bufsize=0>>) | ValueError made",
  "endpoint returned",
  "Exception in callback _SelectorDatagramTransport._read_ready() | ValueError received",
  "still open: True",
];

test(
  "datagram protocol callbacks that throw are reported with Python's callback names",
  async () => {
    const out: string[] = [];
    await asyncio.run(() => datagramErrors(printer(out)));
    assertEquals(out, EXPECTED);
  },
  { timeout: 20 },
);

test("CPython prints the same for sock_conf_datagram_errors.py", () => {
  const ref = pythonReference("sock_conf_datagram_errors");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
