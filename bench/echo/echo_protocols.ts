/**
 * The echo protocols of this library's echo servers (server_ours.ts) and of
 * the idle-memory measurement (idle_heap.ts): the same programs as
 * server_asyncio.py's.
 *
 * @module
 */
import * as asyncio from "../../mod.ts";

/** Writes back every chunk it receives (Python's `Protocol` echo). */
export class Echo extends asyncio.Protocol {
  transport: asyncio.Transport | null = null;

  override connectionMade(transport: asyncio.BaseTransport): void {
    this.transport = transport as asyncio.Transport;
  }

  override dataReceived(data: Uint8Array): void {
    this.transport!.write(data);
  }
}

/**
 * The zero-copy form: the kernel writes into one buffer that every
 * connection shares, since each chunk is written back before the next read.
 */
const shared = new Uint8Array(256 * 1024);

/** Receives into one shared buffer and writes each chunk back at once. */
export class BufferedEcho extends asyncio.BufferedProtocol {
  transport: asyncio.Transport | null = null;

  override connectionMade(transport: asyncio.BaseTransport): void {
    this.transport = transport as asyncio.Transport;
  }

  override getBuffer(_sizeHint: number): Uint8Array {
    return shared;
  }

  override bufferUpdated(nbytes: number): void {
    // write() sends at once and copies only what the kernel did not take.
    this.transport!.write(shared.subarray(0, nbytes));
  }
}
