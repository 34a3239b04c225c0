// Unix socket paths as CPython 3.11 treats them: abstract names shown as
// bytes in reprs, the "already in use" message with the path's repr, bytes
// and bad paths, the stale-socket check's log, AF_UNIX address errors, and
// the loop iteration that createUnixServer lets pass before it returns;
// checked against CPython.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

function bytesRepr(b: Uint8Array): string {
  return `b'${new TextDecoder().decode(b)}'`;
}

async function unixPaths(print: (...args: unknown[]) => void): Promise<void> {
  const d = mkdtempSync(join(tmpdir(), "sockconf-"));
  const mask = (x: unknown) =>
    String(x).replace(/fd=\d+/g, "fd=N").replaceAll(d, "D").replaceAll(String(process.pid), "PID");
  const closeIt = (_r: asyncio.StreamReader, w: asyncio.StreamWriter) => w.close();
  const handler = (r: asyncio.LogRecord) => print("log:", mask(r.message));
  asyncio.logger.addHandler(handler);
  try {
    const loop = asyncio.getRunningLoop();
    loop.callSoon(print, "call_soon ran");
    let srv = await asyncio.startUnixServer(closeIt, join(d, "s"));
    print("start_unix_server returned");
    srv.close();
    await srv.waitClosed();
    loop.callSoon(print, "call_soon ran");
    srv = await loop.createUnixServer(() => new asyncio.Protocol(), join(d, "t"), {
      startServing: false,
    });
    print("create_unix_server(start_serving=False) returned");
    srv.close();
    await srv.waitClosed();
    await asyncio.sleep(0);

    const name = `\0asyncio-sock-conf-${process.pid}`;
    srv = await asyncio.startUnixServer(closeIt, name);
    print(mask(srv));
    try {
      await asyncio.startUnixServer(closeIt, name);
    } catch (e) {
      if (!(e instanceof asyncio.OSError)) throw e;
      print(e.constructor.name, e.errno, mask(e.message));
    }
    const [r, w] = await asyncio.openUnixConnection(name);
    print(mask(w.getExtraInfo("socket")));
    print(bytesRepr(await r.read()));
    w.close();
    await w.waitClosed();
    srv.close();
    await srv.waitClosed();

    // Python takes bytes paths as well (os.fspath).
    const bytesPath = new TextEncoder().encode(join(d, "b"));
    srv = await asyncio.startUnixServer(closeIt, bytesPath as unknown as string);
    print(mask(srv));
    srv.close();
    await srv.waitClosed();
    for (const bad of [5, 1.5]) {
      try {
        await asyncio.startUnixServer(closeIt, bad as unknown as string);
      } catch (e) {
        if (!(e instanceof TypeError)) throw e;
        print("start_unix_server", e.constructor.name, e.message);
      }
      try {
        await asyncio.openUnixConnection(bad as unknown as string);
      } catch (e) {
        if (!(e instanceof TypeError)) throw e;
        print("open_unix_connection", e.constructor.name, e.message);
      }
    }

    // A path that cannot be checked for a stale socket: logged, then bind fails.
    const f = join(d, "file");
    writeFileSync(f, "");
    try {
      await asyncio.startUnixServer(closeIt, join(f, "s"));
    } catch (e) {
      if (!(e instanceof asyncio.OSError)) throw e;
      print("start_unix_server", e.constructor.name, e.message);
    }
    try {
      await loop.createDatagramEndpoint(() => new asyncio.DatagramProtocol(), {
        localAddr: join(f, "s"),
        family: asyncio.AF_UNIX,
      });
    } catch (e) {
      if (!(e instanceof asyncio.OSError)) throw e;
      print("create_datagram_endpoint", e.constructor.name, e.message);
    }

    const s = asyncio.socket(asyncio.AF_UNIX);
    try {
      for (const bad of [["a", 1], 5, "x".repeat(108)]) {
        try {
          s.bind(bad as string);
        } catch (e) {
          if (!(e instanceof TypeError || e instanceof asyncio.OSError)) throw e;
          print("bind", e.constructor.name, e.message);
        }
      }
      s.bind("\0" + "y".repeat(107));
      print("abstract name of 108 bytes bound");
    } finally {
      s.close();
    }
    // A NUL inside a path ends it, as the kernel reads it.
    const e = asyncio.socket(asyncio.AF_UNIX);
    try {
      e.bind(join(d, "emb\0edded"));
      print("embedded NUL:", mask(e.getsockname()), existsSync(join(d, "emb")));
    } finally {
      e.close();
    }
  } finally {
    asyncio.logger.removeHandler(handler);
    rmSync(d, { recursive: true, force: true });
  }
}

const EXPECTED = [
  "call_soon ran",
  "start_unix_server returned",
  "create_unix_server(start_serving=False) returned",
  "call_soon ran",
  "<Server sockets=(<asyncio.TransportSocket fd=N, family=1, type=1, proto=0, " +
  "laddr=b'\\x00asyncio-sock-conf-PID'>,)>",
  "OSError 98 [Errno 98] Address '\\x00asyncio-sock-conf-PID' is already in use",
  "<asyncio.TransportSocket fd=N, family=1, type=1, proto=0, raddr=b'\\x00asyncio-sock-conf-PID'>",
  "b''",
  "<Server sockets=(<asyncio.TransportSocket fd=N, family=1, type=1, proto=0, laddr=D/b>,)>",
  "start_unix_server TypeError expected str, bytes or os.PathLike object, not int",
  "open_unix_connection TypeError expected str, bytes or os.PathLike object, not int",
  "start_unix_server TypeError expected str, bytes or os.PathLike object, not float",
  "open_unix_connection TypeError expected str, bytes or os.PathLike object, not float",
  "log: Unable to check or remove stale UNIX socket 'D/file/s': NotADirectoryError(20, 'Not a directory')",
  "start_unix_server NotADirectoryError [Errno 20] Not a directory",
  "log: Unable to check or remove stale UNIX socket 'D/file/s': NotADirectoryError(20, 'Not a directory')",
  "create_datagram_endpoint NotADirectoryError [Errno 20] Not a directory",
  "bind TypeError a bytes-like object is required, not 'tuple'",
  "bind TypeError a bytes-like object is required, not 'int'",
  "bind OSError AF_UNIX path too long",
  "abstract name of 108 bytes bound",
  "embedded NUL: D/emb True",
];

test(
  "Unix paths: abstract names as bytes in reprs, path errors, one iteration before return",
  async () => {
    const out: string[] = [];
    await asyncio.run(() => unixPaths(printer(out)));
    assertEquals(out, EXPECTED);
  },
  { timeout: 20 },
);

test("CPython prints the same for sock_conf_unix_paths.py", () => {
  const ref = pythonReference("sock_conf_unix_paths");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
