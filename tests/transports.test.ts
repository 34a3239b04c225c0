// Transports and protocols without sockets: the abstract base classes
// (NotImplementedError, extra info, writeLines), write flow control
// (FlowControlTransport / WriteFlowControl: Python's _FlowControlMixin),
// the bytes checks, and the protocols' empty defaults. The scenario of
// tests/fixtures/py/transports_base.py is ported line for line and must
// print what CPython prints.
import { test } from "./harness.ts";
import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertRejects,
  assertStrictEquals,
  assertThrows,
} from "./assert.ts";
import * as asyncio from "../mod.ts";
import { excRepr } from "../lib/futures.ts";
import {
  BaseTransport,
  DatagramTransport,
  FlowControlTransport,
  joinBytes,
  pyTypeName,
  ReadTransport,
  SubprocessTransport,
  toBytes,
  Transport,
  WriteFlowControl,
  WriteTransport,
} from "../lib/transports.ts";
import {
  BaseProtocol,
  type BaseProtocolLike,
  BufferedProtocol,
  DatagramProtocol,
  feedDataToBufferedProto,
  Protocol,
  type ProtocolLike,
  SubprocessProtocol,
} from "../lib/protocols.ts";
import { printer, type PythonOutput, pythonReference } from "./pyref.ts";

const { NotImplementedError, RuntimeError, ValueError } = asyncio;

const FIXTURES = ["transports_base"];
const cpython = new Map<string, PythonOutput | null>();

/** Our output must be CPython's (hard-coded), and CPython must still print that. */
function sameAsPython(name: string, got: string[], expected: string[]): void {
  assertEquals(got, expected, `${name}.py: our output differs from CPython's`);
  if (!cpython.has(name)) throw new Error(`${name} is not in FIXTURES`);
  const ref = cpython.get(name);
  if (ref) {
    assertEquals(
      ref.lines,
      expected,
      `${name}.py: ${ref.python} printed something else than the hard-coded lines`,
    );
  }
}

// All CPython runs happen here, once, so that the tests below time and
// fd-check our code only (Bun's child-process sockets can outlive a spawn).
test("CPython runs the reference programs (when a recent enough python3 is found)", () => {
  for (const name of FIXTURES) cpython.set(name, pythonReference(name));
}, { fdCheck: false, timeout: 120 });

/** Python's repr of what the fixture's calls return. */
function repr(v: unknown): string {
  if (v === null || v === undefined) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "string") return `'${v}'`;
  if (Array.isArray(v)) return `(${v.map(repr).join(", ")})`;
  return String(v);
}

/** transports_base.py's Sized: a flow-controlled transport of settable size. */
class Sized extends FlowControlTransport {
  size = 0;
  constructor(loop: asyncio.AbstractEventLoop, readonly protocol: BaseProtocolLike) {
    super(null, loop);
  }
  override getWriteBufferSize(): number {
    return this.size;
  }
  override getProtocol(): BaseProtocolLike {
    return this.protocol;
  }
}

/** transports_base.py's Proto: prints, and may fail. */
class Proto extends Protocol {
  constructor(readonly print: (...a: unknown[]) => void, readonly fail: boolean) {
    super();
  }
  override pauseWriting(): void {
    this.print("pause_writing");
    if (this.fail) throw new RuntimeError("cannot pause");
  }
  override resumeWriting(): void {
    this.print("resume_writing");
    if (this.fail) throw new RuntimeError("cannot resume");
  }
}

