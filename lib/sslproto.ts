/**
 * TLS as a layer between a socket transport and the application's protocol
 * (Python's `asyncio.sslproto`). {@link SSLProtocol} is the socket
 * transport's protocol: it feeds the ciphertext it receives to OpenSSL (an
 * {@link SSLObject} over memory buffers) and writes what OpenSSL produces
 * back to the socket. The application gets an {@link SSLTransport}, a normal
 * `Transport`, once the handshake is done.
 *
 * Writes made before the handshake completes wait in a backlog. Write flow
 * control is Python 3.11's: while the socket transport's buffer is full, the
 * ciphertext stays in OpenSSL's outgoing buffer, and the app transport's
 * write buffer size is that plus the backlog (the socket's own buffer is not
 * counted). TLS cannot half-close:
 * `canWriteEof()` is false and the peer's close_notify (or a plain EOF) is the
 * application's `eofReceived()`, after which the connection shuts down.
 *
 * @module
 */
import type { AbstractEventLoop } from "./events.ts";
import type { TimerHandle } from "./events.ts";
import {
  AttributeError,
  ConnectionAbortedError,
  ConnectionResetError,
  NotImplementedError,
  OSError,
  RuntimeError,
  TimeoutError,
  ValueError,
} from "./exceptions.ts";
import type { Future } from "./futures.ts";
import { logger, reportFatalError } from "./log.ts";
import {
  _bufferLength,
  type BaseProtocolLike,
  type BufferedProtocolLike,
  type ProtocolLike,
} from "./protocols.ts";
import {
  joinBytes,
  toBytes,
  Transport,
  type WriteBufferLimits,
  WriteFlowControl,
} from "./transports.ts";
import { checkContextSide, createDefaultContext, SSLContext, type SSLObject } from "./ssl.ts";
import type { BaseSelectorEventLoop } from "./selector_events.ts";
import type { Socket } from "./socket.ts";
import { bindOnRead } from "./bound_methods.ts";
import { SelectorSocketTransport } from "./selector_transports.ts";
import { printAsRepr, pyAddress, pyRepr, pyTypeName } from "./format.ts";

/** Python's default TLS handshake timeout, in seconds. */
export const SSL_HANDSHAKE_TIMEOUT = 60;
/** Python's default wait for the peer's close_notify, in seconds. */
export const SSL_SHUTDOWN_TIMEOUT = 30;

/** Python's FLOW_CONTROL_HIGH_WATER_SSL_WRITE: the default high-water mark of a TLS transport. */
const SSL_HIGH_WATER = 512 * 1024;

/** Python's FLOW_CONTROL_HIGH_WATER_SSL_READ: ciphertext read ahead while the app pauses reading. */
const SSL_READ_HIGH_WATER = 256 * 1024;

/** The most plaintext read from OpenSSL in one call. */
const READ_MAX = 64 * 1024;
const readBuf = new Uint8Array(READ_MAX);

type State = "unwrapped" | "handshake" | "wrapped" | "shutdown" | "closed";

function isBuffered(p: BaseProtocolLike): p is BufferedProtocolLike {
  return typeof (p as BufferedProtocolLike).getBuffer === "function";
}

/** The socket transport under the TLS layer: what {@link SSLProtocol} uses of it. */
export interface LowerTransport {
  write(data: Uint8Array): void;
  close(): void;
  abort(): void;
  isClosing(): boolean;
  pauseReading(): void;
  resumeReading(): void;
  getWriteBufferSize(): number;
  getWriteBufferLimits(): [number, number];
  setWriteBufferLimits(high?: number | null | WriteBufferLimits, low?: number | null): void;
  getExtraInfo(name: string, defaultValue?: unknown): unknown;
}

/** Options of {@link SSLProtocol}. */
export interface SSLProtocolOptions {
  /** The server end of the handshake. */
  serverSide?: boolean;
  /** The name to send (SNI) and check the certificate against (client). */
  serverHostname?: string | null;
  /** Seconds the handshake may take (60). */
  sslHandshakeTimeout?: number | null;
  /** Seconds to wait for the peer's close_notify after ours (30). */
  sslShutdownTimeout?: number | null;
  /** Call the app's `connectionMade()` after the handshake (false for `startTls`). */
  callConnectionMade?: boolean;
  /**
   * @internal The waiter is a server's own (Python's accept task awaits
   * it): its exception counts as retrieved when set, also if the loop
   * closes before a done callback would read it.
   */
  _waiterAwaited?: boolean;
}

/**
 * Python's `_SSLProtocolTransport`: what the application writes to and reads
 * from over TLS. Extra info adds `"sslcontext"`, `"ssl_object"`,
 * `"peercert"`, `"cipher"` and `"compression"` to the socket's keys.
 *
 * @example
 * ```ts
 * const [transport] = await loop.createConnection(() => new Protocol(), "localhost", 8443, { ssl: ctx });
 * console.log(transport.getExtraInfo("cipher"));
 * ```
 */
export class SSLTransport extends Transport {
  #proto: SSLProtocol;
  /** @internal */
  _closed = false;
  /** @internal `loop.sendfile` must encrypt: it reads the file and writes through TLS. */
  readonly _sendfileCompatible = "fallback";

  /** @internal Made by {@link SSLProtocol}. */
  constructor(proto: SSLProtocol) {
    super();
    this.#proto = proto;
  }

  /** The TLS keys, then the socket transport's (`"peername"`, `"socket"`, ...). */
  override getExtraInfo(name: string, defaultValue: unknown = null): unknown {
    return this.#proto._getExtraInfo(name, defaultValue);
  }

  /** Replaces the application protocol. */
  override setProtocol(protocol: BaseProtocolLike): void {
    this.#proto._setAppProtocol(protocol);
  }

