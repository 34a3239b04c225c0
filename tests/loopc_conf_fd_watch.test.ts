// The loop's fd and signal watching as a ported program prints it: addReader,
// addWriter and addSignalHandler return null (Python's None, not
// undefined), the remove methods say whether something was watched, a
// bad fd (a non-integer number too) is a ValueError in Python's words, and
// a policy's repr names its Python class and module. Checked against
// CPython's output for tests/fixtures/py/loopc_conf_fd_watch.py.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const EXPECTED = [
  "add_reader None",
  "replaced None",
  "reader second hi",
  "remove_reader True",
  "remove_reader again False",
  "remove_writer unwatched False",
  "add_writer None",
  "writer args 0",
  "remove_writer True",
  "add_signal_handler None",
  "remove_signal_handler True",
  ...["1.5", "1.5", "1.5"].map((r) => `ValueError Invalid file object: ${r}`),
  ...["-1", "-1", "-1"].map((r) => `ValueError Invalid file descriptor: ${r}`),
  ...["'x'", "'x'", "'x'"].map((r) => `ValueError Invalid file object: ${r}`),
  ...["None", "None", "None"].map((r) => `ValueError Invalid file object: ${r}`),
  "<asyncio.unix_events._UnixDefaultEventLoopPolicy object",
  "<__main__.MyPolicy object",
];

class MyPolicy extends asyncio.DefaultEventLoopPolicy {}

/** The port of loopc_conf_fd_watch.py, line for line. */
async function program(out: string[]): Promise<void> {
  // Python's print(): unlike the shared printer(), undefined is not None here,
  // so a method returning undefined where Python returns None shows.
  const print = (...args: unknown[]) =>
    out.push(
      args.map((a) =>
        typeof a === "boolean" ? (a ? "True" : "False") : a === null ? "None" : String(a)
      ).join(" "),
    );
  async function main() {
    const loop = asyncio.getRunningLoop();
    const [a, b] = asyncio.socketpair();
    const got = loop.createFuture();
    const reader = (tag: string) => {
      print("reader", tag, new TextDecoder().decode(a.recv(100)));
      print("remove_reader", loop.removeReader(a));
      got.setResult(null);
    };
    print("add_reader", loop.addReader(a, reader, "first"));
    print("replaced", loop.addReader(a.fileno(), reader, "second"));
    b.send(new TextEncoder().encode("hi"));
    await got;
    print("remove_reader again", loop.removeReader(a));
    print("remove_writer unwatched", loop.removeWriter(a));
    const done = loop.createFuture();
    const writer = (...args: unknown[]) => {
      print("writer args", args.length);
      print("remove_writer", loop.removeWriter(b));
      done.setResult(null);
    };
    print("add_writer", loop.addWriter(b, writer));
    await done;
    print("add_signal_handler", loop.addSignalHandler(asyncio.signals.SIGUSR1, print, "usr1"));
    print("remove_signal_handler", loop.removeSignalHandler(asyncio.signals.SIGUSR1));
    for (const bad of [1.5, -1, "x", null] as unknown as number[]) {
      for (const method of [loop.addReader, loop.addWriter]) {
        try {
          method.call(loop, bad, print);
        } catch (e) {
          if (!(e instanceof asyncio.ValueError)) throw e;
          print("ValueError", e.message);
        }
      }
      try {
        loop.removeReader(bad);
      } catch (e) {
        if (!(e instanceof asyncio.ValueError)) throw e;
        print("ValueError", e.message);
      }
    }
    a.close();
    b.close();
  }
  await asyncio.run(main);
  print(String(asyncio.getEventLoopPolicy()).split(" at 0x")[0]);
  print(String(new MyPolicy()).split(" at 0x")[0]);
}

test("fd and signal watching return None, bad fds are ValueErrors, policy reprs", async () => {
  const out: string[] = [];
  await program(out);
  assertEquals(out, EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for loopc_conf_fd_watch.py", () => {
  const ref = pythonReference("loopc_conf_fd_watch");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
