/**
 * Bun's own echo server (`Bun.listen`), the peer of ours on Bun.
 *
 *   bun bench/echo/server_bun_listen.ts PORT
 *
 * Listens on 127.0.0.1:PORT (0: any free port), prints "LISTENING <port>"
 * and echoes every connection until killed; what the kernel does not take
 * is kept and sent on `drain`.
 *
 * @module
 */
interface BunSocket {
  write(data: Uint8Array): number;
  data: { pending: Uint8Array | null };
}
declare const Bun: {
  argv: string[];
  listen(o: unknown): { port: number };
};

function flush(sock: BunSocket): void {
  const p = sock.data.pending;
  if (p === null) return;
  const n = sock.write(p);
  sock.data.pending = n >= p.length ? null : p.subarray(n > 0 ? n : 0);
}

const server = Bun.listen({
  hostname: "127.0.0.1",
  port: Number(Bun.argv[2] ?? 0),
  socket: {
    open(sock: BunSocket) {
      sock.data = { pending: null };
    },
    data(sock: BunSocket, data: Uint8Array) {
      if (sock.data.pending !== null) {
        const p = sock.data.pending;
        const joined = new Uint8Array(p.length + data.length);
        joined.set(p);
        joined.set(data, p.length);
        sock.data.pending = joined;
        return;
      }
      const n = sock.write(data);
      // Bun hands out a view of its own buffer: keep a copy of what is left.
      if (n < data.length) sock.data.pending = data.slice(n > 0 ? n : 0);
    },
    drain(sock: BunSocket) {
      flush(sock);
    },
    error() {},
  },
});
console.log(`LISTENING ${server.port}`);

export {};
