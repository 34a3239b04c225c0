// Pipe transports look the protocol's callbacks up as Python's attribute
// access does: a protocol without connectionMade (or null) makes
// connectReadPipe/connectWritePipe fail with Python's AttributeError, before
// the transport owns the fd; a missing dataReceived, eofReceived or
// connectionLost is that AttributeError in the callback (a missing
// eofReceived leaves the read pipe closing, never lost, the cancelled
// reader's Handle showing as None); a subprocess protocol without
// connectionLost likewise. The library made the transports and reported the
// runtime's own "... is not a function" TypeErrors. Checked against CPython
// (tests/fixtures/py/rp_proto11_pipe_missing_callbacks.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { pyRepr } from "../lib/format.ts";
import * as asyncio from "../mod.ts";

type Print = (...args: unknown[]) => void;
const enc = (s: string) => new TextEncoder().encode(s);

async function app(print: Print): Promise<void> {
  class NoMade {
    dataReceived(data: Uint8Array): void {
      print("nomade data", pyRepr(data));
    }
  }
  class OnlyMade {
    connectionMade(transport: object): void {
      print("onlymade made", transport.constructor.name);
    }
  }
  class MadeData {
    constructor(readonly done: asyncio.Future<null>) {}
    connectionMade(): void {
      print("madedata made");
    }
    dataReceived(data: Uint8Array): void {
      print("madedata data", pyRepr(data));
      this.done.setResult(null);
    }
  }
  class SubNoLost {
    constructor(readonly exited: asyncio.Future<null>) {}
    connectionMade(): void {
      print("sub made");
    }
    pipeDataReceived(fd: number, data: Uint8Array): void {
      print("sub data", fd, pyRepr(data));
    }
    pipeConnectionLost(): void {}
    processExited(): void {
      print("sub exited");
      this.exited.setResult(null);
    }
  }

  const loop = asyncio.getRunningLoop();
  loop.setExceptionHandler((_loop, context) => {
    print("HANDLER", context.message, pyRepr(context.exception ?? null));
  });
  const factories: [string, () => unknown][] = [
    ["None", () => null],
    ["NoMade", () => new NoMade()],
    ["OnlyMade", () => new OnlyMade()],
  ];
  for (const [label, factory] of factories) {
    for (const kind of ["read", "write"]) {
      const [rfd, wfd] = asyncio.pipe();
      try {
        let t: asyncio.BaseTransport;
        if (kind === "read") {
          [t] = await loop.connectReadPipe(factory as never, rfd);
          const [w] = await loop.connectWritePipe(() => new asyncio.Protocol(), wfd);
          (w as asyncio.WriteTransport).write(enc("x"));
          w.close();
        } else {
          [t] = await loop.connectWritePipe(factory as never, wfd);
          (t as asyncio.WriteTransport).write(enc("x"));
          t.close();
          asyncio.closeFd(rfd);
        }
        print(label, kind, "made", t.constructor.name);
        await asyncio.sleep(0.05);
        print(label, kind, "closing", t.isClosing());
      } catch (e) {
        print(label, kind, (e as Error).constructor.name, (e as Error).message);
        asyncio.closeFd(rfd);
        asyncio.closeFd(wfd);
      }
    }
  }
  const [rfd, wfd] = asyncio.pipe();
  const done = loop.createFuture<null>();
  const [t] = await loop.connectReadPipe(() => new MadeData(done) as never, rfd);
  const [wt] = await loop.connectWritePipe(() => new asyncio.Protocol(), wfd);
  wt.write(enc("y"));
  await done;
  wt.close();
  await asyncio.sleep(0.05);
  print("madedata closing", t.isClosing());
  t.close();
  const exited = loop.createFuture<null>();
  const [st] = await loop.subprocessExec(
    () => new SubNoLost(exited) as never,
    "python3",
    "-c",
    "import sys; sys.stdout.write('hi')",
  );
  await exited;
  await asyncio.sleep(0.1);
  print("sub returncode", st.getReturncode());
  st.close();
}

const EXPECTED = [
  "None read AttributeError 'NoneType' object has no attribute 'connection_made'",
  "None write AttributeError 'NoneType' object has no attribute 'connection_made'",
  "NoMade read AttributeError 'NoMade' object has no attribute 'connection_made'",
  "NoMade write AttributeError 'NoMade' object has no attribute 'connection_made'",
  "onlymade made _UnixReadPipeTransport",
  "OnlyMade read made _UnixReadPipeTransport",
  "HANDLER Exception in callback _UnixReadPipeTransport._read_ready() AttributeError(\"'OnlyMade' object has no attribute 'data_received'\")",
  "HANDLER Exception in callback None() AttributeError(\"'OnlyMade' object has no attribute 'eof_received'\")",
  "OnlyMade read closing True",
  "onlymade made _UnixWritePipeTransport",
  "OnlyMade write made _UnixWritePipeTransport",
  "HANDLER Exception in callback _UnixWritePipeTransport._call_connection_lost(None) AttributeError(\"'OnlyMade' object has no attribute 'connection_lost'\")",
  "OnlyMade write closing True",
  "madedata made",
  "madedata data b'y'",
  "HANDLER Exception in callback None() AttributeError(\"'MadeData' object has no attribute 'eof_received'\")",
  "madedata closing True",
  "sub made",
  "sub data 1 b'hi'",
  "sub exited",
  "HANDLER Exception in callback BaseSubprocessTransport._call_connection_lost(None) AttributeError(\"'SubNoLost' object has no attribute 'connection_lost'\")",
  "sub returncode 0",
];

test("pipe transports: a protocol's missing callbacks are Python's AttributeErrors", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_proto11_pipe_missing_callbacks.py", () => {
  const ref = pythonReference("rp_proto11_pipe_missing_callbacks");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
