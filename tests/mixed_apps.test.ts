// Application-like programs that mix features (protocols, datagrams,
// timeouts, conditions), compared line by line with CPython's output for
// the same programs (tests/fixtures/py/mixed_*.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

// a key-value server (Protocol) and a pipelining client
function kvProgram(print: (...args: unknown[]) => void) {
  const enc = new TextEncoder();
  const dec = new TextDecoder();

  function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
    const r = new Uint8Array(a.length + b.length);
    r.set(a);
    r.set(b, a.length);
    return r;
  }

  const store = new Map<string, string>();

  class KVServer extends asyncio.Protocol {
    transport!: asyncio.Transport;
    buf: Uint8Array = new Uint8Array(0);

    override connectionMade(transport: asyncio.BaseTransport) {
      this.transport = transport as asyncio.Transport;
      const peer = transport.getExtraInfo("peername");
      print("server: connection from", Array.isArray(peer) ? "tuple" : typeof peer);
    }

    override dataReceived(data: Uint8Array) {
      print(`server: received ${data.length} bytes`);
      this.buf = concat(this.buf, data);
      let i;
      while ((i = this.buf.indexOf(10)) >= 0) {
        const line = this.buf.subarray(0, i);
        this.buf = this.buf.slice(i + 1);
        const parts = dec.decode(line).split(" ");
        const cmd = parts[0];
        let reply: string;
        if (cmd === "SET") {
          store.set(parts[1], parts[2]);
          reply = "OK";
        } else if (cmd === "GET") {
          reply = store.get(parts[1]) ?? "NIL";
        } else if (cmd === "DEL") {
          reply = store.delete(parts[1]) ? "1" : "0";
        } else if (cmd === "QUIT") {
          this.transport.write(enc.encode("BYE\n"));
          this.transport.close();
          return;
        } else {
          reply = "ERR unknown " + cmd;
        }
        this.transport.write(enc.encode(reply + "\n"));
      }
    }

    override eofReceived() {
      print("server: eof");
      return undefined;
    }

    override connectionLost(exc: Error | null) {
      print("server: connection lost", exc ?? "None");
    }
  }

  class KVClient extends asyncio.Protocol {
    transport!: asyncio.Transport;
    pending: [string, asyncio.Future<string>][] = [];
    buf: Uint8Array = new Uint8Array(0);
    constructor(private onDone: asyncio.Future<boolean>) {
      super();
    }

    override connectionMade(transport: asyncio.BaseTransport) {
      this.transport = transport as asyncio.Transport;
    }

    request(line: string): asyncio.Future<string> {
      const fut = asyncio.getRunningLoop().createFuture<string>();
      this.pending.push([line, fut]);
      this.transport.write(enc.encode(line + "\n"));
      return fut;
    }

    override dataReceived(data: Uint8Array) {
      this.buf = concat(this.buf, data);
      let i;
      while ((i = this.buf.indexOf(10)) >= 0) {
        const line = this.buf.subarray(0, i);
        this.buf = this.buf.slice(i + 1);
        const [, fut] = this.pending.shift()!;
        fut.setResult(dec.decode(line));
      }
    }

    override connectionLost(exc: Error | null) {
      print("client: lost", exc ?? "None", "pending", this.pending.length);
      this.onDone.setResult(true);
    }
  }

  async function main() {
    const loop = asyncio.getRunningLoop();
    const server = await loop.createServer(() => new KVServer(), "127.0.0.1", 0);
    const port = (server.sockets[0].getsockname() as [string, number])[1];
    const done = loop.createFuture<boolean>();
    const [, proto] = await loop.createConnection(() => new KVClient(done), "127.0.0.1", port);
    const reqs = ["SET a 1", "SET b 2", "GET a", "GET c", "DEL a", "DEL a", "GET a", "PING"];
    let futs = reqs.map((r) => proto.request(r));
    for (let k = 0; k < reqs.length; k++) {
      print(`'${reqs[k]}' -> '${await futs[k]}'`);
    }
    await asyncio.sleep(0.05);
    futs = ["GET b", "SET b 3", "GET b"].map((r) => proto.request(r));
    const results = await asyncio.gather(...futs);
    print("second batch:", `['${results.join("', '")}']`);
    print("QUIT ->", await proto.request("QUIT"));
    await done;
    print(
      "store:",
      `[${[...store].sort().map(([k, v]) => `('${k}', '${v}')`).join(", ")}]`,
    );
    server.close();
    await server.waitClosed();
  }
  return main;
}

const KV_EXPECTED = [
  "server: connection from tuple",
  "server: received 51 bytes",
  "'SET a 1' -> 'OK'",
  "'SET b 2' -> 'OK'",
  "'GET a' -> '1'",
  "'GET c' -> 'NIL'",
  "'DEL a' -> '1'",
  "'DEL a' -> '0'",
  "'GET a' -> 'NIL'",
  "'PING' -> 'ERR unknown PING'",
  "server: received 20 bytes",
  "second batch: ['2', 'OK', '3']",
  "server: received 5 bytes",
  "server: connection lost None",
  "QUIT -> BYE",
  "client: lost None pending 0",
  "store: [('b', '3')]",
];

