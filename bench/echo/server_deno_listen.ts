/**
 * Deno's own echo server (`Deno.listen`), the peer of ours on Deno.
 *
 *   deno run -A bench/echo/server_deno_listen.ts PORT
 *
 * Listens on 127.0.0.1:PORT (0: any free port), prints "LISTENING <port>"
 * and echoes every connection until killed: read into a 64 KiB buffer,
 * write it all back, repeat.
 *
 * @module
 */
declare const Deno: {
  args: string[];
  listen(o: { hostname: string; port: number }): AsyncIterable<DenoConn> & {
    addr: { port: number };
  };
};
interface DenoConn {
  read(b: Uint8Array): Promise<number | null>;
  write(b: Uint8Array): Promise<number>;
  setNoDelay(on: boolean): void;
  close(): void;
}

async function echo(conn: DenoConn): Promise<void> {
  conn.setNoDelay(true);
  const buf = new Uint8Array(65536);
  try {
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) break;
      let off = 0;
      while (off < n) off += await conn.write(buf.subarray(off, n));
    }
  } catch {
    // reset by the client
  }
  try {
    conn.close();
  } catch {
    // closed already
  }
}

const listener = Deno.listen({ hostname: "127.0.0.1", port: Number(Deno.args[0] ?? 0) });
console.log(`LISTENING ${listener.addr.port}`);
for await (const conn of listener) echo(conn);

export {};
