// In a protocol's connectionLost(), a pipe transport shows `closing` with
// its fd still open (`idle`): Python closes the pipe after that call and
// only then shows `closed fd=N closed`.
// Checked against CPython (tests/fixtures/py/rp_repr3_pipe_lost.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { bytesRepr } from "../lib/format.ts";
import * as asyncio from "../mod.ts";

const masked = (t: unknown) => String(t).replace(/fd=\d+/g, "fd=N");

class Proto extends asyncio.Protocol {
  transport: unknown = null;
  constructor(
    readonly name: string,
    readonly done: asyncio.Future<null>,
    readonly print: (...args: unknown[]) => void,
  ) {
    super();
  }
  override connectionMade(transport: asyncio.BaseTransport): void {
    this.transport = transport;
    this.print(this.name, "made", masked(transport));
  }
  override dataReceived(data: Uint8Array): void {
    this.print(this.name, "data", bytesRepr(data));
  }
  override eofReceived(): void {
    this.print(this.name, "eof", masked(this.transport));
  }
  override connectionLost(exc: Error | null): void {
    this.print(this.name, "lost", exc, masked(this.transport));
    this.done.setResult(null);
  }
}

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  let [rfd, wfd] = asyncio.pipe();
  let rdone = loop.createFuture<null>();
  const wdone = loop.createFuture<null>();
  let [rt] = await loop.connectReadPipe(() => new Proto("r", rdone, print), rfd);
  const [wt] = await loop.connectWritePipe(() => new Proto("w", wdone, print), wfd);
  wt.write(new TextEncoder().encode("ping"));
  await asyncio.sleep(0.02);
  wt.close();
  print("w closing", masked(wt));
  await wdone;
  await rdone;
  print("after", masked(wt), masked(rt));
  [rfd, wfd] = asyncio.pipe();
  rdone = loop.createFuture<null>();
  [rt] = await loop.connectReadPipe(() => new Proto("r2", rdone, print), rfd);
  rt.close();
  await rdone;
  print("after", masked(rt));
  asyncio.closeFd(wfd);
}

const EXPECTED = [
  "r made <_UnixReadPipeTransport fd=N idle>",
  "w made <_UnixWritePipeTransport fd=N idle bufsize=0>",
  "r data b'ping'",
  "w closing <_UnixWritePipeTransport closing fd=N idle bufsize=0>",
  "w lost None <_UnixWritePipeTransport closing fd=N idle bufsize=0>",
  "r eof <_UnixReadPipeTransport closing fd=N idle>",
  "r lost None <_UnixReadPipeTransport closing fd=N idle>",
  "after <_UnixWritePipeTransport closed fd=N closed> <_UnixReadPipeTransport closed fd=N closed>",
  "r2 made <_UnixReadPipeTransport fd=N idle>",
  "r2 lost None <_UnixReadPipeTransport closing fd=N idle>",
  "after <_UnixReadPipeTransport closed fd=N closed>",
];

test("pipe transports show closing, not closed, inside connectionLost", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_repr3_pipe_lost.py", () => {
  const ref = pythonReference("rp_repr3_pipe_lost");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