test("a key-value server (Protocol) and a pipelining client: as CPython", async () => {
  const out: string[] = [];
  await asyncio.run(kvProgram(printer(out)));
  assertEquals(out, KV_EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for mixed_kv.py", () => {
  const ref = pythonReference("mixed_kv");
  if (ref !== null) assertEquals(ref.lines, KV_EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });

// UDP requests with retries on timeout
function udpProgram(print: (...args: unknown[]) => void) {
  const enc = new TextEncoder();
  const dec = new TextDecoder();

  function partition(s: string): [string, string] {
    const i = s.indexOf(" ");
    return i < 0 ? [s, ""] : [s.slice(0, i), s.slice(i + 1)];
  }

  class Server extends asyncio.DatagramProtocol {
    seen = new Set<string>();
    transport!: asyncio.DatagramTransport;

    override connectionMade(transport: asyncio.BaseTransport) {
      this.transport = transport as asyncio.DatagramTransport;
    }

    override datagramReceived(data: Uint8Array, addr: unknown) {
      const [rid, body] = partition(dec.decode(data));
      if (body === "blackhole") {
        print(`server: ignoring ${rid} forever`);
        return;
      }
      if (!this.seen.has(rid)) {
        this.seen.add(rid);
        print(`server: dropping first copy of ${rid}`);
        return;
      }
      print(`server: answering ${rid}`);
      this.transport.sendto(enc.encode(`${rid} ${body.toUpperCase()}`), addr as [string, number]);
    }
  }

  class Client extends asyncio.DatagramProtocol {
    waiting = new Map<string, asyncio.Future<string>>();
    closed = asyncio.getRunningLoop().createFuture<Error | null>();
    transport!: asyncio.DatagramTransport;

    override connectionMade(transport: asyncio.BaseTransport) {
      this.transport = transport as asyncio.DatagramTransport;
    }

    override datagramReceived(data: Uint8Array) {
      const [rid, body] = partition(dec.decode(data));
      const fut = this.waiting.get(rid);
      this.waiting.delete(rid);
      if (fut !== undefined && !fut.done()) fut.setResult(body);
    }

    override errorReceived(exc: Error) {
      print("client error:", exc);
    }

    override connectionLost(exc: Error | null) {
      this.closed.setResult(exc);
    }

    async request(rid: string, body: string, tries = 3, timeout = 0.2): Promise<[string, number]> {
      for (let attempt = 1; attempt <= tries; attempt++) {
        const fut = asyncio.getRunningLoop().createFuture<string>();
        this.waiting.set(rid, fut);
        this.transport.sendto(enc.encode(`${rid} ${body}`));
        try {
          return [await asyncio.waitFor(fut, timeout), attempt];
        } catch (e) {
          if (!(e instanceof asyncio.TimeoutError)) throw e;
          print(
            `client: ${rid} attempt ${attempt} timed out; cancelled=${
              fut.cancelled() ? "True" : "False"
            }`,
          );
        }
      }
      throw new asyncio.TimeoutError(`${rid}: no answer after ${tries} tries`);
    }
  }

  const tup = (r: [string, number]) => `('${r[0]}', ${r[1]})`;

  async function main() {
    const loop = asyncio.getRunningLoop();
    const [st] = await loop.createDatagramEndpoint(() => new Server(), {
      localAddr: ["127.0.0.1", 0],
    });
    const addr = st.getExtraInfo("sockname") as [string, number];
    const [ct, cp] = await loop.createDatagramEndpoint(() => new Client(), { remoteAddr: addr });
    print(tup(await cp.request("r1", "hello")));
    const results = await asyncio.gather(
      () => cp.request("r2", "alpha"),
      () => cp.request("r3", "blackhole", 2, 0.3),
      () => cp.request("r4", "beta", 3, 0.4),
      { returnExceptions: true },
    );
    for (const r of results) {
      print(" ", r instanceof Error ? `${r.name}('${r.message}')` : tup(r as [string, number]));
    }
    ct.close();
    print("client closed:", (await cp.closed) ?? "None");
    st.close();
    await asyncio.sleep(0);
    print("server closing:", st.isClosing() ? "True" : "False");
  }
  return main;
}

const UDP_EXPECTED = [
  "server: dropping first copy of r1",
  "client: r1 attempt 1 timed out; cancelled=True",
  "server: answering r1",
  "('HELLO', 2)",
  "server: dropping first copy of r2",
  "server: ignoring r3 forever",
  "server: dropping first copy of r4",
  "client: r2 attempt 1 timed out; cancelled=True",
  "server: answering r2",
  "client: r3 attempt 1 timed out; cancelled=True",
  "server: ignoring r3 forever",
  "client: r4 attempt 1 timed out; cancelled=True",
  "server: answering r4",
  "client: r3 attempt 2 timed out; cancelled=True",
  "  ('ALPHA', 2)",
  "  TimeoutError('r3: no answer after 2 tries')",
  "  ('BETA', 2)",
  "client closed: None",
  "server closing: True",
];

test("UDP requests with retries on timeout: as CPython", async () => {
  const out: string[] = [];
  await asyncio.run(udpProgram(printer(out)));
  assertEquals(out, UDP_EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for mixed_udp.py", () => {
  const ref = pythonReference("mixed_udp");
  if (ref !== null) assertEquals(ref.lines, UDP_EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });

// a Condition/Event/Barrier state machine
function stateMachineProgram(print: (...args: unknown[]) => void) {
  class Door {
    state = "closed";
    cond = new asyncio.Condition();
    history: string[] = [];

    async setState(next: string) {
      await this.cond.withLock(() => {
        print(`door: ${this.state} -> ${next}`);
        this.state = next;
        this.history.push(next);
        this.cond.notifyAll();
      });
    }

    async waitState(...states: string[]) {
      await using _ = await this.cond.acquired();
      await this.cond.waitFor(() => states.includes(this.state));
      return this.state;
    }
  }

  async function controller(door: Door, commands: string[], stop: asyncio.Event) {
    for (const cmd of commands) {
      await asyncio.sleep(0.02);
      if (cmd === "open" && door.state === "closed") {
        await door.setState("opening");
        await asyncio.sleep(0.03);
        await door.setState("open");
      } else if (cmd === "close" && door.state === "open") {
        await door.setState("closing");
        await asyncio.sleep(0.03);
        await door.setState("closed");
      } else {
        print(`controller: ignoring '${cmd}' while ${door.state}`);
      }
    }
    stop.set();
  }

  async function watcher(
    name: string,
    door: Door,
    states: string[],
    stop: asyncio.Event,
    barrier: asyncio.Barrier,
  ): Promise<[string, number]> {
    let seen = 0;
    while (!stop.isSet()) {
      const waiter = asyncio.createTask(() => door.waitState(...states));
      const stopper = asyncio.createTask(() => stop.wait());
      const [done, pending] = await asyncio.wait(
        new Set<asyncio.Task<unknown>>([waiter, stopper]),
        {
          returnWhen: asyncio.FIRST_COMPLETED,
        },
      );
      for (const t of pending) t.cancel();
      if (done.has(waiter)) {
        seen += 1;
        print(`${name}: saw ${waiter.result()}`);
        await door.cond.withLock(() =>
          door.cond.waitFor(() => !states.includes(door.state) || stop.isSet())
        );
      }
    }
    print(`${name}: stopping after ${seen}`);
    await barrier.wait();
    return [name, seen];
  }

  async function main() {
    const door = new Door();
    const stop = new asyncio.Event();
    const barrier = new asyncio.Barrier(3);
    const ctl = asyncio.createTask(() =>
      controller(door, ["open", "open", "close", "close", "open"], stop)
    );
    const results = await asyncio.gather(
      () => watcher("open-watcher", door, ["open"], stop, barrier),
      () => watcher("moving-watcher", door, ["opening", "closing"], stop, barrier),
      () => barrier.wait(),
    );
    await ctl;
    const tup = (r: [string, number]) => `('${r[0]}', ${r[1]})`;
    print("results:", `[${tup(results[0])}, ${tup(results[1])}]`);
    print("history:", `[${door.history.map((h) => `'${h}'`).join(", ")}]`);
    print(
      "final:",
      door.state,
      "stop set:",
      stop.isSet() ? "True" : "False",
      "barrier:",
      barrier.broken ? "True" : "False",
    );
  }
  return main;
}

const STATEMACHINE_EXPECTED = [
  "door: closed -> opening",
  "moving-watcher: saw opening",
  "door: opening -> open",
  "open-watcher: saw open",
  "controller: ignoring 'open' while open",
  "door: open -> closing",
  "moving-watcher: saw closing",
  "door: closing -> closed",
  "controller: ignoring 'close' while closed",
  "door: closed -> opening",
  "moving-watcher: saw opening",
  "door: opening -> open",
  "moving-watcher: stopping after 3",
  "open-watcher: saw open",
  "open-watcher: stopping after 2",
  "results: [('open-watcher', 2), ('moving-watcher', 3)]",
  "history: ['opening', 'open', 'closing', 'closed', 'opening', 'open']",
  "final: open stop set: True barrier: False",
];

test("a Condition/Event/Barrier state machine: as CPython", async () => {
  const out: string[] = [];
  await asyncio.run(stateMachineProgram(printer(out)));
  assertEquals(out, STATEMACHINE_EXPECTED);
}, { timeout: 20 });

test("CPython prints the same for mixed_state_machine.py", () => {
  const ref = pythonReference("mixed_state_machine");
  if (ref !== null) assertEquals(ref.lines, STATEMACHINE_EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
