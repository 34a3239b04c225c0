// A subprocess or pipe protocol's callback that throws is reported as the
// Handle CPython 3.11 runs it in (tests/fixtures/py/errlog_conf_subprocess.py):
// `Exception in callback BadData.pipe_data_received(1, b'hi\n')`; a pipe's
// reader stays open after its protocol's error, as there.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { pythonReference } from "./pyref.ts";
import { runScript } from "./util.ts";

const EXPECTED = [
  "pipes",
  "Exception in callback BadPipeWriter.connection_made(<_UnixWritePi...dle bufsize=0>)",
  "handle: <Handle BadPipeWriter.connection_made(<_UnixWritePi...dle bufsize=0>)>",
  "Traceback (most recent call last):",
  "ValueError: writer made",
  "Exception in callback _UnixReadPipeTransport._read_ready()",
  "handle: <Handle _UnixReadPipeTransport._read_ready()>",
  "Traceback (most recent call last):",
  "ValueError: read b'one'",
  "Exception in callback _UnixReadPipeTransport._read_ready()",
  "handle: <Handle _UnixReadPipeTransport._read_ready()>",
  "Traceback (most recent call last):",
  "ValueError: read b'two'",
  "Exception in callback _UnixReadPipeTransport._call_connection_lost(None)",
  "handle: <Handle _UnixReadPipeTransport._call_connection_lost(None)>",
  "Traceback (most recent call last):",
  "ValueError: reader lost",
  "BadData",
  "Exception in callback BadData.pipe_data_received(1, b'hi\\n')",
  "handle: <Handle BadData.pipe_data_received(1, b'hi\\n')>",
  "Traceback (most recent call last):",
  "ValueError: data",
  "BadExit",
  "Exception in callback BadExit.process_exited()",
  "handle: <Handle BadExit.process_exited()>",
  "Traceback (most recent call last):",
  "ValueError: exited",
  "BadPipeLost",
  "Exception in callback BadPipeLost.pipe_connection_lost(1, None)",
  "handle: <Handle BadPipeLost.pipe_connection_lost(1, None)>",
  "Traceback (most recent call last):",
  "ValueError: pipe lost",
  "BadLost",
  "Exception in callback BaseSubprocessTransport._call_connection_lost(None)",
  "handle: <Handle BaseSubprocessTransport._call_connection_lost(None)>",
  "Traceback (most recent call last):",
  "ValueError: lost",
];

test("a subprocess or pipe protocol's failing callback is named as CPython's Handle", async () => {
  const r = await runScript("tests/fixtures/errlog_conf_subprocess.ts", { timeout: 30 });
  assertEquals(r.code, 0, r.stderr);
  assertEquals(r.stdout, "");
  // Without the frame lines of the tracebacks.
  const lines = r.stderr.split("\n").filter((l) => l !== "" && !l.startsWith("  "));
  assertEquals(lines, EXPECTED, r.stderr);
}, { timeout: 40 });

test("CPython prints the same for errlog_conf_subprocess.py", () => {
  const ref = pythonReference("errlog_conf_subprocess");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
