/**
 * lib/selectors.ts on real fds: the three selectors share one suite, plus
 * the epoll- and select-specific behaviour.
 */
import { test } from "./harness.ts";
import {
  assert,
  assertEquals,
  assertGreaterOrEqual,
  assertInstanceOf,
  assertStrictEquals,
  assertThrows,
} from "./assert.ts";
import { ERRNO, sys } from "../ffi/mod.ts";
import { C } from "../ffi/types.ts";
import { OSError, RuntimeError, ValueError } from "../lib/exceptions.ts";
import {
  type BaseSelector,
  DefaultSelector,
  EpollSelector,
  EVENT_READ,
  EVENT_WRITE,
  KeyError,
  PollSelector,
  type SelectorKey,
  SelectSelector,
} from "../lib/selectors.ts";

type Ctor = new () => BaseSelector<unknown>;
const SELECTORS: Array<[string, Ctor]> = [
  ["EpollSelector", EpollSelector],
  ["PollSelector", PollSelector],
  ["SelectSelector", SelectSelector],
];

const { EBADF } = ERRNO;

/** Open fds of the current test; `withSel` closes what is left whatever happens. */
let opened: number[] = [];

function pipe(): [number, number] {
  const p = sys().pipe2(C.O_NONBLOCK | C.O_CLOEXEC);
  if (typeof p === "number") throw new Error(`pipe2: ${p}`);
  opened.push(p[0], p[1]);
  return p;
}

function socketpair(): [number, number] {
  const p = sys().socketpair(C.AF_UNIX, C.SOCK_STREAM | C.SOCK_NONBLOCK | C.SOCK_CLOEXEC, 0);
  if (typeof p === "number") throw new Error(`socketpair: ${p}`);
  opened.push(p[0], p[1]);
  return p;
}

function closeFd(fd: number): void {
  const i = opened.indexOf(fd);
  if (i >= 0) opened.splice(i, 1);
  assertEquals(sys().close(fd), 0, `close(${fd})`);
}

function writeByte(fd: number): void {
  assertEquals(sys().write(fd, new Uint8Array([120])), 1);
}

function isOpen(fd: number): boolean {
  return sys().fcntl(fd, C.F_GETFD, 0) >= 0;
}

/** Runs `fn` with a fresh selector, then closes it and every fd the test opened. */
function withSel<S extends BaseSelector<unknown>>(
  Sel: new () => S,
  fn: (sel: S) => unknown,
): () => Promise<void> {
  return async () => {
    opened = [];
    const sel = new Sel();
    try {
      await fn(sel);
    } finally {
      sel.close();
      for (const fd of opened) sys().close(fd);
      opened = [];
    }
  };
}

/** `select()` result as sorted `[fd, events]` pairs, for comparisons. */
function fdsOf(ready: Array<[SelectorKey<unknown>, number]>): Array<[number, number]> {
  return ready.map(([k, ev]): [number, number] => [k.fd, ev]).sort((a, b) => a[0] - b[0]);
}

