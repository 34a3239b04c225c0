/**
 * Python's asyncio for Deno, Bun and Node, with an event loop that calls the
 * operating system directly (epoll, poll or select through FFI).
 *
 * ```ts
 * import * as asyncio from "./mod.ts";
 *
 * await asyncio.run(async () => {
 *   console.log("Hello ...");
 *   await asyncio.sleep(1);
 *   console.log("... World!");
 * });
 * ```
 *
 * Names follow Python's, in camelCase (API.md): `loop.callSoon`,
 * `asyncio.getEventLoop`, `asyncio.sleep`. Times are seconds; data is
 * `Uint8Array`; errors keep Python's class names.
 *
 * @module
 */

export {
  AbstractEventLoop,
  type Callback,
  type ExceptionContext,
  type ExceptionHandler,
  getRunningLoop,
  Handle,
  type TaskFactory,
  type TaskOptions,
  TimerHandle,
} from "./lib/events.ts";
export { BaseEventLoop } from "./lib/base_events.ts";
export { BaseSelectorEventLoop, type SelectorEventLoopOptions } from "./lib/selector_events.ts";
export { closeFd, pipe, SelectorEventLoop, signals } from "./lib/unix_events.ts";
export {
  type Address,
  BaseProtocol,
  type BaseProtocolLike,
  BufferedProtocol,
  type BufferedProtocolLike,
  DatagramProtocol,
  type DatagramProtocolInput,
  type DatagramProtocolLike,
  Protocol,
  type ProtocolFactory,
  type ProtocolLike,
  SubprocessProtocol,
  type SubprocessProtocolLike,
} from "./lib/protocols.ts";
export {
  BaseTransport,
  DatagramTransport,
  type ExtraInfo,
  ReadTransport,
  SubprocessTransport,
  Transport,
  type WriteBufferLimits,
  WriteTransport,
} from "./lib/transports.ts";
export {
  AssertionError,
  type ClientConnectedCallback,
  EOFError,
  FlowControlMixin,
  IncompleteReadError,
  LimitOverrunError,
  openConnection,
  openUnixConnection,
  startServer,
  startUnixServer,
  type StreamOptions,
  StreamReader,
  StreamReaderProtocol,
  type StreamServer,
  StreamWriter,
  type StreamWriterKeywords,
  type StreamWriterProtocol,
} from "./lib/streams.ts";
export {
  readerFromReadableStream,
  type ReaderFromReadableStreamOptions,
  toReadableStream,
  type ToReadableStreamOptions,
  toWritableStream,
  type ToWritableStreamOptions,
  writerFromWritableStream,
  type WriterFromWritableStreamOptions,
} from "./lib/web_streams.ts";
export { AbstractServer, Server } from "./lib/servers.ts";
export { SelectorSocketTransport } from "./lib/selector_transports.ts";
export { type DatagramEndpointOptions, SelectorDatagramTransport } from "./lib/datagram.ts";
export {
  createSubprocessExec,
  createSubprocessShell,
  DEVNULL,
  PIPE,
  Process,
  type ProcessOptions,
  STDOUT,
  SubprocessStreamProtocol,
} from "./lib/subprocess.ts";
export {
  type StdioSpec,
  type SubprocessOptions,
  type TextModeOptions,
  UnixReadPipeTransport,
  UnixSubprocessTransport,
  UnixWritePipeTransport,
} from "./lib/unix_subprocess.ts";
export { FlowControlTransport, WriteFlowControl } from "./lib/transports.ts";
export { LoopBound } from "./lib/mixins.ts";
export type { CreateConnectionOptions, CreateServerOptions } from "./lib/connections.ts";
export type {
  SendfileFile,
  SendfileMode,
  SendfileOptions,
  SendfileTransport,
} from "./lib/sendfile.ts";
export {
  type AddressLike,
  AF_INET,
  AF_INET6,
  AF_UNIX,
  AF_UNSPEC,
  EAI_ADDRFAMILY,
  EAI_AGAIN,
  EAI_BADFLAGS,
  EAI_FAIL,
  EAI_FAMILY,
  EAI_MEMORY,
  EAI_NODATA,
  EAI_NONAME,
  EAI_OVERFLOW,
  EAI_SERVICE,
  EAI_SOCKTYPE,
  EAI_SYSTEM,
  gaierror,
  hasIpv6,
  IPPROTO_IP,
  IPPROTO_IPV6,
  IPPROTO_SCTP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  type IPv4Address,
  IPV6_V6ONLY,
  type IPv6Address,
  MSG_DONTWAIT,
  MSG_NOSIGNAL,
  MSG_OOB,
  MSG_PEEK,
  MSG_TRUNC,
  MSG_WAITALL,
  type RawAddress,
  SHUT_RD,
  SHUT_RDWR,
  SHUT_WR,
  SO_ACCEPTCONN,
  SO_BROADCAST,
  SO_DOMAIN,
  SO_ERROR,
  SO_KEEPALIVE,
  SO_LINGER,
  SO_PROTOCOL,
  SO_RCVBUF,
  SO_REUSEADDR,
  SO_REUSEPORT,
  SO_SNDBUF,
  SO_TYPE,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOCK_RAW,
  SOCK_RDM,
  SOCK_SEQPACKET,
  SOCK_STREAM,
  Socket,
  socket,
  type SocketAddress,
  type SocketKeywords,
  socketpair,
  SOL_SOCKET,
  SOMAXCONN,
  TCP_NODELAY,
} from "./lib/socket.ts";
export {
  type AddrInfo,
  AI_ADDRCONFIG,
  AI_ALL,
  AI_CANONNAME,
  AI_NUMERICHOST,
  AI_NUMERICSERV,
  AI_PASSIVE,
  AI_V4MAPPED,
  getaddrinfo,
  type GetaddrinfoOptions,
  getnameinfo,
  NI_DGRAM,
  NI_NAMEREQD,
  NI_NOFQDN,
  NI_NUMERICHOST,
  NI_NUMERICSERV,
} from "./lib/dns.ts";
export {
  AbstractEventLoopPolicy,
  DefaultEventLoopPolicy,
  getChildWatcher,
  getEventLoop,
  getEventLoopPolicy,
  newEventLoop,
  setChildWatcher,
  setEventLoop,
  setEventLoopPolicy,
} from "./lib/policies.ts";
export {
  BaseSelector,
  DefaultSelector,
  EpollSelector,
  EVENT_READ,
  EVENT_WRITE,
  type FileLike,
  PollSelector,
  type SelectorKey,
  SelectSelector,
  type WaitSet,
} from "./lib/selectors.ts";
export {
  type CancelMessage,
  type DoneCallback,
  Future,
  type FutureLoop,
  isFuture,
  isfuture,
} from "./lib/futures.ts";
export {
  allTasks,
  type CoroutineLike,
  createTask,
  currentTask,
  ensureFuture,
  sleep,
  Task,
} from "./lib/tasks.ts";
export type { StackFrame, StackOptions, TextSink } from "./lib/task_stack.ts";
export {
  ALL_COMPLETED,
  AsCompleted,
  asCompleted,
  type AsCompletedOptions,
  eagerTaskFactory,
  type EagerTaskOptions,
  type ErrorClass,
  type ErrorCondition,
  ExceptionGroup,
  FIRST_COMPLETED,
  FIRST_EXCEPTION,
  gather,
  type GatherOptions,
  type ResultOf,
  type Results,
  runCoroutineThreadsafe,
  shield,
  TaskGroup,
  Timeout,
  timeout,
  timeoutAt,
  type Unknowns,
  wait,
  waitFor,
  type WaitOptions,
  wrapFuture,
} from "./lib/task_functions.ts";
export { Coroutine, coroutine, iscoroutine, iscoroutinefunction } from "./lib/coroutines.ts";
// For its effect: iscoroutinefunction() answers for the library's functions as Python's.
import "./lib/coroutine_functions.ts";
export {
  Barrier,
  BoundedSemaphore,
  BrokenBarrierError,
  Condition,
  Event,
  Lock,
  Semaphore,
} from "./lib/locks.ts";
export {
  LifoQueue,
  PriorityQueue,
  type PriorityQueueOptions,
  Queue,
  QueueEmpty,
  QueueFull,
  QueueShutDown,
} from "./lib/queues.ts";
export { run, Runner, type RunOptions } from "./lib/runners.ts";
export {
  BrokenThreadPool,
  type Executor,
  InlineExecutor,
  isExecutor,
  type ShutdownOptions,
  type Submission,
  ThreadPoolExecutor,
  type ThreadPoolExecutorOptions,
} from "./lib/executors.ts";
export {
  BrokenProcessPool,
  moduleFunction,
  ProcessPoolExecutor,
  type ProcessPoolExecutorOptions,
} from "./lib/process_pool.ts";
export { toThread } from "./lib/threads.ts";
export {
  type BridgeFunction,
  connectLoop,
  LoopBridge,
  type LoopLink,
  RemoteLoop,
  ThreadsafeFuture,
} from "./lib/loop_bridge.ts";
export {
  AbstractChildWatcher,
  type ChildCallback,
  FastChildWatcher,
  MultiLoopChildWatcher,
  PidfdChildWatcher,
  pidfdEnabled,
  SafeChildWatcher,
  setPidfdEnabled,
  ThreadedChildWatcher,
} from "./lib/child_watcher.ts";
export {
  Context,
  ContextVar,
  copyContext,
  MISSING,
  Token,
  type TokenMissing,
} from "./lib/contextvars.ts";
export {
  BlockingIOError,
  BrokenPipeError,
  CancelledError,
  ChildProcessError,
  ConnectionAbortedError,
  ConnectionError,
  ConnectionRefusedError,
  ConnectionResetError,
  FileExistsError,
  FileNotFoundError,
  IndexError,
  InterruptedError,
  InvalidStateError,
  IsADirectoryError,
  KeyboardInterrupt,
  KeyError,
  LookupError,
  NotADirectoryError,
  NotImplementedError,
  OSError,
  OverflowError,
  PermissionError,
  ProcessLookupError,
  RuntimeError,
  SendfileNotAvailableError,
  SystemExit,
  TimeoutError,
  ValueError,
} from "./lib/exceptions.ts";
export {
  CRITICAL,
  DEBUG,
  ERROR,
  INFO,
  Logger,
  logger,
  type LogHandler,
  type LogRecord,
  WARNING,
} from "./lib/log.ts";
export * as ssl from "./lib/ssl.ts";
export {
  type CertChainFiles,
  type CertChainKeywords,
  createDefaultContext,
  type DefaultContextOptions,
  type PeerCertificate,
  SSLCertVerificationError,
  SSLContext,
  SSLError,
  SSLObject,
  type VerifyLocations,
} from "./lib/ssl.ts";
export {
  type SslOptions,
  SSLProtocol,
  type SSLProtocolOptions,
  SSLTransport,
  type StartTlsOptions,
} from "./lib/sslproto.ts";
export type {
  AddressKeywords,
  ConnectAcceptedSocketOptions,
  CreateUnixConnectionOptions,
  CreateUnixServerOptions,
  HostPort,
  ServerHostPort,
  StreamTransport,
  UnixPath,
} from "./lib/connections.ts";
export * as asyncore from "./lib/asyncore.ts";
export * as asynchat from "./lib/asynchat.ts";
export * as subprocess from "./lib/subprocess_module.ts";
