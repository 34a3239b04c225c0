// STARTTLS on a stream connection with `StreamWriter.startTls()`: the
// writer's transport is replaced by the TLS transport, whose class Python
// names `_SSLProtocolTransport`, so a ported `type(writer.transport).__name__`
// (`transport.constructor.name`) prints that, not the TS class name
// `SSLTransport`. Checked against CPython
// (tests/fixtures/py/rp_str2_starttls_names.py).
import { skip, test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import { selfSignedCert } from "./tls_cert.ts";
import { rmSync } from "node:fs";
import * as asyncio from "../mod.ts";
import { bytesRepr } from "../lib/format.ts";

const { ssl } = asyncio;
const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

async function app(print: (...args: unknown[]) => void, d: string): Promise<void> {
  async function smtpLike(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) {
    writer.write(enc("220 ready\r\n"));
    for (let line; (line = await reader.readLine()).length;) {
      const cmd = dec(line).trim();
      const tls = writer.getExtraInfo("ssl_object") ? "tls" : "plain";
      print("srv got:", cmd, tls, writer.transport.constructor.name);
      if (cmd === "STARTTLS") {
        writer.write(enc("220 go ahead\r\n"));
        await writer.drain();
        const sctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
        sctx.loadCertChain(`${d}/cert.pem`, `${d}/key.pem`);
        await writer.startTls(sctx);
      } else if (cmd === "QUIT") {
        writer.write(enc("221 bye\r\n"));
        writer.close();
        await writer.waitClosed();
        break;
      } else {
        writer.write(enc("250 " + cmd.toLowerCase() + "\r\n"));
      }
    }
  }

  const server = await asyncio.startServer(smtpLike, "127.0.0.1", 0);
  const port = (server.sockets[0].getsockname() as [string, number])[1];
  const [reader, writer] = await asyncio.openConnection("127.0.0.1", port);
  print("cli:", bytesRepr(await reader.readLine()));
  writer.write(enc("STARTTLS\r\n"));
  print("cli:", bytesRepr(await reader.readLine()));
  const cctx = ssl.createDefaultContext({ cafile: `${d}/cert.pem` });
  const old = writer.transport;
  await writer.startTls(cctx, { serverHostname: "localhost" });
  print("cli: replaced", writer.transport !== old, writer.transport.constructor.name);
  const obj = writer.getExtraInfo("ssl_object") as asyncio.SSLObject;
  print("cli:", obj.constructor.name, obj.serverSide, obj.serverHostname);
  print("cli: can_write_eof", writer.canWriteEof());
  writer.writeLines([enc("MAIL"), enc(" FROM\r\n"), enc("QUIT\r\n")]);
  print("cli:", bytesRepr(await reader.readLine()));
  print("cli:", bytesRepr(await reader.readLine()));
  print("cli: eof", bytesRepr(await reader.read()), reader.atEof());
  writer.close();
  await writer.waitClosed();
  server.close();
  await server.waitClosed();
}

const EXPECTED = [
  "cli: b'220 ready\\r\\n'",
  "srv got: STARTTLS plain _SelectorSocketTransport",
  "cli: b'220 go ahead\\r\\n'",
  "cli: replaced True _SSLProtocolTransport",
  "cli: SSLObject False localhost",
  "cli: can_write_eof False",
  "srv got: MAIL FROM tls _SSLProtocolTransport",
  "srv got: QUIT tls _SSLProtocolTransport",
  "cli: b'250 mail from\\r\\n'",
  "cli: b'221 bye\\r\\n'",
  "cli: eof b'' True",
];

const { dir, error: certError } = selfSignedCert("asyncio-rp-str2-starttls-");

if (certError !== null) {
  skip("STARTTLS transport names as CPython's", certError);
} else {
  test("STARTTLS replaces the transport with an _SSLProtocolTransport", async () => {
    const out: string[] = [];
    await asyncio.run(() => app(printer(out), dir));
    assertEquals(out, EXPECTED);
  }, { timeout: 20 });
}

test("CPython prints the same for rp_str2_starttls_names.py", () => {
  const ref = pythonReference("rp_str2_starttls_names");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });

test("cleanup: remove the test certificate", () => {
  rmSync(dir, { recursive: true, force: true });
});
