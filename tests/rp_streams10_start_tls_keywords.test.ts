// StreamWriter.startTls() refuses an unknown option as Python's TypeError
// of `StreamWriter.start_tls()`, before it drains or touches the
// connection, which stays usable. The options went on to the loop: an
// unknown one was named `BaseEventLoop.start_tls()` (after the drain), and
// `serverSide` silently replaced the side the writer is on. Checked against
// CPython (tests/fixtures/py/rp_streams10_start_tls_keywords.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { bytesRepr } from "../lib/format.ts";
import * as asyncio from "../mod.ts";

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const [a, b] = asyncio.socketpair();
  const [, w1] = await asyncio.openConnection({ sock: a });
  const [r2, w2] = await asyncio.openConnection({ sock: b });
  for (const kw of [{ bogus: 1 }, { serverSide: true }, { serverhostname: "x" }]) {
    try {
      await w1.startTls(null as never, kw as never);
    } catch (e) {
      if (!(e instanceof TypeError)) throw e;
      print(e.constructor.name, e.message);
    }
  }
  print(w1.transport.constructor.name, w1.isClosing());
  w1.write(new TextEncoder().encode("still plain\n"));
  print(bytesRepr(await r2.readLine()));
  for (const w of [w1, w2]) {
    w.close();
    await w.waitClosed();
  }
}

const EXPECTED = [
  "TypeError StreamWriter.start_tls() got an unexpected keyword argument 'bogus'",
  "TypeError StreamWriter.start_tls() got an unexpected keyword argument 'server_side'",
  "TypeError StreamWriter.start_tls() got an unexpected keyword argument 'serverhostname'",
  "_SelectorSocketTransport False",
  "b'still plain\\n'",
];

test(
  "StreamWriter.startTls refuses unknown options as its own TypeError, before draining",
  async () => {
    const out: string[] = [];
    await asyncio.run(() => app(printer(out)));
    assertEquals(out, EXPECTED);
  },
  { timeout: 20 },
);

test("CPython prints the same for rp_streams10_start_tls_keywords.py", () => {
  const ref = pythonReference("rp_streams10_start_tls_keywords");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
