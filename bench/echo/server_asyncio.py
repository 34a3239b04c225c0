"""The CPython echo servers: asyncio's protocol API or its streams API, on
the default loop or uvloop.

    /usr/bin/python3 bench/echo/server_asyncio.py PORT [--streams] [--uvloop]

Listens on 127.0.0.1:PORT (0: any free port), prints "LISTENING <port>" and
echoes every connection until killed.
"""
import asyncio
import sys


class Echo(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.transport.write(data)


async def echo_stream(reader, writer):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    writer.close()


async def main(port, streams):
    if streams:
        server = await asyncio.start_server(echo_stream, "127.0.0.1", port, backlog=4096)
    else:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(Echo, "127.0.0.1", port, backlog=4096)
    print(f"LISTENING {server.sockets[0].getsockname()[1]}", flush=True)
    await server.serve_forever()


if __name__ == "__main__":
    args = sys.argv[1:]
    port = int(args[0]) if args and args[0].isdigit() else 0
    streams = "--streams" in args
    if "--uvloop" in args:
        import uvloop
        uvloop.install()
    try:
        asyncio.run(main(port, streams))
    except KeyboardInterrupt:
        pass
