// An asyncore dispatcher without a socket: its socket methods throw a
// TypeError with the message of Python's AttributeError for None, the same on
// every runtime (JS's own wording differs between Deno, Bun and Node). Checked
// against tests/fixtures/py/bad_conf_asyncore.py.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const EXPECTED = [
  "send 'NoneType' object has no attribute 'send'",
  "recv 'NoneType' object has no attribute 'recv'",
  "listen 'NoneType' object has no attribute 'listen'",
  "bind 'NoneType' object has no attribute 'bind'",
  "connect 'NoneType' object has no attribute 'connect_ex'",
  "accept 'NoneType' object has no attribute 'accept'",
  "accepting True connecting True",
];

test("a dispatcher without a socket: Python's message, as a TypeError", () => {
  const d = new asyncio.asyncore.dispatcher();
  const out: string[] = [];
  const cases: [string, () => unknown][] = [
    ["send", () => d.send(new Uint8Array([120]))],
    ["recv", () => d.recv(1)],
    ["listen", () => d.listen(5)],
    ["bind", () => d.bind(["127.0.0.1", 0])],
    ["connect", () => d.connect(["127.0.0.1", 1])],
    ["accept", () => d.accept()],
  ];
  for (const [label, f] of cases) {
    try {
      f();
      out.push(`${label} OK`);
    } catch (e) {
      out.push(e instanceof TypeError ? `${label} ${e.message}` : `${label} ${e}`);
    }
  }
  const py = (b: boolean) => (b ? "True" : "False");
  out.push(`accepting ${py(d.accepting)} connecting ${py(d.connecting)}`);
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for bad_conf_asyncore.py", () => {
  const ref = pythonReference("bad_conf_asyncore");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
