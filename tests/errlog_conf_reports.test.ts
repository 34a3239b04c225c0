// What the default exception handler prints to stderr, checked against
// CPython 3.11 (tests/fixtures/py/errlog_conf_reports.py) up to the frames
// of each traceback: the report's lines, the `Traceback (most recent call
// last):` header and the exception's last line (asyncio's own classes with
// their module, a KeyError's message quoted, an OSError made as the
// subclass its errno names, no traceback for an exception never raised, a
// failing handler's error printed after the one it was handling, a
// `cause` as Python's `raise ... from`, an ExceptionGroup boxed as 3.11
// boxes it); a handler's SystemExit leaves the loop; with no handler added,
// only WARNING and above are written.
// the Handles that protocol and datagram callbacks fail in are named as
// Python names them.
import { test } from "./harness.ts";
import { assert, assertEquals } from "./assert.ts";
import { pythonReference } from "./pyref.ts";
import { runScript } from "./util.ts";

/** A frame's line (`  File ...`), also inside a group's margin (`  |   File ...`). */
function isFrame(line: string): boolean {
  const margin = /^ *[|+] /.exec(line);
  const rest = margin === null ? line : line.slice(margin[0].length);
  return rest.startsWith("  ") && !/^ *\+-/.test(line);
}

/** The lines both programs keep: no frame lines, no addresses or fd numbers. */
function filtered(stderr: string): string[] {
  const lines = stderr.split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines.filter((l) => !isFrame(l)).map((l) =>
    l.replace(/ at 0x[0-9a-f]+/g, " at 0x").replace(/fd=\d+/g, "fd=N")
  );
}

const EXPECTED = [
  "callback",
  "Exception in callback cb(1)",
  "handle: <Handle cb(1)>",
  "Traceback (most recent call last):",
  "ValueError: cb 1",
  "raised and reported",
  "set twice",
  "future: <Future finished result=1>",
  "Traceback (most recent call last):",
  "asyncio.exceptions.InvalidStateError: invalid state",
  "empty",
  "Traceback (most recent call last):",
  "asyncio.queues.QueueEmpty",
  "lookup",
  "Traceback (most recent call last):",
  "KeyError: 'k'",
  "awaited",
  "Traceback (most recent call last):",
  "ValueError: awaited",
  "plain",
  "future: <Task finished name='plain' coro=<plain_error()> exception=Exception('plain')>",
  "Traceback (most recent call last):",
  "Exception: plain",
  "protocols",
  "Fatal error: protocol.data_received() call failed.",
  "protocol: <__main__.BadData object at 0x>",
  "transport: <_SelectorSocketTransport fd=N read=polling write=<idle, bufsize=0>>",
  "Traceback (most recent call last):",
  "ValueError: data",
  "Exception in callback BadMade.connection_made(<_SelectorSoc...e, bufsize=0>>)",
  "handle: <Handle BadMade.connection_made(<_SelectorSoc...e, bufsize=0>>)>",
  "Traceback (most recent call last):",
  "RuntimeError: made",
  "Exception in callback _SelectorSocketTransport._call_connection_lost(None)",
  "handle: <Handle _SelectorSocketTransport._call_connection_lost(None)>",
  "Traceback (most recent call last):",
  "RuntimeError: lost",
  "Exception in callback _SelectorDatagramTransport._read_ready()",
  "handle: <Handle _SelectorDatagramTransport._read_ready()>",
  "Traceback (most recent call last):",
  "ValueError: datagram",
  "Exception in callback _SelectorTransport._call_connection_lost(None)",
  "handle: <Handle _SelectorTransport._call_connection_lost(None)>",
  "Traceback (most recent call last):",
  "RuntimeError: datagram lost",
  "groups",
  "group",
  "  + Exception Group Traceback (most recent call last):",
  "  | ExceptionGroup: unhandled errors in a TaskGroup (2 sub-exceptions)",
  "  +-+---------------- 1 ----------------",
  "    | Traceback (most recent call last):",
  "    | ValueError: v1",
  "    +---------------- 2 ----------------",
  "    | Traceback (most recent call last):",
  "    | KeyError: 'inner'",
  "    | ",
  "    | The above exception was the direct cause of the following exception:",
  "    | ",
  "    | Traceback (most recent call last):",
  "    | RuntimeError: outer",
  "    +------------------------------------",
  "group future",
  "future: <Future finished exception=ExceptionGroup('eg', " +
  "[ValueError('a'), ExceptionGroup('inner', [KeyError('b')])])>",
  "handler raises",
  "Unhandled error in exception handler",
  "context: {'message': 'Exception in callback cb(2)', 'exception': ValueError('cb 2'), " +
  "'handle': <Handle cb(2)>}",
  "Traceback (most recent call last):",
  "ValueError: cb 2",
  "",
  "During handling of the above exception, another exception occurred:",
  "",
  "Traceback (most recent call last):",
  "RuntimeError: handler broke",
  "Unhandled error in exception handler",
  "context: {'message': 'm'}",
  "Traceback (most recent call last):",
  "RuntimeError: handler broke",
  "handler: cb 3",
  "main finally",
  "SystemExit 3",
  "end of main",
  "Task exception was never retrieved",
  "future: <Task finished name='boom' coro=<boom()> exception=ValueError('boom')>",
  "Traceback (most recent call last):",
  "ValueError: boom",
  "end of main",
  "Future exception was never retrieved",
  "future: <Future finished exception=FileNotFoundError(2, 'No such file')>",
  "FileNotFoundError: [Errno 2] No such file",
  "warning: shown",
  "done",
];

test("the default exception handler's reports read as CPython's, up to the frames", async () => {
  const r = await runScript("tests/fixtures/errlog_conf_reports.ts", { timeout: 30 });
  assertEquals(r.code, 0, r.stderr);
  assertEquals(r.stdout, "");
  assertEquals(filtered(r.stderr), EXPECTED, r.stderr);
  // The frames: Python's lines, the program's code that raised, oldest first.
  const frames = r.stderr.split("\n").filter(isFrame);
  const file = /^(?: *\| )? {2}File "(.*)", line (\d+), in (.*)$/;
  assert(frames.length > 0 && frames.every((l) => file.test(l)), r.stderr);
  const at = (fn: string) => frames.filter((l) => file.exec(l)![3] === fn);
  for (const fn of ["cb", "dataReceived", "connectionMade", "boom", "fail", "chained"]) {
    assert(at(fn).length > 0, `${fn}: ${r.stderr}`);
    for (const l of at(fn)) assert(/errlog_conf_reports\.[jt]s"/.test(l), l);
  }
  // A library function that raised comes after the program's line that called it.
  const i = frames.findIndex((l) => / in getNowait$/.test(l));
  assert(i > 0 && / in main$/.test(frames[i - 1]), r.stderr);
}, { timeout: 40 });

test("CPython prints the same for errlog_conf_reports.py", () => {
  const ref = pythonReference("errlog_conf_reports");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
