/**
 * Node's own echo server (`net`), the peer of ours on Node.
 *
 *   node bench/echo/server_node_net.mjs PORT
 *
 * Listens on 127.0.0.1:PORT (0: any free port), prints "LISTENING <port>"
 * and echoes every connection until killed; pauses reading while a write
 * is backed up, as asyncio's flow control does.
 */
import net from "node:net";
import process from "node:process";

const server = net.createServer({ noDelay: true }, (sock) => {
  sock.on("data", (data) => {
    if (!sock.write(data)) {
      sock.pause();
      sock.once("drain", () => sock.resume());
    }
  });
  sock.on("error", () => sock.destroy());
});
server.listen({ host: "127.0.0.1", port: Number(process.argv[2] ?? 0), backlog: 4096 }, () => {
  console.log(`LISTENING ${server.address().port}`);
});
