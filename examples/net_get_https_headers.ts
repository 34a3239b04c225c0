/**
 * The spec's "Get HTTP headers" over TLS: send `HEAD` for the https URL
 * given on the command line and print each response header line. As in
 * the spec, `ssl: true` means a default context (`ssl.createDefaultContext()`):
 * the server's certificate must chain to a trusted CA and match the host.
 * OpenSSL's `SSL_CERT_FILE` / `SSL_CERT_DIR` environment variables choose
 * which CAs are trusted, as they do for Python.
 *
 * Run: deno run -A examples/net_get_https_headers.ts https://example.com/path/page.html
 *
 * One change from the spec: a port in the URL is used (the spec always
 * connects to 443), so a local server on any port can be asked.
 *
 * @module
 */
import process from "node:process";
import * as asyncio from "../mod.ts";

async function printHttpHeaders(urlText: string): Promise<void> {
  const url = new URL(urlText);
  if (url.protocol !== "https:") throw new asyncio.ValueError(`not an https URL: ${urlText}`);
  const hostname = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const [reader, writer] = await asyncio.openConnection(hostname, Number(url.port || 443), {
    ssl: true,
  });
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
}

function latin1Encode(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);
}

const url = process.argv[2];
if (!url) {
  console.error("usage: net_get_https_headers.ts https://host[:port]/path");
  process.exit(2);
}
await asyncio.run(() => printHttpHeaders(url));
