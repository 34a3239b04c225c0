// Hosts that glibc's getaddrinfo reads as numeric IPv4 through inet_aton
// ("127.1", "0x7f.0.0.1", "010.0.0.1", "1"): CPython's getaddrinfo,
// getnameinfo and socket address arguments take them and answer in dotted
// form. The library took only dotted quads and said "Name or service not
// known" (getnameinfo of a 3-tuple so missed its "must be 2 tuple" error).
// Checked against CPython (tests/fixtures/py/rp_low3_inet_aton_hosts.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const tuple = (a: unknown[]) =>
  `(${a.map((x) => typeof x === "string" ? `'${x}'` : x).join(", ")})`;

async function app(print: (...args: unknown[]) => void): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const hosts = [
    "127.1",
    "0x7f.0.0.1",
    "010.0.0.1",
    "1",
    "4294967295",
    "1.2.3.4.5",
    "256.1.1.1",
    "127.0.0.1 ",
  ];
  for (const host of hosts) {
    try {
      const infos = await loop.getaddrinfo(host, 80, {
        type: asyncio.SOCK_STREAM,
        flags: asyncio.AI_NUMERICHOST,
      });
      print(host, tuple(infos[0][4]));
    } catch (e) {
      if (!(e instanceof asyncio.gaierror)) throw e;
      print(`'${host}'`, e.name, e.errno, e.message);
    }
  }
  print(
    tuple(await loop.getnameinfo(["127.1", 8080], asyncio.NI_NUMERICHOST | asyncio.NI_NUMERICSERV)),
  );
  try {
    await loop.getnameinfo(["1.2.3", 80, 0], asyncio.NI_NUMERICHOST);
  } catch (e) {
    if (!(e instanceof asyncio.OSError)) throw e;
    print(e.name, e.message);
  }
  const r = asyncio.socket(asyncio.AF_INET, asyncio.SOCK_DGRAM);
  r.bind(["127.1", 0]);
  r.setblocking(false);
  const [host, port] = r.getsockname() as [string, number];
  print("bound", host);
  const s = asyncio.socket(asyncio.AF_INET, asyncio.SOCK_DGRAM);
  s.setblocking(false);
  await loop.sockSendto(s, new TextEncoder().encode("hi"), ["0x7f.1", port]);
  const [data] = await loop.sockRecvfrom(r, 10);
  print("got", `b'${new TextDecoder().decode(data)}'`);
  const s6 = asyncio.socket(asyncio.AF_INET6, asyncio.SOCK_DGRAM);
  try {
    s6.bind(["127.1", 0]);
  } catch (e) {
    if (!(e instanceof asyncio.OSError)) throw e;
    print("v6 bind", e.name, e.errno);
  }
  for (const x of [r, s, s6]) x.close();
}

const EXPECTED = [
  "127.1 ('127.0.0.1', 80)",
  "0x7f.0.0.1 ('127.0.0.1', 80)",
  "010.0.0.1 ('8.0.0.1', 80)",
  "1 ('0.0.0.1', 80)",
  "4294967295 ('255.255.255.255', 80)",
  "'1.2.3.4.5' gaierror -2 [Errno -2] Name or service not known",
  "'256.1.1.1' gaierror -2 [Errno -2] Name or service not known",
  "'127.0.0.1 ' gaierror -2 [Errno -2] Name or service not known",
  "('127.0.0.1', '8080')",
  "OSError IPv4 sockaddr must be 2 tuple",
  "bound 127.0.0.1",
  "got b'hi'",
  "v6 bind gaierror -9",
];

test("inet_aton hosts are numeric in getaddrinfo, getnameinfo and addresses", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_low3_inet_aton_hosts.py", () => {
  const ref = pythonReference("rp_low3_inet_aton_hosts");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
