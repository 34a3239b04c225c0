// getExtraInfo("pipe") of a pipe transport is the pipe object given to
// connectReadPipe()/connectWritePipe() itself (it was its fd), as in
// Python. Checked against CPython with tests/fixtures/py/sw_tp_pipe_extra.py.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { bytesRepr } from "../lib/format.ts";
import * as asyncio from "../mod.ts";

type Print = (...args: unknown[]) => void;
const py = (b: boolean) => (b ? "True" : "False");

async function pipeExtra(print: Print): Promise<void> {
  const loop = asyncio.getRunningLoop();

  class Reader extends asyncio.Protocol {
    constructor(readonly done: asyncio.Future<null>) {
      super();
    }
    override dataReceived(data: Uint8Array) {
      print("read", bytesRepr(data));
    }
    override eofReceived() {
      print("eof");
    }
    override connectionLost(exc: Error | null) {
      print("read end lost", exc === null ? "None" : exc.message);
      this.done.setResult(null);
    }
  }

  const [rfd, wfd] = asyncio.pipe();
  // Python's file objects: anything with fileno() is a pipe here.
  const rpipe = { fileno: () => rfd };
  const wpipe = { fileno: () => wfd };
  const done = loop.createFuture<null>();
  const [rt] = await loop.connectReadPipe(() => new Reader(done), rpipe);
  const [wt] = await loop.connectWritePipe(asyncio.BaseProtocol, wpipe);
  print("read pipe is the object given", py(rt.getExtraInfo("pipe") === rpipe));
  print("write pipe is the object given", py(wt.getExtraInfo("pipe") === wpipe));
  const got = rt.getExtraInfo("pipe") as { fileno(): number };
  print("same fd", py(got.fileno() === rfd));
  print("peername", rt.getExtraInfo("peername") ?? "None", rt.getExtraInfo("peername", "default"));
  const [low, high] = wt.getWriteBufferLimits();
  print("can_write_eof", py(wt.canWriteEof()), "limits", `(${low}, ${high})`);
  wt.write(new TextEncoder().encode("through the pipe"));
  wt.writeEof();
  print("closing", py(wt.isClosing()));
  await done;
  print("still the object after close", py(rt.getExtraInfo("pipe") === rpipe));
}

const EXPECTED = [
  "read pipe is the object given True",
  "write pipe is the object given True",
  "same fd True",
  "peername None default",
  "can_write_eof True limits (16384, 65536)",
  "closing True",
  "read b'through the pipe'",
  "eof",
  "read end lost None",
  "still the object after close True",
];

test("getExtraInfo('pipe') is the pipe object given, as in Python", async () => {
  const out: string[] = [];
  await asyncio.run(() => pipeExtra(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for sw_tp_pipe_extra.py", () => {
  const ref = pythonReference("sw_tp_pipe_extra");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