test("base classes, extra info and write flow control (transports_base.py)", async () => {
  const out: string[] = [];
  const print = printer(out);
  await asyncio.run(() => {
    const loop = asyncio.getRunningLoop();
    function attempt(label: string, fn: () => unknown): void {
      try {
        print(label, "->", repr(fn()));
      } catch (e) {
        print(label, (e as Error).name, `'${(e as Error).message}'`);
      }
    }
    let t: BaseTransport = new BaseTransport();
    attempt("close", () => t.close());
    attempt("is_closing", () => t.isClosing());
    attempt("set_protocol", () => t.setProtocol(null as unknown as BaseProtocolLike));
    attempt("get_protocol", () => t.getProtocol());
    attempt("get_extra_info", () => t.getExtraInfo("peername"));
    attempt("get_extra_info default", () => t.getExtraInfo("peername", 5));
    t = new BaseTransport({ sockname: ["::1", 80, 0, 0], none: null });
    attempt("get_extra_info", () => t.getExtraInfo("sockname"));
    attempt("get_extra_info None value", () => t.getExtraInfo("none", 5));

    const rt = new ReadTransport();
    attempt("is_reading", () => rt.isReading());
    attempt("pause_reading", () => rt.pauseReading());
    attempt("resume_reading", () => rt.resumeReading());
    const wt = new WriteTransport();
    attempt("abort", () => wt.abort());
    attempt("can_write_eof", () => wt.canWriteEof());
    attempt("get_write_buffer_size", () => wt.getWriteBufferSize());
    attempt("get_write_buffer_limits", () => wt.getWriteBufferLimits());
    attempt("set_write_buffer_limits", () => wt.setWriteBufferLimits());
    attempt("write_eof", () => wt.writeEof());
    attempt("write", () => wt.write(new Uint8Array([120])));
    attempt("writelines", () => wt.writeLines([new Uint8Array([97]), new Uint8Array([98])]));
    const dt = new DatagramTransport();
    attempt("sendto", () => dt.sendto(new Uint8Array([120])));
    attempt("sendto addr", () => dt.sendto(new Uint8Array([120]), ["127.0.0.1", 9]));
    attempt("abort", () => dt.abort());
    const st = new SubprocessTransport();
    attempt("get_pid", () => st.getPid());
    attempt("get_returncode", () => st.getReturncode());
    attempt("kill", () => st.kill());
    attempt("terminate", () => st.terminate());
    attempt("get_pipe_transport", () => st.getPipeTransport(1));
    attempt("send_signal", () => st.sendSignal(15));
    const both = new Transport();
    print(
      "Transport is both",
      both instanceof ReadTransport ? "True" : "False",
      both instanceof WriteTransport ? "True" : "False",
    );

    loop.setExceptionHandler((_l, ctx) =>
      print(
        "handler:",
        ctx.message,
        excRepr(ctx.exception),
        (ctx.transport as object).constructor.name,
        (ctx.protocol as object).constructor.name,
      )
    );
    let s = new Sized(loop, new Proto(print, false));
    attempt("limits", () => s.getWriteBufferLimits());
    attempt("set high=100", () => s.setWriteBufferLimits(100));
    attempt("limits", () => s.getWriteBufferLimits());
    attempt("set low=10", () => s.setWriteBufferLimits(null, 10));
    attempt("limits", () => s.getWriteBufferLimits());
    attempt("set 10, 5", () => s.setWriteBufferLimits(10, 5));
    attempt("limits", () => s.getWriteBufferLimits());
    attempt("set high=0", () => s.setWriteBufferLimits(0));
    attempt("limits", () => s.getWriteBufferLimits());
    attempt("set high=3", () => s.setWriteBufferLimits(3));
    attempt("limits", () => s.getWriteBufferLimits());
    attempt("set 5, 6", () => s.setWriteBufferLimits(5, 6));
    attempt("set -1", () => s.setWriteBufferLimits(-1));
    attempt("set 4, -1", () => s.setWriteBufferLimits(4, -1));
    attempt("limits", () => s.getWriteBufferLimits());

    s.setWriteBufferLimits(8, 2);
    for (const size of [8, 9, 12, 3, 2, 0, 20]) {
      s.size = size;
      print("size", size);
      s._maybePauseProtocol();
      s._maybeResumeProtocol();
    }
    print("lower the limits while over them");
    s.size = 5;
    s._maybeResumeProtocol();
    s.setWriteBufferLimits(4);
    s.size = 0;
    s._maybeResumeProtocol();

    s = new Sized(loop, new Proto(print, true));
    s.size = 100000;
    s._maybePauseProtocol();
    s.size = 0;
    s._maybeResumeProtocol();
  });
  sameAsPython("transports_base", out, [
    "close NotImplementedError ''",
    "is_closing NotImplementedError ''",
    "set_protocol NotImplementedError ''",
    "get_protocol NotImplementedError ''",
    "get_extra_info -> None",
    "get_extra_info default -> 5",
    "get_extra_info -> ('::1', 80, 0, 0)",
    "get_extra_info None value -> None",
    "is_reading NotImplementedError ''",
    "pause_reading NotImplementedError ''",
    "resume_reading NotImplementedError ''",
    "abort NotImplementedError ''",
    "can_write_eof NotImplementedError ''",
    "get_write_buffer_size NotImplementedError ''",
    "get_write_buffer_limits NotImplementedError ''",
    "set_write_buffer_limits NotImplementedError ''",
    "write_eof NotImplementedError ''",
    "write NotImplementedError ''",
    "writelines NotImplementedError ''",
    "sendto NotImplementedError ''",
    "sendto addr NotImplementedError ''",
    "abort NotImplementedError ''",
    "get_pid NotImplementedError ''",
    "get_returncode NotImplementedError ''",
    "kill NotImplementedError ''",
    "terminate NotImplementedError ''",
    "get_pipe_transport NotImplementedError ''",
    "send_signal NotImplementedError ''",
    "Transport is both True True",
    "limits -> (16384, 65536)",
    "set high=100 -> None",
    "limits -> (25, 100)",
    "set low=10 -> None",
    "limits -> (10, 40)",
    "set 10, 5 -> None",
    "limits -> (5, 10)",
    "set high=0 -> None",
    "limits -> (0, 0)",
    "set high=3 -> None",
    "limits -> (0, 3)",
    "set 5, 6 ValueError 'high (5) must be >= low (6) must be >= 0'",
    "set -1 ValueError 'high (-1) must be >= low (-1) must be >= 0'",
    "set 4, -1 ValueError 'high (4) must be >= low (-1) must be >= 0'",
    "limits -> (0, 3)",
    "size 8",
    "size 9",
    "pause_writing",
    "size 12",
    "size 3",
    "size 2",
    "resume_writing",
    "size 0",
    "size 20",
    "pause_writing",
    "lower the limits while over them",
    "resume_writing",
    "pause_writing",
    "handler: protocol.pause_writing() failed RuntimeError('cannot pause') Sized Proto",
    "resume_writing",
    "handler: protocol.resume_writing() failed RuntimeError('cannot resume') Sized Proto",
  ]);
});

