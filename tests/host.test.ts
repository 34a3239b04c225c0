// The host keeps running while a loop idles; Workers and host callbacks wake
// the loop; a finished script exits by itself.
import { runtime, test } from "./harness.ts";
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { Worker } from "node:worker_threads";
import * as net from "node:net";
import * as asyncio from "../mod.ts";
import { runScript } from "./util.ts";

/** Starts an echo server with the runtime's own API; returns its port and a closer. */
async function hostEchoServer(): Promise<{ port: number; close: () => Promise<void> }> {
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  if (runtime === "deno") {
    const listener = g.Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const conns: Array<{ close(): void }> = [];
    (async () => {
      for await (const conn of listener) {
        conns.push(conn);
        (async () => {
          const buf = new Uint8Array(1024);
          try {
            for (;;) {
              const n = await conn.read(buf);
              if (n === null) break;
              await conn.write(buf.subarray(0, n));
            }
          } catch { /* closed */ }
          try {
            conn.close();
          } catch { /* already closed */ }
        })();
      }
    })().catch(() => {});
    return {
      port: listener.addr.port,
      close: () => {
        for (const c of conns) {
          try {
            c.close();
          } catch { /* already closed */ }
        }
        listener.close();
        return Promise.resolve();
      },
    };
  }
  if (runtime === "bun") {
    const server = g.Bun.listen({
      hostname: "127.0.0.1",
      port: 0,
      socket: { data: (s: { write(d: Uint8Array): void }, d: Uint8Array) => s.write(d) },
    });
    return { port: server.port, close: () => Promise.resolve(server.stop(true)) };
  }
  const server = net.createServer((s) => s.on("data", (d) => s.write(d)));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** `count` request/response round trips on one connection; resolves to how many came back. */
function echoRoundTrips(port: number, count: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, "127.0.0.1");
    let done = 0;
    sock.on("connect", () => sock.write("ping"));
    sock.on("data", (d) => {
      if (String(d) !== "ping") return;
      if (++done === count) {
        sock.end();
        sock.on("close", () => resolve(done));
      } else {
        sock.write("ping");
      }
    });
    sock.on("error", reject);
  });
}

test("while a loop idles on a 10 s timer, host setTimeout and host TCP echo make progress", async () => {
  const loop = asyncio.newEventLoop();
  const timer = loop.callLater(10, () => loop.stop());
  const running = loop.runForever();
  const server = await hostEchoServer();
  try {
    let ticks = 0;
    await new Promise<void>((resolve) => {
      const iv = setInterval(() => {
        if (++ticks === 5) {
          clearInterval(iv);
          resolve();
        }
      }, 5);
    });
    assertEquals(ticks, 5);
    assertEquals(await echoRoundTrips(server.port, 20), 20);
    assert(loop.isRunning(), "the loop was running (idle) the whole time");
  } finally {
    timer.cancel();
    loop.callSoonThreadsafe(() => loop.stop());
    await running;
    loop.close();
    await server.close();
  }
});

test("a host promise awaited inside a task resumes the task while the loop idles", async () => {
  const v = await asyncio.run(async () => {
    const x = await new Promise<number>((r) => setTimeout(() => r(41), 20));
    await asyncio.sleep(0.01);
    return x + 1;
  });
  assertEquals(v, 42);
});

test("examples: Hello World with callSoon prints and the script exits by itself", async () => {
  const r = await runScript("examples/hello_world_callsoon.ts", { timeout: 20 });
  assertEquals(r.stdout, "Hello World\n");
  assertEquals(r.code, 0, r.stderr);
  assert(r.seconds < 10, `exited after ${r.seconds.toFixed(2)} s`);
});

test("examples: watching a file descriptor prints what was received", async () => {
  const r = await runScript("examples/watch_fd.ts", { timeout: 20 });
  assertEquals(r.stdout, "Received: abc\n");
  assertEquals(r.code, 0, r.stderr);
});

test("examples: display the date with callLater, once a second, then exit", async () => {
  const r = await runScript("examples/display_date_calllater.ts", { timeout: 20, args: ["2"] });
  assertEquals(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split("\n");
  assertEquals(lines.length, 2);
  for (const l of lines) assertMatch(l, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
});

test("a script whose loop idled and then finished exits promptly (nothing keeps the host alive)", async () => {
  const r = await runScript("tests/fixtures/idle_then_exit.ts", { timeout: 20 });
  assertEquals(r.code, 0, r.stderr);
  const finishedAt = Number(r.stdout.trim());
  assert(finishedAt > 0, `child printed ${JSON.stringify(r.stdout)}`);
  // The child prints when its loop finished, in its own clock since start;
  // it must then exit about at once. Bounded loosely: this is a hang check.
  assert(r.seconds < 10, `child ran ${r.seconds.toFixed(2)} s`);
});

test("ASYNCIO_DEBUG=1 and PYTHONASYNCIODEBUG=1 turn debug mode on", async () => {
  for (const name of ["ASYNCIO_DEBUG", "PYTHONASYNCIODEBUG"]) {
    const r = await runScript("tests/fixtures/print_debug.ts", {
      env: { [name]: "1" },
      timeout: 20,
    });
    assertEquals(r.stdout.trim(), "true", r.stderr);
  }
  const r = await runScript("tests/fixtures/print_debug.ts", {
    env: { ASYNCIO_DEBUG: "", PYTHONASYNCIODEBUG: "" },
    timeout: 20,
  });
  assertEquals(r.stdout.trim(), "false", r.stderr);
});

test("the demo runs every part and exits by itself", async () => {
  const r = await runScript("examples/demo.ts", { timeout: 30 });
  assertEquals(r.code, 0, r.stderr);
  for (
    const line of [
      "results: ",
      'read: "hello through epoll"',
      "host timer fired",
      "sleeper got CancelledError: demo is over",
      "sleeper.cancelled() = true",
      "done: the loop is closed",
    ]
  ) {
    assert(r.stdout.includes(line), `demo output lacks ${JSON.stringify(line)}:\n${r.stdout}`);
  }
});

test("a message from a Worker wakes an idle loop through callSoonThreadsafe", async () => {
  const loop = asyncio.newEventLoop();
  loop.callLater(10, () => loop.stop());
  const path = runtime === "node"
    ? "./build/tests/fixtures/worker_ping.js"
    : "./tests/fixtures/worker_ping.ts";
  const worker = new Worker(path);
  let got = "";
  worker.on("message", (m: string) => {
    loop.callSoonThreadsafe((msg: string) => {
      got = msg;
      loop.stop();
    }, m);
  });
  const t0 = loop.time();
  await loop.runForever();
  const waited = loop.time() - t0;
  await worker.terminate();
  loop.close();
  assertEquals(got, "ping");
  assert(waited < 5, `woken after ${waited.toFixed(3)} s, not by the 10 s timer`);
  // A Worker's runtime (its own epoll and eventfd) is torn down some time
  // after terminate(), outside our control: not counted as a leak, and last
  // in the file so no later test is blamed for it.
}, { fdCheck: false });