  /** The application protocol. */
  override getProtocol(): BaseProtocolLike {
    return this.#proto._appProtocol;
  }

  /** Whether `close()` was called or the connection is gone. */
  override isClosing(): boolean {
    return this._closed;
  }

  /** Sends close_notify after the pending data, then closes the socket. */
  override close(): void {
    if (this._closed) return;
    this._closed = true;
    this.#proto._startShutdown();
  }

  /**
   * Whether the application's reading is not paused. As in Python, closing
   * does not change it: only `pauseReading()`/`resumeReading()` do.
   */
  override isReading(): boolean {
    return this.#proto._isReading();
  }

  /**
   * @internal Whether the application's writing is paused: a sendfile's
   * fallback waits for it to resume, then resumes the protocol itself, as
   * Python's `_protocol_paused` lets it.
   */
  get _protocolPaused(): boolean {
    return this.#proto._appWritingPaused();
  }

  /** Stops delivering data until `resumeReading()`. */
  override pauseReading(): void {
    this.#proto._pauseReading();
  }

  /** Delivers data again. */
  override resumeReading(): void {
    this.#proto._resumeReading();
  }

  /**
   * The water marks of the TLS layer: by default 512 KiB high and a
   * quarter of that low, as Python's SSL transport. They apply to what the
   * TLS layer holds, not to the socket transport's buffer.
   */
  override setWriteBufferLimits(
    high?: number | null | WriteBufferLimits,
    low?: number | null,
  ): void {
    this.#proto._setWriteBufferLimits(high, low);
  }

  /** `[low, high]` of the TLS layer. */
  override getWriteBufferLimits(): [number, number] {
    return this.#proto._writeBufferLimits();
  }

  /** Bytes not yet taken by the kernel: the pre-handshake backlog plus the socket's buffer. */
  override getWriteBufferSize(): number {
    return this.#proto._writeBufferSize();
  }

  /** Encrypts and sends `data` (held back until the handshake is done). */
  override write(data: Uint8Array): void {
    if (!ArrayBuffer.isView(data)) {
      // The SSL transport's own wording in Python, not the socket transport's.
      throw new TypeError(`data: expecting a bytes-like instance, got ${pyTypeName(data)}`);
    }
    data = toBytes(data);
    if (data.length === 0) return;
    this.#proto._write(data);
  }

  /**
   * Writes each buffer of `list`. Python's does not check the items first: a
   * `str` among them fails in the TLS layer, a fatal error that closes the
   * connection, not a `TypeError` thrown here; the items before it are
   * encrypted but never sent.
   */
  override writeLines(list: Iterable<Uint8Array>): void {
    const items = [...list];
    const bad = items.find((d) => !ArrayBuffer.isView(d));
    if (bad !== undefined) return this.#proto._writeNotBytes(bad);
    for (const d of items) this.write(d);
  }

  /** TLS cannot half-close: always `NotImplementedError` (without a message, as in Python). */
  override writeEof(): void {
    throw new NotImplementedError();
  }

  /** False: TLS cannot half-close. */
  override canWriteEof(): boolean {
    return false;
  }

  /** Closes the socket at once; buffered data is lost. */
  override abort(): void {
    this._closed = true;
    this.#proto._abort();
  }

  /**
   * Python's default repr, as its `_SSLProtocolTransport` has no repr of its
   * own: `<asyncio.sslproto._SSLProtocolTransport object at 0x7f...>`.
   */
  override toString(): string {
    return `<asyncio.sslproto._SSLProtocolTransport object at ${pyAddress(this)}>`;
  }
}

/**
 * Python's `SSLProtocol`: the TLS state machine between a socket transport
 * (it is that transport's protocol) and the application protocol.
 *
 * @example
 * ```ts
 * const proto = new SSLProtocol(loop, appProtocol, ctx, waiter, { serverHostname: "localhost" });
 * new SelectorSocketTransport(loop, sock, proto, null, null, null);
 * await waiter; // the handshake is done
 * ```
 */
export class SSLProtocol implements ProtocolLike {
  #loop: AbstractEventLoop;
  #app: BaseProtocolLike;
  #appBuffered: boolean;
  #ctx: SSLContext;
  #ownCtx: boolean;
  #waiter: Future<void> | null;
  #waiterAwaited: boolean;
  #serverSide: boolean;
  #hostname: string | null;
  #handshakeTimeout: number;
  #shutdownTimeout: number;
  #callConnectionMade: boolean;
  #transport: LowerTransport | null = null;
  #obj: SSLObject | null = null;
  #state: State = "unwrapped";
  #appTransport: SSLTransport;
  #appMade = false;
  #appLost = false;
  #eofToApp = false;
  #readingPaused = false;
  /** Python's `_ssl_reading_paused`: the socket paused while OpenSSL holds too much. */
  #sslReadingPaused = false;
  /** The socket saw EOF while the application had paused reading. */
  #eofPending = false;
  /** The application's writing is paused (its pauseWriting() was called last). */
  #writingPaused = false;
  /** The socket transport's buffer is full: ciphertext stays in OpenSSL's. */
  #sslWritingPaused = false;
  #backlog: Uint8Array[] = [];
  #backlogSize = 0;
  #closeRequested = false;
  /** In {@link #flushThenShutdown}'s read. */
  #flushing = false;
  /** Python's `_conn_lost`: connectionLost() and each write dropped after close. */
  #connLost = 0;
  #extra = new Map<string, unknown>();
  #handshakeTimer: TimerHandle | null = null;
  /** The loop's time the handshake started at, for the debug log. */
  #handshakeStart = 0;
  #shutdownTimer: TimerHandle | null = null;
  #handshakeExc: unknown = null;
  /** Reported to the app instead of the socket's null (a shutdown timeout, a fatal error). */
  #lostWith: Error | null = null;
  /** `[low, high]` water marks of the app transport (the socket transport gets them too). */
  #limits: [number, number] = [SSL_HIGH_WATER / 4, SSL_HIGH_WATER];