test("a string is a TypeError wherever bytes are expected", () => {
  const str = "abc" as unknown as Uint8Array;
  assertThrows(
    () => new WriteTransport().write(str),
    TypeError,
    "data argument must be a bytes-like object, not 'str'",
  );
  assertThrows(
    () => new Transport().write(str),
    TypeError,
    "data argument must be a bytes-like object, not 'str'",
  );
  assertThrows(
    () => new DatagramTransport().sendto(str),
    TypeError,
    "data argument must be a bytes-like object, not 'str'",
  );
  assertThrows(
    () => new Transport().writeLines([new Uint8Array(1), str]),
    TypeError,
    "sequence item 1: expected a bytes-like object, str found",
  );
  assertThrows(() => toBytes(null), TypeError, "not 'NoneType'");
  assertThrows(() => toBytes([1, 2]), TypeError, "not 'list'");
  assertThrows(() => toBytes(new ArrayBuffer(2)), TypeError, "not 'ArrayBuffer'");
  assertThrows(
    () => toBytes(1.5, "separator"),
    TypeError,
    "separator must be a bytes-like object, not 'float'",
  );
});

test("toBytes: typed arrays and DataViews are bytes-like, as a view of the same memory", () => {
  const u8 = new Uint8Array([1, 2]);
  assertStrictEquals(toBytes(u8), u8);
  const buf = new ArrayBuffer(8);
  const view = toBytes(new DataView(buf, 2, 4));
  assertEquals([view.byteOffset, view.length], [2, 4]);
  assertStrictEquals(view.buffer, buf);
  assertEquals(toBytes(new Uint16Array([0x0201])).length, 2);
  assertEquals(pyTypeName({}), "dict");
  assertEquals(pyTypeName(1), "int");
  assertEquals(pyTypeName(true), "bool");
  assertEquals(pyTypeName(new Map()), "Map");
});

