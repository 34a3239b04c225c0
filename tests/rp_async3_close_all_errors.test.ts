// closeAll() over channels whose close() throws: EBADF is skipped, another
// error stops it (the map not cleared), ignoreAll swallows errors but not
// ExitNow, which Python re-raises.
// Checked against CPython (tests/fixtures/py/rp_async3_close_all_errors.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";
import { asyncore } from "../mod.ts";

function app(print: (...args: unknown[]) => void): void {
  class Bad extends asyncore.dispatcher {
    constructor(sock: asyncio.Socket, m: asyncore.SocketMap, public exc: Error | null) {
      super(sock, m);
    }
    override close() {
      print("closing", this.exc ? this.exc.name : null);
      super.close();
      if (this.exc) throw this.exc;
    }
  }
  function make(excs: (Error | null)[]): asyncore.SocketMap {
    const m: asyncore.SocketMap = new Map();
    for (const e of excs) {
      const [a, b] = asyncio.socketpair();
      b.close();
      new Bad(a, m, e);
    }
    return m;
  }
  let m = make([null, new asyncio.OSError(9, "bad fd"), new asyncio.ValueError("v"), null]);
  try {
    asyncore.closeAll(m);
  } catch (e) {
    print("raised", (e as Error).name, (e as Error).message, "left", m.size);
  }
  asyncore.closeAll(m);
  m = make([new asyncio.ValueError("v"), new asyncio.OSError(5, "io"), null]);
  asyncore.closeAll(m, true);
  print("ignore_all left", m.size);
  m = make([new asyncore.ExitNow("stop"), null]);
  try {
    asyncore.closeAll({ map: m, ignoreAll: true });
  } catch (e) {
    if (!(e instanceof asyncore.ExitNow)) throw e;
    print("ExitNow escapes", e.message, m.size);
  }
  asyncore.closeAll(m);
  print(m.size);
}

const EXPECTED = [
  "closing None",
  "closing OSError",
  "closing ValueError",
  "raised ValueError v left 1",
  "closing None",
  "closing ValueError",
  "closing OSError",
  "closing None",
  "ignore_all left 0",
  "closing ExitNow",
  "ExitNow escapes stop 1",
  "closing None",
  "0",
];

test("closeAll skips EBADF, stops at an error, and lets ExitNow through ignoreAll", () => {
  const out: string[] = [];
  app(printer(out));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_async3_close_all_errors.py", () => {
  const ref = pythonReference("rp_async3_close_all_errors");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