  /**
   * A TLS layer for `appProtocol` with `sslcontext` (`true` or null: a
   * default client context, `createDefaultContext()`). `waiter` settles when
   * the handshake is done or has failed.
   */
  constructor(
    loop: AbstractEventLoop,
    appProtocol: BaseProtocolLike,
    sslcontext: SSLContext | true | null,
    waiter: Future<void> | null,
    opts: SSLProtocolOptions = {},
  ) {
    this.#loop = loop;
    this.#app = appProtocol;
    this.#appBuffered = isBuffered(appProtocol);
    this.#serverSide = opts.serverSide ?? false;
    const hostname = opts.serverHostname ?? null;
    this.#hostname = hostname && !this.#serverSide ? hostname : null;
    if (sslcontext === true || sslcontext === null) {
      if (this.#serverSide) throw new ValueError("Server side SSL needs a valid SSLContext");
      const ctx = createDefaultContext();
      // Python: no name to check means no check.
      if (!this.#hostname) ctx.checkHostname = false;
      this.#ctx = ctx;
      this.#ownCtx = true;
    } else {
      // Python's SSLProtocol wraps its SSLObject as it is made: a context
      // for the other end fails here, before the socket transport exists.
      checkContextSide(sslcontext, this.#serverSide);
      this.#ctx = sslcontext;
      this.#ownCtx = false;
    }
    this.#waiter = waiter;
    this.#waiterAwaited = opts._waiterAwaited ?? false;
    this.#handshakeTimeout = opts.sslHandshakeTimeout ?? SSL_HANDSHAKE_TIMEOUT;
    this.#shutdownTimeout = opts.sslShutdownTimeout ?? SSL_SHUTDOWN_TIMEOUT;
    this.#callConnectionMade = opts.callConnectionMade ?? true;
    this.#appTransport = new SSLTransport(this);
  }

  /** @internal The transport the application sees. */
  get _appTransport(): SSLTransport {
    return this.#appTransport;
  }

  /** @internal */
  get _appProtocol(): BaseProtocolLike {
    return this.#app;
  }

  /** @internal */
  _setAppProtocol(p: BaseProtocolLike): void {
    this.#app = p;
    this.#appBuffered = isBuffered(p);
  }

  /** @internal The socket transport; throws once the connection is gone. */
  _lower(): LowerTransport {
    if (this.#transport === null) throw new RuntimeError("the TLS connection is closed");
    return this.#transport;
  }

  /** @internal */
  _getExtraInfo(name: string, defaultValue: unknown): unknown {
    if (this.#extra.has(name)) return this.#extra.get(name);
    if (this.#transport !== null) return this.#transport.getExtraInfo(name, defaultValue);
    return defaultValue;
  }

  // -- from the socket transport ---------------------------------------------

  /** The socket is connected: start the handshake. */
  connectionMade(transport: unknown): void {
    this.#transport = transport as LowerTransport;
    try {
      this.#obj = this.#ctx._wrap(this.#serverSide, this.#hostname);
    } catch (e) {
      this.#handshakeExc = e;
      this.#transport.close();
      return;
    }
    this.#extra.set("sslcontext", this.#ctx);
    if (this.#loop.getDebug()) {
      logger.debug(`${this} starts SSL handshake`);
      this.#handshakeStart = this.#loop.time();
    }
    this.#state = "handshake";
    const timeout = this.#handshakeTimeout;
    this.#handshakeTimer = this.#loop.callLater(timeout, () => {
      if (this.#state !== "handshake") return;
      // Python's _check_handshake_timeout is a plain _fatal_error: the
      // socket is aborted and the waiter fails from connectionLost, a loop
      // iteration later (after the socket is closed), not at once as for a
      // failed handshake.
      const exc = new ConnectionAbortedError(
        `SSL handshake is taking longer than ${timeout} seconds: aborting the connection`,
      );
      this.#lostWith = exc;
      this.#transport?.abort();
      this.#report(exc, "Fatal error on transport");
    });
    this.#doHandshake();
  }

  /** Ciphertext from the socket. */
  dataReceived(data: Uint8Array): void {
    const obj = this.#obj;
    if (obj === null || this.#state === "closed" || this.#state === "unwrapped") return;
    try {
      obj._feed(data);
    } catch (e) {
      this.#fatal(e);
      return;
    }
    if (this.#state === "handshake") this.#doHandshake();
    else if (this.#state === "wrapped") this.#doRead();
    else if (this.#state === "shutdown") this.#doShutdown();
  }

  /**
   * Python's `_control_ssl_reading`. While the app's reading is paused the
   * socket still reads, into OpenSSL, until 256 KiB wait there (64 KiB to
   * go on), as Python's SSL transport reads ahead: a peer's writes and
   * drains go on meanwhile as they do against CPython.
   */
  #controlSslReading(): void {
    const size = this.#obj?._incomingPending() ?? 0;
    if (size >= SSL_READ_HIGH_WATER && !this.#sslReadingPaused) {
      this.#sslReadingPaused = true;
      this.#transport?.pauseReading();
    } else if (size <= SSL_READ_HIGH_WATER / 4 && this.#sslReadingPaused) {
      this.#sslReadingPaused = false;
      this.#transport?.resumeReading();
    }
  }

  /** The socket's peer half-closed (without close_notify, or after it). */
  eofReceived(): boolean {
    this.#eofPending = false;
    if (this.#loop.getDebug()) logger.debug(`${this} received EOF`);
    if (this.#state === "handshake") {
      this.#handshakeFailed(new ConnectionResetError());
    } else if (this.#state === "wrapped") {
      if (this.#readingPaused) {
        // Plaintext may still wait in OpenSSL: deliver it on resumeReading() first.
        this.#eofPending = true;
        return true;
      }
      this.#doRead();
      this.#eofToAppOnce();
      this.#finishShutdown();
    } else if (this.#state === "shutdown") {
      // Python's _do_shutdown with the EOF seen: the app hears of it too.
      this.#eofToAppOnce();
      this.#finishShutdown();
    }
    return false;
  }

  /** The socket is closed: tell the application, free the native state. */
  connectionLost(exc: Error | null): void {
    this.#backlog = [];
    this.#backlogSize = 0;
    this.#connLost++;
    this.#appTransport._closed = true;
    this.#cancelTimers();
    const wasHandshake = this.#state === "handshake" || this.#state === "unwrapped";
    // A startTls() protocol is the app's from the start (Python's
    // STATE_CON_MADE without call_connection_made): after a failed handshake
    // (not one still running) it too hears of the loss, with the handshake's
    // error, so a stream's waitClosed() settles.
    const startTlsLost = this.#state === "unwrapped" && !this.#callConnectionMade &&
      !this.#appMade;
    this.#state = "closed";
    if ((startTlsLost || !wasHandshake && this.#appMade) && !this.#appLost) {
      this.#appLost = true;
      const app = this.#app;
      const reported = exc ?? this.#lostWith ??
        (startTlsLost ? this.#handshakeExc as Error | null : null);
      this.#loop.callSoon(() => app.connectionLost(reported));
    }
    const waiter = this.#waiter;
    this.#waiter = null;
    if (waiter !== null && !waiter.done()) {
      const err = this.#handshakeExc ?? exc ?? this.#lostWith ??
        new ConnectionResetError("Connection lost");
      this.#failWaiter(waiter, err as Error);
    }
    this.#obj?._free();
    this.#obj = null;
    if (this.#ownCtx) this.#ctx.close();
    this.#transport = null;
  }

  /**
   * The socket's buffer is full (over its own 64 KiB): as Python's, the
   * ciphertext now stays in OpenSSL's outgoing buffer, which is what the
   * application's flow control counts.
   */
  pauseWriting(): void {
    this.#sslWritingPaused = true;
  }

  /** The socket's buffer drained: what OpenSSL holds goes to it, all at once. */
  resumeWriting(): void {
    this.#sslWritingPaused = false;
    this.#flush();
  }

  /**
   * Python's `_control_app_writing`: pauses the application when the
   * ciphertext not yet handed to the socket plus the pre-handshake backlog
   * reaches the high-water mark, resumes it at or below the low one. The
   * socket transport's own buffer is not counted.
   */
  #controlAppWriting(): void {
    const size = this._writeBufferSize();
    const [low, high] = this.#limits;
    if (size >= high && !this.#writingPaused) {
      this.#writingPaused = true;
      this.#callApp("pauseWriting", "protocol.pause_writing() failed");
    } else if (size <= low && this.#writingPaused) {
      this.#writingPaused = false;
      this.#callApp("resumeWriting", "protocol.resume_writing() failed");
    }
  }

  #callApp(method: "pauseWriting" | "resumeWriting", message: string): void {
    if (!this.#appMade) return;
    try {
      this.#app[method]();
    } catch (exc) {
      this.#loop.callExceptionHandler({
        message,
        exception: exc,
        transport: this.#appTransport,
        protocol: this.#app,
      });
    }
  }

  // -- handshake ---------------------------------------------------------------

  #flush(): void {
    const obj = this.#obj;
    const t = this.#transport;
    if (obj === null || t === null) return;
    if (!this.#sslWritingPaused) {
      const out = obj._takeOutgoing();
      if (out.length > 0 && !t.isClosing()) t.write(out);
    }
    this.#controlAppWriting();
  }

  #doHandshake(): void {
    const obj = this.#obj!;
    let step;
    try {
      step = obj._handshakeStep();
    } catch (e) {
      // The alert OpenSSL wrote is dropped, as Python's _on_handshake_complete
      // drops it: the peer sees the connection close, not why (a TLS 1.3
      // client refused for lacking a certificate reads EOF, not an error).
      this.#handshakeFailed(e);
      return;
    }
    // As Python's _do_handshake: the last handshake message OpenSSL wrote
    // (a client's Finished) goes out after the app's connectionMade(), so
    // a connectionMade() that throws leaves the peer's handshake unfinished.
    if (step === "ok") this.#handshakeDone();
    else this.#flush();
  }

  #failWaiter(waiter: Future<void>, exc: Error): void {
    waiter.setException(exc);
    if (this.#waiterAwaited) waiter.exception();
  }

  #handshakeFailed(exc: unknown): void {
    if (this.#state !== "handshake") return;
    this.#cancelTimers();
    this.#state = "unwrapped";
    this.#handshakeExc = exc;
    const what = exc instanceof Error && exc.name === "SSLCertVerificationError"
      ? "SSL handshake failed on verifying the certificate"
      : "SSL handshake failed";
    this.#report(exc, what);
    const waiter = this.#waiter;
    this.#waiter = null;
    if (waiter !== null && !waiter.done()) this.#failWaiter(waiter, exc as Error);
    this.#transport?.close();
  }

  #handshakeDone(): void {
    this.#cancelTimers();
    const obj = this.#obj!;
    this.#state = "wrapped";
    this.#extra.set("ssl_object", obj);
    this.#extra.set("peercert", obj.getpeercert());
    this.#extra.set("cipher", obj.cipher());
    this.#extra.set("compression", obj.compression());
    if (this.#loop.getDebug()) {
      const ms = (this.#loop.time() - this.#handshakeStart) * 1e3;
      logger.debug(`${this}: SSL handshake took ${ms.toFixed(1)} ms`);
    }
    if (this.#callConnectionMade) {
      this.#appMade = true;
      try {
        this.#app.connectionMade(this.#appTransport);
      } catch (e) {
        // Python's connection_made() error leaves buffer_updated(), which
        // the socket transport reports so, and is the waiter's error too.
        this.#fatal(e, "Fatal error: protocol.buffer_updated() call failed.");
        return;
      }
    } else {
      this.#appMade = true;
    }
    const waiter = this.#waiter;
    this.#waiter = null;
    if (waiter !== null && !waiter.done()) waiter.setResult(undefined);
    if (this.#backlog.length > 0) {
      const backlog = this.#backlog;
      this.#backlog = [];
      this.#backlogSize = 0;
      try {
        for (const b of backlog) obj._writeAll(b);
      } catch (e) {
        this.#fatal(e);
        return;
      }
    }
    if (this.#closeRequested) {
      this.#flush();
      this.#startShutdownNow();
      return;
    }
    // The peer's first data may have come with its last handshake message.
    // As Python's _on_handshake_complete ends in _do_read, it is read before
    // what OpenSSL wrote (a client's Finished) goes out: a getBuffer() or
    // dataReceived() that throws there leaves the peer's handshake unfinished.
    this.#doRead();
    if (this.#state === "wrapped") this.#flush();
  }

  // -- application data -------------------------------------------------------

  /**
   * Python's `_do_read`: what OpenSSL can decrypt now goes to the application
   * in one call, as there: one `dataReceived()` with the records joined, or
   * one buffer from `getBuffer()` filled as far as it goes (a full one is
   * read into again on the next turn). A close_notify then is the
   * application's `eofReceived()` and starts the shutdown.
   */
  #doRead(): void {
    const obj = this.#obj;
    if (obj === null || this.#state !== "wrapped") return;
    if (this.#readingPaused) return this.#controlSslReading();
    let eof: boolean;
    try {
      eof = this.#appBuffered ? this.#readBuffered(obj) : this.#readCopied(obj);
    } catch (e) {
      // The alert OpenSSL wrote is dropped, as Python's _do_read drops it
      // (its _fatal_error force-closes before _process_outgoing): the peer
      // reads a plain EOF, not `tlsv1 alert protocol version`.
      this.#fatal(e, "Fatal error on SSL protocol");
      return;
    }
    // Reading may have produced protocol messages (key updates, tickets).
    this.#flush();
    if (eof && this.#state === "wrapped") {
      this.#eofToAppOnce();
      this.#flushThenShutdown();
      return;
    }
    // A small buffer from getBuffer() may leave much in OpenSSL.
    if (this.#state === "wrapped") this.#controlSslReading();
  }

  /**
   * Python's `_start_shutdown` from the wrapped state (`_do_flush`): what
   * OpenSSL holds is read (and delivered) once more, then the shutdown
   * starts. After a close_notify that read finds nothing, but a buffered
   * protocol is still asked for a buffer, as Python asks.
   */
  #flushThenShutdown(): void {
    // The read may find close_notify and come back here: one read is Python's.
    if (this.#flushing) return;
    this.#flushing = true;
    try {
      this.#doRead();
    } finally {
      this.#flushing = false;
    }
    this.#startShutdownNow();
  }

  /** Python's `_do_read__copied`; true when close_notify came. */
  #readCopied(obj: SSLObject): boolean {
    const chunks: Uint8Array[] = [];
    let eof = false;
    for (;;) {
      const n = obj._readInto(readBuf);
      if (n === 0) break;
      if (n < 0) {
        eof = true;
        break;
      }
      chunks.push(readBuf.slice(0, n));
    }
    if (chunks.length > 0) {
      (this.#app as ProtocolLike).dataReceived(chunks.length === 1 ? chunks[0] : joinBytes(chunks));
    }
    return eof;
  }

  /** Python's `_do_read__buffered`; true when close_notify came. */
  #readBuffered(obj: SSLObject): boolean {
    const p = this.#app as BufferedProtocolLike;
    const buf = p.getBuffer(obj._incomingPending());
    const wants = _bufferLength(buf);
    // Python 3.11's _do_read__buffered has no empty-buffer check (the socket
    // transport's RuntimeError): reading 0 bytes gives 0, which it takes for
    // close_notify, so the app gets eofReceived() and the shutdown starts.
    if (wants === 0) return true;
    let offset = 0;
    let eof = false;
    let n = obj._readInto(buf);
    if (n < 0) eof = true;
    else if (n > 0) {
      offset = n;
      while (offset < wants) {
        n = obj._readInto(buf.subarray(offset));
        if (n > 0) offset += n;
        else break;
      }
      if (n < 0) eof = true;
      // The buffer is full: there may be more, read on the next turn.
      if (offset === wants) this.#loop.callSoon(() => this.#doRead());
    }
    if (offset > 0) p.bufferUpdated(offset);
    return eof;
  }

  #eofToAppOnce(): void {
    if (this.#eofToApp || !this.#appMade) return;
    this.#eofToApp = true;
    try {
      const keepOpen = (this.#app as ProtocolLike).eofReceived?.();
      if (keepOpen) {
        logger.warning("returning true from eof_received() has no effect when using ssl");
      }
    } catch (e) {
      this.#fatal(e, "Error calling eof_received()");
    }
  }

  /** @internal */
  _write(data: Uint8Array): void {
    if (this.#state === "handshake" || this.#state === "unwrapped") {
      this.#backlog.push(data.slice());
      this.#backlogSize += data.length;
      return;
    }
    if (this.#state !== "wrapped" || this.#closeRequested) {
      // Python's _write_appdata once closing or closed: the data is dropped,
      // and from the fifth write on (counting connection_lost) each one
      // logs a warning, as the socket transport's "socket.send() raised".
      if (this.#connLost >= 5) logger.warning("SSL connection is closed");
      this.#connLost++;
      return;
    }
    try {
      this.#obj!._writeAll(data);
    } catch (e) {
      this.#fatal(e, "Fatal error on SSL protocol");
      return;
    }
    this.#flush();
  }

  /**
   * @internal Python's `_write_appdata` given a non-bytes item by
   * `writelines()`: once closing it is dropped as any write; else
   * `SSLObject.write` raises the `TypeError`, a fatal error.
   */
  _writeNotBytes(data: unknown): void {
    if (this.#state !== "wrapped" || this.#closeRequested) {
      if (this.#state !== "handshake" && this.#state !== "unwrapped") {
        return this._write(new Uint8Array(0));
      }
    }
    this.#fatal(
      new TypeError(`a bytes-like object is required, not '${pyTypeName(data)}'`),
      "Fatal error on SSL protocol",
    );
  }

  /** @internal */
  _writeBufferLimits(): [number, number] {
    return [...this.#limits];
  }

  /**
   * @internal Python's defaults with 512 KiB for `high`. They are the TLS
   * layer's own: the socket transport keeps its 64 KiB.
   */
  _setWriteBufferLimits(high?: number | null | WriteBufferLimits, low?: number | null): void {
    const unset = (high === undefined || high === null) && (low === undefined || low === null);
    const parsed = new WriteFlowControl(this.#appTransport, this.#loop);
    if (unset) parsed.setLimits(SSL_HIGH_WATER);
    else parsed.setLimits(high, low);
    this.#limits = parsed.getLimits();
    this.#controlAppWriting();
  }

  /**
   * @internal Python's `_get_write_buffer_size`: the pre-handshake backlog
   * plus the ciphertext OpenSSL holds (the socket transport's is not counted).
   */
  _writeBufferSize(): number {
    return this.#backlogSize + (this.#obj?._outgoingPending() ?? 0);
  }

  /** @internal */
  _isReading(): boolean {
    return !this.#readingPaused;
  }

  /** @internal */
  _appWritingPaused(): boolean {
    return this.#writingPaused;
  }

  /** @internal */
  _pauseReading(): void {
    // Only a flag, as in Python: the socket reads on into OpenSSL until
    // #controlSslReading finds enough there.
    this.#readingPaused = true;
  }

  /** @internal */
  _resumeReading(): void {
    if (!this.#readingPaused) return;
    this.#readingPaused = false;
    // What OpenSSL holds is not announced by the socket: read it (which
    // resumes the socket once little is left).
    this.#loop.callSoon(() => {
      if (this.#readingPaused) return;
      this.#doRead();
      if (this.#eofPending && this.#state === "wrapped") {
        this.#eofPending = false;
        this.#eofToAppOnce();
        this.#finishShutdown();
      }
    });
  }

  // -- closing ---------------------------------------------------------------

  /** @internal The app transport's close(). */
  _startShutdown(): void {
    if (this.#closeRequested) return;
    this.#closeRequested = true;
    if (this.#state === "handshake" || this.#state === "unwrapped") {
      this._abort();
      return;
    }
    if (this.#state === "wrapped") this.#flushThenShutdown();
  }

  #startShutdownNow(): void {
    if (this.#state !== "wrapped") return;
    this.#state = "shutdown";
    // A socket paused with 256 KiB in OpenSSL: the peer's close_notify, or
    // the data that fails the shutdown, must still come in.
    if (this.#sslReadingPaused) {
      this.#sslReadingPaused = false;
      this.#transport?.resumeReading();
    }
    this.#closeRequested = true;
    this.#appTransport._closed = true;
    const timeout = this.#shutdownTimeout;
    this.#shutdownTimer = this.#loop.callLater(timeout, () => {
      this.#shutdownTimer = null;
      this.#transport?.abort();
      // The socket's connectionLost reports null; Python reports a timeout.
      this.#lostWith = new TimeoutError("SSL shutdown timed out");
    });
    this.#doShutdown();
  }

  #doShutdown(): void {
    const obj = this.#obj;
    if (obj === null) return;
    let done: boolean;
    try {
      // As Python's unwrap(): OpenSSL itself decides what the peer may still
      // send; application data after our close_notify fails the shutdown.
      done = obj._shutdownStep();
    } catch (e) {
      // Python's _on_shutdown_complete(exc): a fatal error, which the app's
      // connectionLost receives.
      this.#fatal(e);
      return;
    }
    this.#flush();
    if (!done) return;
    // Both close_notify are through: as Python, the app that closed hears
    // of the peer's (its eofReceived), unless it already did.
    this.#eofToAppOnce();
    this.#finishShutdown();
  }

  /** Closes the socket transport in the next iteration, as Python's `_on_shutdown_complete` does. */
  #finishShutdown(): void {
    this.#cancelTimers();
    if (this.#state === "closed") return;
    this.#state = "closed";
    const t = this.#transport;
    if (t !== null) this.#loop.callSoon(() => t.close());
  }

  /** @internal */
  _abort(): void {
    this.#closeRequested = true;
    this.#appTransport._closed = true;
    if (this.#transport !== null) this.#transport.abort();
  }

  #cancelTimers(): void {
    this.#handshakeTimer?.cancel();
    this.#handshakeTimer = null;
    this.#shutdownTimer?.cancel();
    this.#shutdownTimer = null;
  }

  #report(exc: unknown, message: string): void {
    reportFatalError(this.#loop, exc instanceof OSError, exc, message, this.#transport, this, this);
  }

  #fatal(exc: unknown, message = "Fatal error on transport"): void {
    if (this.#state === "handshake") {
      this.#handshakeFailed(exc);
      this.#transport?.abort();
      return;
    }
    this.#state = "closed";
    this.#cancelTimers();
    this.#lostWith = exc instanceof Error ? exc : new RuntimeError(String(exc));
    // Closed before the report, as Python's _fatal_error force-closes first:
    // the handler's context shows the transport `closing` and `read=idle`.
    this.#transport?.abort();
    this.#report(exc, message);
  }

  /** Python's default repr: `<asyncio.sslproto.SSLProtocol object at 0x7f...>`. */
  toString(): string {
    return `<asyncio.sslproto.SSLProtocol object at ${pyAddress(this)}>`;
  }
}

// -- wiring into the loop's connection methods ------------------------------------

/** TLS options as the loop's connection methods take them. */
export interface SslOptions {
  /** An `SSLContext`, or `true` for `createDefaultContext()` (clients only). */
  ssl?: SSLContext | boolean | null;
  /** The name to send and verify (clients; defaults to the host connected to). */
  serverHostname?: string | null;
  /** Seconds the handshake may take (60). */
  sslHandshakeTimeout?: number | null;
  /** Seconds to wait for the peer's close_notify (30). */
  sslShutdownTimeout?: number | null;
}

/**
 * Python's checks of the TLS options: the timeouts and `serverHostname`
 * need `ssl`, and the timeouts must be positive. Returns whether TLS is on.
 * With `perConnection`, the timeouts' values are left to the moment the
 * TLS layer is made, as Python's SSLProtocol checks them: each accepted
 * connection of a server ({@link sslServerFactory}; `create_server` itself
 * accepts `ssl_handshake_timeout=0`), and a client's connection once it is
 * connected and its protocol made ({@link checkSslTimeouts}). With `server`
 * (create_server, create_unix_server), a boolean `ssl` is a TypeError.
 *
 * @example
 * ```ts
 * const tls = checkSslOptions(opts, { client: true });
 * ```
 */
export function checkSslOptions(
  opts: SslOptions,
  where: { client: boolean; perConnection?: boolean; server?: boolean },
): boolean {
  const ssl = opts.ssl ?? null;
  // A client connection takes `ssl` by its Python truth (`if ssl:`): 0, ""
  // and [] mean no TLS, and another true value only fails once connected,
  // where Python's SSLProtocol calls its `wrap_bio` ({@link sslContextOf}).
  const lenient = where.client && where.perConnection;
  const on = lenient ? pyTrue(ssl) : ssl !== null && ssl !== false;
  if (on && !lenient && ssl !== true && !(ssl instanceof SSLContext)) {
    throw new TypeError(
      where.client
        ? "ssl argument must be an SSLContext, true or null"
        : "ssl argument must be an SSLContext or None",
    );
  }
  // Python's create_server / create_unix_server refuse any bool, False too
  // (`isinstance(ssl, bool)`); connect_accepted_socket lets False mean no
  // TLS, and True fails later ("Server side SSL needs a valid SSLContext").
  if (where.server && typeof ssl === "boolean") {
    throw new TypeError("ssl argument must be an SSLContext or None");
  }
  if (where.client && !on && (opts.serverHostname ?? null) !== null) {
    throw new ValueError("server_hostname is only meaningful with ssl");
  }
  for (
    const [key, py] of [
      ["sslHandshakeTimeout", "ssl_handshake_timeout"],
      ["sslShutdownTimeout", "ssl_shutdown_timeout"],
    ] as const
  ) {
    const v = opts[key] ?? null;
    if (v === null) continue;
    if (!on) throw new ValueError(`${py} is only meaningful with ssl`);
    if (!where.perConnection) checkSslTimeout(v, py);
  }
  return on;
}

/** Python's truth of an `ssl` argument. */
function pyTrue(x: unknown): boolean {
  if (Array.isArray(x)) return x.length > 0;
  return !!x;
}

/**
 * The context a client's TLS layer is made with, once connected: Python's
 * SSLProtocol calls `sslcontext.wrap_bio(...)`, so a true `ssl` that is not
 * an SSLContext fails there with AttributeError.
 *
 * @example
 * ```ts
 * sslContextOf(1); // AttributeError: 'int' object has no attribute 'wrap_bio'
 * ```
 */
export function sslContextOf(ssl: unknown): SSLContext | true {
  if (ssl === true || ssl instanceof SSLContext) return ssl;
  const isClass = typeof ssl === "function" && ssl.prototype !== undefined && ssl.name !== "";
  throw new AttributeError(
    isClass
      ? `type object '${(ssl as { name: string }).name}' has no attribute 'wrap_bio'`
      : `'${pyTypeName(ssl)}' object has no attribute 'wrap_bio'`,
  );
}

/**
 * Python's SSLProtocol checks of the two timeouts, made where it makes the
 * TLS layer (after connecting, when the options were checked with
 * `perConnection`).
 *
 * @example
 * ```ts
 * checkSslTimeouts({ sslHandshakeTimeout: 0 }); // ValueError
 * ```
 */
export function checkSslTimeouts(opts: SslOptions): void {
  if (opts.sslHandshakeTimeout != null) {
    checkSslTimeout(opts.sslHandshakeTimeout, "ssl_handshake_timeout");
  }
  if (opts.sslShutdownTimeout != null) {
    checkSslTimeout(opts.sslShutdownTimeout, "ssl_shutdown_timeout");
  }
}

/** Python's SSLProtocol check of one timeout: a positive number. */
function checkSslTimeout(v: unknown, py: string): void {
  // Python compares first (`timeout <= 0`): another type fails there.
  if (typeof v !== "number") {
    throw new TypeError(`'<=' not supported between instances of '${pyTypeName(v)}' and 'int'`);
  }
  if (v <= 0) throw new ValueError(`${py} should be a positive number, got ${v}`);
}

/**
 * Wraps the connected `sock` in a socket transport with TLS over it; resolves
 * to the application's transport once the handshake is done (the socket is
 * closed if it fails).
 *
 * @example
 * ```ts
 * const t = await connectSsl(loop, sock, protocol, ctx, { serverHostname: "localhost" });
 * ```
 */
export async function connectSsl(
  loop: BaseSelectorEventLoop,
  sock: Socket,
  protocol: BaseProtocolLike,
  sslcontext: SSLContext | true,
  opts: SSLProtocolOptions,
): Promise<SSLTransport> {
  const waiter = loop.createFuture<void>();
  let proto;
  try {
    proto = new SSLProtocol(loop, protocol, sslcontext, waiter, opts);
  } catch (e) {
    sock.close();
    throw e;
  }
  const transport = new SelectorSocketTransport(loop, sock, proto, null, null, null);
  try {
    await waiter;
  } catch (e) {
    transport.close();
    throw e;
  }
  return proto._appTransport;
}

/**
 * The protocol factory a TLS server hands its listening sockets: each
 * connection gets an {@link SSLProtocol} over the application's protocol.
 * A failed handshake is reported as Python's `_accept_connection2` does
 * when its waiter fails: in debug mode only, "Error on transport creation
 * for incoming connection", with the app's protocol and TLS transport.
 *
 * @example
 * ```ts
 * const server = new Server(loop, sockets, sslServerFactory(loop, factory, ctx, {}), 100);
 * ```
 */
export function sslServerFactory(
  loop: AbstractEventLoop,
  factory: () => BaseProtocolLike,
  sslcontext: SSLContext,
  opts: SslOptions,
): () => BaseProtocolLike {
  return () => {
    const app = factory();
    // Python's SSLProtocol checks the timeouts as each connection comes: a
    // bad one fails the accept (the socket is dropped), not create_server.
    checkSslTimeouts(opts);
    const waiter = loop.createFuture<void>();
    const proto = new SSLProtocol(loop, app, sslcontext, waiter, {
      serverSide: true,
      _waiterAwaited: true,
      sslHandshakeTimeout: opts.sslHandshakeTimeout,
      sslShutdownTimeout: opts.sslShutdownTimeout,
    });
    waiter.addDoneCallback(() => {
      const exc = waiter.exception(); // retrieved, as Python's task awaits it
      if (exc === null || !loop.getDebug()) return;
      loop.callExceptionHandler({
        message: "Error on transport creation for incoming connection",
        exception: exc,
        protocol: app,
        transport: proto._appTransport,
      });
    });
    return proto;
  };
}

/** Options of {@link startTls}. */
export interface StartTlsOptions {
  /** The server end of the handshake. */
  serverSide?: boolean;
  /** The name to send and verify (client). */
  serverHostname?: string | null;
  /** Seconds the handshake may take (60). */
  sslHandshakeTimeout?: number | null;
  /** Seconds to wait for the peer's close_notify (30). */
  sslShutdownTimeout?: number | null;
}

/**
 * Python's `loop.start_tls()`: upgrades the open socket `transport` (whose
 * protocol is `protocol`) to TLS and resolves to the new transport, which
 * `protocol` now talks through. The old transport must not be used again.
 *
 * @example
 * ```ts
 * const tls = await loop.startTls(transport, protocol, ctx, { serverHostname: "localhost" });
 * ```
 */
export async function startTls(
  loop: BaseSelectorEventLoop,
  transport: unknown,
  protocol: BaseProtocolLike,
  sslcontext: unknown,
  opts: StartTlsOptions = {},
): Promise<SSLTransport> {
  if (!(sslcontext instanceof SSLContext)) {
    throw new TypeError(
      `sslcontext is expected to be an instance of ssl.SSLContext, got ${pyRepr(sslcontext)}`,
    );
  }
  // A TLS transport too, as Python's `_start_tls_compatible`: TLS in TLS
  // (a TLS connection through an HTTPS proxy).
  if (!(transport instanceof SelectorSocketTransport || transport instanceof SSLTransport)) {
    throw new TypeError(`transport ${transport} is not supported by start_tls()`);
  }
  checkSslOptions({ ssl: sslcontext, ...opts }, { client: true });
  const waiter = loop.createFuture<void>();
  const proto = new SSLProtocol(loop, protocol, sslcontext, waiter, {
    serverSide: opts.serverSide ?? false,
    serverHostname: opts.serverHostname ?? null,
    sslHandshakeTimeout: opts.sslHandshakeTimeout,
    sslShutdownTimeout: opts.sslShutdownTimeout,
    callConnectionMade: false,
  });
  // Python: nothing is read until the TLS layer is in place.
  transport.pauseReading();
  transport.setProtocol(proto);
  const made = loop.callSoon(() => proto.connectionMade(transport));
  const resume = loop.callSoon(() => transport.resumeReading());
  try {
    await waiter;
  } catch (e) {
    transport.close();
    made.cancel();
    resume.cancel();
    throw e;
  }
  return proto._appTransport;
}

printAsRepr(SSLTransport, SSLProtocol);
// Python names the class `_SSLProtocolTransport`: a ported
// `type(writer.transport).__name__` (`transport.constructor.name`) prints that.
Object.defineProperty(SSLTransport, "name", { value: "_SSLProtocolTransport" });
// Python code passes these as callbacks (`loop.call_later(5, transport.close)`);
// Python's class is `_SSLProtocolTransport`.
const SSL_CALLBACK_METHODS: Record<string, string> = {
  write: "write",
  writeLines: "writelines",
  writeEof: "write_eof",
  close: "close",
  abort: "abort",
  pauseReading: "pause_reading",
  resumeReading: "resume_reading",
};
bindOnRead(
  SSLTransport.prototype,
  Object.keys(SSL_CALLBACK_METHODS),
  Object.fromEntries(
    Object.entries(SSL_CALLBACK_METHODS).map(([k, py]) => [k, `_SSLProtocolTransport.${py}`]),
  ),
);
