// In debug mode, a slow protocol callback run for a readable socket is
// reported as the reader Handle Python runs:
// `Executing <Handle _SelectorSocketTransport._read_ready()> took ...`
// (`cancelled` once the transport was closed in it). The warning printed
// the transport's own repr, `<_SelectorSocketTransport fd=7 read=polling ...>`,
// and a reader resumed after pauseReading() showed as `<lambda>()`.
// Checked against CPython (tests/fixtures/py/rp_pol3_reader_handle_repr.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const show = (r: asyncio.LogRecord) => {
    let msg = r.message;
    if (msg.includes(" took ")) msg = msg.slice(0, msg.indexOf(" took ")) + " took N seconds";
    print(`${r.levelName}: ${msg}`);
  };
  asyncio.logger.addHandler(show);
  try {
    const spin = () => {
      const t0 = performance.now();
      while (performance.now() - t0 < 200) { /* busy */ }
    };
    class Slow extends asyncio.Protocol {
      transport!: asyncio.Transport;
      override connectionMade(transport: asyncio.BaseTransport) {
        this.transport = transport as asyncio.Transport;
      }
      override dataReceived(data: Uint8Array) {
        spin();
        const text = new TextDecoder().decode(data);
        print("got", text);
        if (text === "close") this.transport.close();
      }
    }
    const enc = (s: string) => new TextEncoder().encode(s);
    const loop = asyncio.getRunningLoop();
    const [a, b] = asyncio.socketpair();
    const [c, d] = asyncio.socketpair();
    const [t1] = await loop.connectAcceptedSocket(() => new Slow(), a);
    const [t2] = await loop.connectAcceptedSocket(() => new Slow(), c);
    await asyncio.sleep(0.01);
    (t2 as asyncio.Transport).pauseReading();
    (t2 as asyncio.Transport).resumeReading();
    loop.setDebug(true);
    loop.slowCallbackDuration = 0.05;
    b.send(enc("first"));
    await asyncio.sleep(0.3);
    d.send(enc("resumed"));
    await asyncio.sleep(0.3);
    b.send(enc("close"));
    await asyncio.sleep(0.3);
    print("closing", t1.isClosing(), t2.isClosing());
    t2.close();
    b.close();
    d.close();
    await asyncio.sleep(0.01);
  } finally {
    asyncio.logger.removeHandler(show);
  }
}

const EXPECTED = [
  "got first",
  "WARNING: Executing <Handle _SelectorSocketTransport._read_ready()> took N seconds",
  "got resumed",
  "WARNING: Executing <Handle _SelectorSocketTransport._read_ready()> took N seconds",
  "got close",
  "WARNING: Executing <Handle cancelled _SelectorSocketTransport._read_ready()> took N seconds",
  "closing True False",
];

test("a slow read callback is reported as Python's reader Handle", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_pol3_reader_handle_repr.py", () => {
  const ref = pythonReference("rp_pol3_reader_handle_repr");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
