// createConnection's happyEyeballsDelay and interleave (RFC 8305) on real
// sockets. "localhost" has only 127.0.0.1 here, so a loop subclass answers
// getaddrinfo for "dual.test" with the real records of ::1 and 127.0.0.1
// (Python's create_connection resolves through loop.getaddrinfo too). A
// listener on ::1 whose backlog is full makes a connect there hang: the
// kernel drops the SYN.
import { spawnSync } from "node:child_process";
import { test } from "./harness.ts";
import { assert, assertEquals, assertInstanceOf, assertRejects } from "./assert.ts";
import * as asyncio from "../mod.ts";
import { C } from "../ffi/mod.ts";
import type { AddrInfo, GetaddrinfoOptions } from "../lib/dns.ts";
import { interleaveAddrinfos } from "../lib/staggered.ts";

const { OSError, ValueError } = asyncio;

/** A loop on which "dual.test" resolves to ::1 then 127.0.0.1 (or `order`). */
class DualLoop extends asyncio.SelectorEventLoop {
  order: Array<"6" | "4"> = ["6", "4"];
  resolved = 0;
  override async getaddrinfo(
    host: string | Uint8Array | null | undefined,
    port: number | string | Uint8Array | null | undefined,
    opts?: GetaddrinfoOptions,
  ): Promise<AddrInfo[]> {
    if (host !== "dual.test") return await super.getaddrinfo(host, port, opts);
    this.resolved++;
    const out: AddrInfo[] = [];
    for (const f of this.order) {
      out.push(...await super.getaddrinfo(f === "6" ? "::1" : "127.0.0.1", port, opts));
    }
    return out;
  }
}

async function inDual<T>(main: (loop: DualLoop) => Promise<T>): Promise<T> {
  const loop = new DualLoop();
  try {
    return await loop.runUntilComplete<T>(() => main(loop));
  } finally {
    loop.close();
  }
}

/** A listening non-blocking socket on `host:port`. */
function listen(family: number, host: string, port: number, backlog = 16): asyncio.Socket {
  const s = asyncio.socket(family, C.SOCK_STREAM);
  try {
    s.setblocking(false);
    if (family === C.AF_INET6) s.setsockopt(C.IPPROTO_IPV6, C.IPV6_V6ONLY, 1);
    s.bind([host, port]);
    s.listen(backlog);
    return s;
  } catch (e) {
    s.close();
    throw e;
  }
}

/** A port free on both ::1 and 127.0.0.1, with a listener on each as asked. */
function dualPort(v6: boolean, v4: boolean): { port: number; socks: asyncio.Socket[] } {
  for (let i = 0; i < 50; i++) {
    const probe = listen(C.AF_INET6, "::1", 0);
    const port = (probe.getsockname() as [string, number])[1];
    const socks = [probe];
    try {
      socks.push(listen(C.AF_INET, "127.0.0.1", port));
      if (!v4) socks.pop()!.close();
      if (!v6) socks.shift()!.close();
      return { port, socks };
    } catch {
      for (const s of socks) s.close();
    }
  }
  throw new Error("no port free on both families");
}

/**
 * Fills the backlog of the ::1 listener `l` (listen backlog 0): one
 * connection is queued, the next SYNs are dropped, so a connect hangs.
 */
async function fillBacklog(loop: DualLoop, port: number): Promise<asyncio.Socket[]> {
  const fillers: asyncio.Socket[] = [];
  const s = asyncio.socket(C.AF_INET6, C.SOCK_STREAM);
  s.setblocking(false);
  fillers.push(s);
  await loop.sockConnect(s, ["::1", port]);
  return fillers;
}

/** The peer address family of a transport. */
const peerHost = (t: asyncio.BaseTransport): string =>
  (t.getExtraInfo("peername") as [string, number])[0];

