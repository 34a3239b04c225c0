/**
 * The spec's "Get HTTP headers": send `HEAD` for the URL given on the
 * command line and print each response header line.
 *
 * Run: deno run -A examples/net_get_http_headers.ts http://example.com/path/page.html
 *
 * One change from the spec: a port in the URL is used (the spec always
 * connects to 80 or 443), so a local server on any port can be asked.
 * `https` URLs pass `ssl: true` as the spec does: a default context
 * (`ssl.createDefaultContext()`), so the server's certificate must chain to
 * a trusted CA and match the host; OpenSSL's `SSL_CERT_FILE`/`SSL_CERT_DIR`
 * choose the trusted CAs, as they do for Python.
 *
 * @module
 */
import process from "node:process";
import * as asyncio from "../mod.ts";

// asyncio.coroutine(): lazy like a Python coroutine, it runs once the loop does.
const printHttpHeaders = asyncio.coroutine(async function printHttpHeaders(urlText: string) {
  const url = new URL(urlText);
  const hostname = url.hostname.replace(/^\[(.*)\]$/, "$1");
  let connect;
  if (url.protocol === "https:") {
    connect = asyncio.openConnection(hostname, Number(url.port || 443), { ssl: true });
  } else {
    connect = asyncio.openConnection(hostname, Number(url.port || 80));
  }
  const [reader, writer] = await connect;
  const query = `HEAD ${url.pathname || "/"} HTTP/1.0\r\n` +
    `Host: ${hostname}\r\n` +
    "\r\n";
  writer.write(latin1Encode(query));
  for (;;) {
    const raw = await reader.readLine();
    if (raw.length === 0) break;
    const line = new TextDecoder("latin1").decode(raw).trimEnd();
    if (line) console.log(`HTTP header> ${line}`);
  }

  // Ignore the body, close the socket
  writer.close();
  await writer.waitClosed();
});

function latin1Encode(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);
}

const url = process.argv[2];
if (!url) {
  console.error("usage: net_get_http_headers.ts URL");
  process.exit(2);
}
const loop = asyncio.getEventLoop();
const task = asyncio.ensureFuture(printHttpHeaders(url), loop);
try {
  await loop.runUntilComplete(task);
} finally {
  loop.close();
}