for (const [name, Sel] of SELECTORS) {
  test(
    `${name}: read and write readiness`,
    withSel(Sel, (sel) => {
      const [r, w] = pipe();
      const rk = sel.register(r, EVENT_READ, "r");
      const wk = sel.register(w, EVENT_WRITE, "w");
      assertEquals(rk, { fileobj: r, fd: r, events: EVENT_READ, data: "r" });
      // Only the write end is ready: the pipe is empty.
      let ready = sel.select(0);
      assertEquals(ready.length, 1);
      assertStrictEquals(ready[0][0], wk);
      assertEquals(ready[0][1], EVENT_WRITE);
      writeByte(w);
      ready = sel.select(0);
      assertEquals(fdsOf(ready), [[r, EVENT_READ], [w, EVENT_WRITE]].sort((a, b) => a[0] - b[0]));
      // A blocking select returns at once when something is ready.
      assertEquals(sel.select().length, 2);
      assertEquals(sel.select(null).length, 2);
    }),
  );

  test(
    `${name}: both events on one socket, masked by key.events`,
    withSel(Sel, (sel) => {
      const [a, b] = socketpair();
      sel.register(a, EVENT_READ | EVENT_WRITE);
      assertEquals(fdsOf(sel.select(0)), [[a, EVENT_WRITE]]);
      writeByte(b);
      assertEquals(fdsOf(sel.select(0)), [[a, EVENT_READ | EVENT_WRITE]]);
      sel.modify(a, EVENT_READ);
      assertEquals(fdsOf(sel.select(0)), [[a, EVENT_READ]]);
    }),
  );

  test(
    `${name}: modify events and data`,
    withSel(Sel, (sel) => {
      const [r, w] = pipe();
      const k1 = sel.register(w, EVENT_READ, "one");
      assertEquals(sel.select(0), []);
      const k2 = sel.modify(w, EVENT_WRITE, "two");
      assertEquals(k2, { fileobj: w, fd: w, events: EVENT_WRITE, data: "two" });
      assertEquals(k1.data, "one", "keys are immutable");
      assertStrictEquals(sel.getKey(w), k2);
      assertEquals(fdsOf(sel.select(0)), [[w, EVENT_WRITE]]);
      // Same events and data: the very same key back.
      assertStrictEquals(sel.modify(w, EVENT_WRITE, "two"), k2);
      // Same events, new data: a new key, nothing asked of the kernel, so it
      // works even on an fd that is closed now.
      const k3 = sel.modify(w, EVENT_WRITE, "three");
      assertEquals(k3.data, "three");
      // Omitted data is reset, as Python's data=None.
      assertStrictEquals(sel.modify(w, EVENT_WRITE).data, undefined);
      sel.register(r, EVENT_READ, "r");
      closeFd(w);
      const k4 = sel.modify(w, EVENT_WRITE, "four");
      assertEquals(k4.data, "four");
      assertStrictEquals(sel.getKey(w), k4);
      assertThrows(() => sel.modify(w, 0), ValueError, "Invalid events: 0");
      assertThrows(() => sel.modify(12345, EVENT_READ), KeyError, "12345 is not registered");
    }),
  );

  test(
    `${name}: unregister`,
    withSel(Sel, (sel) => {
      const [r, w] = pipe();
      const key = sel.register(r, EVENT_READ, 7);
      sel.register(w, EVENT_WRITE);
      writeByte(w);
      assertStrictEquals(sel.unregister(r), key);
      assertEquals(fdsOf(sel.select(0)), [[w, EVENT_WRITE]]);
      assertEquals(sel.getMap()!.size, 1);
      assertThrows(() => sel.unregister(r), KeyError, `${r} is not registered`);
      assertThrows(() => sel.getKey(r), KeyError, `${r} is not registered`);
      // It can be registered again.
      sel.register(r, EVENT_READ);
      assertEquals(
        fdsOf(sel.select(0)),
        [[r, EVENT_READ], [w, EVENT_WRITE]].sort((a, b) => a[0] - b[0]),
      );
    }),
  );

  test(
    `${name}: getKey, getMap, file objects and data round trip`,
    withSel(Sel, (sel) => {
      const [r, w] = pipe();
      const file = { fileno: () => r };
      const data = { handler: () => 42 };
      const key = sel.register(file, EVENT_READ, data);
      assertStrictEquals(key.fileobj, file);
      assertStrictEquals(key.fd, r);
      assertStrictEquals(key.data, data);
      assertStrictEquals(sel.getKey(file), key);
      assertStrictEquals(sel.getKey(r), key, "the fd finds the key of its file object");
      const map = sel.getMap()!;
      assertEquals([...map.keys()], [r]);
      assertStrictEquals(map.get(r), key);
      sel.register(w, EVENT_WRITE, null);
      assertEquals(map.size, 2, "the map is a live view");
      writeByte(w);
      const readyKey = sel.select(0).find(([k]) => k.fd === r)![0];
      assertStrictEquals(readyKey.data, data);
      assertEquals((readyKey.data as typeof data).handler(), 42);
      assertThrows(
        () => sel.register(r, EVENT_READ),
        KeyError,
        `${r} (FD ${r}) is already registered`,
      );
      assertStrictEquals(sel.unregister(file), key);
    }),
  );

  test(
    `${name}: a closed file object can still be unregistered`,
    withSel(Sel, (sel) => {
      const [r] = pipe();
      // Like a Python socket: fileno() is -1 once closed.
      const sock = {
        fd: r,
        fileno() {
          return this.fd;
        },
      };
      const key = sel.register(sock, EVENT_READ);
      closeFd(r);
      sock.fd = -1;
      assertStrictEquals(sel.getKey(sock), key);
      assertStrictEquals(sel.unregister(sock), key);
      assertEquals(sel.getMap()!.size, 0);
      assertThrows(() => sel.unregister(sock), ValueError, "Invalid file descriptor: -1");
    }),
  );

  test(
    `${name}: select(timeout) waits at least the timeout`,
    withSel(Sel, (sel) => {
      const [r] = pipe();
      sel.register(r, EVENT_READ);
      for (const timeout of [0.05, 0.0101]) {
        const t0 = performance.now();
        assertEquals(sel.select(timeout), []);
        const took = performance.now() - t0;
        // Rounded up to whole ms: never shorter (1 ms slack for the JS clock).
        assertGreaterOrEqual(took, timeout * 1000 - 1, `select(${timeout}) took ${took} ms`);
      }
      // Zero and negative timeouts only poll.
      assertEquals(sel.select(0), []);
      assertEquals(sel.select(-1), []);
      assertThrows(() => sel.select(NaN), ValueError);
    }),
  );

  test(
    `${name}: select(timeout) with nothing registered sleeps`,
    withSel(Sel, (sel) => {
      const t0 = performance.now();
      assertEquals(sel.select(0.05), []);
      assertGreaterOrEqual(performance.now() - t0, 49);
    }),
  );

  test(
    `${name}: invalid arguments`,
    withSel(Sel, (sel) => {
      const [r] = pipe();
      assertThrows(() => sel.register(r, 0), ValueError, "Invalid events: 0");
      assertThrows(() => sel.register(r, 4), ValueError, "Invalid events: 4");
      assertThrows(() => sel.register(r, EVENT_READ | 8), ValueError, "Invalid events: 9");
      assertThrows(() => sel.register(r, -1), ValueError, "Invalid events: -1");
      assertThrows(() => sel.register(r, 1.5), ValueError, "Invalid events: 1.5");
      assertThrows(() => sel.register(-1, EVENT_READ), ValueError, "Invalid file descriptor: -1");
      assertThrows(
        () => sel.register({ fileno: () => -5 }, EVENT_READ),
        ValueError,
        "Invalid file descriptor: -5",
      );
      // CPython: a float is no int and has no fileno().
      assertThrows(() => sel.register(1.5, EVENT_READ), ValueError, "Invalid file object: 1.5");
      const bad = {} as unknown as number;
      assertThrows(() => sel.register(bad, EVENT_READ), ValueError, "Invalid file object: ");
      assertThrows(
        () => sel.register("3" as unknown as number, EVENT_READ),
        ValueError,
        "Invalid file object: '3'",
      );
      const throwing = {
        fileno(): number {
          throw new ValueError("I/O operation on closed file");
        },
      };
      assertThrows(() => sel.register(throwing, EVENT_READ), ValueError, "Invalid file object");
      assertThrows(() => sel.unregister(r), KeyError, `${r} is not registered`);
      assertThrows(() => sel.getKey(r), KeyError, `${r} is not registered`);
      assertThrows(() => sel.modify(r, EVENT_READ), KeyError, `${r} is not registered`);
      assertEquals(sel.getMap()!.size, 0, "nothing registered by the failures");
      sel.register(r, EVENT_READ);
      assertThrows(() => sel.register(r, EVENT_WRITE), KeyError, "is already registered");
      assertThrows(
        () => sel.register({ fileno: () => r }, EVENT_WRITE),
        KeyError,
        `(FD ${r}) is already registered`,
      );
      assertEquals(sel.getKey(r).events, EVENT_READ);
    }),
  );

  test(
    `${name}: close is idempotent`,
    withSel(Sel, (sel) => {
      const [r] = pipe();
      sel.register(r, EVENT_READ);
      sel.close();
      assertStrictEquals(sel.getMap(), null);
      assertThrows(() => sel.getKey(r), RuntimeError, "Selector is closed");
      assertThrows(() => sel.unregister(r), KeyError);
      sel.close();
      sel[Symbol.dispose]();
      assertStrictEquals(sel.getMap(), null);
      assert(isOpen(r), "closing the selector leaves registered fds open");
    }),
  );

  test(
    `${name}: unregister after the fd was closed`,
    withSel(Sel, (sel) => {
      const [r, w] = pipe();
      const key = sel.register(r, EVENT_READ);
      sel.register(w, EVENT_WRITE);
      closeFd(r);
      assertStrictEquals(sel.unregister(r), key);
      assertEquals([...sel.getMap()!.keys()], [w]);
      // The fd number may be reused right away.
      const [r2, w2] = pipe();
      sel.register(r2, EVENT_READ);
      writeByte(w2);
      assertEquals(fdsOf(sel.select(0)).find(([fd]) => fd === r2), [r2, EVENT_READ]);
    }),
  );

  test(
    `${name}: hang-up of the write end makes the read end ready`,
    withSel(Sel, (sel) => {
      const [r, w] = pipe();
      const key = sel.register(r, EVENT_READ, "r");
      assertEquals(sel.select(0), []);
      closeFd(w);
      const ready = sel.select(5);
      assertEquals(ready.length, 1);
      assertStrictEquals(ready[0][0], key);
      assertEquals(ready[0][1], EVENT_READ);
    }),
  );

  test(
    `${name}: error on the write end wakes a writer`,
    withSel(Sel, (sel) => {
      const [r, w] = pipe();
      // Fill the pipe so the write end is not writable, then close the reader:
      // only the error (EPOLLERR/POLLERR) can make it ready.
      const chunk = new Uint8Array(65536);
      while (sys().write(w, chunk) > 0) { /* fill */ }
      sel.register(w, EVENT_WRITE, "w");
      assertEquals(sel.select(0), []);
      closeFd(r);
      assertEquals(fdsOf(sel.select(5)), [[w, EVENT_WRITE]]);
    }),
  );

  test(
    `${name}: 200 pipes all reported`,
    withSel(Sel, (sel) => {
      const pipes: Array<[number, number]> = [];
      for (let i = 0; i < 200; i++) pipes.push(pipe());
      for (const [r] of pipes) sel.register(r, EVENT_READ, r);
      assertEquals(sel.select(0), []);
      for (const [, w] of pipes) writeByte(w);
      let ready = sel.select(0);
      assertEquals(ready.length, 200);
      assertEquals(new Set(ready.map(([k]) => k.fd)).size, 200);
      for (const [k, ev] of ready) {
        assertEquals(ev, EVENT_READ);
        assertEquals(k.data, k.fd);
      }
      // Remove every other one (exercises the packed poll array's swap-remove).
      for (let i = 0; i < 200; i += 2) sel.unregister(pipes[i][0]);
      ready = sel.select(0);
      assertEquals(
        ready.map(([k]) => k.fd).sort((a, b) => a - b),
        pipes.filter((_, i) => i % 2).map(([r]) => r).sort((a, b) => a - b),
      );
      for (let i = 1; i < 200; i += 2) sel.modify(pipes[i][0], EVENT_WRITE);
      assertEquals(sel.select(0), []);
    }),
  );

  test(
    `${name}: waitSet + pollAsync wakes on a write from a timer`,
    withSel(Sel, async (sel) => {
      const [r, w] = pipe();
      const [r2] = pipe();
      sel.register(r, EVENT_READ, "r");
      sel.register(r2, EVENT_READ, "r2");
      const empty = sel.waitSet();
      assertEquals(await sys().pollAsync(empty.fds, empty.nfds, 0), 0);
      const timer = setTimeout(() => writeByte(w), 30);
      try {
        const ws = sel.waitSet();
        const t0 = performance.now();
        const n = await sys().pollAsync(ws.fds, ws.nfds, 5000);
        assertGreaterOrEqual(n, 1);
        assert(performance.now() - t0 < 4000, "woke by the write, not the timeout");
      } finally {
        clearTimeout(timer);
      }
      const ready = sel.select(0);
      assertEquals(ready.length, 1);
      assertEquals(ready[0][0].data, "r");
      // A write-interest fd that is writable is in the wait set too.
      sel.unregister(r);
      sel.register(w, EVENT_WRITE);
      const ws = sel.waitSet();
      assertGreaterOrEqual(await sys().pollAsync(ws.fds, ws.nfds, 1000), 1);
    }),
  );
}

