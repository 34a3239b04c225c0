// subprocessExec() cancelled while it connects the child's pipes closes the
// transport (the child is killed), and close() closes only the pipes already
// stored, as Python's `_connect_pipes` stores each once it is connected: a
// pipe still connecting stays open until the child's side closes. The pipes
// were stored as soon as their transports were made, so close() closed one
// pipe too many at every other cancel point. A grandchild holds the pipes,
// so their closing flags in connectionMade show which ones close() took.
// Checked against CPython (tests/fixtures/py/rp_subp10_cancel_connecting.py).
import { existsSync, mkdtempSync, rmSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const py = (b: boolean) => (b ? "True" : "False");
const list = (a: string[]) => "[" + a.map((x) => `'${x}'`).join(", ") + "]";

/** Blocks this thread for `ms` (the loop does not run meanwhile, as Python's time.sleep()). */
function blockFor(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

class P extends asyncio.SubprocessProtocol {
  ev: string[] = [];
  constructor(readonly inst: P[]) {
    super();
    inst.push(this);
  }
  override connectionMade(t: asyncio.BaseTransport): void {
    const st = t as asyncio.SubprocessTransport;
    const closing = [0, 1, 2].map((fd) => py(st.getPipeTransport(fd)!.isClosing()));
    this.ev.push(`made [${closing.join(", ")}]`);
  }
  override pipeConnectionLost(fd: number): void {
    this.ev.push(`lost${fd}`);
  }
  override processExited(): void {
    this.ev.push("exited");
  }
  override connectionLost(): void {
    this.ev.push("conn_lost");
  }
}

async function app(print: (...args: unknown[]) => void, d: string): Promise<void> {
  const loop = asyncio.getRunningLoop();
  for (let n = 1; n < 9; n++) {
    const inst: P[] = [];
    const marker = join(d, String(n));
    // The grandchild keeps the pipes open (stdin too: fd 3 dodges the
    // /dev/null a background job gets); the marker says it is started.
    const cmd = `{ sleep 0.2 <&3 & } 3<&0; : > ${marker}; exec sleep 10`;
    const task = asyncio.createTask(() => loop.subprocessExec(() => new P(inst), "sh", "-c", cmd));
    for (let i = 0; i < n; i++) await asyncio.sleep(0);
    const deadline = Date.now() + 10_000;
    while (!existsSync(marker) && Date.now() < deadline) blockFor(1);
    task.cancel();
    try {
      await task;
      print(n, "returned");
    } catch (e) {
      if (!(e instanceof asyncio.CancelledError)) throw e;
      print(n, "cancelled");
    }
    unlinkSync(marker);
    for (const p of inst) print(n, p.ev[0], list(p.ev.slice(1, -1).sort()), p.ev.at(-1));
  }
}

const EXPECTED = [
  "1 cancelled",
  "1 made [False, False, False] ['exited', 'lost0', 'lost1', 'lost2'] conn_lost",
  "2 cancelled",
  "2 made [False, False, False] ['exited', 'lost0', 'lost1', 'lost2'] conn_lost",
  "3 cancelled",
  "3 made [True, False, False] ['exited', 'lost0', 'lost1', 'lost2'] conn_lost",
  "4 cancelled",
  "4 made [True, False, False] ['exited', 'lost0', 'lost1', 'lost2'] conn_lost",
  "5 cancelled",
  "5 made [True, True, False] ['exited', 'lost0', 'lost1', 'lost2'] conn_lost",
  "6 cancelled",
  "6 made [True, True, False] ['exited', 'lost0', 'lost1', 'lost2'] conn_lost",
  "7 cancelled",
  "7 made [True, True, True] ['exited', 'lost0', 'lost1', 'lost2'] conn_lost",
  "8 cancelled",
  "8 made [False, False, False] ['exited', 'lost0', 'lost1', 'lost2'] conn_lost",
];

test("a cancelled subprocessExec closes only the pipes already connected", async () => {
  const out: string[] = [];
  const d = mkdtempSync(join(tmpdir(), "rp-subp10-"));
  try {
    await asyncio.run(() => app(printer(out), d));
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
  assertEquals(out, EXPECTED);
}, { timeout: 30 });

test("CPython prints the same for rp_subp10_cancel_connecting.py", () => {
  const ref = pythonReference("rp_subp10_cancel_connecting");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 60 });
