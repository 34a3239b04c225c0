// The synchronization primitives' constructors refuse what Python 3.11's
// refuse: the `loop=` keyword the spec still shows (removed in 3.10) and any
// extra positional argument, with Python's TypeError message. Checked
// against tests/fixtures/py/sw_sync_lock_args.py.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

// deno-lint-ignore no-explicit-any
const A = asyncio as any;

const CASES: [string, () => unknown][] = [
  ["Lock()", () => new asyncio.Lock()],
  ["Lock(**{})", () => new A.Lock({})],
  ["Lock(loop=None)", () => new A.Lock({ loop: null })],
  ["Lock(1)", () => new A.Lock(1)],
  ["Lock(1, loop=None)", () => new A.Lock(1, { loop: null })],
  ["Event(loop=None)", () => new A.Event({ loop: null })],
  ["Event(1)", () => new A.Event(1)],
  ["Condition(loop=None)", () => new A.Condition({ loop: null })],
  ["Condition(None, 2)", () => new A.Condition(null, 2)],
  ["Condition(lock=None)", () => new asyncio.Condition({ lock: null })],
  ["Semaphore(loop=None)", () => new A.Semaphore({ loop: null })],
  ["Semaphore(1, 2)", () => new A.Semaphore(1, 2)],
  ["Semaphore(1, loop=None)", () => new A.Semaphore(1, { loop: null })],
  ["BoundedSemaphore(1, 2)", () => new A.BoundedSemaphore(1, 2)],
  ["BoundedSemaphore(value=2)", () => new asyncio.BoundedSemaphore({ value: 2 })],
  ["Barrier(2, loop=None)", () => new A.Barrier(2, { loop: null })],
  ["Barrier(1, 2)", () => new A.Barrier(1, 2)],
  ["Barrier(parties=2)", () => new asyncio.Barrier({ parties: 2 })],
];

const EXPECTED = [
  "Lock() OK",
  "Lock(**{}) OK",
  "Lock(loop=None) TypeError Lock.__init__() got an unexpected keyword argument 'loop'",
  "Lock(1) TypeError Lock.__init__() takes 1 positional argument but 2 were given",
  "Lock(1, loop=None) TypeError Lock.__init__() got an unexpected keyword argument 'loop'",
  "Event(loop=None) TypeError Event.__init__() got an unexpected keyword argument 'loop'",
  "Event(1) TypeError Event.__init__() takes 1 positional argument but 2 were given",
  "Condition(loop=None) TypeError Condition.__init__() got an unexpected keyword argument 'loop'",
  "Condition(None, 2) TypeError Condition.__init__() takes from 1 to 2 positional arguments but 3 were given",
  "Condition(lock=None) OK",
  "Semaphore(loop=None) TypeError Semaphore.__init__() got an unexpected keyword argument 'loop'",
  "Semaphore(1, 2) TypeError Semaphore.__init__() takes from 1 to 2 positional arguments but 3 were given",
  "Semaphore(1, loop=None) TypeError Semaphore.__init__() got an unexpected keyword argument 'loop'",
  "BoundedSemaphore(1, 2) TypeError BoundedSemaphore.__init__() takes from 1 to 2 positional arguments but 3 were given",
  "BoundedSemaphore(value=2) OK",
  "Barrier(2, loop=None) TypeError Barrier.__init__() got an unexpected keyword argument 'loop'",
  "Barrier(1, 2) TypeError Barrier.__init__() takes 2 positional arguments but 3 were given",
  "Barrier(parties=2) OK",
];

test("Lock, Event, Condition, semaphores, Barrier: loop= and extra arguments are Python's TypeError", () => {
  const out: string[] = [];
  for (const [label, f] of CASES) {
    try {
      f();
      out.push(`${label} OK`);
    } catch (e) {
      out.push(`${label} ${(e as Error).name} ${(e as Error).message}`);
    }
  }
  assertEquals(out, EXPECTED);
});

test("a subclass still constructs; undefined arguments are left out", () => {
  class MyLock extends asyncio.Lock {}
  assertEquals(new MyLock().locked(), false);
  assertEquals(new A.Event(undefined).isSet(), false);
  assertEquals(new A.Semaphore(2, undefined).locked(), false);
});

test("CPython prints the same for sw_sync_lock_args.py", () => {
  const ref = pythonReference("sw_sync_lock_args");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
