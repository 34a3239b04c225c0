// Parser tasks consume data that is already buffered: a read that need not
// wait (readLine, readExactly, read) does not suspend a Python task, so each
// task runs to its end in one step, before the next task's step. The loop's
// microtask drain used to cut such a step off after a few rounds and run the
// other task in between. Checked against CPython
// (tests/fixtures/py/rp_str_buffered_reads.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

async function parsersApp(print: (...args: unknown[]) => void): Promise<void> {
  async function lines(i: number, r: asyncio.StreamReader) {
    let n = 0;
    for (;;) {
      const line = await r.readLine();
      if (!line.length) break;
      n++;
      if (n % 10 === 0) print(i, "line", n);
    }
    print(i, "lines done", n);
  }
  async function records(i: number, r: asyncio.StreamReader) {
    let n = 0;
    let chunk: Uint8Array = new Uint8Array(0);
    while (!r.atEof()) {
      const size = Number(new TextDecoder().decode(await r.readExactly(1)));
      await r.readExactly(size);
      n++;
      if (n % 10 === 0) print(i, "record", n);
      chunk = await r.read(0);
    }
    print(i, "records done", n, chunk.length === 0 ? "b''" : "?");
  }
  const rs = [0, 1, 2, 3].map(() => new asyncio.StreamReader());
  const ts = [
    asyncio.createTask(() => lines(0, rs[0])),
    asyncio.createTask(() => lines(1, rs[1])),
    asyncio.createTask(() => records(2, rs[2])),
    asyncio.createTask(() => records(3, rs[3])),
  ];
  await asyncio.sleep(0);
  for (const r of rs.slice(0, 2)) {
    r.feedData(new TextEncoder().encode("x\n".repeat(30)));
    r.feedEof();
  }
  for (const r of rs.slice(2)) {
    r.feedData(new TextEncoder().encode("3abc".repeat(20)));
    r.feedEof();
  }
  await asyncio.gather(...ts);
}

const EXPECTED = [
  "0 line 10",
  "0 line 20",
  "0 line 30",
  "0 lines done 30",
  "1 line 10",
  "1 line 20",
  "1 line 30",
  "1 lines done 30",
  "2 record 10",
  "2 record 20",
  "2 records done 20 b''",
  "3 record 10",
  "3 record 20",
  "3 records done 20 b''",
];

test("reads of buffered data do not end a task's step", async () => {
  const out: string[] = [];
  await asyncio.run(() => parsersApp(printer(out)));
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for rp_str_buffered_reads.py", () => {
  const ref = pythonReference("rp_str_buffered_reads");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