test("interleaveAddrinfos orders addresses as CPython's _interleave_addrinfos does", () => {
  const v6 = (h: string): AddrInfo => [C.AF_INET6, 1, 6, "", [h, 1, 0, 0]];
  const v4 = (h: string): AddrInfo => [C.AF_INET, 1, 6, "", [h, 1]];
  const infos = [v6("::1"), v6("::2"), v6("::3"), v4("1.1.1.1"), v4("1.1.1.2")];
  const hosts = (l: AddrInfo[]) => l.map((i) => (i[4] as [string, number])[0]).join(" ");
  const py = spawnSync("python3", [
    "-c",
    `
import asyncio.base_events as b, socket
A, B = socket.AF_INET6, socket.AF_INET
infos = [(A,1,6,'',(h,1,0,0)) for h in ('::1','::2','::3')] + [(B,1,6,'',(h,1)) for h in ('1.1.1.1','1.1.1.2')]
for n in (1, 2, 3):
    print(' '.join(i[4][0] for i in b._interleave_addrinfos(infos, n)))
`,
  ], { encoding: "utf8" });
  assertEquals(py.status, 0, py.stderr);
  const want = py.stdout.trim().split("\n");
  assertEquals(hosts(interleaveAddrinfos(infos, 1)), want[0]);
  assertEquals(hosts(interleaveAddrinfos(infos, 2)), want[1]);
  assertEquals(hosts(interleaveAddrinfos(infos, 3)), want[2]);
}, { fdCheck: false });

test("happyEyeballsDelay: ::1 hangs, 127.0.0.1 is tried after the delay and wins; ::1's socket is closed", () =>
  inDual(async (loop) => {
    const { port, socks } = dualPort(true, true);
    const [l6, l4] = socks;
    l6.listen(0);
    const fillers = await fillBacklog(loop, port);
    try {
      // The premise: a connect to ::1 now hangs.
      const probe = asyncio.socket(C.AF_INET6, C.SOCK_STREAM);
      probe.setblocking(false);
      fillers.push(probe);
      await assertRejects(
        () => asyncio.waitFor(loop.sockConnect(probe, ["::1", port]), 0.3),
        asyncio.TimeoutError,
      );
      const [t] = await loop.createConnection(() => new asyncio.Protocol(), "dual.test", port, {
        happyEyeballsDelay: 0.05,
      });
      assertEquals(peerHost(t), "127.0.0.1");
      assertEquals(loop.resolved, 1);
      const [conn] = await loop.sockAccept(l4);
      conn.close();
      t.close();
      await asyncio.sleep(0);
    } finally {
      for (const s of [...fillers, ...socks]) s.close();
    }
    // The harness's fd check proves the hanging ::1 attempt's socket was closed.
  }));

test(
  "happyEyeballsDelay: a refused first address starts the next at once, without waiting the delay",
  () =>
    inDual(async (loop) => {
      const { port, socks } = dualPort(false, true);
      try {
        // A 60 s delay: only the failure of ::1 can start 127.0.0.1 within the test's bound.
        const [t] = await loop.createConnection(() => new asyncio.Protocol(), "dual.test", port, {
          happyEyeballsDelay: 60,
        });
        assertEquals(peerHost(t), "127.0.0.1");
        t.close();
        await asyncio.sleep(0);
      } finally {
        for (const s of socks) s.close();
      }
    }),
  { timeout: 15 },
);

test("happyEyeballsDelay 0: both families answer, one wins and the other connection is closed", () =>
  inDual(async (loop) => {
    const { port, socks } = dualPort(true, true);
    try {
      const [t] = await loop.createConnection(() => new asyncio.Protocol(), "dual.test", port, {
        happyEyeballsDelay: 0,
      });
      const winner = peerHost(t);
      assert(winner === "::1" || winner === "127.0.0.1", winner);
      // Whatever connected on the other family was closed: accept it and see EOF.
      const loser = winner === "::1" ? socks[1] : socks[0];
      let extra: asyncio.Socket | null = null;
      try {
        [extra] = await asyncio.waitFor(loop.sockAccept(loser), 0.5);
      } catch (e) {
        assertInstanceOf(e, asyncio.TimeoutError); // the loser never connected: fine
      }
      if (extra !== null) {
        assertEquals((await loop.sockRecv(extra, 10)).length, 0, "the loser must be closed");
        extra.close();
      }
      t.close();
      await asyncio.sleep(0);
    } finally {
      for (const s of socks) s.close();
    }
  }));

