// connectReadPipe / connectWritePipe over real pipes.
import { test } from "./harness.ts";
import { assertEquals, assertStrictEquals, assertThrows } from "./assert.ts";
import * as asyncio from "../mod.ts";
import { C, sys } from "../ffi/mod.ts";
import type { BaseTransport, Transport } from "../lib/transports.ts";

test("a write pipe transport feeds a read pipe transport; EOF and connectionLost follow", () =>
  asyncio.run(async () => {
    const loop = asyncio.getRunningLoop() as asyncio.SelectorEventLoop;
    const fds = sys().pipe2(C.O_CLOEXEC);
    if (typeof fds === "number") throw new asyncio.OSError(-fds);
    const [r, w] = fds;
    const chunks: string[] = [];
    const done = loop.createFuture<string>();
    class Reader extends asyncio.Protocol {
      override dataReceived(d: Uint8Array) {
        chunks.push(new TextDecoder().decode(d));
      }
      override eofReceived() {
        chunks.push("<eof>");
        return undefined;
      }
      override connectionLost(exc: Error | null) {
        done.setResult(`lost ${exc}`);
      }
    }
    const [rt] = await loop.connectReadPipe(() => new Reader(), r);
    const [wt] = await loop.connectWritePipe(() => new asyncio.Protocol(), { fileno: () => w });
    assertStrictEquals(rt.getExtraInfo("pipe"), r);
    (wt as unknown as Transport).write(new TextEncoder().encode("through a pipe"));
    (wt as unknown as BaseTransport).close();
    assertEquals(await done, "lost null");
    assertEquals(chunks.join(""), "through a pipe<eof>");
  }));

test("closeFd(): a child's stdout pipe, closed in the parent, ends in EOF; bad fds fail", () =>
  asyncio.run(async () => {
    const [r, w] = asyncio.pipe();
    const p = await asyncio.createSubprocessExec("sh", "-c", "echo from child", { stdout: w });
    // Until the parent's copy of the write end is closed, the read end never sees EOF.
    asyncio.closeFd(w);
    const loop = asyncio.getRunningLoop();
    const reader = new asyncio.StreamReader();
    await loop.connectReadPipe(() => new asyncio.StreamReaderProtocol(reader), r);
    assertEquals(new TextDecoder().decode(await reader.read()), "from child\n");
    assertEquals(await p.wait(), 0);
    assertThrows(() => asyncio.closeFd(w), asyncio.OSError, "Bad file descriptor");
    assertThrows(() => asyncio.closeFd("3" as unknown as number), TypeError, "'str' object");
    assertThrows(() => asyncio.closeFd(1.5), TypeError, "'float' object");
  }));

test("pipe(): two close-on-exec fds, read end first, as Python's os.pipe()", () =>
  asyncio.run(async () => {
    const loop = asyncio.getRunningLoop();
    const [r, w] = asyncio.pipe();
    for (const fd of [r, w]) {
      assertEquals(sys().fcntl(fd, C.F_GETFD, 0) & C.FD_CLOEXEC, C.FD_CLOEXEC);
    }
    const got = loop.createFuture<string>();
    let text = "";
    class Reader extends asyncio.Protocol {
      override dataReceived(d: Uint8Array) {
        text += new TextDecoder().decode(d);
      }
      override connectionLost() {
        got.setResult(text);
      }
    }
    await loop.connectReadPipe(() => new Reader(), r);
    const [wt] = await loop.connectWritePipe(() => new asyncio.Protocol(), w);
    (wt as unknown as Transport).write(new TextEncoder().encode("os.pipe"));
    wt.close();
    // The transports closed both fds: the harness's fd check sees none left.
    assertEquals(await got, "os.pipe");
  }));
