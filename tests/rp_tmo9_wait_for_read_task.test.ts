// A task made from `waitFor(reader.readLine(), t)` and then cancelled
// (by `cancel()`, a cancelled `gather`, a failing TaskGroup sibling)
// cancels the read inside it, as Python's task cancels its wait_for
// coroutine and the read in it; the read started in the caller, so the
// task made from waitFor's promise could not reach it: it stayed parked,
// and the next read failed with "readuntil() called while another coroutine
// is already waiting for incoming data". Checked against CPython
// (tests/fixtures/py/rp_tmo9_wait_for_read_task.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const bytes = (b: Uint8Array) => `b'${new TextDecoder().decode(b).replace(/\n/g, "\\n")}'`;
const args = (e: unknown) => `('${(e as asyncio.CancelledError).args[0]}',)`;

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const conns: asyncio.StreamWriter[] = [];
  const silent = async (r: asyncio.StreamReader, w: asyncio.StreamWriter) => {
    conns.push(w);
    await r.read();
    w.close();
  };
  const srv = await asyncio.startServer(silent, "127.0.0.1", 0);
  const port = (srv.sockets[0].getsockname() as [string, number])[1];
  const [r, w] = await asyncio.openConnection("127.0.0.1", port);
  for (const timeout of [null, 5]) {
    const t = asyncio.createTask(asyncio.waitFor(r.readLine(), timeout));
    await asyncio.sleep(0.01);
    t.cancel(`stop ${timeout ?? "None"}`);
    try {
      await t;
    } catch (e) {
      if (!(e instanceof asyncio.CancelledError)) throw e;
      print("task", timeout, "cancelled", args(e));
    }
    conns[0].write(enc(`line ${timeout ?? 0}\n`));
    print("next read", bytes(await asyncio.waitFor(r.readLine(), 1)));
  }
  const g = asyncio.gather(
    asyncio.waitFor(r.readLine(), null),
    asyncio.waitFor(r.readExactly(0), 1),
  );
  await asyncio.sleep(0.01);
  print("gather cancel", g.cancel("bye gather"));
  try {
    await g;
  } catch (e) {
    if (!(e instanceof asyncio.CancelledError)) throw e;
    print("gather cancelled", args(e));
  }
  conns[0].write(enc("after gather\n"));
  print("next read", bytes(await r.readLine()));
  const boom = async () => {
    await asyncio.sleep(0.01);
    throw new asyncio.ConnectionError("peer gone");
  };
  let reader!: asyncio.Task<Uint8Array>;
  try {
    await new asyncio.TaskGroup().run((tg) => {
      reader = tg.createTask(asyncio.waitFor(r.readLine(), 5));
      tg.createTask(boom);
    });
  } catch (e) {
    if (!(e instanceof asyncio.ExceptionGroup)) throw e;
    const [match, rest] = e.split(asyncio.ConnectionError);
    if (rest !== null) throw rest;
    const reprs = match!.exceptions.map((x) => `${(x as Error).name}('${(x as Error).message}')`);
    print("group", `(${reprs.join(", ")},)`, reader.cancelled());
  }
  conns[0].write(enc("after group\n"));
  print("next read", bytes(await r.readLine()));
  w.close();
  await w.waitClosed();
  srv.close();
  await srv.waitClosed();
}

const EXPECTED = [
  "task None cancelled ('stop None',)",
  "next read b'line 0\\n'",
  "task 5 cancelled ('stop 5',)",
  "next read b'line 5\\n'",
  "gather cancel True",
  "gather cancelled ('bye gather',)",
  "next read b'after gather\\n'",
  "group (ConnectionError('peer gone'),) True",
  "next read b'after group\\n'",
];

test("cancelling a task made from waitFor(reader.readLine(), t) cancels the read", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_tmo9_wait_for_read_task.py", () => {
  const ref = pythonReference("rp_tmo9_wait_for_read_task");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