test("joinBytes: Python's b''.join", () => {
  assertEquals([...joinBytes([])], []);
  const one = new Uint8Array([7]);
  assertStrictEquals(joinBytes([one]), one);
  assertEquals([...joinBytes([new Uint8Array([1, 2]), new Uint8Array(0), new Uint8Array([3])])], [
    1,
    2,
    3,
  ]);
  function* gen() {
    yield new Uint8Array([4]);
    yield new Uint8Array([5]);
  }
  assertEquals([...joinBytes(gen())], [4, 5]);
});

test("writeLines' default joins once and calls write()", () => {
  const writes: number[][] = [];
  class Collect extends WriteTransport {
    override write(data: Uint8Array): void {
      writes.push([...data]);
    }
  }
  new Collect().writeLines([new Uint8Array([1]), new Uint8Array([2, 3])]);
  assertEquals(writes, [[1, 2, 3]]);
});

test("instanceof follows Python's class tree", () => {
  const t = new Transport();
  assertInstanceOf(t, BaseTransport);
  assertInstanceOf(t, ReadTransport);
  assertInstanceOf(t, WriteTransport);
  assert(!(new ReadTransport() instanceof WriteTransport));
  assert(!(new DatagramTransport() instanceof WriteTransport));
  class MyWrite extends WriteTransport {}
  assertInstanceOf(new MyWrite(), WriteTransport);
  assert(!(t instanceof MyWrite));
  assertInstanceOf(new SubprocessTransport(), BaseTransport);
});

test("extra info: a Map is kept as the transport's map; defaults", () => {
  const extra = new Map<string, unknown>([["pipe", 3]]);
  const t = new BaseTransport(extra);
  assertStrictEquals(t._extra, extra);
  assertEquals(t.getExtraInfo("pipe"), 3);
  extra.set("socket", "s");
  assertEquals(t.getExtraInfo("socket"), "s");
  assertStrictEquals(t.getExtraInfo("nothing"), null);
  assertStrictEquals(t.getExtraInfo("nothing", undefined), null);
  assertEquals(t.getExtraInfo("nothing", "d"), "d");
  assertStrictEquals(new BaseTransport(null).getExtraInfo("x"), null);
});

test("setWriteBufferLimits: non-numbers are a TypeError; it pauses at once when over", () =>
  asyncio.run(() => {
    const loop = asyncio.getRunningLoop();
    const out: string[] = [];
    const s = new Sized(loop, new Proto(printer(out), false));
    assertThrows(
      () => s.setWriteBufferLimits("10" as unknown as number),
      TypeError,
      "unsupported operand type(s) for //: 'str' and 'int'", // CPython's: high // 4
    );
    assertThrows(() => s.setWriteBufferLimits(Number.NaN), ValueError, "high (nan)");
    s.size = 100;
    s.setWriteBufferLimits(50);
    assertEquals(out, ["pause_writing"]);
    assert(s._protocolPaused);
  }));

test("WriteFlowControl works for a transport that is not a Transport (a datagram one)", () =>
  asyncio.run(() => {
    const loop = asyncio.getRunningLoop();
    const out: string[] = [];
    const protocol = new Proto(printer(out), false);
    class Udp extends DatagramTransport {
      queued = 0;
      flow = new WriteFlowControl(this, loop);
      getWriteBufferSize() {
        return this.queued;
      }
      override getProtocol() {
        return protocol;
      }
      override sendto(data: Uint8Array): void {
        this.queued += toBytes(data).length;
        this.flow.maybePause();
      }
    }
    const u = new Udp();
    u.flow.setLimits(4);
    assertEquals(u.flow.getLimits(), [1, 4]);
    assertEquals([u.flow.lowWater, u.flow.highWater], [1, 4]);
    u.sendto(new Uint8Array(5));
    u.sendto(new Uint8Array(5));
    assert(u.flow.paused);
    u.queued = 1;
    u.flow.maybeResume();
    u.flow.maybeResume();
    assertEquals(out, ["pause_writing", "resume_writing"]);
  }));

