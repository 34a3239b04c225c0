// Values Python takes as given: a task of a user's awaitable object shows
// `_wrap_awaitable()` as its coroutine (what CPython's ensure_future wraps
// it in); setDebug() keeps any value for getDebug() and the loop's repr;
// setWriteBufferLimits(true) is 1; dispatcher_with_send.send() returns
// None. Checked against CPython.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

/** A user's awaitable object: a class with `then` (Python's `__await__`). */
class Later {
  then(resolve: (v: number) => void, reject: (e: unknown) => void): void {
    asyncio.sleep(0).then(() => resolve(5), reject);
  }
}

/** Python's `repr(tuple(int(x) for x in limits))`. */
const limits = (l: [number, number]) => `(${Number(l[0])}, ${Number(l[1])})`;

async function values(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const t = asyncio.ensureFuture(new Later() as never);
  print(String(t));
  print(await t);
  print(String(t));
  const srv = await loop.createServer(() => new asyncio.Protocol(), "127.0.0.1", 0);
  const port = (srv.sockets[0].getsockname() as [string, number])[1];
  const [tr] = await loop.createConnection(() => new asyncio.Protocol(), "127.0.0.1", port);
  const cases: [string, unknown[]][] = [
    ["(True,)", [true]],
    ["(None, True)", [null, true]],
    ["(True, False)", [true, false]],
  ];
  for (const [label, args] of cases) {
    (tr.setWriteBufferLimits as (...a: unknown[]) => void)(...args);
    print(label, limits(tr.getWriteBufferLimits()));
  }
  tr.close();
  srv.close();
  await srv.waitClosed();
}

function debugValues(print: (...args: unknown[]) => void): void {
  const loop = asyncio.newEventLoop();
  try {
    for (const [label, v] of [["0", 0], ["'yes'", "yes"], ["None", null], ["True", true]]) {
      loop.setDebug(v as never);
      const got = loop.getDebug() as unknown;
      print(got === v ? label : `not as given: ${got}`, String(loop));
    }
  } finally {
    loop.close();
  }
  const [a, b] = asyncio.socketpair();
  const d = new asyncio.asyncore.dispatcher_with_send(a);
  const sent = d.send(new TextEncoder().encode("hello"));
  print(sent, `b'${new TextDecoder().decode(b.recv(10))}'`);
  d.close();
  b.close();
}

const EXPECTED = [
  "<Task pending name='Task-2' coro=<_wrap_awaitable()>>",
  "5",
  "<Task finished name='Task-2' coro=<_wrap_awaitable()> result=5>",
  "(True,) (0, 1)",
  "(None, True) (1, 4)",
  "(True, False) (0, 1)",
  "0 <_UnixSelectorEventLoop running=False closed=False debug=0>",
  "'yes' <_UnixSelectorEventLoop running=False closed=False debug=yes>",
  "None <_UnixSelectorEventLoop running=False closed=False debug=None>",
  "True <_UnixSelectorEventLoop running=False closed=False debug=True>",
  "None b'hello'",
];

test(
  "awaitable objects, debug values, bool water marks and asyncore's send as Python has them",
  async () => {
    const out: string[] = [];
    const print = printer(out);
    await asyncio.run(() => values(print));
    debugValues(print);
    assertEquals(out, EXPECTED);
  },
  { timeout: 20 },
);

test("CPython prints the same for sw_left_values.py", () => {
  const ref = pythonReference("sw_left_values");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