test("DefaultSelector is EpollSelector", () => {
  assertStrictEquals(DefaultSelector, EpollSelector);
  const sel = new DefaultSelector();
  try {
    assertInstanceOf(sel, EpollSelector);
  } finally {
    sel.close();
  }
});

test(
  "EpollSelector: registering a closed fd is EBADF and nothing stays registered",
  withSel(EpollSelector, (sel) => {
    const [r] = pipe();
    closeFd(r);
    const e = assertThrows(() => sel.register(r, EVENT_READ), OSError);
    assertEquals(e.errno, EBADF);
    assertEquals(e.code, "EBADF");
    assertEquals(sel.getMap()!.size, 0);
    assertThrows(() => sel.getKey(r), KeyError);
    assertThrows(() => sel.unregister(r), KeyError);
  }),
);

test(
  "EpollSelector: modify of a closed fd drops the registration",
  withSel(EpollSelector, (sel) => {
    const [r] = pipe();
    sel.register(r, EVENT_READ);
    closeFd(r);
    const e = assertThrows(() => sel.modify(r, EVENT_WRITE), OSError);
    assertEquals(e.errno, EBADF);
    assertEquals(sel.getMap()!.size, 0);
  }),
);

test(
  "EpollSelector: operations after close",
  withSel(EpollSelector, (sel) => {
    const [r] = pipe();
    sel.register(r, EVENT_READ);
    sel.close();
    assertEquals(sel.fileno(), -1);
    const closedMsg = "I/O operation on closed epoll object";
    assertThrows(() => sel.register(r, EVENT_READ), ValueError, closedMsg);
    assertThrows(() => sel.select(0), ValueError, closedMsg);
    assertThrows(() => sel.waitSet(), ValueError, closedMsg);
    assertThrows(() => sel.modify(r, EVENT_WRITE), KeyError);
    assertStrictEquals(sel.getMap(), null);
  }),
);