test("await using a transport closes it unless it is closing", async () => {
  const calls: string[] = [];
  class T extends Transport {
    closing = false;
    override isClosing() {
      return this.closing;
    }
    override close() {
      calls.push("close");
      this.closing = true;
    }
  }
  {
    await using _t = new T();
  }
  {
    const t = new T();
    t.closing = true;
    await using _t = t;
  }
  assertEquals(calls, ["close"]);
  await assertRejects(() => new BaseTransport()[Symbol.asyncDispose](), NotImplementedError);
});

test("protocols: every callback has an empty default", () => {
  const bp = new BaseProtocol();
  const t = new Transport();
  assertStrictEquals(bp.connectionMade(t), undefined);
  assertStrictEquals(bp.connectionLost(null), undefined);
  assertStrictEquals(bp.pauseWriting(), undefined);
  assertStrictEquals(bp.resumeWriting(), undefined);
  const p = new Protocol();
  assertStrictEquals(p.dataReceived(new Uint8Array(1)), undefined);
  assertStrictEquals(p.eofReceived(), undefined);
  const buf = new BufferedProtocol();
  // Python's default get_buffer() returns None.
  assertStrictEquals(buf.getBuffer(10), null);
  assertStrictEquals(buf.bufferUpdated(1), undefined);
  assertStrictEquals(buf.eofReceived(), undefined);
  const d = new DatagramProtocol();
  assertStrictEquals(d.datagramReceived(new Uint8Array(1), ["127.0.0.1", 1]), undefined);
  assertStrictEquals(d.errorReceived(new Error()), undefined);
  const s = new SubprocessProtocol();
  assertStrictEquals(s.pipeDataReceived(1, new Uint8Array(1)), undefined);
  assertStrictEquals(s.pipeConnectionLost(1, null), undefined);
  assertStrictEquals(s.processExited(), undefined);
  assertInstanceOf(p, BaseProtocol);
  assertInstanceOf(s, BaseProtocol);
  // A plain object with the methods is a protocol too.
  const seen: string[] = [];
  const plain: ProtocolLike = {
    connectionMade: () => seen.push("made"),
    connectionLost: () => seen.push("lost"),
    pauseWriting: () => {},
    resumeWriting: () => {},
    dataReceived: (data) => seen.push(`data ${data.length}`),
    eofReceived: () => true,
  };
  plain.connectionMade(t);
  plain.dataReceived(new Uint8Array(2));
  assertEquals(plain.eofReceived(), true);
  assertEquals(seen, ["made", "data 2"]);
});

test("feedDataToBufferedProto fills the protocol's buffers in rounds", () => {
  const got: number[][] = [];
  class Small extends BufferedProtocol {
    buf = new Uint8Array(3);
    override getBuffer(_hint: number) {
      return this.buf;
    }
    override bufferUpdated(n: number) {
      got.push([...this.buf.subarray(0, n)]);
    }
  }
  feedDataToBufferedProto(new Small(), new Uint8Array([1, 2, 3, 4, 5, 6, 7]));
  assertEquals(got, [[1, 2, 3], [4, 5, 6], [7]]);
  class Empty extends BufferedProtocol {
    override getBuffer(_hint: number) {
      return new Uint8Array(0);
    }
  }
  assertThrows(
    () => feedDataToBufferedProto(new Empty(), new Uint8Array(1)),
    RuntimeError,
    "get_buffer() returned an empty buffer",
  );
  // The default's None is Python's len(None) TypeError.
  assertThrows(
    () => feedDataToBufferedProto(new BufferedProtocol(), new Uint8Array(1)),
    TypeError,
    "object of type 'NoneType' has no len()",
  );
  feedDataToBufferedProto(new BufferedProtocol(), new Uint8Array(0)); // nothing to do
});