test(
  "happyEyeballsDelay: all refused gives CPython's aggregate OSError, same text",
  () =>
    inDual(async (loop) => {
      const { port, socks } = dualPort(true, true);
      for (const s of socks) s.close(); // nothing listens on either family now
      const err = await assertRejects(
        () =>
          loop.createConnection(() => new asyncio.Protocol(), "dual.test", port, {
            happyEyeballsDelay: 0.05,
          }),
        OSError,
      );
      const py = spawnSync("python3", [
        "-c",
        `
import asyncio, socket, sys
port = int(sys.argv[1])
async def main():
    loop = asyncio.get_running_loop()
    real = loop.getaddrinfo
    async def gai(host, *a, **k):
        return (await real('::1', *a, **k)) + (await real('127.0.0.1', *a, **k))
    loop.getaddrinfo = gai
    try:
        await loop.create_connection(asyncio.Protocol, 'dual.test', port, happy_eyeballs_delay=0.05)
    except OSError as e:
        print(type(e).__name__, e)
asyncio.run(main())
`,
        String(port),
      ], { encoding: "utf8" });
      assertEquals(py.status, 0, py.stderr);
      assertEquals(`${err.name} ${err.message}`, py.stdout.trim());
      assert(err.message.startsWith("Multiple exceptions: "), err.message);
    }),
  { fdCheck: false },
);

test("interleave without a delay reorders the sequential attempts (127.0.0.1 first when listed second with interleave 1 after two ::1)", () =>
  inDual(async (loop) => {
    const { port, socks } = dualPort(true, true);
    try {
      loop.order = ["4", "6"];
      // Sequential, 127.0.0.1 listed first: it wins.
      const [t1] = await loop.createConnection(() => new asyncio.Protocol(), "dual.test", port, {
        interleave: 1,
      });
      assertEquals(peerHost(t1), "127.0.0.1");
      t1.close();
      loop.order = ["6", "4"];
      const [t2] = await loop.createConnection(() => new asyncio.Protocol(), "dual.test", port, {
        interleave: 1,
      });
      assertEquals(peerHost(t2), "::1");
      t2.close();
      for (const l of socks) {
        const [c] = await loop.sockAccept(l);
        c.close();
      }
      await asyncio.sleep(0);
    } finally {
      for (const s of socks) s.close();
    }
  }));

test("a createConnection cancelled mid-race closes every attempt's socket", () =>
  inDual(async (loop) => {
    const { port, socks } = dualPort(true, false);
    socks[0].listen(0);
    const fillers = await fillBacklog(loop, port);
    // Only ::1, hanging; 127.0.0.1 refuses. With a delay, ::1 stays pending.
    loop.order = ["6", "6"];
    try {
      const task = loop.createTask(() =>
        loop.createConnection(() => new asyncio.Protocol(), "dual.test", port, {
          happyEyeballsDelay: 0.02,
        })
      );
      await asyncio.sleep(0.1);
      assert(!task.done(), "both ::1 attempts should hang");
      task.cancel();
      await assertRejects(() => task as unknown as Promise<unknown>, asyncio.CancelledError);
      await asyncio.sleep(0);
    } finally {
      for (const s of [...fillers, ...socks]) s.close();
    }
  }));

// A negative delay or interleave is not refused, as in Python 3.11
// (tests/rp_err3_happy_eyeballs_args.test.ts).
test("happyEyeballsDelay/interleave: bad values are ValueError", () =>
  inDual(async (loop) => {
    for (const opts of [{ happyEyeballsDelay: NaN }, { interleave: 1.5 }]) {
      await assertRejects(
        () => loop.createConnection(() => new asyncio.Protocol(), "127.0.0.1", 9, opts),
        ValueError,
      );
    }
  }));

test("openConnection passes happyEyeballsDelay on: ::1 hangs, the stream connects over 127.0.0.1", () =>
  inDual(async (loop) => {
    const { port, socks } = dualPort(true, true);
    const [l6, l4] = socks;
    l6.listen(0);
    const fillers = await fillBacklog(loop, port);
    try {
      const [reader, writer] = await asyncio.openConnection("dual.test", port, {
        happyEyeballsDelay: 0.05,
      });
      assertEquals(peerHost(writer.transport), "127.0.0.1");
      const [conn] = await loop.sockAccept(l4);
      await loop.sockSendall(conn, new TextEncoder().encode("hi"));
      assertEquals(new TextDecoder().decode(await reader.readExactly(2)), "hi");
      conn.close();
      writer.close();
      await writer.waitClosed();
    } finally {
      for (const s of [...fillers, ...socks]) s.close();
    }
  }));