test("EpollSelector: close closes the epoll fd exactly once", () => {
  const sel = new EpollSelector();
  const epfd = sel.fileno();
  assert(isOpen(epfd));
  sel.close();
  assert(!isOpen(epfd), "epoll fd closed");
  // The number is free again; a second close() must not close its new owner.
  const [r, w] = pipe();
  try {
    sel.close();
    assert(isOpen(r) && isOpen(w), "a later close() left the reused fd alone");
  } finally {
    closeFd(r);
    closeFd(w);
  }
});

test(
  "EpollSelector: waitSet is the epoll fd with POLLIN",
  withSel(EpollSelector, (sel) => {
    const ws = sel.waitSet();
    assertEquals(ws.nfds, 1);
    const view = new DataView(ws.fds.buffer, ws.fds.byteOffset, 8);
    assertEquals(view.getInt32(0, true), sel.fileno());
    assertEquals(view.getInt16(4, true), C.POLLIN);
  }),
);

test(
  "SelectSelector: fds from FD_SETSIZE are refused",
  withSel(SelectSelector, (sel) => {
    assertThrows(
      () => sel.register(1024, EVENT_READ),
      ValueError,
      "filedescriptor out of range in select()",
    );
    assertThrows(
      () => sel.register(5000, EVENT_WRITE),
      ValueError,
      "filedescriptor out of range in select()",
    );
    assertEquals(sel.getMap()!.size, 0);
  }),
);

test("SelectSelector and PollSelector: a registered closed fd is an error / POLLNVAL", () => {
  opened = [];
  const [r] = pipe();
  const s1 = new SelectSelector();
  const s2 = new PollSelector();
  try {
    s1.register(r, EVENT_READ);
    s2.register(r, EVENT_READ);
    closeFd(r);
    const e = assertThrows(() => s1.select(0), OSError);
    assertEquals(e.errno, EBADF);
    // poll() reports POLLNVAL, which Python maps to both events.
    assertEquals(fdsOf(s2.select(0)), [[r, EVENT_READ]]);
  } finally {
    s1.close();
    s2.close();
    for (const fd of opened) sys().close(fd);
    opened = [];
  }
});
